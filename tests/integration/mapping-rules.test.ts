/**
 * Issue 13, the named cases: precedence (entry > rule order > unmapped), a split at
 * 33.3333 / 33.3333 / 33.3334, a rule whose period ends mid-month, and a rule change that touches
 * a closed month and leaves its frozen figures alone (a restatement records the difference).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dec } from "../../app/domain/money";
import { parseRulesJson, type Rule } from "../../app/domain/rules";
import { createCrosswalkEntry, importCrosswalk, parseCrosswalkCsv, toImportEntries } from "../../app/services/crosswalk";
import { crosswalkCsv } from "../../app/services/csv";
import { listCrosswalk } from "../../db/queries/crosswalk";
import { ingestFile } from "../../app/services/ingest";
import { createRule, deleteRule, exportRules, importRules, listRules, moveRule, updateRule } from "../../app/services/mapping";
import { closeMonth, reopenMonth } from "../../app/services/month-close";
import { createTestDb, testEngine, type TestDb } from "../helpers/db";

const HEADER = "timestamp,owner_id,environment_id,resource_id,product,metric,unit,chargeback_cost,original_amount,usage_share";
const OWNERS = [
  { owner: "sa-1", env: "env-a", res: "lkc-a", product: "kafka", metric: "KafkaNumCKUs", cost: "10.00" },
  { owner: "sa-2", env: "env-a", res: "lkc-a", product: "kafka", metric: "KafkaNetworkWrite", cost: "20.00" },
  { owner: "sa-2", env: "env-a", res: "lcc-a", product: "connect", metric: "ConnectNumTasks", cost: "5.00" },
  { owner: "sa-3", env: "env-b", res: "lkc-b", product: "kafka", metric: "KafkaNumCKUs", cost: "1.00" },
  { owner: "u-1", env: "env-b", res: "lkc-b", product: "kafka", metric: "KafkaNetworkRead", cost: "3.00" },
];

/** A daily export of March and April 2026: the costs above every day, and a credit of -0.35 per day. */
function exportCsv(): string {
  const lines = [HEADER];
  for (let d = new Date("2026-03-01T00:00:00Z"); d < new Date("2026-05-01T00:00:00Z"); d.setUTCDate(d.getUTCDate() + 1)) {
    const ts = d.toISOString().replace(".000Z", "Z");
    for (const o of OWNERS) lines.push(`${ts},${o.owner},${o.env},${o.res},${o.product},${o.metric},unit,${o.cost},${o.cost},1`);
    lines.push(`${ts},unallocated,,,billing,PromotionalCredit,USD,-0.35,-0.35,0`);
  }
  return lines.join("\n") + "\n";
}

function rules(json: unknown[]): Rule[] {
  const p = parseRulesJson(json);
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return p.rules;
}

let tmp: string;
let t: TestDb;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-rules-"));
  await writeFile(path.join(tmp, "export.csv"), exportCsv());
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  t = await createTestDb();
  const r = await ingestFile(t.db, { orgId: "org-r", filePath: path.join(tmp, "export.csv"), actor: "t" });
  expect(r.status).toBe("imported");
});
afterEach(async () => {
  await t.cleanup();
});

/** Σ direct per team over [from, to] (daily buckets). */
async function direct(from: string, to: string): Promise<Record<string, string>> {
  const rows = await t.db.query<{ team: string; d: string }>(
    `select team, sum(direct_cost)::text as d from allocation_results
      where org_id = 'org-r' and granularity = 'daily' and bucket_start between $1 and $2 group by team order by team`,
    [from, to],
  );
  return Object.fromEntries(rows.map((r) => [r.team, dec(r.d).toFixed(2)]));
}

async function mappedBy(owner: string, month: string): Promise<string[]> {
  const rows = await t.db.query<{ mapped_by: string }>(
    `select distinct mapped_by from allocation_details where org_id = 'org-r' and granularity = 'daily' and owner_id = $1
        and to_char(month, 'YYYY-MM') = $2 order by 1`,
    [owner, month],
  );
  return rows.map((r) => r.mapped_by);
}

describe(`mapping rules (${testEngine()})`, () => {
  it("precedence: an entry beats every rule; then the rules in order, first match wins; then unmapped", async () => {
    // a day of March: 10 + 20 + 5 + 1 + 3 = 39, all unmapped
    expect(await direct("2026-03-02", "2026-03-02")).toEqual({ unmapped: "39.00" });
    await importRules(
      t.db,
      "t",
      rules([
        { org_id: "org-r", name: "connect to data", when: { product: "connect" }, then: { team: "data" } },
        { org_id: null, name: "env-a to platform", when: { environment_id: "env-a" }, then: { team: "platform" } },
        { org_id: "org-r", name: "service accounts to ops", when: { owner_kind: "service_account" }, then: { team: "ops" } },
      ]),
      { replace: false },
    );
    // sa-2's connect row: rule 1; the rest of env-a: rule 2; sa-3 in env-b: rule 3; u-1 matches nothing
    expect(await direct("2026-03-02", "2026-03-02")).toEqual({ data: "5.00", ops: "1.00", platform: "30.00", unmapped: "3.00" });
    expect(await mappedBy("sa-2", "2026-03")).toEqual(['rule "connect to data" (#1)', 'rule "env-a to platform" (#2)']);
    // order matters: moving the env rule first takes the connect row too
    const env = (await listRules(t.db)).find((r) => r.name === "env-a to platform")!;
    await moveRule(t.db, "t", env.id!, 1);
    expect(await direct("2026-03-02", "2026-03-02")).toEqual({ ops: "1.00", platform: "35.00", unmapped: "3.00" });
    expect(await mappedBy("sa-2", "2026-03")).toEqual(['rule "env-a to platform" (#1)']);
    // a direct entry beats every rule
    const id = await createCrosswalkEntry(t.db, "t", {
      orgId: "org-r",
      ownerId: "sa-2",
      team: "payments",
      validFrom: "2026-01-01",
      validTo: null,
    });
    expect(await direct("2026-03-02", "2026-03-02")).toEqual({ ops: "1.00", payments: "25.00", platform: "10.00", unmapped: "3.00" });
    expect(await mappedBy("sa-2", "2026-03")).toEqual([`entry #${id}`]);
    // and deleting the rules leaves the entry and unmapped
    for (const r of await listRules(t.db)) await deleteRule(t.db, "t", r.id!);
    expect(await direct("2026-03-02", "2026-03-02")).toEqual({ payments: "25.00", unmapped: "14.00" });
  });

  it("a split at 33.3333 / 33.3333 / 33.3334 divides each row exactly, and the bucket is conserved", async () => {
    await createRule(
      t.db,
      "t",
      rules([
        {
          org_id: "org-r",
          name: "shared sa-1",
          when: { owner_id: "sa-1" },
          then: { split: { payments: "33.3333", search: "33.3333", ads: "33.3334" } },
        },
      ])[0],
    );
    // 10.00 per day: 3.33333 / 3.33333 / 3.33334 (units of 10^-5 at scale 4 → 33333.3 …: largest remainder to ads)
    const day = await t.db.query<{ team: string; direct_cost: string; total: string }>(
      `select team, direct_cost::text, total::text from allocation_results
        where org_id = 'org-r' and granularity = 'daily' and bucket_start = '2026-03-05' order by team`,
    );
    const byTeam = Object.fromEntries(day.map((r) => [r.team, dec(r.direct_cost).toFixed()]));
    expect(byTeam).toEqual({ ads: "3.3334", payments: "3.3333", search: "3.3333", unmapped: "29" });
    // the bucket: Σ total = Σ rows = 39 - 0.35
    expect(day.reduce((a, r) => a.plus(dec(r.total)), dec("0")).toFixed()).toBe("38.65");
    expect(await mappedBy("sa-1", "2026-03")).toEqual([
      'split 33.3333 % of rule "shared sa-1" (#1)',
      'split 33.3334 % of rule "shared sa-1" (#1)',
    ]);
    // over the month (31 days) the drill-down agrees with the bucket results to the last digit
    const det = await t.db.query<{ team: string; d: string }>(
      `select team, sum(direct)::text as d from allocation_details where org_id = 'org-r' and granularity = 'daily' and owner_id = 'sa-1'
          and month = '2026-03-01' group by team order by team`,
    );
    expect(det.map((r) => [r.team, dec(r.d).toFixed()])).toEqual([
      ["ads", "103.3354"],
      ["payments", "103.3323"],
      ["search", "103.3323"],
    ]);
  });

  it("a rule whose period ends mid-month maps the daily buckets before its valid_to only", async () => {
    await createRule(
      t.db,
      "t",
      rules([
        {
          org_id: "org-r",
          name: "u-1 until the 15th",
          when: { owner_id: "u-1" },
          then: { team: "search" },
          valid_from: "2026-03-01",
          valid_to: "2026-03-15",
        },
      ])[0],
    );
    // 14 days (1–14 March) × 3.00
    expect((await direct("2026-03-01", "2026-03-31")).search).toBe("42.00");
    expect(await direct("2026-03-14", "2026-03-14")).toMatchObject({ search: "3.00" });
    expect(await direct("2026-03-15", "2026-03-15")).not.toHaveProperty("search");
    // editing the end moves exactly those days
    const r = (await listRules(t.db))[0];
    await updateRule(t.db, "t", r.id!, { ...r, validTo: "2026-03-20" });
    expect((await direct("2026-03-01", "2026-03-31")).search).toBe("57.00");
    expect((await direct("2026-04-01", "2026-04-30")).search).toBeUndefined();
  });

  it("a rule change that touches a closed month leaves its frozen figures alone and records a restatement", async () => {
    await closeMonth(t.db, "t", { orgId: "org-r", month: "2026-03", reason: "test close" });
    const frozen = await direct("2026-03-01", "2026-03-31");
    expect(frozen).toEqual({ unmapped: "1209.00" });
    await createRule(
      t.db,
      "t",
      rules([{ org_id: null, name: "env-b to search", when: { environment_id: "env-b" }, then: { team: "search" } }])[0],
    );
    // March stays as closed; April moves
    expect(await direct("2026-03-01", "2026-03-31")).toEqual(frozen);
    expect(await direct("2026-04-01", "2026-04-30")).toEqual({ search: "120.00", unmapped: "1050.00" });
    const rest = await t.db.query<{
      month: string;
      kind: string;
      deltas: { granularity: string; deltas: Array<{ team: string; delta: string }> };
    }>(`select month, kind, deltas from restatements where kind = 'closed_month' and deltas->>'granularity' = 'daily' order by id`);
    expect(rest.map((r) => r.month)).toEqual(["2026-03"]);
    const deltas = Object.fromEntries(rest[0].deltas.deltas.map((d) => [d.team, dec(d.delta)]));
    // the whole month moves: Σ deltas = 0; search gains its 31 × 4.00 direct and its share of the credits
    expect(
      Object.values(deltas)
        .reduce((a, d) => a.plus(d), dec("0"))
        .isZero(),
    ).toBe(true);
    expect(deltas.search.toFixed(2)).toBe("122.89");
    // reopening applies the rule to March
    await reopenMonth(t.db, "t", { orgId: "org-r", month: "2026-03", reason: "apply the rule" });
    expect((await direct("2026-03-01", "2026-03-31")).search).toBe("124.00");
    const [after] = await t.db.query<{ s: string }>(
      `select sum(total)::text as s from allocation_results where org_id = 'org-r' and granularity = 'daily' and team = 'search' and bucket_start < '2026-04-01'`,
    );
    expect(dec(after.s).eq(deltas.search)).toBe(true); // the restatement said exactly what reopening applies
  });

  it("a crosswalk entry splits too: the CSV's split column, exported and re-imported unchanged", async () => {
    const csv = [
      "org_id,owner_id,team,valid_from,valid_to,cost_center,note,split",
      "org-r,sa-2,,2026-03-01,,,shared ingest account,payments:60;search:40",
      "org-r,sa-1,platform,,,,,",
    ].join("\n");
    const parsed = parseCrosswalkCsv(csv);
    expect(parsed.errorCount).toBe(0);
    expect(await importCrosswalk(t.db, "t", toImportEntries(parsed.entries), "merge")).toMatchObject({ added: 2 });
    // sa-2: 25.00 a day → 15.00 / 10.00
    expect(await direct("2026-03-02", "2026-03-02")).toEqual({ payments: "15.00", platform: "10.00", search: "10.00", unmapped: "4.00" });
    const [entry] = (await listCrosswalk(t.db, { orgId: "org-r" })).filter((e) => e.ownerId === "sa-2");
    expect(await mappedBy("sa-2", "2026-03")).toEqual([`split 40 % of entry #${entry.id}`, `split 60 % of entry #${entry.id}`]);
    const out = crosswalkCsv(await listCrosswalk(t.db));
    expect(out.split("\n")[0]).toBe("org_id,owner_id,team,valid_from,valid_to,cost_center,note,split");
    expect(out).toContain("org-r,sa-2,,2026-03-01,,,shared ingest account,payments:60;search:40");
    const again = parseCrosswalkCsv(out);
    expect(await importCrosswalk(t.db, "t", toImportEntries(again.entries), "merge")).toMatchObject({ added: 0, removed: 0, unchanged: 2 });
    // a split line with a team too, or percentages not summing to 100, is refused with its line
    const bad = parseCrosswalkCsv("org_id,owner_id,team,valid_from,valid_to,split\norg-r,sa-3,ops,,,a:50;b:40\n");
    expect(bad.errors[0]).toMatchObject({ line: 2, column: "split", rule: "team-or-split" });
  });

  it("rules export and re-import change nothing; names in the file round-trip", async () => {
    const file = rules([
      {
        org_id: "org-r",
        name: "a",
        when: { owner_name: { starts_with: "Pay", case_sensitive: false }, owner_kind: "service_account" },
        then: { team: "payments" },
        valid_from: "2026-03-10",
        valid_to: null,
      },
      { org_id: null, name: "b", when: { resource_id: "lkc-b", product: "kafka" }, then: { split: { x: "60", y: "40" } } },
    ]);
    await importRules(t.db, "t", file, { replace: true });
    const text = await exportRules(t.db);
    const again = parseRulesJson(JSON.parse(text));
    expect(again.ok).toBe(true);
    const r = await importRules(t.db, "t", again.ok ? again.rules : [], { replace: true });
    expect(r).toMatchObject({ added: [], updated: [], removed: [], unchanged: ["a", "b"] });
  });
});
