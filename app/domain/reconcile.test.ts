import { describe, expect, it } from "vitest";
import { dec } from "./money";
import { daysInRange } from "./periods";
import { reconcile, rollupReconcile, type ReconcileInput } from "./reconcile";

const APRIL_DAYS = daysInRange("2026-04-01", "2026-05-01");

const base = (over: Partial<ReconcileInput> = {}): ReconcileInput => ({
  orgId: "org-1",
  month: "2026-04",
  exportTotal: dec("27.50"),
  invoiceSubtotal: dec("27.50"),
  tolerance: dec("0.01"),
  source: "daily",
  presentBuckets: APRIL_DAYS,
  lastIngestAt: "2026-05-04T09:00:00Z",
  allocatedTotal: dec("27.5"),
  unmappedTotal: dec("0"),
  now: "2026-05-10T12:00:00Z",
  ...over,
});

describe("reconcile: status and variance", () => {
  it("matched when everything agrees", () => {
    const r = reconcile(base());
    expect(r.status).toBe("matched");
    expect(r.exportTotal).toBe("27.5000");
    expect(r.invoiceSubtotal).toBe("27.5000");
    expect(r.variance).toBe("0.0000");
    expect(Object.values(r.checks).map((c) => c.status)).toEqual(["pass", "pass", "pass", "pass"]);
    expect(r.missingBuckets).toEqual([]);
    expect(r.coverage).toBe("1.0000");
  });

  it("matched within tolerance (inclusive), mismatch just outside, with the exact variance", () => {
    expect(reconcile(base({ invoiceSubtotal: dec("27.49") })).status).toBe("matched");
    expect(reconcile(base({ invoiceSubtotal: dec("27.51") })).variance).toBe("-0.0100");
    const m = reconcile(base({ invoiceSubtotal: dec("27.48999") }));
    expect(m.status).toBe("mismatch");
    expect(m.variance).toBe("0.01001");
    const big = reconcile(base({ exportTotal: dec("-562.29"), allocatedTotal: dec("-562.29"), invoiceSubtotal: dec("100") }));
    expect(big.status).toBe("mismatch");
    expect(big.variance).toBe("-662.2900");
  });

  it("no_invoice and no_data", () => {
    const ni = reconcile(base({ invoiceSubtotal: null }));
    expect(ni.status).toBe("no_invoice");
    expect(ni.variance).toBeNull();
    const nd = reconcile(
      base({ exportTotal: null, source: "none", presentBuckets: [], allocatedTotal: null, unmappedTotal: null, lastIngestAt: null }),
    );
    expect(nd.status).toBe("no_data");
    expect(nd.exportTotal).toBeNull();
    expect(nd.checks.buckets_complete).toEqual({ status: "fail", detail: "no data for this month" });
    expect(nd.checks.ingested_after_48h.status).toBe("warn");
    expect(nd.coverage).toBeNull();
  });

  it("rejects a negative tolerance and malformed instants", () => {
    expect(() => reconcile(base({ tolerance: dec("-0.01") }))).toThrow(/tolerance/);
    expect(() => reconcile(base({ now: "yesterday" }))).toThrow(/now/);
    expect(() => reconcile(base({ lastIngestAt: "2026-05-04 09:00" }))).toThrow(/lastIngestAt/);
  });
});

describe("reconcile: buckets_complete", () => {
  it("names the missing days", () => {
    const present = APRIL_DAYS.filter((d) => d !== "2026-04-07" && d !== "2026-04-30");
    const r = reconcile(base({ presentBuckets: present }));
    expect(r.checks.buckets_complete).toEqual({ status: "fail", detail: "2 of 30 daily buckets missing: 2026-04-07, 2026-04-30" });
    expect(r.missingBuckets).toEqual(["2026-04-07", "2026-04-30"]);
    // the money status is independent of the checks
    expect(r.status).toBe("matched");
  });

  it("abbreviates long lists and notes an unfinished month", () => {
    const r = reconcile(base({ presentBuckets: APRIL_DAYS.slice(0, 5), now: "2026-04-06T00:00:00Z" }));
    expect(r.missingBuckets).toHaveLength(25);
    expect(r.checks.buckets_complete.detail).toBe(
      "25 of 30 daily buckets missing: 2026-04-06, 2026-04-07, 2026-04-08, 2026-04-09, 2026-04-10, 2026-04-11, 2026-04-12, 2026-04-13, 2026-04-14, 2026-04-15 and 15 more (the month is not over yet)",
    );
  });

  it("monthly source needs the month bucket", () => {
    expect(reconcile(base({ source: "monthly", presentBuckets: ["2026-04-01"] })).checks.buckets_complete.status).toBe("pass");
    const r = reconcile(base({ source: "monthly", presentBuckets: [] }));
    expect(r.checks.buckets_complete).toEqual({ status: "fail", detail: "monthly bucket 2026-04-01 missing" });
    expect(r.missingBuckets).toEqual(["2026-04-01"]);
  });

  it("weekly only cannot reconcile a month", () => {
    const r = reconcile(base({ source: "weekly_only", presentBuckets: ["2026-03-30", "2026-04-06"] }));
    expect(r.checks.buckets_complete.status).toBe("fail");
    expect(r.checks.buckets_complete.detail).toMatch(/weekly buckets straddle months and cannot reconcile a month/);
  });

  it("February of a leap year has 29 days", () => {
    const feb = daysInRange("2024-02-01", "2024-03-01");
    expect(reconcile(base({ month: "2024-02", presentBuckets: feb })).checks.buckets_complete.detail).toBe("all 29 daily buckets present");
  });
});

describe("reconcile: ingested_after_48h", () => {
  it("passes at exactly month end + 48 h, warns one second before", () => {
    expect(reconcile(base({ lastIngestAt: "2026-05-03T00:00:00Z" })).checks.ingested_after_48h.status).toBe("pass");
    expect(reconcile(base({ lastIngestAt: "2026-05-03T00:00:00.000+00:00" })).checks.ingested_after_48h.status).toBe("pass");
    const w = reconcile(base({ lastIngestAt: "2026-05-02T23:59:59Z" }));
    expect(w.checks.ingested_after_48h.status).toBe("warn");
    expect(w.checks.ingested_after_48h.detail).toMatch(/2026-05-03T00:00:00.000Z/);
    expect(w.checks.ingested_after_48h.detail).toMatch(/re-ingest/);
    // time zone offsets are honoured: 01:00+02:00 is 23:00Z the day before
    expect(reconcile(base({ lastIngestAt: "2026-05-03T01:00:00+02:00" })).checks.ingested_after_48h.status).toBe("warn");
    expect(reconcile(base({ lastIngestAt: null })).checks.ingested_after_48h.status).toBe("warn");
  });
});

describe("reconcile: allocated_equals_export", () => {
  it("passes only on exact equality", () => {
    expect(reconcile(base({ allocatedTotal: dec("27.500000") })).checks.allocated_equals_export.status).toBe("pass");
    const f = reconcile(base({ allocatedTotal: dec("27.4999") }));
    expect(f.checks.allocated_equals_export).toEqual({
      status: "fail",
      detail: "allocated total 27.4999 differs from export total 27.5000 by -0.0001",
    });
    expect(reconcile(base({ allocatedTotal: null })).checks.allocated_equals_export.status).toBe("fail");
  });
});

describe("reconcile: coverage bands", () => {
  const cov = (unmapped: string, total = "100") =>
    reconcile(base({ exportTotal: dec(total), allocatedTotal: dec(total), invoiceSubtotal: dec(total), unmappedTotal: dec(unmapped) }));

  it("pass ≥ 90 %, warn ≥ 80 %, fail below", () => {
    expect([cov("0").coverage, cov("0").checks.coverage.status]).toEqual(["1.0000", "pass"]);
    expect([cov("10").coverage, cov("10").checks.coverage.status]).toEqual(["0.9000", "pass"]);
    expect([cov("10.0001").coverage, cov("10.0001").checks.coverage.status]).toEqual(["0.9000", "warn"]); // 0.899999 rounds for display only
    expect([cov("20").coverage, cov("20").checks.coverage.status]).toEqual(["0.8000", "warn"]);
    expect([cov("20.01").coverage, cov("20.01").checks.coverage.status]).toEqual(["0.7999", "fail"]);
    expect(cov("1", "3").coverage).toBe("0.6667");
    expect(cov("20.01").checks.coverage.detail).toBe("79.99 % of cost mapped to teams (unmapped 20.0100 of 100.0000): below 80 %");
  });

  it("undefined when the total is 0 or unmapped unknown", () => {
    const z = reconcile(base({ exportTotal: dec("0"), allocatedTotal: dec("0"), invoiceSubtotal: dec("0") }));
    expect(z.coverage).toBeNull();
    expect(z.checks.coverage.status).toBe("warn");
    expect(reconcile(base({ unmappedTotal: null })).checks.coverage.status).toBe("warn");
  });
});

describe("rollupReconcile", () => {
  it("sums orgs and keeps the worst check", () => {
    const a = reconcile(base({ orgId: "org-a" }));
    const b = reconcile(
      base({
        orgId: "org-b",
        exportTotal: dec("100"),
        invoiceSubtotal: dec("99.5"),
        allocatedTotal: dec("100"),
        unmappedTotal: dec("15"),
        presentBuckets: APRIL_DAYS.slice(1),
      }),
    );
    const t = rollupReconcile([a, b]);
    expect(t.orgId).toBe("ALL");
    expect(t.month).toBe("2026-04");
    expect(t.exportTotal).toBe("127.5000");
    expect(t.invoiceSubtotal).toBe("127.0000");
    expect(t.variance).toBe("0.5000");
    expect(t.status).toBe("mismatch");
    expect(t.checks.buckets_complete).toEqual({ status: "fail", detail: "not passing: org-b (fail)" });
    expect(t.checks.coverage.status).toBe("warn");
    expect(t.checks.ingested_after_48h).toEqual({ status: "pass", detail: "all 2 orgs pass" });
    expect(t.missingBuckets).toEqual(["org-b:2026-04-01"]);
    expect(t.coverage).toBe("0.8824"); // 1 − 15 / 127.5
    expect(t.allocatedTotal).toBe("127.5000");
  });

  it("status: no_invoice when an org with data lacks one; no_data only when all lack data", () => {
    const a = reconcile(base({ orgId: "a" }));
    const b = reconcile(base({ orgId: "b", invoiceSubtotal: null }));
    const nd = reconcile(
      base({ orgId: "c", exportTotal: null, source: "none", presentBuckets: [], allocatedTotal: null, unmappedTotal: null }),
    );
    expect(rollupReconcile([a, b]).status).toBe("no_invoice");
    expect(rollupReconcile([a, b]).variance).toBeNull();
    expect(rollupReconcile([a, nd]).status).toBe("matched");
    expect(rollupReconcile([nd]).status).toBe("no_data");
    expect(() => rollupReconcile([])).toThrow();
    expect(() =>
      rollupReconcile([a, reconcile(base({ month: "2026-03", presentBuckets: daysInRange("2026-03-01", "2026-04-01") }))]),
    ).toThrow(/months/);
  });
});
