/**
 * The finance admin workspace driven in Chromium: upload (bad, then good), unmapped
 * queue, overlap refusal, bulk crosswalk import with preview. Screenshots go to
 * test-results/admin-*.png. Needs a build (SHOWBACK_BUILD_DIR).
 */
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../app/domain/money";
import { importCrosswalk } from "../../app/services/crosswalk";
import { ensureOrg } from "../../db/queries/orgs";
import { getReport } from "../../db/queries/report";
import { newPage, screenshot, signIn, useBrowserApp, waitForHydration, type TrackedPage } from "../helpers/browser";
import { vendorCrosswalk, VENDOR_EXPORT } from "../helpers/seed";
import { createUser, TEST_PASSWORD } from "../helpers/server";

const ORG = "org-vendor";
const EMAIL = "finance@example.test";
let EXPORT: string;
const web = useBrowserApp({
  seed: async (db) => {
    await createUser(db, { email: EMAIL, role: "finance_admin" });
    await ensureOrg(db, ORG);
    // policy none: a team's total is its direct cost, so mapping an owner adds exactly its cost
    await db.query(`update organizations set policy_spec = '{"kind":"none"}', display_name = 'Vendor example' where org_id = $1`, [ORG]);
    // the vendor crosswalk minus sa-ghi (left for the unmapped queue)
    await importCrosswalk(db, "seed", await vendorCrosswalk({ notes: true, except: ["sa-ghi"] }), "merge");
  },
});
let page: TrackedPage;

const grandTotal = async () => {
  const rows = await getReport(web.app.db, { granularity: "monthly", from: "2026-01-01", to: "2026-12-31" });
  return rows.reduce((s, r) => s.plus(r.total), new Decimal(0));
};
const teamTotal = async (team: string) => {
  const rows = await getReport(web.app.db, { granularity: "monthly", from: "2026-04-01", to: "2026-04-30", orgIds: [ORG] });
  return new Decimal(rows.find((r) => r.group === team)?.total ?? "0");
};
const hydrated = () => waitForHydration(page);

beforeAll(async () => {
  EXPORT = await readFile(VENDOR_EXPORT, "utf8");
  page = await newPage(web.browser);
  await signIn(page, `${web.app.url}/login`, EMAIL, TEST_PASSWORD, "/");
});

describe("finance admin workspace in a browser", () => {
  it("rejects a bad file with line numbers and stores nothing", async () => {
    await page.goto(`${web.app.url}/imports/new`);
    await hydrated();
    await screenshot(page, "admin-upload-form");
    const bad = EXPORT.replace("0.60,2.00,0.3", "0,60,2.00,0.3").replace(
      "sa-jkl,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,6.00",
      "sa-jkl,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,6.0x",
    );
    await page.locator("#org").selectOption(ORG);
    await page.setInputFiles("#file", { name: "broken-april.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await page.getByRole("button", { name: "Upload and validate" }).click();
    await page.getByTestId("rejected").waitFor();
    const lines = await page.getByTestId("issue-line").allTextContents();
    expect(lines).toContain("2");
    expect(lines).toContain("9");
    expect(await page.getByTestId("rejected").textContent()).toContain("chargeback_cost");
    await screenshot(page, "admin-upload-rejected");
    expect((await web.app.db.query(`select count(*)::int as n from imports`))[0]).toEqual({ n: 0 });
    expect((await web.app.db.query(`select count(*)::int as n from cost_rows`))[0]).toEqual({ n: 0 });
  });

  it("previews a valid file, confirms it, and the totals change by the file's total", async () => {
    const before = await grandTotal();
    await page.goto(`${web.app.url}/imports/new`);
    await hydrated();
    await page.locator("#org").selectOption(ORG);
    await page.setInputFiles("#file", { name: "april.csv", mimeType: "text/csv", buffer: Buffer.from(EXPORT) });
    await page.getByRole("button", { name: "Upload and validate" }).click();
    await page.getByTestId("preview").waitFor();
    expect(await page.getByTestId("preview-granularity").textContent()).toBe("monthly");
    expect(await page.getByTestId("preview-range").textContent()).toBe("2026-04-01");
    expect(await page.getByTestId("preview-rows").textContent()).toBe("19");
    expect(await page.getByTestId("preview-total").textContent()).toBe("$27.50");
    await screenshot(page, "admin-upload-preview");
    // nothing stored before confirming
    expect((await web.app.db.query(`select count(*)::int as n from imports`))[0]).toEqual({ n: 0 });
    await page.getByTestId("confirm-import").click();
    await page.waitForURL((u) => /^\/imports\/\d+$/.test(u.pathname));
    await page.getByTestId("import-done").waitFor();
    expect(await page.getByTestId("import-total").textContent()).toBe("$27.50");
    await screenshot(page, "admin-import-detail");
    const after = await grandTotal();
    expect(after.minus(before).eq("27.5")).toBe(true);

    await page.goto(`${web.app.url}/imports`);
    await hydrated();
    await page.getByTestId("rejected-row").first().waitFor();
    await screenshot(page, "admin-imports");
  });

  it("maps an unmapped owner from the queue and the team's total rises by its cost", async () => {
    const before = await teamTotal("search");
    await page.goto(`${web.app.url}/crosswalk/unmapped?month=2026-04`);
    await hydrated();
    const row = page.getByTestId("unmapped-sa-ghi");
    await row.waitFor();
    expect(await row.getByTestId("unmapped-cost").textContent()).toBe("$9.80");
    await screenshot(page, "admin-unmapped-queue");
    await row.getByLabel("Team for sa-ghi").fill("search");
    await row.getByRole("button", { name: "Assign" }).click();
    await page.getByText("Mapped sa-ghi").waitFor();
    await expect.poll(async () => (await teamTotal("search")).minus(before).toString()).toBe("9.796875");
    await expect.poll(() => page.getByTestId("unmapped-sa-ghi").count()).toBe(0);
    await screenshot(page, "admin-unmapped-after");
  });

  it("refuses an overlapping entry and names the conflicting one", async () => {
    await page.goto(`${web.app.url}/crosswalk`);
    await hydrated();
    const form = page.getByTestId("create-entry");
    await form.getByLabel("Organization").fill(ORG);
    await form.getByLabel("Owner id").fill("sa-ghi");
    await form.getByLabel("Team", { exact: true }).fill("payments");
    await form.getByLabel("Valid from").fill("2026-05-01");
    await form.getByRole("button", { name: "Add entry" }).click();
    const err = page.getByTestId("action-error");
    await err.waitFor();
    expect(await err.textContent()).toMatch(/overlaps existing entry org-vendor\/sa-ghi → search \[2026-04-01, open\) \(entry #\d+\)/);
    await screenshot(page, "admin-crosswalk-overlap");
  });

  it("bulk-imports a crosswalk after a preview", async () => {
    await page.goto(`${web.app.url}/crosswalk`);
    await hydrated();
    const csv = [
      "org_id,owner_id,team,valid_from,valid_to,cost_center,note",
      "org-vendor,sa-new1,payments,2026-04-01,,,",
      "org-vendor,sa-new2,data-science,2026-04-01,2026-07-01,CC-900,new team",
      "org-vendor,sa-abc,payments,2026-01-01,,CC-100,payments API",
    ].join("\n");
    await page.setInputFiles('input[name="csv_file"]', { name: "crosswalk-additions.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: "Preview import" }).click();
    await page.getByTestId("bulk-preview").waitFor();
    const counts = await page.getByTestId("bulk-counts").textContent();
    expect(counts).toContain("2 adds");
    expect(counts).toContain("1 unchanged");
    await page.getByTestId("bulk-preview").scrollIntoViewIfNeeded();
    await screenshot(page, "admin-crosswalk-bulk-preview");
    expect((await web.app.db.query(`select count(*)::int as n from crosswalk_entries where owner_id like 'sa-new%'`))[0]).toEqual({ n: 0 });
    await page.getByTestId("bulk-apply").click();
    await page.getByText("Crosswalk imported (merge): 2 added").waitFor();
    expect((await web.app.db.query(`select count(*)::int as n from crosswalk_entries where owner_id like 'sa-new%'`))[0]).toEqual({ n: 2 });
    await screenshot(page, "admin-crosswalk");
  });

  it("a restated file shows the diff per team and per metric", async () => {
    const restated = EXPORT.replace(
      "sa-ghi,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,9.00,15.00,0.6",
      "sa-ghi,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,7.00,13.00,0.538462",
    ).replace(
      "sa-jkl,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,6.00,15.00,0.4",
      "sa-jkl,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,6.00,13.00,0.461538",
    );
    await page.goto(`${web.app.url}/imports/new`);
    await hydrated();
    await page.locator("#org").selectOption(ORG);
    await page.locator("#granularity").selectOption("monthly");
    await page.setInputFiles("#file", { name: "april-credit-note.csv", mimeType: "text/csv", buffer: Buffer.from(restated) });
    await page.getByRole("button", { name: "Upload and validate" }).click();
    await page.getByTestId("preview").waitFor();
    expect(await page.getByTestId("preview").textContent()).toContain("replaces 19 stored rows of import #1");
    await page.getByTestId("confirm-import").click();
    await page.waitForURL((u) => u.pathname === "/imports/2");
    const metric = page.getByTestId("metric-delta-KafkaNetworkRead");
    await metric.waitFor();
    expect(await metric.textContent()).toContain("-$2.0000");
    expect(await page.getByTestId("team-delta-search").textContent()).toContain("-$2.0000");
    await screenshot(page, "admin-import-restatement");
  });

  it("renders the teams, organizations and audit pages", async () => {
    for (const [p, name, heading] of [
      ["/admin/teams", "admin-teams", "Teams and cost centers"],
      ["/admin/orgs", "admin-orgs", "Organizations"],
      ["/audit", "admin-audit", "Audit log"],
    ] as const) {
      await page.goto(`${web.app.url}${p}`);
      await hydrated();
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
      await screenshot(page, name);
    }
    // the refused overlap answered 400 on purpose
    expect(page.errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });
});
