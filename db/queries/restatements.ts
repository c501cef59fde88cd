/**
 * Restatements: what an import changed in figures already reported. Per (month, team)
 * old, new and delta, from the allocation results before and after the change.
 */
import type { RestatementDelta, TeamMonthTotal } from "../../app/domain/restatements";
import type { Db } from "../client";

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

/**
 * Stores one month's restatement record: what an import replaced (`import`, its per-team
 * deltas, possibly none) or what a recompute would have changed in a closed month
 * (`closed_month`, docs/reconciliation.md).
 */
export async function insertRestatement(
  db: Db,
  p: {
    kind: "import" | "closed_month";
    orgId: string;
    month: string;
    importId: number | null;
    granularity: string;
    deltas: RestatementDelta[];
  },
): Promise<void> {
  await db.query(`insert into restatements (org_id, month, import_id, kind, deltas) values ($1, $2, $3, $4, $5::jsonb)`, [
    p.orgId,
    p.month,
    p.importId,
    p.kind,
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

/** The highest restatement id so far (0 when none): a mark for `restatementsSince`. */
export async function maxRestatementId(db: Db): Promise<number> {
  const [r] = await db.query<{ n: number }>(`select coalesce(max(id), 0)::int as n from restatements`);
  return r.n;
}

/** The restatements recorded after the mark `id` (org, month, kind). */
export async function restatementsSince(db: Db, id: number): Promise<Array<{ orgId: string; month: string; kind: string }>> {
  const rows = await db.query<{ org_id: string; month: string | null; kind: string }>(
    `select org_id, month, kind from restatements where id > $1 order by id`,
    [id],
  );
  return rows.map((r) => ({ orgId: r.org_id, month: r.month ?? "", kind: r.kind }));
}

/** The latest month (YYYY-MM) with stored allocation results, or null. */
export async function latestDataMonth(db: Db): Promise<string | null> {
  const [r] = await db.query<{ m: string | null }>(`select to_char(max(bucket_start), 'YYYY-MM') as m from allocation_results`);
  return r?.m ?? null;
}
