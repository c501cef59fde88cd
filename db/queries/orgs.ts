import type { Db } from "../client";
import { writeAudit } from "./audit";

export interface OrgRow {
  org_id: string;
  display_name: string | null;
  policy: string;
  tolerance: string;
  created_at: string;
}

/** Serialises every write that touches one org's data (ingest, crosswalk, policy) for the transaction's life. */
export async function lockOrg(db: Db, orgId: string): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtext('showback-org:' || $1))`, [orgId]);
}

export async function ensureOrg(db: Db, orgId: string): Promise<void> {
  await db.query(`insert into organizations (org_id) values ($1) on conflict (org_id) do nothing`, [orgId]);
}

export async function getOrg(db: Db, orgId: string): Promise<OrgRow | null> {
  const rows = await db.query<OrgRow>(`select * from organizations where org_id = $1`, [orgId]);
  return rows[0] ?? null;
}

export async function listOrgs(db: Db): Promise<OrgRow[]> {
  return db.query<OrgRow>(`select * from organizations order by org_id`);
}

export async function updateOrgSettings(
  db: Db,
  actor: string,
  orgId: string,
  patch: { policy?: string; displayName?: string | null; tolerance?: string },
): Promise<OrgRow> {
  const before = await getOrg(db, orgId);
  if (!before) throw new Error(`unknown organization ${orgId}`);
  const rows = await db.query<OrgRow>(
    `update organizations set policy = coalesce($2, policy), display_name = case when $3::boolean then $4 else display_name end,
       tolerance = coalesce($5::numeric, tolerance)
     where org_id = $1 returning *`,
    [orgId, patch.policy ?? null, patch.displayName !== undefined, patch.displayName ?? null, patch.tolerance ?? null],
  );
  await writeAudit(db, { actor, action: "update", entity: "organization", entityId: orgId, before, after: rows[0] });
  return rows[0];
}
