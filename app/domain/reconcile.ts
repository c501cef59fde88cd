/**
 * Month reconciliation (docs/reconciliation.md): export total vs invoice usage subtotal, plus the checks
 * shown beside it. Pure: "now" and every figure are passed in.
 */
import { Decimal, dec, fmtExact, sum } from "./money";
import { addDays, daysInRange, monthRange } from "./periods";

import type { CheckStatus, ReconcileStatus } from "./vocabulary";

export type { CheckStatus, ReconcileStatus } from "./vocabulary";
export type CheckName = "buckets_complete" | "ingested_after_48h" | "allocated_equals_export" | "coverage";
export type ReconcileSource = "monthly" | "daily" | "weekly_only" | "none";

export const DEFAULT_TOLERANCE = "0.01";
/** FinOps coverage bands. */
export const COVERAGE_PASS = "0.9";
export const COVERAGE_WARN = "0.8";

export interface ReconcileInput {
  orgId: string;
  /** "YYYY-MM" */
  month: string;
  /** Σ chargeback_cost of the month (unallocated included); null = no data. */
  exportTotal: Decimal | null;
  /** Invoice usage subtotal entered by finance; null = not entered. */
  invoiceSubtotal: Decimal | null;
  tolerance: Decimal;
  source: ReconcileSource;
  /** Bucket start dates (YYYY-MM-DD) of the source granularity that have at least one row. */
  presentBuckets: string[];
  /** ISO instant of the latest ingest feeding the month, or null. */
  lastIngestAt: string | null;
  /** Σ of per-team totals of the month's allocation (pseudo-teams included); null = not computed. */
  allocatedTotal: Decimal | null;
  /** Σ of the month's cost on pseudo-team "unmapped" (its total incl. its unallocated share); null = unknown. */
  unmappedTotal: Decimal | null;
  /** ISO instant, passed in (the domain never reads the clock). */
  now: string;
}

export interface Check {
  status: CheckStatus;
  detail: string;
}

export interface ReconcileResult {
  orgId: string;
  month: string;
  exportTotal: string | null;
  invoiceSubtotal: string | null;
  /** export − invoice */
  variance: string | null;
  status: ReconcileStatus;
  checks: Record<CheckName, Check>;
  missingBuckets: string[];
  /** 1 − unmapped/total with 4 decimals, e.g. "0.9523"; null when undefined. */
  coverage: string | null;
  /** Extra fields (exact amounts as strings) so results can be rolled up across orgs. */
  tolerance: string;
  allocatedTotal: string | null;
  unmappedTotal: string | null;
}

const HOUR_MS = 3_600_000;

function parseInstant(iso: string, what: string): number {
  // Requires an explicit date + time; the zone must be given (Z or ±hh:mm) so the result is unambiguous.
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) {
    throw new Error(`${what}: ${JSON.stringify(iso)} is not an ISO instant with a time zone`);
  }
  const ms = Date.parse(iso.replace(" ", "T"));
  if (Number.isNaN(ms)) throw new Error(`${what}: ${JSON.stringify(iso)} is not a valid instant`);
  return ms;
}

function dayStartMs(date: string): number {
  return parseInstant(`${date}T00:00:00Z`, "date");
}

function listDays(days: string[], max = 10): string {
  return days.length <= max ? days.join(", ") : `${days.slice(0, max).join(", ")} and ${days.length - max} more`;
}

function checkBuckets(input: ReconcileInput, from: string, to: string, nowMs: number): { check: Check; missing: string[] } {
  const inProgress = nowMs < dayStartMs(to) ? ` (the month is not over yet)` : "";
  const present = new Set(input.presentBuckets.map((b) => b.slice(0, 10)));
  switch (input.source) {
    case "none":
      return { check: { status: "fail", detail: "no data for this month" }, missing: [] };
    case "weekly_only":
      return {
        check: { status: "fail", detail: "only weekly data: weekly buckets straddle months and cannot reconcile a month" },
        missing: [],
      };
    case "monthly":
      return present.has(from)
        ? { check: { status: "pass", detail: `monthly bucket ${from} present` }, missing: [] }
        : { check: { status: "fail", detail: `monthly bucket ${from} missing${inProgress}` }, missing: [from] };
    case "daily": {
      const days = daysInRange(from, to);
      const missing = days.filter((d) => !present.has(d));
      return missing.length === 0
        ? { check: { status: "pass", detail: `all ${days.length} daily buckets present` }, missing }
        : {
            check: {
              status: "fail",
              detail: `${missing.length} of ${days.length} daily buckets missing: ${listDays(missing)}${inProgress}`,
            },
            missing,
          };
    }
  }
}

function checkIngest(input: ReconcileInput, to: string, nowMs: number): Check {
  const due = dayStartMs(to) + 48 * HOUR_MS;
  const dueIso = `${addDays(to, 2)}T00:00:00.000Z`; // month end + 48 h
  if (input.lastIngestAt === null) return { status: "warn", detail: "no ingest recorded for this month" };
  const at = parseInstant(input.lastIngestAt, "lastIngestAt");
  if (at >= due) return { status: "pass", detail: `last ingest ${input.lastIngestAt} is at least 48 h after month end` };
  const hint = nowMs >= due ? "re-ingest to capture late usage" : `wait until ${dueIso} and re-ingest`;
  return {
    status: "warn",
    detail: `last ingest ${input.lastIngestAt} is earlier than 48 h after month end (${dueIso}); the vendor's data may be incomplete: ${hint}`,
  };
}

function checkAllocated(input: ReconcileInput): Check {
  if (input.exportTotal === null) return { status: "warn", detail: "no export data" };
  if (input.allocatedTotal === null) return { status: "fail", detail: "allocation has not been computed" };
  const diff = input.allocatedTotal.minus(input.exportTotal);
  return diff.isZero()
    ? { status: "pass", detail: `allocated total equals export total ${fmtExact(input.exportTotal)}` }
    : {
        status: "fail",
        detail: `allocated total ${fmtExact(input.allocatedTotal)} differs from export total ${fmtExact(input.exportTotal)} by ${fmtExact(diff)}`,
      };
}

function coverageOf(unmapped: Decimal | null, total: Decimal | null): { check: Check; coverage: string | null } {
  if (total === null) return { check: { status: "warn", detail: "no export data" }, coverage: null };
  if (unmapped === null) return { check: { status: "warn", detail: "unmapped total unknown (allocation not computed)" }, coverage: null };
  if (total.isZero()) return { check: { status: "warn", detail: "export total is 0: coverage undefined" }, coverage: null };
  const cov = new Decimal(1).minus(unmapped.div(total));
  const coverage = cov.toFixed(4, Decimal.ROUND_HALF_UP);
  const pct = cov.times(100).toFixed(2, Decimal.ROUND_HALF_UP);
  const base = `${pct} % of cost mapped to teams (unmapped ${fmtExact(unmapped)} of ${fmtExact(total)})`;
  const status: CheckStatus = cov.gte(COVERAGE_PASS) ? "pass" : cov.gte(COVERAGE_WARN) ? "warn" : "fail";
  const band = status === "pass" ? "≥ 90 %" : status === "warn" ? "below 90 %" : "below 80 %";
  return { check: { status, detail: `${base}: ${band}` }, coverage };
}

function statusOf(
  exportTotal: Decimal | null,
  invoice: Decimal | null,
  tolerance: Decimal,
): { status: ReconcileStatus; variance: Decimal | null } {
  if (exportTotal === null) return { status: "no_data", variance: null };
  if (invoice === null) return { status: "no_invoice", variance: null };
  const variance = exportTotal.minus(invoice);
  return { status: variance.abs().lte(tolerance) ? "matched" : "mismatch", variance };
}

/** Reconciles one (org, month). */
export function reconcile(input: ReconcileInput): ReconcileResult {
  const { from, to } = monthRange(input.month);
  const tolerance = dec(input.tolerance);
  if (tolerance.isNegative()) throw new Error("tolerance must not be negative");
  const nowMs = parseInstant(input.now, "now");
  const exportTotal = input.exportTotal === null ? null : dec(input.exportTotal);
  const invoice = input.invoiceSubtotal === null ? null : dec(input.invoiceSubtotal);

  const { status, variance } = statusOf(exportTotal, invoice, tolerance);
  const buckets = checkBuckets(input, from, to, nowMs);
  const cov = coverageOf(input.unmappedTotal === null ? null : dec(input.unmappedTotal), exportTotal);
  return {
    orgId: input.orgId,
    month: input.month,
    exportTotal: exportTotal === null ? null : fmtExact(exportTotal),
    invoiceSubtotal: invoice === null ? null : fmtExact(invoice),
    variance: variance === null ? null : fmtExact(variance),
    status,
    checks: {
      buckets_complete: buckets.check,
      ingested_after_48h: checkIngest(input, to, nowMs),
      allocated_equals_export: checkAllocated(input),
      coverage: cov.check,
    },
    missingBuckets: buckets.missing,
    coverage: cov.coverage,
    tolerance: fmtExact(tolerance),
    allocatedTotal: input.allocatedTotal === null ? null : fmtExact(dec(input.allocatedTotal)),
    unmappedTotal: input.unmappedTotal === null ? null : fmtExact(dec(input.unmappedTotal)),
  };
}

export const ALL_ORGS = "ALL";

const SEVERITY: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

/**
 * The multi-org total row for one month (orgId = "ALL"):
 * - exportTotal / invoiceSubtotal / allocatedTotal / unmappedTotal = Σ over orgs that have them (null when none);
 * - status: no_data when every org has no data; else no_invoice when any org with data lacks an invoice;
 *   else mismatch when any org mismatches; else matched. variance = Σ export − Σ invoice when every org with
 *   data has an invoice;
 * - each check = the worst status among orgs, detail names the orgs not passing;
 * - missingBuckets are prefixed with the org ("org:YYYY-MM-DD"); coverage recomputed from the sums.
 * Throws when `results` is empty or mixes months.
 */
export function rollupReconcile(results: ReconcileResult[]): ReconcileResult {
  if (results.length === 0) throw new Error("rollupReconcile needs at least one result");
  const month = results[0].month;
  if (results.some((r) => r.month !== month)) throw new Error("rollupReconcile: results span several months");

  const sumOf = (pick: (r: ReconcileResult) => string | null): Decimal | null => {
    const vals = results.map(pick).filter((v): v is string => v !== null);
    return vals.length === 0 ? null : sum(vals.map((v) => dec(v)));
  };
  const exportTotal = sumOf((r) => r.exportTotal);
  const invoice = sumOf((r) => r.invoiceSubtotal);
  const allocated = sumOf((r) => r.allocatedTotal);
  const unmapped = sumOf((r) => r.unmappedTotal);
  const withData = results.filter((r) => r.status !== "no_data");

  let status: ReconcileStatus;
  if (withData.length === 0) status = "no_data";
  else if (withData.some((r) => r.status === "no_invoice")) status = "no_invoice";
  else if (withData.some((r) => r.status === "mismatch")) status = "mismatch";
  else status = "matched";
  const variance = status === "matched" || status === "mismatch" ? exportTotal!.minus(invoice ?? 0) : null;

  const names: CheckName[] = ["buckets_complete", "ingested_after_48h", "allocated_equals_export", "coverage"];
  const checks = {} as Record<CheckName, Check>;
  for (const name of names) {
    const worst = results.reduce<CheckStatus>(
      (w, r) => (SEVERITY[r.checks[name].status] > SEVERITY[w] ? r.checks[name].status : w),
      "pass",
    );
    const notPassing = results.filter((r) => r.checks[name].status !== "pass").map((r) => `${r.orgId} (${r.checks[name].status})`);
    checks[name] = {
      status: worst,
      detail: notPassing.length === 0 ? `all ${results.length} orgs pass` : `not passing: ${notPassing.join(", ")}`,
    };
  }
  // Coverage of the total, recomputed from the sums when every org reports unmapped.
  let coverage: string | null = null;
  if (
    exportTotal !== null &&
    unmapped !== null &&
    !exportTotal.isZero() &&
    results.every((r) => r.status === "no_data" || r.unmappedTotal !== null)
  ) {
    coverage = new Decimal(1).minus(unmapped.div(exportTotal)).toFixed(4, Decimal.ROUND_HALF_UP);
  }
  const tolerance = sum(results.map((r) => dec(r.tolerance)));
  return {
    orgId: ALL_ORGS,
    month,
    exportTotal: exportTotal === null ? null : fmtExact(exportTotal),
    invoiceSubtotal: invoice === null ? null : fmtExact(invoice),
    variance: variance === null ? null : fmtExact(variance),
    status,
    checks,
    missingBuckets: results.flatMap((r) => r.missingBuckets.map((b) => `${r.orgId}:${b}`)),
    coverage,
    tolerance: fmtExact(tolerance),
    allocatedTotal: allocated === null ? null : fmtExact(allocated),
    unmappedTotal: unmapped === null ? null : fmtExact(unmapped),
  };
}
