/**
 * Restatements: what an import changed in figures already reported. Per (month, team)
 * old, new and delta, from the allocation results before and after the change.
 */
import { Decimal, dec } from "../../app/domain/money";
import type { Db } from "../client";

export interface TeamMonthTotal {
  month: string;
  team: string;
  total: string;
}

/** Allocation totals per (month, team) of one org/granularity over bucket starts in [from, to]. */
export async function snapshotResults(db: Db, orgId: string, granularity: string, from: string, to: string): Promise<TeamMonthTotal[]> {
  return db.query<TeamMonthTotal>(
    `select to_char(bucket_start, 'YYYY-MM') as month, team, sum(total)::text as total
       from allocation_results
      where org_id = $1 and granularity = $2 and bucket_start between $3::date and $4::date
      group by 1, 2 order by 1, 2`,
    [orgId, granularity, from, to],
  );
}

export interface RestatementDelta {
  month: string;
  team: string;
  old: string;
  new: string;
  delta: string;
}

export function diffSnapshots(before: TeamMonthTotal[], after: TeamMonthTotal[]): RestatementDelta[] {
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

/** Stores one month's restatement record of an import (its per-team deltas, possibly none). */
export async function insertImportRestatement(
  db: Db,
  p: { orgId: string; month: string; importId: number; granularity: string; deltas: RestatementDelta[] },
): Promise<void> {
  await db.query(`insert into restatements (org_id, month, import_id, kind, deltas) values ($1, $2, $3, 'import', $4::jsonb)`, [
    p.orgId,
    p.month,
    p.importId,
    JSON.stringify({ granularity: p.granularity, deltas: p.deltas }),
  ]);
}

export async function listRestatements(db: Db, f: { orgId?: string; month?: string; importId?: number } = {}) {
  return db.query<{
    id: number;
    org_id: string;
    month: string;
    import_id: number;
    kind: string;
    deltas: { granularity: string; deltas: RestatementDelta[] };
    created_at: string;
  }>(
    `select * from restatements where ($1::text is null or org_id = $1) and ($2::text is null or month = $2)
       and ($3::int is null or import_id = $3) order by id desc`,
    [f.orgId ?? null, f.month ?? null, f.importId ?? null],
  );
}
