/**
 * Restatements (docs/reconciliation.md): what a change did to figures already reported,
 * per (month, team): old, new and delta. Pure.
 */
import { Decimal, dec } from "./money";

export interface TeamMonthTotal {
  month: string;
  team: string;
  total: string;
}

export interface RestatementDelta {
  month: string;
  team: string;
  old: string;
  new: string;
  delta: string;
}

/** The (month, team) totals that differ between two snapshots, in month then team order. */
export function diffSnapshots(before: readonly TeamMonthTotal[], after: readonly TeamMonthTotal[]): RestatementDelta[] {
  const key = (r: TeamMonthTotal) => `${r.month}\u0000${r.team}`;
  const map = new Map<string, { month: string; team: string; old: Decimal; new: Decimal }>();
  for (const r of before) map.set(key(r), { month: r.month, team: r.team, old: dec(r.total), new: dec("0") });
  for (const r of after) {
    const e = map.get(key(r)) ?? { month: r.month, team: r.team, old: dec("0"), new: dec("0") };
    e.new = dec(r.total);
    map.set(key(r), e);
  }
  return [...map.values()]
    .filter((e) => !e.old.eq(e.new))
    .sort((a, b) => (a.month === b.month ? (a.team < b.team ? -1 : 1) : a.month < b.month ? -1 : 1))
    .map((e) => ({ month: e.month, team: e.team, old: e.old.toFixed(), new: e.new.toFixed(), delta: e.new.minus(e.old).toFixed() }));
}

/** Totals per (month, team) of bucket results whose month is in `months`. */
export function monthTeamTotals(
  buckets: ReadonlyArray<{ bucketStart: string; results: ReadonlyArray<{ team: string; total: Decimal }> }>,
  months: ReadonlySet<string>,
): TeamMonthTotal[] {
  const sums = new Map<string, { month: string; team: string; total: Decimal }>();
  for (const b of buckets) {
    const month = b.bucketStart.slice(0, 7);
    if (!months.has(month)) continue;
    for (const r of b.results) {
      const k = `${month}\u0000${r.team}`;
      const e = sums.get(k) ?? { month, team: r.team, total: dec("0") };
      e.total = e.total.plus(r.total);
      sums.set(k, e);
    }
  }
  return [...sums.values()].map((e) => ({ month: e.month, team: e.team, total: e.total.toFixed() }));
}
