/**
 * Team and cost center use cases (docs/crosswalk.md), shared by the Teams page, the crosswalk
 * and `npm run teams`: validation (InputError), one transaction, the audit entry.
 */
import { InputError } from "../domain/errors";
import { checkCostCenter, checkTeamName } from "../domain/teams";
import type { Db } from "../../db/client";
import { recomputeOrgRange } from "./allocation";
import { writeAudit } from "../../db/queries/audit";
import { renameTeamInScopes } from "../../db/queries/users";
import { renameTeamInBudgets } from "../../db/queries/budgets";
import { insertCostCenterIfMissing } from "../../db/queries/cost-centers";
import { listOrgIds, lockOrg, policiesReferencingTeam } from "../../db/queries/orgs";
import {
  countTeamEntries,
  deleteTeamRow,
  getTeamById,
  getTeamByName,
  insertTeam,
  orgsWithTeamResults,
  renameTeamInAllocations,
  updateTeamArchived,
  updateTeamCostCenter,
  updateTeamName,
  type TeamRow,
} from "../../db/queries/teams";

/** Creates the cost center unless it exists (audited when created). */
export async function ensureCostCenter(db: Db, actor: string, code: string): Promise<void> {
  if (await insertCostCenterIfMissing(db, code))
    await writeAudit(db, { actor, action: "create", entity: "cost_center", entityId: code, after: { code } });
}

/** Inserts a new team (its cost center created first when new), audited as created. */
async function insertAuditedTeam(db: Db, actor: string, name: string, costCenter: string | null): Promise<TeamRow> {
  if (costCenter) await ensureCostCenter(db, actor, costCenter);
  const row = await insertTeam(db, name, costCenter);
  await writeAudit(db, { actor, action: "create", entity: "team", entityId: name, after: row });
  return row;
}

/** ensureTeam, also returning the team as it was before (null: created now). */
async function upsertTeam(
  db: Db,
  actor: string,
  name: string,
  costCenter: string | null,
  opts: { setCostCenter?: boolean },
): Promise<{ before: TeamRow | null; after: TeamRow }> {
  const existing = await getTeamByName(db, name);
  if (!existing) return { before: null, after: await insertAuditedTeam(db, actor, name, costCenter) };
  if (costCenter) await ensureCostCenter(db, actor, costCenter);
  if (opts.setCostCenter && existing.cost_center !== costCenter) {
    const row = await updateTeamCostCenter(db, existing.id, costCenter);
    await writeAudit(db, { actor, action: "update", entity: "team", entityId: name, before: existing, after: row });
    return { before: existing, after: row };
  }
  return { before: existing, after: existing };
}

/** Creates the team if missing (with `costCenter` when given); an existing team keeps its cost center unless `setCostCenter`. */
export async function ensureTeam(
  db: Db,
  actor: string,
  name: string,
  costCenter: string | null,
  opts: { setCostCenter?: boolean } = {},
): Promise<TeamRow> {
  return (await upsertTeam(db, actor, name, costCenter, opts)).after;
}

/** `team,cost_center` rows, in one transaction: creates teams and cost centers, moves teams to the given cost center. */
export async function importTeams(
  db: Db,
  actor: string,
  entries: Array<{ team: string; costCenter: string | null }>,
): Promise<{ created: number; updated: number; unchanged: number }> {
  return db.transaction(async (tx) => {
    let created = 0,
      updated = 0,
      unchanged = 0;
    for (const e of entries) {
      const { before, after } = await upsertTeam(tx, actor, e.team, e.costCenter, { setCostCenter: true });
      if (!before) created++;
      else if (before.cost_center !== after.cost_center) updated++;
      else unchanged++;
    }
    return { created, updated, unchanged };
  });
}

async function existingTeam(db: Db, id: number): Promise<TeamRow> {
  const t = await getTeamById(db, id);
  if (!t) throw new InputError(`Team #${id} does not exist.`, { field: "id" });
  return t;
}

async function refuseTakenName(db: Db, name: string): Promise<void> {
  if (await getTeamByName(db, name)) throw new InputError(`A team named "${name}" already exists.`, { field: "name" });
}

export async function createTeam(db: Db, actor: string, name: string, costCenter: string | null): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const n = checkTeamName(name);
    const cc = checkCostCenter(costCenter);
    await refuseTakenName(tx, n);
    return insertAuditedTeam(tx, actor, n, cc);
  });
}

/**
 * Renames a team everywhere reports read it, in one transaction: the team row and the
 * stored allocation results. Policies reference teams by id, so they are not touched.
 */
export async function renameTeam(db: Db, actor: string, id: number, newName: string): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const before = await existingTeam(tx, id);
    const n = checkTeamName(newName);
    if (n === before.name) return before;
    await refuseTakenName(tx, n);
    for (const o of await listOrgIds(tx)) await lockOrg(tx, o);
    const after = await updateTeamName(tx, id, n);
    const moved = await renameTeamInAllocations(tx, before.name, n);
    // team viewers' scopes name teams: they follow the rename
    const scopesUpdated = await renameTeamInScopes(tx, before.name, n);
    // and so do its budgets and acknowledged anomalies
    const budgetsUpdated = await renameTeamInBudgets(tx, before.name, n);
    // Shares are rounded with ties broken by team name: recompute the orgs the team appears in
    // so stored figures stay exactly what a full recomputation gives (closed months stay frozen).
    for (const o of await orgsWithTeamResults(tx, n)) await recomputeOrgRange(tx, o, null, null, { detailsOwnerIds: [] });
    await writeAudit(tx, {
      actor,
      action: "rename",
      entity: "team",
      entityId: n,
      before: { ...before },
      // the orgs whose policy names the team: stored by id, untouched, they now read with the new name
      after: { ...after, allocationRows: moved, policiesUpdated: await policiesReferencingTeam(tx, id), scopesUpdated, budgetsUpdated },
    });
    return after;
  });
}

export async function moveTeam(db: Db, actor: string, id: number, costCenter: string | null): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const before = await existingTeam(tx, id);
    const cc = checkCostCenter(costCenter);
    if (cc === before.cost_center) return before;
    if (cc) await ensureCostCenter(tx, actor, cc);
    const after = await updateTeamCostCenter(tx, id, cc);
    await writeAudit(tx, { actor, action: "move", entity: "team", entityId: before.name, before, after });
    return after;
  });
}

export async function setTeamArchived(db: Db, actor: string, id: number, archived: boolean): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const before = await existingTeam(tx, id);
    if (before.archived === archived) return before;
    const after = await updateTeamArchived(tx, id, archived);
    await writeAudit(tx, { actor, action: archived ? "archive" : "unarchive", entity: "team", entityId: before.name, before, after });
    return after;
  });
}

/** Deletes a team that no crosswalk entry and no policy names (else: archive it / change the policy). */
export async function deleteTeam(db: Db, actor: string, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await existingTeam(tx, id);
    const n = await countTeamEntries(tx, id);
    if (n > 0)
      throw new InputError(
        `Team "${before.name}" has ${n} crosswalk entr${n === 1 ? "y" : "ies"} (mapped owners) and cannot be deleted; archive it instead.`,
      );
    const orgs = await policiesReferencingTeam(tx, id);
    if (orgs.length > 0)
      throw new InputError(
        `Team "${before.name}" receives unallocated cost by the policy of ${orgs.join(", ")} (shared policy or fixed percentages); change the policy first.`,
      );
    await deleteTeamRow(tx, id);
    await writeAudit(tx, { actor, action: "delete", entity: "team", entityId: before.name, before });
  });
}
