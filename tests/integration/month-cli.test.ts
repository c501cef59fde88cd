/**
 * Month-end through the real CLI (reconcile, finance-export) on the engine chosen by TEST_DB:
 * invoices, matched/mismatch with exact variance, missing day, early ingest, close, restatement
 * after close, reopen, and finance exports summing to the export total.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../app/domain/money";
import { getReport } from "../../db/queries/report";
import { listClosedMonthRestatements } from "../../db/queries/closes";
import { readCsvRecords } from "../../app/services/csv";
import { createCliEnv, type CliEnv } from "../helpers/cli";
import { expectBalancedJournal, isClearing, journalsByOrg, parseJournal, sumOf } from "../helpers/journal";
import { VENDOR_CROSSWALK as CROSSWALK, VENDOR_EXPORT as EXPORT } from "../helpers/seed";

const HEADER = "timestamp,owner_id,environment_id,resource_id,product,metric,unit,chargeback_cost,original_amount,usage_share";

let tmp: string;
let cli: CliEnv;

async function json(...args: string[]) {
  const r = await cli.run("reconcile", ...args);
  if (r.code !== 0) throw new Error(`reconcile ${args.join(" ")} → ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A daily export for May 2026 without `skip`: per day sa-abc 1.25 (mapped) and sa-zzz 0.25 (unmapped), a -0.10 credit. */
function mayDaily(skip: string[]): string {
  const lines = [HEADER];
  for (let d = 1; d <= 31; d++) {
    const day = `2026-05-${String(d).padStart(2, "0")}`;
    if (skip.includes(day)) continue;
    lines.push(`${day}T00:00:00Z,sa-abc,env-xxx,lkc-123,kafka,KafkaNumCKUs,CKU-hour,1.25,1.50,0.833333`);
    lines.push(`${day}T00:00:00Z,sa-zzz,env-xxx,lkc-123,kafka,KafkaNumCKUs,CKU-hour,0.25,1.50,0.166667`);
    lines.push(`${day}T00:00:00Z,unallocated,,,billing,PromotionalCredit,USD,-0.10,-0.10,0`);
  }
  return lines.join("\n") + "\n";
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-month-"));
  cli = await createCliEnv();
  expect((await cli.run("crosswalk", "import", CROSSWALK)).code).toBe(0);
  expect((await cli.run("ingest", "--org", "org-vendor", "--granularity", "monthly", EXPORT)).code).toBe(0);
  // a second org with daily data for May 2026, one day missing
  await writeFile(
    path.join(tmp, "cw2.csv"),
    "org_id,owner_id,team,valid_from,valid_to,cost_center\norg-daily,sa-abc,payments,2026-01-01,,CC-100\n",
  );
  expect((await cli.run("crosswalk", "import", path.join(tmp, "cw2.csv"))).code).toBe(0);
  await writeFile(path.join(tmp, "may.csv"), mayDaily(["2026-05-17"]));
  const r = await cli.run("ingest", "--org", "org-daily", "--granularity", "daily", path.join(tmp, "may.csv"));
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await cli?.cleanup();
});

describe("reconcile CLI", () => {
  it("without an invoice: no_invoice, the checks pass", async () => {
    const o = await json("--org", "org-vendor", "--month", "2026-04");
    expect(o).toMatchObject({
      org_id: "org-vendor",
      month: "2026-04",
      export_total: "27.5000",
      invoice_subtotal: null,
      variance: null,
      status: "no_invoice",
    });
    expect(o.checks.buckets_complete.status).toBe("pass");
    expect(o.checks.ingested_after_48h.status).toBe("pass");
    expect(o.checks.allocated_equals_export.status).toBe("pass");
    expect(o.checks.coverage).toMatchObject({ status: "pass" });
  });

  it("a mismatched invoice gives the exact variance, a matched one within tolerance", async () => {
    const m = await json("--org", "org-vendor", "--month", "2026-04", "--invoice", "27.00");
    expect(m).toMatchObject({ invoice_subtotal: "27.0000", variance: "0.5000", status: "mismatch" });
    const t = await json("--org", "org-vendor", "--month", "2026-04", "--invoice", "27.491");
    expect(t).toMatchObject({ variance: "0.0090", status: "matched" });
    const ok = await json("--org", "org-vendor", "--month", "2026-04", "--invoice", "27.50");
    expect(ok).toMatchObject({ export_total: "27.5000", invoice_subtotal: "27.5000", variance: "0.0000", status: "matched" });
    // history kept, latest wins, audited with who
    const hist = await cli.withDb((db) =>
      db.query<{ amount: string; entered_by: string }>(
        `select amount::text as amount, entered_by from invoices where org_id = 'org-vendor' order by id`,
      ),
    );
    expect(hist.map((h) => h.amount)).toEqual(["27.00", "27.491", "27.50"]);
    expect(hist.every((h) => h.entered_by === "test")).toBe(true);
    const audit = await cli.withDb((db) =>
      db.query<{ action: string }>(`select action from audit_log where entity = 'invoice' order by id`),
    );
    expect(audit.map((a) => a.action)).toEqual(["create", "update", "update"]);
  });

  it("flags the missing day by its date and warns on an ingest earlier than 48 h after month end", async () => {
    const o = await json("--org", "org-daily", "--month", "2026-05", "--invoice", "45.00");
    // 30 days × (1.25 + 0.25 − 0.10) = 42.00
    expect(o).toMatchObject({ export_total: "42.0000", variance: "-3.0000", status: "mismatch", missing_buckets: ["2026-05-17"] });
    expect(o.checks.buckets_complete.status).toBe("fail");
    expect(o.checks.buckets_complete.detail).toContain("2026-05-17");
    expect(o.checks.ingested_after_48h.status).toBe("pass");
    // coverage: unmapped = sa-zzz 0.25/day less its share of the credit: about 1/6 of the cost → 83.3 %, below 90 %
    expect(o.checks.coverage.status).toBe("warn");
    expect(o.coverage).toBe("0.8334"); // shares rounded to 0.0001 per day

    await cli.withDb((db) => db.query(`update imports set created_at = '2026-06-01T12:00:00Z' where org_id = 'org-daily'`));
    const early = await json("--org", "org-daily", "--month", "2026-05");
    expect(early.checks.ingested_after_48h.status).toBe("warn");
    expect(early.checks.ingested_after_48h.detail).toContain("2026-06-03T00:00:00.000Z"); // month end (06-01 00:00) + 48 h;
  });

  it("without --org prints every org and the total", async () => {
    const all = await json("--month", "2026-05");
    expect(Array.isArray(all)).toBe(true);
    expect(all.map((o: { org_id: string }) => o.org_id)).toEqual(["org-daily", "org-vendor", "ALL"]);
    expect(all[1]).toMatchObject({ status: "no_data", export_total: null });
    expect(all[2]).toMatchObject({ org_id: "ALL", export_total: "42.0000", status: "mismatch", variance: "-3.0000" });
  });

  it("exit codes: usage 2, invalid input 1", async () => {
    expect((await cli.run("reconcile", "--month", "2026-13")).code).toBe(2);
    expect((await cli.run("reconcile", "--org", "org-vendor")).code).toBe(2);
    expect((await cli.run("reconcile", "--month", "2026-04", "--close")).code).toBe(2);
    expect((await cli.run("reconcile", "--org", "org-vendor", "--month", "2026-04", "--invoice", "12abc")).code).toBe(2);
    const unknown = await cli.run("reconcile", "--org", "nope", "--month", "2026-04");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown organization nope");
    const noReason = await cli.run("reconcile", "--org", "org-daily", "--month", "2026-05", "--close");
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toMatch(/needs a reason/);
  });
});

describe("finance exports", () => {
  it("the journal sums to the export total to the cent, per org and across orgs", async () => {
    await writeFile(
      path.join(tmp, "apr-daily.csv"),
      mayDaily([])
        .replace(/2026-05-/g, "2026-04-")
        .split("\n")
        .filter((l) => !l.startsWith("2026-04-31"))
        .join("\n"),
    );
    expect((await cli.run("ingest", "--org", "org-daily", "--granularity", "daily", path.join(tmp, "apr-daily.csv"))).code).toBe(0);
    // a small chart of accounts: two cost centers, org-vendor's default, the clearing and suspense accounts
    await writeFile(
      path.join(tmp, "gl.csv"),
      "scope,key,account,org_id\ncost_center,CC-100,6100,\ncost_center,CC-200,6200,\norg_default,org-vendor,6190,\nclearing,*,2100,\nsuspense,*,6999,\n",
    );
    const gl = await cli.run("gl-accounts", "import", path.join(tmp, "gl.csv"));
    expect(gl.stderr).toBe("");
    expect(gl.code).toBe(0);
    const r = await cli.run("finance-export", "--month", "2026-04", "--kind", "journal");
    expect(r.code).toBe(0);
    const rows = parseJournal(r.stdout);
    const byOrg = journalsByOrg(rows);
    expect([...byOrg.keys()]).toEqual(["org-daily", "org-vendor"]);
    // per org: balanced, and the posted lines (Σ debits − credits but the clearing line) = the export total
    // org-vendor 27.50 + org-daily 30 × 1.40 = 42.00
    const vendor = byOrg.get("org-vendor")!;
    const daily = byOrg.get("org-daily")!;
    expect(expectBalancedJournal(vendor, "org-vendor").toFixed(2)).toBe("27.50");
    expect(expectBalancedJournal(daily, "org-daily").toFixed(2)).toBe("42.00");
    // across orgs: the journals' debits are the total of both exports (every total is positive: the clearing lines are credits)
    expect(
      sumOf(
        rows.filter((l) => !isClearing(l)),
        "debit",
      ).toFixed(2),
    ).toBe("69.50");
    expect(sumOf(rows.filter(isClearing), "credit").toFixed(2)).toBe("69.50");
    expect(sumOf(rows, "amount").toFixed(2)).toBe("0.00");
    // one debit per cost center to its account (CC-300 by the org default), unassigned to suspense, the credit to clearing
    expect(vendor.map((l) => [l.cost_center, l.account, l.debit, l.credit])).toEqual([
      ["CC-100", "6100", expect.any(String), ""],
      ["CC-200", "6200", expect.any(String), ""],
      ["CC-300", "6190", expect.any(String), ""],
      ["", "6999", expect.any(String), ""],
      ["", "2100", "", "27.50"],
    ]);
    expect(vendor[3].memo).toContain("unassigned");
    expect(daily.map((l) => [l.cost_center, l.account])).toEqual([
      ["CC-100", "6100"],
      ["", "6999"],
      ["", "2100"],
    ]);
    expect(daily[1].memo).toContain("unmapped");
    expect(vendor[0]).toMatchObject({ journal_id: "SB-org-vendor-2026-04", posting_date: "2026-04-30", currency: "USD" });
    expect(vendor[0].reference).toMatch(/^imports:\d+$/);
    expect(daily[0].reference).toMatch(/^imports:\d+(-\d+)?$/);
    // per org with --org: the same lines
    const one = await cli.run("finance-export", "--month", "2026-04", "--kind", "journal", "--org", "org-vendor");
    expect(parseJournal(one.stdout)).toEqual(vendor);
  });

  it("the FOCUS file has the FOCUS columns and its BilledCost sums to the export total", async () => {
    const r = await cli.run("finance-export", "--month", "2026-04", "--kind", "focus", "--org", "org-vendor");
    expect(r.code).toBe(0);
    const csv = readCsvRecords(r.stdout);
    for (const c of [
      "BillingAccountId",
      "BillingPeriodStart",
      "BillingPeriodEnd",
      "ChargePeriodStart",
      "ChargePeriodEnd",
      "BilledCost",
      "EffectiveCost",
      "BillingCurrency",
      "ServiceName",
      "ServiceCategory",
      "ResourceId",
      "SubAccountId",
      "ChargeCategory",
      "ChargeDescription",
      "x_Team",
      "x_CostCenter",
      "x_OwnerId",
      "x_AllocationMethod",
    ])
      expect(csv.header).toContain(c);
    const i = csv.header.indexOf("BilledCost");
    expect(csv.rows.reduce((s, r) => s.plus(r.fields[i]), new Decimal(0)).toFixed()).toBe("27.5");
    const team = csv.header.indexOf("x_Team");
    expect(new Set(csv.rows.map((r) => r.fields[team]))).toEqual(new Set(["payments", "search", "platform", "analytics"]));
    expect(csv.rows.every((r) => r.fields[csv.header.indexOf("BillingPeriodStart")] === "2026-04-01T00:00:00Z")).toBe(true);
    expect((await cli.run("finance-export", "--month", "2026-04", "--kind", "xml")).code).toBe(2);
  });
});

describe("close, restatement, reopen", () => {
  const monthly = (db: Parameters<Parameters<CliEnv["withDb"]>[0]>[0]) =>
    getReport(db, { granularity: "monthly", from: "2026-04-01", to: "2026-04-30", orgIds: ["org-vendor"] });

  it("closing freezes the per-team figures; a restating import records deltas and leaves them unchanged until reopen", async () => {
    const before = await cli.withDb(monthly);
    const c = await json("--org", "org-vendor", "--month", "2026-04", "--close");
    expect(c.close).toMatchObject({ status: "closed", closed_by: "test" });
    const frozen = await cli.withDb((db) =>
      db.query<{ frozen: { teams: Array<{ team: string; total: string }> } }>(
        `select frozen from month_closes where org_id = 'org-vendor' and month = '2026-04'`,
      ),
    );
    expect(frozen[0].frozen.teams.map((t) => [t.team, t.total])).toEqual(before.map((r) => [r.group, r.total]));
    expect((await cli.run("reconcile", "--org", "org-vendor", "--month", "2026-04", "--close")).code).toBe(1); // already closed

    // the vendor re-runs the export: search's network read grows 9.00 → 10.00 (original 15 → 16)
    const text = (await readFile(EXPORT, "utf8"))
      .replace(
        "sa-ghi,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,9.00,15.00,0.6",
        "sa-ghi,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,10.00,16.00,0.625",
      )
      .replace(
        "sa-jkl,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,6.00,15.00,0.4",
        "sa-jkl,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,6.00,16.00,0.375",
      );
    await writeFile(path.join(tmp, "restated.csv"), text);
    const ing = await cli.run("ingest", "--org", "org-vendor", "--granularity", "monthly", path.join(tmp, "restated.csv"));
    expect(ing.code).toBe(0);

    const during = await cli.withDb(monthly);
    expect(during).toEqual(before); // frozen figures unchanged
    const o = await json("--org", "org-vendor", "--month", "2026-04");
    expect(o).toMatchObject({ export_total: "28.5000", status: "mismatch", variance: "1.0000", allocated_total: "27.5000" });
    expect(o.checks.allocated_equals_export.status).toBe("fail");
    expect(o.restatements).toHaveLength(1);
    const rs = o.restatements[0];
    expect(rs.pending).toBe(true);
    expect(rs.import_id).toEqual(expect.any(Number));
    const byTeam = Object.fromEntries(rs.deltas.map((d: { team: string }) => [d.team, d]));
    expect(Object.keys(byTeam).sort()).toEqual(["analytics", "payments", "platform", "search"]);
    for (const r of before) expect(byTeam[r.group].old).toBe(r.total);
    const sumOf = (k: "old" | "new" | "delta") =>
      rs.deltas.reduce((s: Decimal, d: Record<string, string>) => s.plus(d[k]), new Decimal(0)).toFixed();
    expect(sumOf("old")).toBe("27.5");
    expect(sumOf("new")).toBe("28.5");
    expect(sumOf("delta")).toBe("1");
    expect(new Decimal(byTeam.search.delta).gt(0)).toBe(true);

    // the query function the team pages call
    const forSearch = await cli.withDb((db) => listClosedMonthRestatements(db, { orgId: "org-vendor", month: "2026-04", team: "search" }));
    expect(forSearch).toHaveLength(1);
    expect(forSearch[0].deltas.map((d) => d.team)).toEqual(["search"]);
    expect(await cli.withDb((db) => listClosedMonthRestatements(db, { team: "nobody" }))).toEqual([]);

    // reopen: explicit, audited, recomputes to the new figures
    const re = await json("--org", "org-vendor", "--month", "2026-04", "--reopen", "--reason", "credit note");
    expect(re.close.status).toBe("reopened");
    const after = await cli.withDb(monthly);
    const afterByTeam = Object.fromEntries(after.map((r) => [r.group, r.total]));
    for (const d of rs.deltas) expect(afterByTeam[d.team]).toBe(d.new);
    expect(after.reduce((s, r) => s.plus(r.total), new Decimal(0)).toFixed()).toBe("28.5");
    const o2 = await json("--org", "org-vendor", "--month", "2026-04", "--invoice", "28.50");
    expect(o2).toMatchObject({ status: "matched", allocated_total: "28.5000" });
    expect(o2.restatements[0].pending).toBe(false);
    const audit = await cli.withDb((db) =>
      db.query<{ action: string; entity_id: string }>(`select action, entity_id from audit_log where entity = 'month' order by id`),
    );
    expect(audit).toEqual([
      { action: "close", entity_id: "org-vendor:2026-04" },
      { action: "reopen", entity_id: "org-vendor:2026-04" },
    ]);
    expect((await cli.run("reconcile", "--org", "org-vendor", "--month", "2026-04", "--reopen")).code).toBe(1); // not closed
  });

  it("closing a mismatch with a reason is allowed", async () => {
    const c = await json("--org", "org-daily", "--month", "2026-05", "--close", "--reason", "day 17 missing at vendor, accepted");
    expect(c.close).toMatchObject({ status: "closed", reason: "day 17 missing at vendor, accepted" });
  });
});
