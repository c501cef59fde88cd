import { InputError } from "../../app/domain/errors";
import {
  DEFAULT_POLICY,
  explainPolicy,
  formatPolicy,
  fromStoredPolicy,
  parsePolicy,
  policyTeams,
  toStoredPolicy,
  type Policy,
  type StoredPolicy,
} from "../../app/domain/policies";
import type { Db } from "../client";

/**
 * An organization as the app reads it. The policy is stored as data (`policy_spec`, teams by id;
 * app/domain/policies.ts); `policy` is its text form with the teams' current names
 * (e.g. `shared:platform`), computed on read: a team rename never touches the stored policy.
 */
export interface OrgRow {
  org_id: string;
  display_name: string | null;
  policy: string;
  policy_spec: StoredPolicy;
  tolerance: string;
  created_at: string;
}

type RawOrgRow = Omit<OrgRow, "policy">;

/** Serialises every write that touches one org's data (ingest, crosswalk, policy) for the transaction's life. */
export async function lockOrg(db: Db, orgId: string): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtext('showback-org:' || $1))`, [orgId]);
}

export async function ensureOrg(db: Db, orgId: string): Promise<void> {
  await db.query(`insert into organizations (org_id) values ($1) on conflict (org_id) do nothing`, [orgId]);
}

// ---------------------------------------------------------------- policy: team ids ↔ names (the db boundary)

interface TeamIndex {
  nameOf(id: number): string;
  idOf(name: string): number;
}

async function teamIndex(db: Db): Promise<TeamIndex> {
  const rows = await db.query<{ id: number; name: string }>(`select id, name from teams`);
  const byId = new Map(rows.map((r) => [Number(r.id), r.name]));
  const byName = new Map(rows.map((r) => [r.name, Number(r.id)]));
  return {
    nameOf(id) {
      const n = byId.get(id);
      if (n === undefined) throw new Error(`the allocation policy references team #${id}, which does not exist`);
      return n;
    },
    idOf(name) {
      const id = byName.get(name);
      if (id === undefined)
        throw new InputError(`The team "${name}" named by the policy does not exist; create it on the Teams page first.`, {
          field: "policy",
        });
      return id;
    },
  };
}

function decode(row: RawOrgRow, teams: TeamIndex): { org: OrgRow; policy: Policy } {
  const policy = fromStoredPolicy(row.policy_spec, (id) => teams.nameOf(id));
  return { org: { ...row, policy: formatPolicy(policy) }, policy };
}

/**
 * The text form (`npm run orgs -- set --policy …`, /admin/orgs) or a policy value → the JSON to store,
 * team names resolved to ids. Throws InputError (nothing changed) for bad text or an unknown team.
 */
export async function policyToStore(db: Db, policy: string | Policy): Promise<{ value: Policy; stored: StoredPolicy }> {
  let value: Policy;
  try {
    value = typeof policy === "string" ? parsePolicy(policy.trim()) : policy;
  } catch (e) {
    throw new InputError((e as Error).message, { field: "policy" });
  }
  const teams = await teamIndex(db);
  for (const t of policyTeams(value)) teams.idOf(t);
  return { value, stored: toStoredPolicy(value, (t) => teams.idOf(t)) };
}

/** Each organization's policy value (teams by current name); orgs without a row are absent. */
export async function orgPolicies(db: Db, orgIds: readonly string[] | null = null): Promise<Map<string, Policy>> {
  const rows = await db.query<RawOrgRow>(`select * from organizations where ($1::text[] is null or org_id = any($1::text[]))`, [orgIds]);
  const teams = await teamIndex(db);
  return new Map(rows.map((r) => [r.org_id, decode(r, teams).policy]));
}

/** Whether any organization's stored policy names this team (every team reference is a `teamId` field). */
export async function policiesReferencingTeam(db: Db, teamId: number): Promise<string[]> {
  const rows = await db.query<{ org_id: string }>(
    `select org_id from organizations where jsonb_path_exists(policy_spec, '$.** ? (@.teamId == $id)', jsonb_build_object('id', $1::int)) order by org_id`,
    [teamId],
  );
  return rows.map((r) => r.org_id);
}

export async function getOrg(db: Db, orgId: string): Promise<OrgRow | null> {
  const rows = await db.query<RawOrgRow>(`select * from organizations where org_id = $1`, [orgId]);
  return rows[0] ? decode(rows[0], await teamIndex(db)).org : null;
}

export async function listOrgs(db: Db): Promise<OrgRow[]> {
  const rows = await db.query<RawOrgRow>(`select * from organizations order by org_id`);
  const teams = await teamIndex(db);
  return rows.map((r) => decode(r, teams).org);
}

export async function listOrgIds(db: Db): Promise<string[]> {
  return (await db.query<{ org_id: string }>(`select org_id from organizations order by org_id`)).map((r) => r.org_id);
}

/** An org of the Organizations page: its row, counts, policy as a value (teams by current name) and a one-line explanation. */
export type OrgSettingsRow = OrgRow & {
  imports: number;
  last_bucket: string | null;
  entries: number;
  policy_value: Policy;
  policy_explain: string;
};

/** Every org with its settings and counts, for the Organizations page (not the dashboard's org summaries). */
export async function listOrgSettings(db: Db): Promise<OrgSettingsRow[]> {
  const counts = await db.query<{ org_id: string; imports: number; last_bucket: string | null; entries: number }>(
    `select o.org_id, (select count(*)::int from imports i where i.org_id = o.org_id and i.status = 'active') as imports,
            (select max(last_bucket)::text from imports i where i.org_id = o.org_id) as last_bucket,
            (select count(*)::int from crosswalk_entries c where c.org_id = o.org_id) as entries
       from organizations o`,
  );
  const byOrg = new Map(counts.map((c) => [c.org_id, c]));
  const policies = await orgPolicies(db);
  return (await listOrgs(db)).map((o) => {
    const value = policies.get(o.org_id) ?? DEFAULT_POLICY;
    const c = byOrg.get(o.org_id);
    return {
      ...o,
      imports: c?.imports ?? 0,
      last_bucket: c?.last_bucket ?? null,
      entries: c?.entries ?? 0,
      policy_value: value,
      policy_explain: explainPolicy(value),
    };
  });
}

/**
 * Writes an org's settings (the row only: no audit, no recompute; app/services/orgs.ts does both).
 * `policy`: the text form or a value; its teams must exist (InputError otherwise, nothing changed).
 */
export async function updateOrg(
  db: Db,
  orgId: string,
  patch: { policy?: string | Policy; displayName?: string | null; tolerance?: string },
): Promise<OrgRow> {
  const stored = patch.policy === undefined ? null : (await policyToStore(db, patch.policy)).stored;
  const rows = await db.query<RawOrgRow>(
    `update organizations set policy_spec = coalesce($2::jsonb, policy_spec), display_name = case when $3::boolean then $4 else display_name end,
       tolerance = coalesce($5::numeric, tolerance)
     where org_id = $1 returning *`,
    [
      orgId,
      stored === null ? null : JSON.stringify(stored),
      patch.displayName !== undefined,
      patch.displayName ?? null,
      patch.tolerance ?? null,
    ],
  );
  if (!rows[0]) throw new Error(`unknown organization ${orgId}`);
  return decode(rows[0], await teamIndex(db)).org;
}
