import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { ExportValidator } from "../../app/domain/csv/export";
import { Decimal } from "../../app/domain/money";
import { isoWeekday } from "../../app/domain/periods";
import {
  bucketStarts,
  describeOwners,
  estimateRowsPerBucket,
  EXPORT_HEADER,
  generateExportRecords,
  type GenerateOptions,
  SUPPORT_METRIC,
  UNALLOCATED_OWNER,
} from "./generator";

const C = Object.fromEntries(EXPORT_HEADER.map((h, i) => [h, i])) as Record<string, number>;
const base: GenerateOptions = { org: "org-test", granularity: "daily", from: "2026-03-01", to: "2026-03-31" };

function gen(o: Partial<GenerateOptions> = {}): string[][] {
  return [...generateExportRecords({ ...base, ...o })];
}

function byBucket(rows: string[][]): Map<string, string[][]> {
  const m = new Map<string, string[][]>();
  for (const r of rows) {
    const b = m.get(r[C.timestamp]);
    if (b) b.push(r);
    else m.set(r[C.timestamp], [r]);
  }
  return m;
}

function validate(rows: string[][], opts: ConstructorParameters<typeof ExportValidator>[0] = {}) {
  const v = new ExportValidator({ now: new Date("2031-01-01T00:00:00Z"), ...opts });
  expect(v.header([...EXPORT_HEADER])).toBe(true);
  rows.forEach((r, i) => v.row(r, i + 2));
  return v.finish();
}

describe("generateExportRecords", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = gen({ seed: 7 });
    const b = gen({ seed: 7 });
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(gen({ seed: 8 })).not.toEqual(a);
    expect(gen({ seed: 7, org: "org-other" })).not.toEqual(a);
  });

  it("a bucket does not depend on the range requested around it", () => {
    const full = byBucket(gen({ seed: 3 }));
    const one = byBucket(gen({ seed: 3, from: "2026-03-17", to: "2026-03-17" }));
    expect([...one.keys()]).toEqual(["2026-03-17T00:00:00Z"]);
    expect(one.get("2026-03-17T00:00:00Z")).toEqual(full.get("2026-03-17T00:00:00Z"));
  });

  it("every (bucket, resource_id, metric) group sums exactly to its single original_amount", () => {
    for (const granularity of ["daily", "weekly", "monthly"] as const) {
      const rows = gen({ granularity, from: "2026-01-01", to: "2026-03-31", principals: 20, clusters: 3 });
      const groups = new Map<string, { sum: Decimal; originals: Set<string> }>();
      for (const r of rows) {
        const cb = r[C.chargeback_cost];
        const orig = r[C.original_amount];
        expect(cb).toMatch(/^-?\d+\.\d{2,6}$/);
        expect(orig).toMatch(/^-?\d+\.\d{2,6}$/);
        expect(new Decimal(cb).isZero()).toBe(false); // zero rows are omitted
        const share = r[C.usage_share];
        if (r[C.owner_id] !== UNALLOCATED_OWNER) {
          expect(share).toMatch(/^[01]\.\d{6}$/);
          const s = new Decimal(share);
          expect(s.gte(0) && s.lte(1)).toBe(true);
          expect(s.eq(new Decimal(cb).div(orig).toDecimalPlaces(6, Decimal.ROUND_HALF_UP))).toBe(true);
        }
        const k = `${r[C.timestamp]}|${r[C.resource_id]}|${r[C.metric]}`;
        const g = groups.get(k) ?? { sum: new Decimal(0), originals: new Set<string>() };
        g.sum = g.sum.plus(cb);
        g.originals.add(orig);
        groups.set(k, g);
      }
      expect(groups.size).toBeGreaterThan(10);
      for (const [k, g] of groups) {
        expect(g.originals.size, k).toBe(1);
        expect(g.sum.eq(new Decimal([...g.originals][0])), `${k}: ${g.sum} vs ${[...g.originals][0]}`).toBe(true);
      }
    }
  });

  it("has exactly one unallocated row per bucket, last, org-level, mostly negative", () => {
    const rows = gen({ from: "2026-01-01", to: "2026-04-30" });
    const buckets = byBucket(rows);
    expect(buckets.size).toBe(120);
    let negative = 0;
    let positive = 0;
    for (const [ts, rs] of buckets) {
      const un = rs.filter((r) => r[C.owner_id] === UNALLOCATED_OWNER);
      expect(un, ts).toHaveLength(1);
      const u = un[0];
      expect(rs[rs.length - 1]).toBe(u);
      expect(u[C.environment_id]).toBe("");
      expect(u[C.resource_id]).toBe("");
      expect(u[C.unit]).toBe("USD");
      expect(u[C.chargeback_cost]).toBe(u[C.original_amount]);
      expect(new Decimal(u[C.usage_share]).isZero()).toBe(true);
      if (new Decimal(u[C.chargeback_cost]).isNegative()) negative++;
      else positive++;
    }
    expect(negative).toBeGreaterThan(positive);
    expect(positive).toBeGreaterThan(0);
  });

  it("aligns buckets: every day; weekly on Mondays; monthly on the 1st", () => {
    expect(bucketStarts("daily", "2026-02-27", "2026-03-02")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
    expect(bucketStarts("weekly", "2026-04-01", "2026-04-30")).toEqual(["2026-04-06", "2026-04-13", "2026-04-20", "2026-04-27"]);
    expect(bucketStarts("monthly", "2026-01-15", "2026-04-01")).toEqual(["2026-02-01", "2026-03-01", "2026-04-01"]);

    const weekly = [...byBucket(gen({ granularity: "weekly", from: "2025-12-01", to: "2026-03-31" })).keys()];
    expect(weekly).toHaveLength(18);
    for (const ts of weekly) expect(isoWeekday(ts.slice(0, 10)), ts).toBe(1);
    const monthly = [...byBucket(gen({ granularity: "monthly", from: "2025-11-10", to: "2026-04-30", timestampFormat: "date" })).keys()];
    expect(monthly).toEqual(["2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]);
  });

  for (const granularity of ["daily", "weekly", "monthly"] as const) {
    it(`passes ExportValidator with zero errors (${granularity})`, () => {
      const rows = gen({ granularity, from: "2026-01-01", to: "2026-06-30", principals: 15, clusters: 3, seed: 11 });
      const s = validate(rows);
      expect(s.errors).toEqual([]);
      expect(s.errorCount).toBe(0);
      expect(s.ok).toBe(true);
      expect(s.granularity).toBe(granularity);
      expect(s.rowCount).toBe(rows.length);
      expect(s.unbalancedGroups).toBe(0);
      const total = rows.reduce((acc, r) => acc.plus(r[C.chargeback_cost]), new Decimal(0));
      expect(new Decimal(s.total).eq(total)).toBe(true);
      // Stating the granularity explicitly works too.
      expect(validate(rows, { granularity }).ok).toBe(true);
    });
  }

  it("the validator check is meaningful: a hand-edited amount is rejected", () => {
    const rows = gen({ from: "2026-01-01", to: "2026-01-03" });
    const i = rows.findIndex((r) => r[C.metric] === "KafkaNetworkRead");
    const edited = rows.map((r) => [...r]);
    edited[i][C.chargeback_cost] = new Decimal(edited[i][C.chargeback_cost]).plus("0.5").toFixed(6);
    const s = validate(edited);
    expect(s.ok).toBe(false);
    expect(s.errorCount).toBeGreaterThan(0);
  });

  it("round-trips through csv-stringify / csv-parse and still validates (date timestamps)", () => {
    const rows = gen({ granularity: "weekly", from: "2026-01-05", to: "2026-02-23", timestampFormat: "date" });
    const text = stringify([EXPORT_HEADER, ...rows]);
    const parsed = parse(text) as string[][];
    expect(parsed[0]).toEqual(EXPORT_HEADER);
    expect(parsed.slice(1)).toEqual(rows);
    const s = validate(parsed.slice(1));
    expect(s.errorCount).toBe(0);
    expect(s.ok).toBe(true);
  });

  it("row count scales with principals and clusters, and estimateRowsPerBucket is close", () => {
    const o = { from: "2026-03-01", to: "2026-03-14" };
    const n12 = gen({ ...o, principals: 12 }).length;
    const n48 = gen({ ...o, principals: 48 }).length;
    const n48c4 = gen({ ...o, principals: 48, clusters: 4 }).length;
    expect(n48 / n12).toBeGreaterThan(2.5);
    expect(n48 / n12).toBeLessThan(5);
    expect(n48c4 / n48).toBeGreaterThan(1.3);
    for (const [granularity, principals, clusters] of [
      ["daily", 12, 2],
      ["daily", 200, 3],
      ["weekly", 60, 2],
      ["monthly", 30, 5],
    ] as const) {
      const opts: GenerateOptions = { org: "org-est", granularity, from: "2026-01-01", to: "2026-06-30", principals, clusters };
      const buckets = bucketStarts(granularity, opts.from, opts.to).length;
      const actual = gen(opts).length / buckets;
      const est = estimateRowsPerBucket(opts);
      expect(Math.abs(est - actual) / actual, `${granularity} ${principals}×${clusters}: est ${est} actual ${actual}`).toBeLessThan(0.15);
    }
  });

  it("allocates Support last, org-level, in proportion to each owner's other costs", () => {
    const rows = gen({ granularity: "daily", from: "2026-05-01", to: "2026-05-10", principals: 25, clusters: 3 });
    for (const [ts, rs] of byBucket(rows)) {
      const support = rs.filter((r) => r[C.metric] === SUPPORT_METRIC);
      expect(support.length, ts).toBeGreaterThan(3);
      // Last except for the unallocated row: every Support row comes after every usage row.
      const firstSupport = rs.indexOf(support[0]);
      const usage = rs.slice(0, firstSupport);
      expect(rs.slice(firstSupport, rs.length - 1)).toEqual(support);
      expect(usage.every((r) => r[C.metric] !== SUPPORT_METRIC && r[C.owner_id] !== UNALLOCATED_OWNER)).toBe(true);

      const totals = new Map<string, Decimal>();
      for (const r of usage) totals.set(r[C.owner_id], (totals.get(r[C.owner_id]) ?? new Decimal(0)).plus(r[C.chargeback_cost]));
      const grand = [...totals.values()].reduce((a, b) => a.plus(b), new Decimal(0));
      const S = new Decimal(support[0][C.original_amount]);
      // A plausible support rate (a few % of usage).
      expect(S.div(grand).gt("0.03") && S.div(grand).lt("0.15")).toBe(true);
      let sum = new Decimal(0);
      const ulp = new Decimal("0.000001");
      for (const r of support) {
        expect(r[C.environment_id]).toBe("");
        expect(r[C.resource_id]).toBe("");
        const owner = r[C.owner_id];
        expect(totals.has(owner), owner).toBe(true);
        const exact = S.times(totals.get(owner)!).div(grand);
        expect(new Decimal(r[C.chargeback_cost]).minus(exact).abs().lt(ulp), `${ts} ${owner}`).toBe(true);
        sum = sum.plus(r[C.chargeback_cost]);
      }
      expect(sum.eq(S)).toBe(true);
      // Every owner whose proportional share is at least one unit gets a Support row.
      for (const [owner, t] of totals) {
        if (S.times(t).div(grand).gte(ulp))
          expect(
            support.some((r) => r[C.owner_id] === owner),
            owner,
          ).toBe(true);
      }
    }
  });

  it("has realistic products, owners and monthly spend", () => {
    const rows = gen({ granularity: "monthly", from: "2026-01-01", to: "2026-06-30" });
    const metrics = new Set(rows.map((r) => r[C.metric]));
    for (const m of [
      "KafkaNetworkRead",
      "KafkaNetworkWrite",
      "KafkaNumCKUs",
      "KafkaStorage",
      "KafkaPartition",
      "KafkaBase",
      "ConnectCapacity",
      "ConnectNumTasks",
      "ConnectThroughput",
      "FlinkNumCFUs",
      "ClusterLinkingPerLink",
      "ClusterLinkingRead",
      "ClusterLinkingWrite",
      "SchemaRegistry",
      "GovernanceBase",
      "NumRules",
      "KSQLNumCSUs",
      SUPPORT_METRIC,
    ]) {
      expect(metrics.has(m), m).toBe(true);
    }
    for (const r of rows) {
      const owner = r[C.owner_id];
      const product = r[C.product];
      expect(product).toMatch(/^[a-z_]+$/);
      if (product === "connect") {
        expect(owner).toMatch(/^lkc-/);
        expect(r[C.resource_id]).toMatch(/^lcc-/);
      }
      if (product === "flink") expect(owner).toMatch(/^(lfcp|env)-/);
      if (product === "cluster_link" || product === "stream_governance") expect(owner).toMatch(/^lkc-/);
      if (product === "ksqldb") expect(owner).toMatch(/^sa-/);
      if (product === "kafka") expect(r[C.resource_id]).toMatch(/^lkc-/);
    }
    // A mid-size org: ~$20–60k per month.
    for (const [ts, rs] of byBucket(rows)) {
      const total = rs.reduce((a, r) => a.plus(r[C.chargeback_cost]), new Decimal(0));
      expect(total.gt(20_000) && total.lt(60_000), `${ts}: ${total}`).toBe(true);
    }
  });

  it("scales cost with the bucket length", () => {
    const total = (rows: string[][]) => rows.reduce((a, r) => a.plus(r[C.chargeback_cost]), new Decimal(0));
    const daily = total(gen({ granularity: "daily", from: "2026-03-02", to: "2026-03-29" }));
    const weekly = total(gen({ granularity: "weekly", from: "2026-03-02", to: "2026-03-29" }));
    const monthly = total(gen({ granularity: "monthly", from: "2026-03-01", to: "2026-03-01" }));
    const dailyMarch = total(gen({ granularity: "daily", from: "2026-03-01", to: "2026-03-31" }));
    // Same usage, different unallocated/support rounding: within a few percent.
    expect(weekly.div(daily).minus(1).abs().lt("0.06")).toBe(true);
    expect(monthly.div(dailyMarch).minus(1).abs().lt("0.06")).toBe(true);
  });

  it("describeOwners covers every owner id, with plausible names and teams", () => {
    const opts = { org: "org-test", principals: 30, clusters: 4, seed: 5 };
    const owners = describeOwners(opts);
    expect(describeOwners(opts)).toEqual(owners);
    const ids = new Set(owners.map((o) => o.ownerId));
    expect(ids.size).toBe(owners.length);
    for (const o of owners) {
      expect(o.orgId).toBe("org-test");
      expect(o.ownerId).toMatch(/^(sa|u|pool|lkc|lfcp|env)-[a-z0-9]+$/);
      expect(o.displayName.length).toBeGreaterThan(0);
      expect(o.suggestedTeam).toMatch(/^[a-z-]+$/);
    }
    expect(owners.filter((o) => o.kind === "service_account").length).toBeGreaterThan(15);
    expect(owners.some((o) => o.kind === "user")).toBe(true);
    expect(owners.some((o) => o.kind === "identity_pool")).toBe(true);
    expect(owners.some((o) => o.displayName === "payments-api")).toBe(true);
    const rows = gen({ ...opts, from: "2026-02-01", to: "2026-02-28" });
    for (const r of rows) {
      if (r[C.owner_id] !== UNALLOCATED_OWNER) expect(ids.has(r[C.owner_id]), r[C.owner_id]).toBe(true);
    }
    // Other orgs get other ids (org-scoped).
    const other = new Set(describeOwners({ ...opts, org: "org-b" }).map((o) => o.ownerId));
    expect([...ids].filter((id) => other.has(id))).toEqual([]);
  });
});
