/**
 * Recomputing the persisted allocation (docs/allocation.md). Results are recomputed for
 * exactly the org, granularities and bucket range a change touches (an import, a crosswalk
 * edit, a policy change): the domain does the maths (`allocateOwners`: weights, then
 * `allocate()`), db/queries/allocation.ts reads and stores. Closed months are never
 * rewritten; what a recompute would change there is recorded as a restatement.
 */
import { allocateBucket, DEFAULT_POLICY } from "../domain/allocation";
import { Decimal, dec } from "../domain/money";
import { addDays, GRANULARITIES } from "../domain/periods";
import { diffSnapshots, monthTeamTotals } from "../domain/restatements";
import type { Db } from "../../db/client";
import {
  closedMonths,
  closedMonthTotals,
  bucketTeamCosts,
  refreshDetails,
  replaceAllocationResults,
  type BucketAllocation,
} from "../../db/queries/allocation";
import { orgPolicies } from "../../db/queries/orgs";
import { insertRestatement } from "../../db/queries/restatements";

/**
 * Computes (does not store) the allocation of one org/granularity over bucket starts in
 * [from, to] (inclusive; null = unbounded): direct cost per team from the stored segments
 * (`bucketTeamCosts`: the per-key aggregate or, as an independent check, the raw rows), then
 * the policy's spreading of U per bucket.
 */
export async function computeAllocation(
  db: Db,
  orgId: string,
  granularity: string,
  from: string | null,
  to: string | null,
  opts: { source?: "aggregate" | "raw" } = {},
): Promise<BucketAllocation[]> {
  const policy = (await orgPolicies(db, [orgId])).get(orgId) ?? DEFAULT_POLICY;
  const rows = await bucketTeamCosts(db, { orgId, granularity, from, to }, opts.source);
  const out: BucketAllocation[] = [];
  let i = 0;
  while (i < rows.length) {
    const bucket = rows[i].bucket_start;
    const direct = new Map<string, Decimal>();
    let unallocated = dec("0");
    for (; i < rows.length && rows[i].bucket_start === bucket; i++) {
      const r = rows[i];
      if (r.team === null) unallocated = unallocated.plus(dec(r.cost));
      else direct.set(r.team, dec(r.cost));
    }
    out.push({ bucketStart: bucket, results: allocateBucket(direct, unallocated, policy) });
  }
  return out;
}

export interface RecomputeOptions {
  /** The import that caused the recompute, recorded on closed-month restatements. */
  importId?: number | null;
  /**
   * Only these owners' rows (and the unallocated rows) can have changed team: refresh just
   * those drill-down details (a crosswalk edit). `[]` = only the unallocated row (a policy change).
   */
  detailsOwnerIds?: readonly string[];
  /** called after each step with its name (timing hook) */
  onPhase?: (name: string) => void;
}

/**
 * Replaces the stored allocation of org/granularity for bucket starts in [from, to]
 * (inclusive; null = unbounded). Buckets in a closed month are never rewritten: the
 * difference between the frozen figures and the recomputed ones is recorded as a
 * `closed_month` restatement instead, until the month is explicitly reopened.
 */
export async function recomputeAllocation(
  db: Db,
  orgId: string,
  granularity: string,
  from: string | null,
  to: string | null,
  opts: RecomputeOptions = {},
): Promise<number> {
  const range = { orgId, granularity, from, to };
  const computed = await computeAllocation(db, orgId, granularity, from, to);
  opts.onPhase?.("allocate");
  const closed = await closedMonths(db, orgId);
  const open = computed.filter((b) => !closed.has(b.bucketStart.slice(0, 7)));
  if (closed.size > 0) {
    const deltas = diffSnapshots(await closedMonthTotals(db, range, closed), monthTeamTotals(computed, closed));
    for (const month of [...new Set(deltas.map((d) => d.month))].sort())
      await insertRestatement(db, {
        kind: "closed_month",
        orgId,
        month,
        importId: opts.importId ?? null,
        granularity,
        deltas: deltas.filter((d) => d.month === month),
      });
  }
  const n = await replaceAllocationResults(db, range, closed, open);
  opts.onPhase?.("store_results");
  await refreshDetails(db, orgId, granularity, from, to, opts.detailsOwnerIds);
  opts.onPhase?.("details");
  return n;
}

/** Recomputes every granularity of one org over bucket starts in [from, toExclusive) (null = unbounded). */
export async function recomputeOrgRange(
  db: Db,
  orgId: string,
  from: string | null,
  toExclusive: string | null,
  opts: RecomputeOptions = {},
): Promise<void> {
  const toInclusive = toExclusive === null ? null : addDays(toExclusive, -1);
  for (const g of GRANULARITIES) await recomputeAllocation(db, orgId, g, from, toInclusive, opts);
}
