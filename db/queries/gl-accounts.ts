/**
 * The GL account mapping of the journal (db/schema/gl-accounts.ts, docs/journal.md): reads and
 * the row writes the GL account services (app/services/gl-accounts.ts) compose, and what a
 * mapping's key may refer to.
 */
import type { GlAccount, GlAccountKey, GlRefs, GlScope } from "../../app/domain/journal";
import type { Db } from "../client";

export interface GlAccountRow extends GlAccount {
  updatedBy: string;
  updatedAt: string;
}

const COLUMNS = `scope, key, org_id as "orgId", account, updated_by as "updatedBy",
  to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "updatedAt"`;

/** Every mapping, by scope (cost_center, org_default, clearing, suspense), key, org. */
export async function listGlAccounts(db: Db): Promise<GlAccountRow[]> {
  return db.query<GlAccountRow>(
    `select ${COLUMNS} from gl_accounts
      order by array_position(array['cost_center', 'org_default', 'clearing', 'suspense'], scope), key, org_id`,
  );
}

/** The mapping list the journal resolves accounts from (every org's). */
export async function glAccountInputs(db: Db): Promise<GlAccount[]> {
  return db.query<GlAccount>(`select scope, key, org_id as "orgId", account from gl_accounts`);
}

export async function getGlAccount(db: Db, k: GlAccountKey): Promise<GlAccountRow | null> {
  const rows = await db.query<GlAccountRow>(`select ${COLUMNS} from gl_accounts where scope = $1 and key = $2 and org_id = $3`, [
    k.scope,
    k.key,
    k.orgId,
  ]);
  return rows[0] ?? null;
}

/** Inserts or replaces the account of (scope, key, org_id). */
export async function upsertGlAccount(db: Db, a: GlAccount & { updatedBy: string }): Promise<GlAccountRow> {
  const [row] = await db.query<GlAccountRow>(
    `insert into gl_accounts (scope, key, org_id, account, updated_by) values ($1, $2, $3, $4, $5)
     on conflict (scope, key, org_id) do update set account = excluded.account, updated_by = excluded.updated_by, updated_at = now()
     returning ${COLUMNS}`,
    [a.scope, a.key, a.orgId, a.account, a.updatedBy],
  );
  return row;
}

/** Deletes the mapping; the deleted row, or null when there was none. */
export async function deleteGlAccountRow(db: Db, k: GlAccountKey): Promise<GlAccountRow | null> {
  const rows = await db.query<GlAccountRow>(`delete from gl_accounts where scope = $1 and key = $2 and org_id = $3 returning ${COLUMNS}`, [
    k.scope,
    k.key,
    k.orgId,
  ]);
  return rows[0] ?? null;
}

/** The cost center codes and organization ids a mapping may name. */
export async function glAccountRefs(db: Db): Promise<GlRefs> {
  const cc = await db.query<{ code: string }>(`select code from cost_centers`);
  const orgs = await db.query<{ org_id: string }>(`select org_id from organizations`);
  return { costCenters: new Set(cc.map((r) => r.code)), orgs: new Set(orgs.map((r) => r.org_id)) };
}

/** Every cost center with its teams (names, sorted) and display name, by code. */
export async function costCentersWithTeams(db: Db): Promise<Array<{ code: string; name: string | null; teams: string[] }>> {
  const rows = await db.query<{ code: string; name: string | null; teams: string[] | null }>(
    `select cc.code, cc.name, array_remove(array_agg(t.name order by t.name), null) as teams
       from cost_centers cc left join teams t on t.cost_center = cc.code
      group by cc.code, cc.name order by cc.code`,
  );
  return rows.map((r) => ({ code: r.code, name: r.name, teams: r.teams ?? [] }));
}

export type { GlScope };
