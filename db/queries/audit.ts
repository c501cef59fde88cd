import type { Db } from "../client";

export interface AuditEntry {
  actor: string;
  action: string; // e.g. create, update, end_date, delete, bulk_import, sign_in, sign_in_failed, close, reopen
  entity: string; // e.g. crosswalk_entry, team, organization, import, user, month
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Appends one audit log entry (call inside the same transaction as the change). */
export async function writeAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.query(`insert into audit_log (actor, action, entity, entity_id, before, after) values ($1, $2, $3, $4, $5::jsonb, $6::jsonb)`, [
    e.actor,
    e.action,
    e.entity,
    e.entityId ?? null,
    json(e.before),
    json(e.after),
  ]);
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
}

export async function listAudit(
  db: Db,
  f: { actor?: string; entity?: string; action?: string; from?: string; to?: string; limit?: number; offset?: number } = {},
): Promise<AuditRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (cond: string, v: unknown) => {
    params.push(v);
    where.push(cond.replace("?", `$${params.length}`));
  };
  if (f.actor) add("actor = ?", f.actor);
  if (f.entity) add("entity = ?", f.entity);
  if (f.action) add("action = ?", f.action);
  if (f.from) add("at >= ?::timestamptz", f.from);
  if (f.to) add("at < ?::timestamptz", f.to);
  params.push(f.limit ?? 200, f.offset ?? 0);
  return db.query<AuditRow>(
    `select id, at, actor, action, entity, entity_id, before, after from audit_log
     ${where.length ? "where " + where.join(" and ") : ""}
     order by id desc limit $${params.length - 1} offset $${params.length}`,
    params,
  );
}

export async function auditFacets(db: Db): Promise<{ actors: string[]; entities: string[]; actions: string[] }> {
  const [a, e, x] = await Promise.all([
    db.query<{ v: string }>(`select distinct actor as v from audit_log order by 1 limit 200`),
    db.query<{ v: string }>(`select distinct entity as v from audit_log order by 1`),
    db.query<{ v: string }>(`select distinct action as v from audit_log order by 1`),
  ]);
  return { actors: a.map((r) => r.v), entities: e.map((r) => r.v), actions: x.map((r) => r.v) };
}

export async function countAudit(
  db: Db,
  f: { actor?: string; entity?: string; action?: string; from?: string; to?: string } = {},
): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>(
    `select count(*)::int as n from audit_log
      where ($1::text is null or actor = $1) and ($2::text is null or entity = $2) and ($3::text is null or action = $3)
        and ($4::timestamptz is null or at >= $4::timestamptz) and ($5::timestamptz is null or at < $5::timestamptz)`,
    [f.actor ?? null, f.entity ?? null, f.action ?? null, f.from ?? null, f.to ?? null],
  );
  return n;
}

/** Owner display names for a set of (org, owner) pairs. */
