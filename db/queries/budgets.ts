/** Monthly budgets (db/schema/budgets.ts) and anomaly acknowledgements (db/schema/anomaly-acks.ts). */
import type { Db } from "../client";

export interface BudgetDbRow {
  id: number;
  scope: "team" | "cost_center";
  name: string;
  org_id: string | null;
  from_month: string;
  amount: string;
  created_by: string;
  created_at: string;
}

const COLS = `id, scope, name, org_id, from_month, amount::text as amount, created_by, created_at::text as created_at`;

/** Every budget row, by scope, name, org (all orgs first) and month. */
export async function listBudgets(db: Db, f: { scope?: "team" | "cost_center"; name?: string } = {}): Promise<BudgetDbRow[]> {
  return db.query<BudgetDbRow>(
    `select ${COLS} from budgets where ($1::text is null or scope = $1) and ($2::text is null or name = $2)
      order by scope, name, org_id nulls first, from_month`,
    [f.scope ?? null, f.name ?? null],
  );
}

export async function getBudgetById(db: Db, id: number): Promise<BudgetDbRow | null> {
  const rows = await db.query<BudgetDbRow>(`select ${COLS} from budgets where id = $1`, [id]);
  return rows[0] ?? null;
}

/** Inserts the row, or replaces the amount of the row with the same (scope, name, org, from_month); returns it and the old amount. */
export async function upsertBudget(
  db: Db,
  b: { scope: "team" | "cost_center"; name: string; orgId: string | null; fromMonth: string; amount: string; actor: string },
): Promise<{ row: BudgetDbRow; before: string | null }> {
  const old = await db.query<{ amount: string }>(
    `select amount::text as amount from budgets where scope = $1 and name = $2 and coalesce(org_id, '') = coalesce($3::text, '') and from_month = $4`,
    [b.scope, b.name, b.orgId, b.fromMonth],
  );
  const rows = await db.query<BudgetDbRow>(
    `insert into budgets (scope, name, org_id, from_month, amount, created_by) values ($1, $2, $3, $4, $5::numeric, $6)
     on conflict (scope, name, coalesce(org_id, ''), from_month)
     do update set amount = excluded.amount, created_by = excluded.created_by, created_at = now()
     returning ${COLS}`,
    [b.scope, b.name, b.orgId, b.fromMonth, b.amount, b.actor],
  );
  return { row: rows[0]!, before: old[0]?.amount ?? null };
}

export async function deleteBudgetRow(db: Db, id: number): Promise<void> {
  await db.query(`delete from budgets where id = $1`, [id]);
}

/** A team rename carries its budgets and acknowledgements along (called by the teams service). */
export async function renameTeamInBudgets(db: Db, from: string, to: string): Promise<number> {
  const rows = await db.query<{ id: number }>(`update budgets set name = $2 where scope = 'team' and name = $1 returning id`, [from, to]);
  await db.query(`update anomaly_acks set team = $2 where team = $1`, [from, to]);
  return rows.length;
}

// ---------------------------------------------------------------- anomaly acknowledgements

export interface AnomalyAckRow {
  team: string;
  day: string;
  note: string | null;
  acked_by: string;
  acked_at: string;
}

export async function listAnomalyAcks(db: Db, f: { from: string; to: string }): Promise<AnomalyAckRow[]> {
  return db.query<AnomalyAckRow>(
    `select team, day::text as day, note, acked_by, acked_at::text as acked_at from anomaly_acks where day between $1 and $2 order by day, team`,
    [f.from, f.to],
  );
}

/** Acknowledges (team, day); false when it already was. */
export async function insertAnomalyAck(db: Db, a: { team: string; day: string; note: string | null; actor: string }): Promise<boolean> {
  const rows = await db.query<{ team: string }>(
    `insert into anomaly_acks (team, day, note, acked_by) values ($1, $2, $3, $4) on conflict do nothing returning team`,
    [a.team, a.day, a.note, a.actor],
  );
  return rows.length === 1;
}

/** Daily spend per team over [from, to] from the persisted allocation (direct + share of unallocated), for forecasts and anomalies. */
export async function getTeamDaily(
  db: Db,
  p: { from: string; to: string; orgIds?: string[]; teams?: string[] },
): Promise<Array<{ team: string; day: string; total: string }>> {
  return db.query(
    `select team, bucket_start::text as day, sum(total)::text as total from allocation_results
      where granularity = 'daily' and bucket_start between $1 and $2
        and ($3::text[] is null or org_id = any($3::text[])) and ($4::text[] is null or team = any($4::text[]))
      group by team, bucket_start order by team, bucket_start`,
    [p.from, p.to, p.orgIds?.length ? p.orgIds : null, p.teams?.length ? p.teams : null],
  );
}
