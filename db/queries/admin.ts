/**
 * Finance admin workspace queries: import history (with rejected attempts from the
 * audit log), per-metric restatement diffs, the unmapped queue, team lifecycle
 * (create, rename, move, archive, delete), org settings with recompute, audit facets.
 * Money stays in decimal strings; sums are done by SQL `numeric` or Decimal.
 */
import { PSEUDO_TEAMS } from "../../app/domain/allocation";
import { DEFAULT_POLICY, explainPolicy, formatPolicy, parsePolicy, type Policy } from "../../app/domain/policies";
import { dec, parseNonNegativeDecimal, type Decimal } from "../../app/domain/money";
import type { ExportSummary } from "../../app/domain/csv/export";
import type { Db } from "../client";
import { recomputeOrgRange } from "./allocation";
import { writeAudit } from "./audit";
import { getImport, type ImportRow } from "./ingest";
import { ensureOrg, getOrg, listOrgs, lockOrg, orgPolicies, PolicyInputError, policiesReferencingTeam, policyToStore, updateOrgSettings, type OrgRow } from "./orgs";
import { ensureCostCenter, getTeamByName, type TeamRow } from "./teams";

export class AdminInputError extends Error {}

// ---------------------------------------------------------------- teams

export interface TeamAdminRow extends TeamRow {
  mapped_entries: number;
  active_entries: number;
}

export async function listTeamsForAdmin(db: Db): Promise<TeamAdminRow[]> {
  return db.query<TeamAdminRow>(
    `select t.*, count(c.id)::int as mapped_entries,
            count(c.id) filter (where c.valid_to is null or c.valid_to > current_date)::int as active_entries
       from teams t left join crosswalk_entries c on c.team_id = t.id
      group by t.id order by t.archived, t.name`,
  );
}

export async function listCostCenters(db: Db): Promise<Array<{ code: string; name: string | null; teams: number }>> {
  return db.query(
    `select cc.code, cc.name, count(t.id)::int as teams from cost_centers cc left join teams t on t.cost_center = cc.code
      group by cc.code, cc.name order by cc.code`,
  );
}

function checkTeamName(name: string): string {
  const n = name.trim();
  if (!n) throw new AdminInputError("The team name is empty.");
  if (n.length > 100) throw new AdminInputError("The team name is longer than 100 characters.");
  if (PSEUDO_TEAMS.includes(n.toLowerCase())) throw new AdminInputError(`"${n}" is a pseudo-team name and cannot be used for a team.`);
  return n;
}

function checkCostCenter(code: string | null | undefined): string | null {
  const c = (code ?? "").trim();
  if (!c) return null;
  if (c.length > 50) throw new AdminInputError("The cost center code is longer than 50 characters.");
  return c;
}

async function getTeamById(db: Db, id: number): Promise<TeamRow | null> {
  return (await db.query<TeamRow>(`select * from teams where id = $1`, [id]))[0] ?? null;
}

export async function createTeam(db: Db, actor: string, name: string, costCenter: string | null): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const n = checkTeamName(name);
    const cc = checkCostCenter(costCenter);
    if (await getTeamByName(tx, n)) throw new AdminInputError(`A team named "${n}" already exists.`);
    if (cc) await ensureCostCenter(tx, actor, cc);
    const [row] = await tx.query<TeamRow>(`insert into teams (name, cost_center) values ($1, $2) returning *`, [n, cc]);
    await writeAudit(tx, { actor, action: "create", entity: "team", entityId: n, after: row });
    return row;
  });
}

/**
 * Renames a team everywhere reports read it, in one transaction: the team row and the
 * stored allocation results. Policies reference teams by id, so they are not touched.
 */
export async function renameTeam(db: Db, actor: string, id: number, newName: string): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const before = await getTeamById(tx, id);
    if (!before) throw new AdminInputError(`Team #${id} does not exist.`);
    const n = checkTeamName(newName);
    if (n === before.name) return before;
    const clash = await getTeamByName(tx, n);
    if (clash) throw new AdminInputError(`A team named "${n}" already exists.`);
    const orgs = await tx.query<{ org_id: string }>(`select org_id from organizations order by org_id`);
    for (const o of orgs) await lockOrg(tx, o.org_id);
    const [after] = await tx.query<TeamRow>(`update teams set name = $2 where id = $1 returning *`, [id, n]);
    const moved = await tx.query<{ n: number }>(
      `with u as (update allocation_results set team = $2 where team = $1 returning 1) select count(*)::int as n from u`,
      [before.name, n],
    );
    await tx.query(`update allocation_details set team = $2 where team = $1`, [before.name, n]);
    // Shares are rounded with ties broken by team name: recompute the orgs the team appears in
    // so stored figures stay exactly what a full recomputation gives (closed months stay frozen).
    const touched = await tx.query<{ org_id: string }>(`select distinct org_id from allocation_results where team = $1`, [n]);
    for (const o of touched) await recomputeOrgRange(tx, o.org_id, null, null, { detailsOwnerId: "unallocated" });
    await writeAudit(tx, {
      actor, action: "rename", entity: "team", entityId: n,
      before: { ...before },
      // the orgs whose policy names the team: stored by id, untouched, they now read with the new name
      after: { ...after, allocationRows: moved[0]?.n ?? 0, policiesUpdated: await policiesReferencingTeam(tx, id) },
    });
    return after;
  });
}

export async function moveTeam(db: Db, actor: string, id: number, costCenter: string | null): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const before = await getTeamById(tx, id);
    if (!before) throw new AdminInputError(`Team #${id} does not exist.`);
    const cc = checkCostCenter(costCenter);
    if (cc === before.cost_center) return before;
    if (cc) await ensureCostCenter(tx, actor, cc);
    const [after] = await tx.query<TeamRow>(`update teams set cost_center = $2 where id = $1 returning *`, [id, cc]);
    await writeAudit(tx, { actor, action: "move", entity: "team", entityId: before.name, before, after });
    return after;
  });
}

export async function setTeamArchived(db: Db, actor: string, id: number, archived: boolean): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const before = await getTeamById(tx, id);
    if (!before) throw new AdminInputError(`Team #${id} does not exist.`);
    if (before.archived === archived) return before;
    const [after] = await tx.query<TeamRow>(`update teams set archived = $2 where id = $1 returning *`, [id, archived]);
    await writeAudit(tx, { actor, action: archived ? "archive" : "unarchive", entity: "team", entityId: before.name, before, after });
    return after;
  });
}

/** Deletes a team that no crosswalk entry names (else: archive it). */
export async function deleteTeam(db: Db, actor: string, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await getTeamById(tx, id);
    if (!before) throw new AdminInputError(`Team #${id} does not exist.`);
    const [{ n }] = await tx.query<{ n: number }>(`select count(*)::int as n from crosswalk_entries where team_id = $1`, [id]);
    if (n > 0)
      throw new AdminInputError(
        `Team "${before.name}" has ${n} crosswalk entr${n === 1 ? "y" : "ies"} (mapped owners) and cannot be deleted; archive it instead.`,
      );
    const orgs = await policiesReferencingTeam(tx, id);
    if (orgs.length > 0)
      throw new AdminInputError(
        `Team "${before.name}" receives unallocated cost by the policy of ${orgs.join(", ")} (shared policy or fixed percentages); change the policy first.`,
      );
    await tx.query(`delete from teams where id = $1`, [id]);
    await writeAudit(tx, { actor, action: "delete", entity: "team", entityId: before.name, before });
  });
}

// ---------------------------------------------------------------- organizations

export function checkOrgId(orgId: string): string {
  const o = orgId.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(o))
    throw new AdminInputError("An organization id is letters, digits, dots, dashes, colons or underscores (e.g. org-a1b2c3 or a UUID).");
  return o;
}

export async function createOrg(db: Db, actor: string, orgId: string, displayName: string | null): Promise<OrgRow> {
  return db.transaction(async (tx) => {
    const id = checkOrgId(orgId);
    if (await getOrg(tx, id)) throw new AdminInputError(`Organization ${id} already exists.`);
    await ensureOrg(tx, id);
    if (displayName && displayName.trim())
      await tx.query(`update organizations set display_name = $2 where org_id = $1`, [id, displayName.trim()]);
    const row = (await getOrg(tx, id))!;
    await writeAudit(tx, { actor, action: "create", entity: "organization", entityId: id, after: row });
    return row;
  });
}

/**
 * Updates display name, policy and tolerance; a policy change recomputes the whole
 * org's allocation in the same transaction (docs/allocation.md).
 */
export async function saveOrgSettings(
  db: Db,
  actor: string,
  orgId: string,
  p: { displayName?: string | null; policy?: string; tolerance?: string },
): Promise<{ org: OrgRow; recomputed: boolean }> {
  let policy: string | undefined;
  if (p.policy !== undefined) {
    try {
      policy = formatPolicy(parsePolicy(p.policy.trim()));
    } catch (e) {
      throw new AdminInputError((e as Error).message);
    }
  }
  let tolerance: string | undefined;
  if (p.tolerance !== undefined) {
    const t = p.tolerance.trim();
    if (!parseNonNegativeDecimal(t).ok) throw new AdminInputError(`Tolerance "${t}" must be a non-negative decimal amount in USD, e.g. 0.01.`);
    tolerance = t;
  }
  return db.transaction(async (tx) => {
    await lockOrg(tx, orgId);
    const before = await getOrg(tx, orgId);
    if (!before) throw new AdminInputError(`Unknown organization ${orgId}.`);
    if (policy !== undefined) {
      try {
        await policyToStore(tx, policy); // its teams must exist
      } catch (e) {
        throw e instanceof PolicyInputError ? new AdminInputError(e.message) : e;
      }
    }
    const displayName = p.displayName === undefined ? undefined : p.displayName && p.displayName.trim() ? p.displayName.trim() : null;
    const changed =
      (policy !== undefined && policy !== before.policy) ||
      (displayName !== undefined && displayName !== before.display_name) ||
      (tolerance !== undefined && !sameDecimal(tolerance, before.tolerance));
    if (!changed) return { org: before, recomputed: false };
    const org = await updateOrgSettings(tx, actor, orgId, { policy, displayName, tolerance });
    const recomputed = policy !== undefined && policy !== before.policy;
    if (recomputed) await recomputeOrgRange(tx, orgId, null, null, { detailsOwnerId: "unallocated" }); // a policy moves only U
    return { org, recomputed };
  });
}

function sameDecimal(a: string, b: string): boolean {
  const norm = (s: string) => {
    let [i, f = ""] = s.replace(/^\+/, "").split(".");
    i = i.replace(/^(-?)0+(?=\d)/, "$1");
    f = f.replace(/0+$/, "");
    return f ? `${i}.${f}` : i;
  };
  return norm(a) === norm(b);
}

/** Every org with its counts and its policy as a value (teams by current name) and a one-line explanation. */
export async function orgSummaries(
  db: Db,
): Promise<Array<OrgRow & { imports: number; last_bucket: string | null; entries: number; policy_value: Policy; policy_explain: string }>> {
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
    return { ...o, imports: c?.imports ?? 0, last_bucket: c?.last_bucket ?? null, entries: c?.entries ?? 0, policy_value: value, policy_explain: explainPolicy(value) };
  });
}

