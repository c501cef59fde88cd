/**
 * Month close (docs/reconciliation.md): freeze an (org, month), reopen it explicitly, and list the
 * restatements recorded while it was closed.
 *
 * The freeze itself is enforced by `recomputeAllocation` (db/queries/allocation.ts):
 * buckets of a closed month are never rewritten, a `closed_month` restatement is
 * recorded instead. So the stored allocation of a closed month IS the frozen figure;
 * `month_closes.frozen` keeps a copy of the per-team results for the record.
 * Closing and reopening (validation, recompute, audit) are use cases: app/services/month-close.ts.
 */
import { monthRange } from "../../app/domain/periods";
import type { Db } from "../client";
import type { RestatementDelta } from "../../app/domain/restatements";

export interface FrozenTeam {
  team: string;
  direct_cost: string;
  unallocated_share: string;
  total: string;
}

export interface FrozenFigures {
  granularity: string | null;
  teams: FrozenTeam[];
  export_total: string | null;
  invoice_subtotal: string | null;
  variance: string | null;
  status: string;
}

export interface MonthCloseRow {
  org_id: string;
  month: string;
  status: "closed" | "reopened";
  reason: string | null;
  frozen: FrozenFigures;
  closed_by: string;
  closed_at: string;
}

export async function getMonthClose(db: Db, orgId: string, month: string): Promise<MonthCloseRow | null> {
  const rows = await db.query<MonthCloseRow>(`select * from month_closes where org_id = $1 and month = $2`, [orgId, month]);
  return rows[0] ?? null;
}

export async function listMonthCloses(
  db: Db,
  f: { orgId?: string; month?: string; status?: "closed" | "reopened" } = {},
): Promise<MonthCloseRow[]> {
  return db.query<MonthCloseRow>(
    `select * from month_closes where ($1::text is null or org_id = $1) and ($2::text is null or month = $2)
       and ($3::text is null or status = $3) order by month desc, org_id`,
    [f.orgId ?? null, f.month ?? null, f.status ?? null],
  );
}

export async function isMonthClosed(db: Db, orgId: string, month: string): Promise<boolean> {
  return (await getMonthClose(db, orgId, month))?.status === "closed";
}

/** Per-team results of (org, month) as stored (monthly import if any, else daily roll-up). */
export async function monthTeamResults(db: Db, orgId: string, month: string): Promise<{ granularity: string | null; teams: FrozenTeam[] }> {
  const { from, to } = monthRange(month);
  const g = await db.query<{ granularity: string }>(
    `select distinct granularity from allocation_results
      where org_id = $1 and granularity in ('monthly', 'daily') and bucket_start >= $2::date and bucket_start < $3::date`,
    [orgId, from, to],
  );
  const have = new Set(g.map((r) => r.granularity));
  const granularity = have.has("monthly") ? "monthly" : have.has("daily") ? "daily" : null;
  if (!granularity) return { granularity: null, teams: [] };
  const teams = await db.query<FrozenTeam>(
    `select team, sum(direct_cost)::text as direct_cost, sum(unallocated_share)::text as unallocated_share, sum(total)::text as total
       from allocation_results
      where org_id = $1 and granularity = $2 and bucket_start >= $3::date and bucket_start < $4::date
      group by team order by team`,
    [orgId, granularity, from, to],
  );
  return { granularity, teams };
}

/** Records (org, month) as closed by `closedBy` with its frozen figures (a reopened month is closed again). */
export async function upsertMonthClose(
  db: Db,
  p: { orgId: string; month: string; reason: string | null; frozen: FrozenFigures; closedBy: string },
): Promise<MonthCloseRow> {
  const [row] = await db.query<MonthCloseRow>(
    `insert into month_closes (org_id, month, status, reason, frozen, closed_by, closed_at)
     values ($1, $2, 'closed', $3, $4::jsonb, $5, now())
     on conflict (org_id, month) do update set status = 'closed', reason = excluded.reason, frozen = excluded.frozen,
       closed_by = excluded.closed_by, closed_at = excluded.closed_at
     returning *`,
    [p.orgId, p.month, p.reason, JSON.stringify(p.frozen), p.closedBy],
  );
  return row;
}

/** Marks a closed (org, month) as reopened (the record of the last close stays). */
export async function markMonthReopened(db: Db, orgId: string, month: string): Promise<MonthCloseRow> {
  const [row] = await db.query<MonthCloseRow>(`update month_closes set status = 'reopened' where org_id = $1 and month = $2 returning *`, [
    orgId,
    month,
  ]);
  return row;
}

export interface ClosedMonthRestatement {
  id: number;
  orgId: string;
  month: string;
  importId: number | null;
  granularity: string;
  createdAt: string;
  /** true while the month is still closed and this restatement was recorded during the current close. */
  pending: boolean;
  deltas: RestatementDelta[];
}

/**
 * Restatements recorded for closed months (kind `closed_month`): per-team deltas
 * between the frozen figures (old) and what the current data gives (new).
 * `team` keeps only that team's deltas (and drops restatements without one).
 */
export async function listClosedMonthRestatements(
  db: Db,
  f: { orgId?: string; month?: string; team?: string } = {},
): Promise<ClosedMonthRestatement[]> {
  const rows = await db.query<{
    id: number;
    org_id: string;
    month: string;
    import_id: number | null;
    deltas: { granularity?: string; deltas?: RestatementDelta[] } | null;
    created_at: string;
    close_status: string | null;
    pending: boolean;
  }>(
    `select r.id, r.org_id, r.month, r.import_id, r.deltas, r.created_at, c.status as close_status,
            coalesce(c.status = 'closed' and r.created_at >= c.closed_at, false) as pending
       from restatements r left join month_closes c on c.org_id = r.org_id and c.month = r.month
      where r.kind = 'closed_month' and ($1::text is null or r.org_id = $1) and ($2::text is null or r.month = $2)
      order by r.id desc`,
    [f.orgId ?? null, f.month ?? null],
  );
  const out: ClosedMonthRestatement[] = [];
  for (const r of rows) {
    let deltas = r.deltas?.deltas ?? [];
    if (f.team !== undefined) deltas = deltas.filter((d) => d.team === f.team);
    if (f.team !== undefined && deltas.length === 0) continue;
    out.push({
      id: r.id,
      orgId: r.org_id,
      month: r.month,
      importId: r.import_id,
      granularity: r.deltas?.granularity ?? "",
      createdAt: r.created_at,
      pending: r.pending,
      deltas,
    });
  }
  return out;
}
