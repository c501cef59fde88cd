/**
 * Issue 16 acceptance in Chromium: a finance admin sets a budget on /admin/budgets, the team page
 * shows spent, forecast and "At risk"; uploading the rest of the month through /imports/new
 * crosses the budget: the team page says "Over budget" and the webhook subscribed to the team
 * has received the Slack-compatible alert, delivered by the post-ingest evaluation.
 */
import { dec } from "../../app/domain/money";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribe } from "../../app/services/alerts";
import { getBudgetStatus } from "../../app/services/budget-status";
import { importCrosswalk } from "../../app/services/crosswalk";
import { ingestFile } from "../../app/services/ingest";
import { ensureOrg } from "../../db/queries/orgs";
import { describeOwners, EXPORT_HEADER, generateExportRecords } from "../../scripts/lib/generator";
import { newPage, screenshot, signIn, useBrowserApp, waitForHydration, type TrackedPage } from "../helpers/browser";
import { createUser, TEST_PASSWORD } from "../helpers/server";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

const ORG = "org-b";
const EMAIL = "budget-admin@example.test";
const GEN = { org: ORG, granularity: "daily" as const, principals: 8, clusters: 2, seed: 5 };
const csv = (from: string, to: string) => stringify([EXPORT_HEADER, ...generateExportRecords({ ...GEN, from, to })]);

const web = useBrowserApp({
  seed: async (db) => {
    await createUser(db, { email: EMAIL, role: "finance_admin" });
    await ensureOrg(db, ORG);
    const file = path.join(os.tmpdir(), `showback-budgets-${process.pid}.csv`);
    await writeFile(file, csv("2026-02-01", "2026-04-14"));
    const r = await ingestFile(db, { orgId: ORG, filePath: file, granularity: "daily", actor: "seed" });
    if (r.status !== "imported") throw new Error(`seed ingest: ${r.status}`);
    const owners = describeOwners(GEN);
    await importCrosswalk(
      db,
      "seed",
      owners.map((o) => ({
        orgId: ORG,
        ownerId: o.ownerId,
        team: o.suggestedTeam,
        validFrom: "2026-01-01",
        validTo: null,
        costCenter: null,
      })),
      "merge",
    );
  },
});
let page: TrackedPage;
let hook: WebhookReceiver;
let team = "";
let spent = dec("0");

beforeAll(async () => {
  hook = await startWebhookReceiver();
  const db = web.app.db;
  const teams = [...new Set(describeOwners(GEN).map((o) => o.suggestedTeam))];
  for (const t of teams) {
    const s = await getBudgetStatus(db, { scope: "team", name: t });
    if (s && dec(s.spent).gt(spent)) [team, spent] = [t, dec(s.spent)];
  }
  await subscribe(db, "test", { team, webhook: hook.url("/slack"), format: "slack" });
  page = await newPage(web.browser);
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, `${web.app.url}/login`, EMAIL, TEST_PASSWORD, "/");
});
afterAll(async () => {
  await hook?.close();
});

describe("a budget crossed by an ingest", () => {
  it("set on the admin page, at risk on the team page", async () => {
    await page.goto(`${web.app.url}/admin/budgets`);
    await waitForHydration(page);
    const form = page.getByTestId("budget-set");
    await form.locator('select[name="scope"]').selectOption("team");
    await form.locator('input[name="name"]').fill(team);
    // 1.5 × the spend of the first 14 days: under budget now, forecast above it
    await form.locator('input[name="amount"]').fill(spent.times("1.5").toFixed(2));
    await form.locator('input[name="from_month"]').fill("2026-04");
    await form.getByRole("button").click();
    await page.locator(`[data-testid="budget-row"][data-key="team/${team}//2026-04"]`).waitFor();
    await screenshot(page, "budgets-admin");

    await page.goto(`${web.app.url}/teams/${encodeURIComponent(team)}`);
    await page.getByTestId("budget-card").waitFor();
    expect(await page.getByTestId("budget-status").getAttribute("data-status")).toBe("at_risk");
    expect(await page.getByTestId("budget-card").textContent()).toContain("Forecast");
    await screenshot(page, "budgets-team-at-risk");
    expect(hook.requests).toHaveLength(0); // nothing evaluated yet
  });

  it("uploading the rest of the month crosses it: over budget, and the webhook got the alert", async () => {
    await page.goto(`${web.app.url}/imports/new`);
    await waitForHydration(page);
    await page.locator("#org").selectOption(ORG);
    await page.setInputFiles("#file", {
      name: "april-rest.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csv("2026-04-15", "2026-04-30")),
    });
    await page.getByRole("button", { name: "Upload and validate" }).click();
    await page.getByTestId("preview").waitFor();
    await page.getByTestId("confirm-import").click();
    await page.waitForURL((u) => /^\/imports\/\d+$/.test(u.pathname));
    await page.getByTestId("import-done").waitFor();

    await page.goto(`${web.app.url}/teams/${encodeURIComponent(team)}`);
    await page.getByTestId("budget-card").waitFor();
    expect(await page.getByTestId("budget-status").getAttribute("data-status")).toBe("over");
    await screenshot(page, "budgets-team-over");

    const texts = hook.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);
    expect(texts.some((t) => t.includes(`Team ${team} has spent 100 % of its budget for 2026-04`))).toBe(true);
    expect(hook.requests.every((r) => r.path === "/slack" && r.status === 200)).toBe(true);
  });
});
