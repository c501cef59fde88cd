/**
 * Read model of the mapping rules page (app/routes/crosswalk.rules.tsx): the display names of
 * the ids the rules name (owners, environments `env-…`, clusters `lkc-…`; `owner_names`).
 */
import type { Db } from "../client";

export interface NamedId {
  orgId: string;
  id: string;
  displayName: string;
}

/** The known display names of `ids` in every org (an id may be named in several orgs). */
export async function displayNamesOf(db: Db, ids: readonly string[]): Promise<NamedId[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<{ org_id: string; owner_id: string; display_name: string }>(
    `select org_id, owner_id, display_name from owner_names where owner_id = any($1::text[]) order by org_id, owner_id`,
    [[...new Set(ids)]],
  );
  return rows.map((r) => ({ orgId: r.org_id, id: r.owner_id, displayName: r.display_name }));
}
