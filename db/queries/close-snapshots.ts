/**
 * The finance exports of a closed (org, month) as they were at close (db/schema/close-snapshots.ts):
 * re-exporting a closed month reads them, so the file is identical to the one taken at close.
 */
import type { Db } from "../client";

export type CloseSnapshotKind = "focus" | "journal";
export type SnapshotCell = string | null;

/** The stored lines of (org, month, kind) while the month is closed; null when not closed or not taken. */
export async function getCloseSnapshot(db: Db, orgId: string, month: string, kind: CloseSnapshotKind): Promise<SnapshotCell[][] | null> {
  const [r] = await db.query<{ rows: SnapshotCell[][] }>(
    `select s.rows from close_snapshots s join month_closes c on c.org_id = s.org_id and c.month = s.month and c.status = 'closed'
      where s.org_id = $1 and s.month = $2 and s.kind = $3 and s.created_at >= c.closed_at`,
    [orgId, month, kind],
  );
  return r?.rows ?? null;
}

/** Stores (replaces) the lines of (org, month, kind) taken at close. */
export async function putCloseSnapshot(
  db: Db,
  p: { orgId: string; month: string; kind: CloseSnapshotKind; rows: SnapshotCell[][] },
): Promise<void> {
  await db.query(
    `insert into close_snapshots (org_id, month, kind, rows) values ($1, $2, $3, $4::jsonb)
     on conflict (org_id, month, kind) do update set rows = excluded.rows, created_at = now()`,
    [p.orgId, p.month, p.kind, JSON.stringify(p.rows)],
  );
}
