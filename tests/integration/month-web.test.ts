/**
 * Month-end over HTTP against the built app (SHOWBACK_BUILD_DIR): the reconciliation page,
 * invoice / close / reopen actions with role + CSRF checks, and the finance downloads.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { Decimal } from "../../app/domain/money";
import { postMonthAction } from "../helpers/forms";
import { expectBalancedJournal, parseJournal } from "../helpers/journal";
import { DEFAULT_CLEARING_ACCOUNT, DEFAULT_SUSPENSE_ACCOUNT, NO_GL_ACCOUNT } from "../../app/domain/journal";
import { journalCsv } from "../../app/services/journal";
import { ingestMonthly, seedVendorExample, VENDOR_EXPORT } from "../helpers/seed";
import { useTestServer } from "../helpers/server";
import { monthCases } from "./access-cases/month";

async function seed(db: Db) {
  await seedVendorExample(db);
  await db.query(`insert into organizations (org_id) values ('org-empty') on conflict do nothing`);
}

const server = useTestServer({ seed, roles: ["finance_admin", "viewer"] });
const APRIL = { org: "org-vendor", month: "2026-04" } as const;

const statusOf = (html: string, org: string) => new RegExp(`data-testid="status-${org}" data-status="([a-z_]+)"`).exec(html)?.[1];

describe("/reconciliation", () => {
  it("defaults to the latest month with data and shows one row per org plus the rollup", async () => {
    const res = await server.viewer.get("/reconciliation");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Month 2026-04");
    expect(statusOf(html, "org-vendor")).toBe("no_invoice");
    expect(statusOf(html, "org-empty")).toBe("no_data");
    expect(statusOf(html, "ALL")).toBe("no_invoice");
    expect(html).toContain("$27.50");
    expect(html).toContain("Buckets complete");
    expect(html).not.toContain('name="amount"'); // viewers get no forms
  });

  it("viewers cannot enter invoices; a missing CSRF token is refused", async () => {
    const { path: p, form } = monthCases["routes/reconciliation"]!;
    expect((await server.viewer.post(p, form)).status).toBe(403);
    expect((await server.admin.post(p, form, { csrf: false })).status).toBe(403);
    expect(await server.app.db.query(`select * from invoices`)).toEqual([]);
  });

  it("a mismatch shows the exact variance, next steps and per-product totals; a match turns matched", async () => {
    const bad = await postMonthAction(server.admin, { intent: "invoice", ...APRIL, amount: "27.00" });
    expect(bad.status).toBe(200);
    const html = await (await server.admin.get("/reconciliation?month=2026-04")).text();
    expect(statusOf(html, "org-vendor")).toBe("mismatch");
    expect(html).toMatch(/data-testid="variance-org-vendor"[^>]*>\+\$0\.5000</);
    expect(html).toContain('data-testid="next-steps-org-vendor"');
    expect(html).toContain("Re-run the monthly export");
    expect(html).toContain("unallocated");
    expect(html).toMatch(/kafka<\/td><td[^>]*>\$23\.0000</); // 0.6+0.4+0.5+0.5+4+2+9+6
    expect(html).toMatch(/billing<\/td><td[^>]*>-\$5\.5000</);

    const refused = await postMonthAction(server.admin, { intent: "close", ...APRIL });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("needs a reason");

    const badAmount = await postMonthAction(server.admin, { intent: "invoice", ...APRIL, amount: "12abc" });
    expect(badAmount.status).toBe(400);

    await postMonthAction(server.admin, { intent: "invoice", ...APRIL, amount: "$27.50" });
    const ok = await (await server.admin.get("/reconciliation?month=2026-04")).text();
    expect(statusOf(ok, "org-vendor")).toBe("matched");
    const audit = await server.app.db.query<{ actor: string; action: string }>(
      `select actor, action from audit_log where entity = 'invoice' order by id`,
    );
    expect(audit).toEqual([
      { actor: "admin@example.test", action: "create" },
      { actor: "admin@example.test", action: "update" },
    ]);
  });

  it("closes and reopens with the badge and audit", async () => {
    const c = await postMonthAction(server.admin, { intent: "close", ...APRIL });
    expect(c.status).toBe(200);
    const html = await (await server.admin.get("/reconciliation?month=2026-04")).text();
    expect(html).toContain('data-testid="closed-org-vendor"');
    expect(html).toContain('data-testid="reopen-form-org-vendor"');
    const [close] = await server.app.db.query<{
      status: string;
      closed_by: string;
      frozen: { teams: Array<{ team: string; total: string }> };
    }>(`select * from month_closes`);
    expect(close).toMatchObject({ status: "closed", closed_by: "admin@example.test" });
    expect(close.frozen.teams.map((t) => t.team)).toEqual(["analytics", "payments", "platform", "search"]);
    expect(close.frozen.teams.reduce((s, t) => s.plus(t.total), new Decimal(0)).toFixed()).toBe("27.5");
    expect((await server.viewer.post("/reconciliation", { intent: "reopen", org_id: "org-vendor", month: "2026-04" })).status).toBe(403);

    const r = await postMonthAction(server.admin, { intent: "reopen", ...APRIL, reason: "test" });
    expect(r.status).toBe(200);
    const after = await (await server.admin.get("/reconciliation?month=2026-04")).text();
    expect(after).not.toContain('data-testid="closed-org-vendor"');
    const actions = await server.app.db.query<{ action: string }>(`select action from audit_log where entity = 'month' order by id`);
    expect(actions.map((a) => a.action)).toEqual(["close", "reopen"]);
  });

  it("shows a restatement recorded after the close with its per-team deltas", async () => {
    expect((await postMonthAction(server.admin, { intent: "close", ...APRIL })).status).toBe(200);
    const text = (await readFile(VENDOR_EXPORT, "utf8")).replace(
      "env-xxx,env-xxx,lfcp-789,flink,FlinkNumCFUs,CFU-minute,3.00,3.00,1",
      "env-xxx,env-xxx,lfcp-789,flink,FlinkNumCFUs,CFU-minute,4.00,4.00,1",
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), "showback-mw-"));
    await writeFile(path.join(dir, "restated.csv"), text);
    const r = await ingestMonthly(server.app.db, { filePath: path.join(dir, "restated.csv") });
    expect(r.status).toBe("imported");
    const html = await (await server.viewer.get("/reconciliation?month=2026-04")).text();
    expect(html).toContain('data-testid="restatements"');
    expect(html).toContain(`import #${(r as { importId: number }).importId}`);
    expect(html).toContain("pending");
    expect(html).toMatch(/analytics<\/td>/);
    // the frozen figures stay: allocated 27.50 against an export now at 28.50
    expect(html).toContain("allocated total 27.5000 differs from export total 28.5000");
    // the team page keeps the frozen total and lists the pending delta (Flink +1.00 is analytics' cost)
    const res = await server.viewer.get(
      "/teams/analytics?period=custom&from=2026-04-01&to=2026-04-30&gran=monthly&_data=routes%2Fteams.%24team",
    );
    const team = (await res.json()) as {
      d: { totals: { total: string } };
      restatements: Array<{ orgId: string; month: string; old: string; new: string; delta: string }>;
    };
    expect(new Decimal(team.d.totals.total).eq("2.57815")).toBe(true);
    expect(team.restatements).toHaveLength(1);
    expect(team.restatements[0]).toMatchObject({ orgId: "org-vendor", month: "2026-04" });
    expect(new Decimal(team.restatements[0].old).eq("2.57815")).toBe(true);
    expect(new Decimal(team.restatements[0].new).minus(team.restatements[0].old).eq(team.restatements[0].delta)).toBe(true);
    expect(new Decimal(team.restatements[0].delta).gt(0.8)).toBe(true);
  });

  it("downloads the balanced journal (formula-guarded CSV) and the FOCUS file (values as they are)", async () => {
    const j = await server.viewer.get("/finance/journal.csv?month=2026-04");
    expect(j.status).toBe(200);
    expect(j.headers.get("content-type")).toContain("text/csv");
    expect(j.headers.get("content-disposition")).toContain("chargeback-journal-2026-04.csv");
    const text = await j.text();
    const rows = parseJournal(text);
    // org-vendor is closed: the lines taken at close, which tie to the frozen 27.50 (the export is now 28.50, pending)
    expect(rows.every((r) => r.org_id === "org-vendor")).toBe(true);
    expect(expectBalancedJournal(rows, "org-vendor").toFixed(2)).toBe("27.50");
    // three cost centers, analytics (no cost center) as unassigned, the clearing line
    expect(rows.map((r) => r.cost_center)).toEqual(["CC-100", "CC-200", "CC-300", "", ""]);
    expect(rows[3].memo).toContain("unassigned");
    // no account mapped: the cost centers post to suspense flagged in the memo, the offset to the default clearing account
    expect(rows.slice(0, 3).every((r) => r.account === DEFAULT_SUSPENSE_ACCOUNT && r.memo.includes(NO_GL_ACCOUNT))).toBe(true);
    expect(rows.at(-1)).toMatchObject({ account: DEFAULT_CLEARING_ACCOUNT, credit: "27.50", amount: "-27.50" });
    // the guard leaves numbers alone: the negative amount is not turned into text
    expect(text).toContain(",-27.50,");
    expect(text).not.toContain("'-27.50");
    // the download is the same file as the CLI's (the service)
    expect(text).toBe(await journalCsv(server.app.db, { month: "2026-04" }));
    const f = await server.viewer.get("/finance/focus.csv?month=2026-04&org=org-vendor");
    expect(f.status).toBe(200);
    expect(f.headers.get("content-disposition")).toContain("focus-2026-04-org-vendor.csv");
    expect((await f.text()).split("\n")[0]).toContain("BilledCost,BillingAccountId,BillingAccountName,BillingCurrency");
    expect((await server.viewer.get("/finance/journal.csv")).status).toBe(400);
    expect((await server.app.anonymous().get("/finance/journal.csv?month=2026-04")).status).toBe(302);
  });
});
