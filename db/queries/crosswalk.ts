/**
 * The crosswalk (docs/crosswalk.md): effective-dated (org, owner) → team entries. Every change is audited,
 * refused when it would overlap another period of the same (org, owner), and
 * followed by a recompute of exactly the buckets whose owner mapping it can change.
 */
import { affectedRange, findOverlap, planCrosswalkImport, validateCrosswalkEntry, validFromLabel, type CrosswalkEntry } from "../../app/domain/crosswalk";
import type { Db } from "../client";
import { loadCrosswalk, recomputeOrgRange } from "./allocation";
import { writeAudit } from "./audit";
import { ensureOrg, lockOrg } from "./orgs";
import { ensureTeam } from "./teams";

export class CrosswalkConflictError extends Error {
  constructor(
    message: string,
    readonly conflicts: Array<{ candidate: CrosswalkEntry; existing: CrosswalkEntry; line?: number }>,
  ) {
    super(message);
  }
}

export const describeEntry = (e: CrosswalkEntry) =>
  `${e.orgId}/${e.ownerId} → ${e.team} [${validFromLabel(e.validFrom)}, ${e.validTo ?? "open"})${e.id ? ` (entry #${e.id})` : ""}`;

export interface CrosswalkFilter {
  orgId?: string;
  team?: string;
  ownerId?: string;
  effectiveOn?: string;
}

export interface CrosswalkRow extends CrosswalkEntry {
  id: number;
  costCenter: string | null;
  note: string | null;
  displayName: string | null;
}

export async function listCrosswalk(db: Db, f: CrosswalkFilter = {}): Promise<CrosswalkRow[]> {
  const rows = await db.query<{
    id: number; org_id: string; owner_id: string; team: string; cost_center: string | null; valid_from: string;
    valid_to: string | null; note: string | null; display_name: string | null;
  }>(
    `select c.id, c.org_id, c.owner_id, t.name as team, t.cost_center, c.valid_from, c.valid_to, c.note, n.display_name
       from crosswalk_entries c
       join teams t on t.id = c.team_id
       left join owner_names n on n.org_id = c.org_id and n.owner_id = c.owner_id
      where ($1::text is null or c.org_id = $1) and ($2::text is null or t.name = $2)
        and ($3::text is null or c.owner_id ilike '%' || $3 || '%' or n.display_name ilike '%' || $3 || '%')
        and ($4::date is null or (c.valid_from <= $4::date and (c.valid_to is null or c.valid_to > $4::date)))
      order by c.org_id, c.owner_id, c.valid_from`,
    [f.orgId ?? null, f.team ?? null, f.ownerId ?? null, f.effectiveOn ?? null],
  );
  return rows.map((r) => ({
    id: r.id, orgId: r.org_id, ownerId: r.owner_id, team: r.team, costCenter: r.cost_center, validFrom: r.valid_from,
    validTo: r.valid_to, note: r.note, displayName: r.display_name,
  }));
}

async function getEntry(db: Db, id: number): Promise<(CrosswalkEntry & { id: number; note: string | null }) | null> {
  const rows = await db.query<{ id: number; org_id: string; owner_id: string; team: string; valid_from: string; valid_to: string | null; note: string | null }>(
    `select c.id, c.org_id, c.owner_id, t.name as team, c.valid_from, c.valid_to, c.note
       from crosswalk_entries c join teams t on t.id = c.team_id where c.id = $1`,
    [id],
  );
  const r = rows[0];
  return r ? { id: r.id, orgId: r.org_id, ownerId: r.owner_id, team: r.team, validFrom: r.valid_from, validTo: r.valid_to, note: r.note } : null;
}

function checkPeriod(e: CrosswalkEntry) {
  const problems = validateCrosswalkEntry(e);
  if (problems.length) throw new CrosswalkConflictError(problems.join("; "), []);
  if (e.ownerId.toLowerCase() === "unallocated")
    throw new CrosswalkConflictError(`"unallocated" is not an owner that can be mapped; use the org's unallocated policy`, []);
}

async function refuseOverlap(db: Db, e: CrosswalkEntry, ignoreId?: number) {
  const existing = await loadCrosswalk(db, e.orgId);
  const clash = findOverlap(existing, e, ignoreId);
  if (clash)
    throw new CrosswalkConflictError(
      `${describeEntry(e)} overlaps existing entry ${describeEntry(clash)}; end-date the existing entry first`,
      [{ candidate: e, existing: clash }],
    );
}

/** An edit of one entry can only move that owner's cost: recompute its buckets, refresh its details. */
async function recomputeFor(db: Db, orgId: string, before: CrosswalkEntry | null, after: CrosswalkEntry | null) {
  const r = affectedRange(before, after);
  const owner = (after ?? before)!.ownerId;
  await recomputeOrgRange(db, orgId, r.from, r.to, { detailsOwnerId: owner });
}

export interface NewEntry {
  orgId: string;
  ownerId: string;
  team: string;
  validFrom: string;
  validTo: string | null;
  note?: string | null;
  costCenter?: string | null;
}

export async function createCrosswalkEntry(db: Db, actor: string, e: NewEntry): Promise<number> {
  return db.transaction(async (tx) => {
    await ensureOrg(tx, e.orgId);
    await lockOrg(tx, e.orgId);
    const entry: CrosswalkEntry = { orgId: e.orgId, ownerId: e.ownerId, team: e.team, validFrom: e.validFrom, validTo: e.validTo };
    checkPeriod(entry);
    await refuseOverlap(tx, entry);
    const team = await ensureTeam(tx, actor, e.team, e.costCenter ?? null);
    const [{ id }] = await tx.query<{ id: number }>(
      `insert into crosswalk_entries (org_id, owner_id, team_id, valid_from, valid_to, note) values ($1, $2, $3, $4, $5, $6) returning id`,
      [e.orgId, e.ownerId, team.id, e.validFrom, e.validTo, e.note ?? null],
    );
    await writeAudit(tx, { actor, action: "create", entity: "crosswalk_entry", entityId: String(id), after: { ...entry, id, note: e.note ?? null } });
    await recomputeFor(tx, e.orgId, null, entry);
    return id;
  });
}

export async function updateCrosswalkEntry(
  db: Db,
  actor: string,
  id: number,
  patch: { team?: string; validFrom?: string; validTo?: string | null; note?: string | null },
  action: "update" | "end_date" = "update",
): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await getEntry(tx, id);
    if (!current) throw new CrosswalkConflictError(`crosswalk entry #${id} does not exist`, []);
    await lockOrg(tx, current.orgId);
    const next: CrosswalkEntry = {
      orgId: current.orgId, ownerId: current.ownerId, team: patch.team ?? current.team,
      validFrom: patch.validFrom ?? current.validFrom, validTo: patch.validTo === undefined ? current.validTo : patch.validTo,
    };
    checkPeriod(next);
    await refuseOverlap(tx, next, id);
    const team = await ensureTeam(tx, actor, next.team, null);
    await tx.query(
      `update crosswalk_entries set team_id = $2, valid_from = $3, valid_to = $4, note = $5, updated_at = now() where id = $1`,
      [id, team.id, next.validFrom, next.validTo, patch.note === undefined ? current.note : patch.note],
    );
    await writeAudit(tx, { actor, action, entity: "crosswalk_entry", entityId: String(id), before: current, after: { ...next, id } });
    await recomputeFor(tx, current.orgId, current, next);
  });
}

export async function endDateCrosswalkEntry(db: Db, actor: string, id: number, validTo: string): Promise<void> {
  await updateCrosswalkEntry(db, actor, id, { validTo }, "end_date");
}

export async function deleteCrosswalkEntry(db: Db, actor: string, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await getEntry(tx, id);
    if (!current) throw new CrosswalkConflictError(`crosswalk entry #${id} does not exist`, []);
    await lockOrg(tx, current.orgId);
    await tx.query(`delete from crosswalk_entries where id = $1`, [id]);
    await writeAudit(tx, { actor, action: "delete", entity: "crosswalk_entry", entityId: String(id), before: current });
    await recomputeFor(tx, current.orgId, current, null);
  });
}

export interface ImportEntry extends NewEntry {
  line?: number;
}

export interface CrosswalkImportPlan {
  add: ImportEntry[];
  unchanged: CrosswalkEntry[];
  remove: CrosswalkEntry[];
  conflicts: Array<{ candidate: ImportEntry; existing: CrosswalkEntry }>;
}

/** Plans a bulk import without changing anything (the preview). */
export async function planCrosswalkCsvImport(db: Db, entries: ImportEntry[], mode: "merge" | "replace"): Promise<CrosswalkImportPlan> {
  const existing = await loadCrosswalk(db);
  const plan = planCrosswalkImport(existing, entries.map(toEntry), mode);
  const byKey = new Map(entries.map((e) => [entryKey(toEntry(e)), e]));
  return {
    add: plan.add.map((a) => byKey.get(entryKey(a)) ?? a),
    unchanged: plan.unchanged,
    remove: plan.remove,
    conflicts: plan.conflicts.map((c) => ({ candidate: byKey.get(entryKey(c.candidate)) ?? c.candidate, existing: c.existing })),
  };
}

const toEntry = (e: NewEntry): CrosswalkEntry => ({ orgId: e.orgId, ownerId: e.ownerId, team: e.team, validFrom: e.validFrom, validTo: e.validTo });
const entryKey = (e: CrosswalkEntry) => [e.orgId, e.ownerId, e.team, e.validFrom, e.validTo ?? ""].join("\u0000");

/** The crosswalk bulk import (docs/crosswalk.md), all-or-nothing: conflicts throw CrosswalkConflictError and nothing changes. */
export async function importCrosswalk(
  db: Db,
  actor: string,
  entries: ImportEntry[],
  mode: "merge" | "replace",
): Promise<{ added: number; unchanged: number; removed: number }> {
  return db.transaction(async (tx) => {
    const orgs = [...new Set(entries.map((e) => e.orgId))].sort();
    for (const org of orgs) {
      await ensureOrg(tx, org);
      await lockOrg(tx, org);
    }
    const plan = await planCrosswalkCsvImport(tx, entries, mode);
    if (plan.conflicts.length > 0) {
      const lines = plan.conflicts.slice(0, 50).map(
        (c) => `line ${c.candidate.line ?? "?"}: ${describeEntry(toEntry(c.candidate))} overlaps existing entry ${describeEntry(c.existing)}`,
      );
      throw new CrosswalkConflictError(
        `${plan.conflicts.length} entr${plan.conflicts.length === 1 ? "y overlaps" : "ies overlap"} existing entries (use --replace to replace the organizations' crosswalks):\n` + lines.join("\n"),
        plan.conflicts,
      );
    }
    for (const r of plan.remove) await tx.query(`delete from crosswalk_entries where id = $1`, [r.id]);
    // teams named for the first time are created with the row's cost_center
    for (const e of plan.add) {
      const team = await ensureTeam(tx, actor, e.team, e.costCenter ?? null);
      await tx.query(
        `insert into crosswalk_entries (org_id, owner_id, team_id, valid_from, valid_to, note) values ($1, $2, $3, $4, $5, $6)`,
        [e.orgId, e.ownerId, team.id, e.validFrom, e.validTo, e.note ?? null],
      );
    }
    await writeAudit(tx, {
      actor, action: "bulk_import", entity: "crosswalk", entityId: orgs.join(","),
      before: { mode, removed: plan.remove },
      after: { added: plan.add.map(toEntry), unchanged: plan.unchanged.length },
    });
    if (plan.add.length || plan.remove.length) for (const org of orgs) await recomputeOrgRange(tx, org, null, null);
    return { added: plan.add.length, unchanged: plan.unchanged.length, removed: plan.remove.length };
  });
}

/**
 * Stores display names (upsert). The audit entry lists, for the owners whose name changed
 * (or who had none), the previous names (`before`, null when new) and the new ones (`after`);
 * owners whose name is already the one given are left alone and not listed.
 */
export async function importOwnerNames(
  db: Db,
  actor: string,
  entries: Array<{ orgId: string; ownerId: string; displayName: string }>,
): Promise<number> {
  return db.transaction(async (tx) => {
    const previous = new Map(
      (
        await tx.query<{ org_id: string; owner_id: string; display_name: string }>(
          `select n.org_id, n.owner_id, n.display_name from owner_names n
             join unnest($1::text[], $2::text[]) as k(org_id, owner_id) on k.org_id = n.org_id and k.owner_id = n.owner_id`,
          [entries.map((e) => e.orgId), entries.map((e) => e.ownerId)],
        )
      ).map((r) => [`${r.org_id}\u0000${r.owner_id}`, r.display_name]),
    );
    const changed = entries.filter((e) => previous.get(`${e.orgId}\u0000${e.ownerId}`) !== e.displayName);
    for (const e of changed)
      await tx.query(
        `insert into owner_names (org_id, owner_id, display_name) values ($1, $2, $3)
         on conflict (org_id, owner_id) do update set display_name = excluded.display_name`,
        [e.orgId, e.ownerId, e.displayName],
      );
    await writeAudit(tx, {
      actor, action: "bulk_import", entity: "owner_names",
      before: { names: changed.map((e) => ({ orgId: e.orgId, ownerId: e.ownerId, displayName: previous.get(`${e.orgId}\u0000${e.ownerId}`) ?? null })) },
      after: {
        count: entries.length,
        changed: changed.length,
        names: changed.map((e) => ({ orgId: e.orgId, ownerId: e.ownerId, displayName: e.displayName })),
      },
    });
    return entries.length;
  });
}
