import type { Db } from "../client";

export interface SavedViewRow {
  id: number;
  user_id: number;
  name: string;
  path: string;
  query: string;
  created_at: string;
}

const COLS = `id, user_id, name, path, query, created_at::text as created_at`;

/** A user's saved views, by name. */
export async function listSavedViews(db: Db, params: { userId: number }): Promise<SavedViewRow[]> {
  return db.query<SavedViewRow>(`select ${COLS} from saved_views where user_id = $1 order by name, id`, [params.userId]);
}

export async function getSavedView(db: Db, params: { id: number }): Promise<SavedViewRow | null> {
  const rows = await db.query<SavedViewRow>(`select ${COLS} from saved_views where id = $1`, [params.id]);
  return rows[0] ?? null;
}

export async function getSavedViewByName(db: Db, params: { userId: number; name: string }): Promise<SavedViewRow | null> {
  const rows = await db.query<SavedViewRow>(`select ${COLS} from saved_views where user_id = $1 and name = $2`, [
    params.userId,
    params.name,
  ]);
  return rows[0] ?? null;
}

/** Creates the view, or replaces the path and query of the user's view with the same name. */
export async function upsertSavedView(db: Db, v: { userId: number; name: string; path: string; query: string }): Promise<SavedViewRow> {
  const rows = await db.query<SavedViewRow>(
    `insert into saved_views (user_id, name, path, query) values ($1, $2, $3, $4)
     on conflict (user_id, name) do update set path = excluded.path, query = excluded.query, created_at = now()
     returning ${COLS}`,
    [v.userId, v.name, v.path, v.query],
  );
  return rows[0]!;
}

/** Deletes the view only when it belongs to `userId`; returns the deleted row or null. */
export async function deleteSavedView(db: Db, params: { id: number; userId: number }): Promise<SavedViewRow | null> {
  const rows = await db.query<SavedViewRow>(`delete from saved_views where id = $1 and user_id = $2 returning ${COLS}`, [
    params.id,
    params.userId,
  ]);
  return rows[0] ?? null;
}
