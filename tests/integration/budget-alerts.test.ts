/**
 * Budgets, forecasts and alerts end to end on the engine of TEST_DB (issue 16): generated daily
 * data through 2026-04-14, a budget for the team that spends most, subscriptions by webhook
 * (signed JSON) and email (a real SMTP server), then
 * - `npm run alerts -- evaluate` sends the thresholds reached (80 % by the actual spend, 100 % by
 *   the forecast) once per subscriber, as JSON lines; a second run sends nothing;
 * - ingesting the rest of April (the CLI) crosses 100 % by the actual spend, and the post-ingest
 *   evaluation delivers that one new event;
 * - a closed month forecasts exactly its (frozen) spent.
 */
import { dec } from "../../app/domain/money";
import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCrosswalk, type ImportEntry } from "../../app/services/crosswalk";
import { getBudgetStatus } from "../../app/services/budget-status";
import { describeOwners, EXPORT_HEADER, generateExportRecords } from "../../scripts/lib/generator";
import { runScript, useCliEnv } from "../helpers/cli";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

const cli = useCliEnv();
const ORG = "org-t";
const GEN = { org: ORG, granularity: "daily" as const, principals: 8, clusters: 2, seed: 11 };
let tmp: string;
let smtp: TestSmtpServer;
let hook: WebhookReceiver;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-budget-alerts-"));
  smtp = await startSmtpServer();
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  await hook?.close();
  await smtp?.close();
  await rm(tmp, { recursive: true, force: true });
});

const env = () => ({ ...cli.env, SHOWBACK_SMTP_URL: smtp.url, SHOWBACK_SMTP_FROM: "showback@example.test" });
const run = async (script: string, ...args: string[]) => {
  const r = await runScript(script, args, env());
  expect(r.code, `${script} ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r;
};

async function exportFile(name: string, from: string, to: string) {
  const f = path.join(tmp, name);
  await writeFile(f, stringify([EXPORT_HEADER, ...generateExportRecords({ ...GEN, from, to })]));
  return f;
}

let team = "";
let secret = "";

describe("budgets and alerts", () => {
  it("a budget, subscriptions, and evaluate sends each reached threshold once", async () => {
    await run("ingest", "--org", ORG, "--granularity", "daily", await exportFile("a.csv", "2026-02-01", "2026-04-14"));
    const owners = describeOwners(GEN);
    await cli.withDb(async (db) => {
      const entries: ImportEntry[] = owners.map((o) => ({
        orgId: ORG,
        ownerId: o.ownerId,
        team: o.suggestedTeam,
        validFrom: "2026-01-01",
        validTo: null,
        costCenter: null,
      }));
      await importCrosswalk(db, "seed", entries, "merge");
    });
    // the team that spends most in April so far
    const teams = [...new Set(owners.map((o) => o.suggestedTeam))];
    const spent = await cli.withDb(async (db) => {
      const out: Array<[string, string]> = [];
      for (const t of teams) out.push([t, (await getBudgetStatus(db, { scope: "team", name: t }))!.spent]);
      return out.sort((a, b) => dec(b[1]).comparedTo(dec(a[1])));
    });
    team = spent[0]![0];
    const before = await cli.withDb((db) => getBudgetStatus(db, { scope: "team", name: team }));
    expect(before).toMatchObject({ month: "2026-04", asOf: "2026-04-14", budget: null, status: null, method: "run_rate_dow" });
    // the forecast projects the other 16 days on top of the 14 spent
    expect(dec(before!.forecast).gt(dec(before!.spent).times("1.6"))).toBe(true);
    expect(dec(before!.low).lte(dec(before!.forecast))).toBe(true);
    expect(dec(before!.high).gte(dec(before!.forecast))).toBe(true);

    // a budget 10 % above the spend so far: 80 % reached by the actual spend, 100 % by the forecast
    const budget = dec(before!.spent).times("1.1").toFixed(2);
    await run(
      "budgets",
      "import",
      await (async () => {
        const f = path.join(tmp, "budgets.csv");
        await writeFile(f, `scope,name,amount,from_month\nteam,${team},${budget},2026-01\n`);
        return f;
      })(),
    );
    const st = await cli.withDb((db) => getBudgetStatus(db, { scope: "team", name: team }));
    expect(st).toMatchObject({ budget: expect.stringMatching(/^\d+\.\d+$/), budgetFrom: "2026-01", status: "at_risk" });

    const sub = await run("alerts", "subscribe", "--team", team, "--webhook", hook.url("/signed"), "--format", "json");
    secret = /signing secret[^:]*: (\S+)/.exec(sub.stdout)?.[1] ?? "";
    expect(secret).not.toBe("");
    await run("alerts", "subscribe", "--team", team, "--email", "lead@example.test");

    const ev = await run("alerts", "evaluate");
    const lines = ev.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.status === "sent")).toBe(true);
    const keys = new Set(lines.map((l) => l.event));
    expect(keys).toEqual(new Set([`budget:team:${team}:*:2026-04:80:actual`, `budget:team:${team}:*:2026-04:100:forecast`]));
    expect(hook.requests).toHaveLength(2);
    for (const r of hook.requests) {
      const ts = String(r.headers["x-showback-timestamp"]);
      const sig = createHmac("sha256", secret).update(`${ts}.${r.body}`).digest("hex");
      expect(r.headers["x-showback-signature"]).toBe(`sha256=${sig}`);
      const body = JSON.parse(r.body) as { event: { kind: string; subject: { name: string }; data: { budget: string } } };
      expect(body.event).toMatchObject({ kind: "budget_threshold", subject: { name: team } });
    }
    const mails = await smtp.waitFor(2);
    expect(mails.map((m) => m.subject).join("\n")).toContain(`Team ${team}`);

    // the same conditions again: nothing sent
    const again = await run("alerts", "evaluate");
    expect(again.stdout.trim()).toBe("");
    expect(hook.requests).toHaveLength(2);
  });

  it("an ingest that crosses the budget delivers the new threshold by itself", async () => {
    await run("ingest", "--org", ORG, "--granularity", "daily", await exportFile("b.csv", "2026-04-15", "2026-04-30"));
    const st = await cli.withDb((db) => getBudgetStatus(db, { scope: "team", name: team }));
    expect(st).toMatchObject({ asOf: "2026-04-30", monthOver: true, status: "over", method: "actual" });
    expect(st!.forecast).toBe(st!.spent);
    // delivered during the ingest, without an evaluate
    expect(hook.requests).toHaveLength(3);
    const last = JSON.parse(hook.requests[2]!.body) as { event: { key: string } };
    expect(last.event.key).toBe(`budget:team:${team}:*:2026-04:100:actual`);
    await smtp.waitFor(3);
    expect((await run("alerts", "evaluate")).stdout.trim()).toBe("");
  });

  it("a closed month keeps its frozen spent: a later re-export of it changes nothing", async () => {
    const before = await cli.withDb(async (db) => {
      await db.query(`insert into month_closes (org_id, month, status, frozen, closed_by) values ($1, '2026-04', 'closed', '[]', 'test')`, [
        ORG,
      ]);
      return getBudgetStatus(db, { scope: "team", name: team });
    });
    expect(before).toMatchObject({ month: "2026-04", monthOver: true, status: "over" });
    expect(before!.forecast).toBe(before!.spent);
    // the vendor re-exports the second half of April with other figures (another seed)
    const f = path.join(tmp, "b2.csv");
    await writeFile(f, stringify([EXPORT_HEADER, ...generateExportRecords({ ...GEN, seed: 12, from: "2026-04-15", to: "2026-04-30" })]));
    await run("ingest", "--org", ORG, "--granularity", "daily", f);
    const after = await cli.withDb((db) => getBudgetStatus(db, { scope: "team", name: team }));
    expect(after).toMatchObject({ spent: before!.spent, forecast: before!.spent, status: "over" });
  });
});
