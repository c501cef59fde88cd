/**
 * Crosswalk use cases (docs/crosswalk.md), shared by the crosswalk editor, the unmapped queue
 * and `npm run crosswalk`: every change is validated, refused when it would overlap another
 * period of the same (org, owner), audited, and followed by a recompute of exactly the
 * buckets whose owner mapping it can change. Bulk imports are all-or-nothing, with a preview.
 */
import {
  entryTargetText,
  findOverlap,
  planCrosswalkImport,
  validateCrosswalkEntry,
  validFromLabel,
  type CrosswalkEntry,
} from "../domain/crosswalk";
import {
  validateCrosswalkCsv,
  validateOwnerNamesCsv,
  type CrosswalkCsvEntry,
  type CsvRecord,
  type CsvValidation,
  type OwnerNameCsvEntry,
} from "../domain/csv/crosswalk";
import type { ValidationIssue } from "../domain/csv/issues";
import { InputError } from "../domain/errors";
import type { Split } from "../domain/splits";
import { isReservedTeamName } from "../domain/vocabulary";
import type { Db } from "../../db/client";
import { resyncOrg, resyncOrgs } from "./mapping";
import { writeAudit } from "../../db/queries/audit";
import {
  deleteCrosswalkEntryRow,
  getCrosswalkEntry,
  getOwnerNames,
  insertCrosswalkEntry,
  loadCrosswalk,
  ownerNameKey,
  updateCrosswalkEntryRow,
  upsertOwnerName,
} from "../../db/queries/crosswalk";
import { ensureOrg, lockOrg } from "../../db/queries/orgs";
import { readCsvRecords } from "./csv";
import { ensureTeam } from "./teams";

export interface CrosswalkConflict {
  candidate: CrosswalkEntry & { line?: number };
  existing: CrosswalkEntry;
}

/** A change refused because it overlaps existing entries; `conflicts` says which (nothing changed). */
export class CrosswalkConflictError extends InputError {
  constructor(
    message: string,
    readonly conflicts: CrosswalkConflict[],
  ) {
    super(message);
  }
}

export const describeEntry = (e: CrosswalkEntry) =>
  `${e.orgId}/${e.ownerId} → ${entryTargetText(e)} [${validFromLabel(e.validFrom)}, ${e.validTo ?? "open"})${e.id ? ` (entry #${e.id})` : ""}`;

/**
 * The refusal of a bulk import: how many entries overlap, then one line each (the first 50).
 * `hint` is the adapter's way out (the CLI's `--replace`, the page's Replace mode), in parentheses.
 */
export function describeImportConflicts(conflicts: readonly CrosswalkConflict[], hint?: string): string {
  const n = conflicts.length;
  const lines = conflicts
    .slice(0, 50)
    .map(
      (c) => `line ${c.candidate.line ?? "?"}: ${describeEntry(toEntry(c.candidate))} overlaps existing entry ${describeEntry(c.existing)}`,
    );
  return `${n} entr${n === 1 ? "y overlaps" : "ies overlap"} existing entries${hint ? ` (${hint})` : ""}:\n` + lines.join("\n");
}

function checkPeriod(e: CrosswalkEntry) {
  const problems = validateCrosswalkEntry(e);
  if (problems.length) throw new InputError(problems.join("; "));
  if (!e.split && isReservedTeamName(e.team.toLowerCase()))
    throw new InputError(`"${e.team}" is a pseudo-team and cannot be mapped to`, { field: "team" });
  if (e.ownerId.toLowerCase() === "unallocated")
    throw new InputError(`"unallocated" is not an owner that can be mapped; use the org's unallocated policy`, { field: "owner_id" });
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

async function existingEntry(db: Db, id: number) {
  const current = await getCrosswalkEntry(db, id);
  if (!current) throw new InputError(`crosswalk entry #${id} does not exist`, { field: "id" });
  return current;
}

/**
 * After an edit of one entry: the org's segments are recomputed, and only the buckets and
 * owners whose mapping changed are recomputed (app/services/mapping.ts). An entry can only move
 * its owner's cost, over the period before and after the edit.
 */
async function recomputeFor(db: Db, orgId: string, _before: CrosswalkEntry | null, _after: CrosswalkEntry | null) {
  await resyncOrg(db, orgId);
}

export interface NewEntry {
  orgId: string;
  ownerId: string;
  /** the team; "" when `split` is given */
  team: string;
  /** a split in place of a team (app/domain/splits.ts) */
  split?: Split | null;
  validFrom: string;
  validTo: string | null;
  note?: string | null;
  costCenter?: string | null;
}

/** Inserts one entry row, creating its team (with the entry's cost center) when it is new. */
async function insertEntryForTeam(tx: Db, actor: string, e: NewEntry): Promise<number> {
  let teamId: number | null = null;
  if (e.split) for (const s of e.split) await ensureTeam(tx, actor, s.team, null);
  else teamId = (await ensureTeam(tx, actor, e.team, e.costCenter ?? null)).id;
  return insertCrosswalkEntry(tx, {
    orgId: e.orgId,
    ownerId: e.ownerId,
    teamId,
    split: e.split ?? null,
    validFrom: e.validFrom,
    validTo: e.validTo,
    note: e.note ?? null,
  });
}
export async function createCrosswalkEntry(db: Db, actor: string, e: NewEntry): Promise<number> {
  return db.transaction(async (tx) => {
    await ensureOrg(tx, e.orgId);
    await lockOrg(tx, e.orgId);
    const entry: CrosswalkEntry = toEntry(e);
    checkPeriod(entry);
    await refuseOverlap(tx, entry);
    const id = await insertEntryForTeam(tx, actor, e);
    await writeAudit(tx, {
      actor,
      action: "create",
      entity: "crosswalk_entry",
      entityId: String(id),
      after: { ...entry, id, note: e.note ?? null },
    });
    await recomputeFor(tx, e.orgId, null, entry);
    return id;
  });
}

export async function updateCrosswalkEntry(
  db: Db,
  actor: string,
  id: number,
  patch: { team?: string; split?: Split | null; validFrom?: string; validTo?: string | null; note?: string | null },
  action: "update" | "end_date" = "update",
): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await existingEntry(tx, id);
    await lockOrg(tx, current.orgId);
    // a new team replaces a split and a new split replaces a team
    const split = patch.split ? patch.split : patch.team ? null : (current.split ?? null);
    const next: CrosswalkEntry = {
      orgId: current.orgId,
      ownerId: current.ownerId,
      team: split ? "" : (patch.team ?? current.team),
      split,
      validFrom: patch.validFrom ?? current.validFrom,
      validTo: patch.validTo === undefined ? current.validTo : patch.validTo,
    };
    checkPeriod(next);
    await refuseOverlap(tx, next, id);
    let teamId: number | null = null;
    if (split) for (const sh of split) await ensureTeam(tx, actor, sh.team, null);
    else teamId = (await ensureTeam(tx, actor, next.team, null)).id;
    await updateCrosswalkEntryRow(tx, id, {
      teamId,
      split,
      validFrom: next.validFrom,
      validTo: next.validTo,
      note: patch.note === undefined ? current.note : patch.note,
    });
    await writeAudit(tx, { actor, action, entity: "crosswalk_entry", entityId: String(id), before: current, after: { ...next, id } });
    await recomputeFor(tx, current.orgId, current, next);
  });
}

export async function endDateCrosswalkEntry(db: Db, actor: string, id: number, validTo: string): Promise<void> {
  await updateCrosswalkEntry(db, actor, id, { validTo }, "end_date");
}

export async function deleteCrosswalkEntry(db: Db, actor: string, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await existingEntry(tx, id);
    await lockOrg(tx, current.orgId);
    await deleteCrosswalkEntryRow(tx, id);
    await writeAudit(tx, { actor, action: "delete", entity: "crosswalk_entry", entityId: String(id), before: current });
    await recomputeFor(tx, current.orgId, current, null);
  });
}

// ---------------------------------------------------------------- bulk import

export interface ImportEntry extends NewEntry {
  line?: number;
}

export interface CrosswalkImportPlan {
  add: ImportEntry[];
  unchanged: CrosswalkEntry[];
  remove: CrosswalkEntry[];
  conflicts: Array<{ candidate: ImportEntry; existing: CrosswalkEntry }>;
}

const toEntry = (e: NewEntry): CrosswalkEntry => ({
  orgId: e.orgId,
  ownerId: e.ownerId,
  team: e.team,
  ...(e.split ? { split: e.split } : {}),
  validFrom: e.validFrom,
  validTo: e.validTo,
});
const entryKey = (e: CrosswalkEntry) => [e.orgId, e.ownerId, entryTargetText(e), e.validFrom, e.validTo ?? ""].join("\u0000");

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
    if (plan.conflicts.length > 0) throw new CrosswalkConflictError(describeImportConflicts(plan.conflicts), plan.conflicts);
    for (const r of plan.remove) await deleteCrosswalkEntryRow(tx, r.id!);
    // teams named for the first time are created with the row's cost_center
    for (const e of plan.add) {
      await insertEntryForTeam(tx, actor, e);
    }
    await writeAudit(tx, {
      actor,
      action: "bulk_import",
      entity: "crosswalk",
      entityId: orgs.join(","),
      before: { mode, removed: plan.remove },
      after: { added: plan.add.map(toEntry), unchanged: plan.unchanged.length },
    });
    if (plan.add.length || plan.remove.length) for (const org of orgs) await resyncOrg(tx, org);
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
    const previous = await getOwnerNames(tx, entries);
    const before = (e: { orgId: string; ownerId: string }) => previous.get(ownerNameKey(e.orgId, e.ownerId));
    const changed = entries.filter((e) => before(e) !== e.displayName);
    for (const e of changed) await upsertOwnerName(tx, e);
    await writeAudit(tx, {
      actor,
      action: "bulk_import",
      entity: "owner_names",
      before: { names: changed.map((e) => ({ orgId: e.orgId, ownerId: e.ownerId, displayName: before(e) ?? null })) },
      after: {
        count: entries.length,
        changed: changed.length,
        names: changed.map((e) => ({ orgId: e.orgId, ownerId: e.ownerId, displayName: e.displayName })),
      },
    });
    // names can make owner_name rules match or stop matching
    if (changed.length) await resyncOrgs(tx, [...new Set(changed.map((e) => e.orgId))]);
    return entries.length;
  });
}

// ---------------------------------------------------------------- CSV text → entries, preview

function csvRecords<E>(text: string, validate: (header: string[], rows: readonly CsvRecord[]) => CsvValidation<E>): CsvValidation<E> {
  const recs = readCsvRecords(text);
  if (recs.syntaxError)
    return {
      entries: [],
      errors: [{ line: recs.syntaxError.line, column: null, value: null, rule: "csv-syntax", message: recs.syntaxError.message }],
      errorCount: 1,
      warnings: [],
    };
  if (recs.header.length === 0)
    return {
      entries: [],
      errors: [{ line: 0, column: null, value: null, rule: "not-empty", message: "the file is empty" }],
      errorCount: 1,
      warnings: [],
    };
  return validate(recs.header, recs.rows);
}

/** A crosswalk CSV (docs/crosswalk.md header) read and checked; an empty file is an error. */
export const parseCrosswalkCsv = (text: string): CsvValidation<CrosswalkCsvEntry> =>
  csvRecords(text, (header, rows) => validateCrosswalkCsv(header, rows, { splits: true }));

/** A display-names CSV (`org_id,owner_id,display_name`) read and checked; an empty file is an error. */
export const parseOwnerNamesCsv = (text: string): CsvValidation<OwnerNameCsvEntry> => csvRecords(text, validateOwnerNamesCsv);

export const toImportEntries = (entries: CrosswalkCsvEntry[]): ImportEntry[] =>
  entries.map((e) => ({
    line: e.line,
    orgId: e.orgId,
    ownerId: e.ownerId,
    team: e.team,
    split: e.split ?? null,
    validFrom: e.validFrom,
    validTo: e.validTo,
    costCenter: e.costCenter,
    note: e.note,
  }));

export interface BulkChange {
  orgId: string;
  ownerId: string;
  kind: "add" | "change" | "end_date" | "remove";
  before: { team: string; validFrom: string; validTo: string | null } | null;
  after: { team: string; validFrom: string; validTo: string | null; line?: number } | null;
}

export interface BulkPreview {
  ok: boolean;
  errors: ValidationIssue[];
  errorCount: number;
  warnings: string[];
  entries: number;
  changes: BulkChange[];
  unchanged: number;
  conflicts: Array<{ line: number | null; message: string }>;
  counts: { add: number; change: number; end_date: number; remove: number };
}

/**
 * The preview of a bulk import of CSV text: validation errors, then the plan. In replace mode
 * a removed entry and an added entry of the same (org, owner) and valid_from are shown as one
 * change (team changed) or end-date (only valid_to changed). Changes nothing.
 */
export async function previewCrosswalkImport(db: Db, text: string, mode: "merge" | "replace"): Promise<BulkPreview> {
  const v = parseCrosswalkCsv(text);
  const empty = { add: 0, change: 0, end_date: 0, remove: 0 };
  if (v.errorCount > 0)
    return {
      ok: false,
      errors: v.errors,
      errorCount: v.errorCount,
      warnings: v.warnings,
      entries: v.entries.length,
      changes: [],
      unchanged: 0,
      conflicts: [],
      counts: empty,
    };
  const plan = await planCrosswalkCsvImport(db, toImportEntries(v.entries), mode);
  const changes: BulkChange[] = [];
  const removed = [...plan.remove];
  let samePairs = 0;
  for (const a of plan.add) {
    const i = removed.findIndex((r) => r.orgId === a.orgId && r.ownerId === a.ownerId && r.validFrom === a.validFrom);
    const after = { team: entryTargetText(a), validFrom: a.validFrom, validTo: a.validTo, line: a.line };
    if (i >= 0) {
      const r = removed.splice(i, 1)[0];
      if (entryTargetText(r) === entryTargetText(a) && r.validTo === a.validTo) {
        samePairs++; // replace mode re-creates an identical entry: nothing changes
        continue;
      }
      changes.push({
        orgId: a.orgId,
        ownerId: a.ownerId,
        kind: entryTargetText(r) !== entryTargetText(a) ? "change" : "end_date",
        before: { team: entryTargetText(r), validFrom: r.validFrom, validTo: r.validTo },
        after,
      });
    } else changes.push({ orgId: a.orgId, ownerId: a.ownerId, kind: "add", before: null, after });
  }
  for (const r of removed)
    changes.push({
      orgId: r.orgId,
      ownerId: r.ownerId,
      kind: "remove",
      before: { team: entryTargetText(r), validFrom: r.validFrom, validTo: r.validTo },
      after: null,
    });
  const order = { change: 0, end_date: 1, add: 2, remove: 3 };
  changes.sort((a, b) => order[a.kind] - order[b.kind] || (a.orgId + a.ownerId < b.orgId + b.ownerId ? -1 : 1));
  const counts = { ...empty };
  for (const c of changes) counts[c.kind]++;
  const conflicts = plan.conflicts.map((c) => ({
    line: c.candidate.line ?? null,
    message: `${describeEntry(toEntry(c.candidate))} overlaps existing entry ${describeEntry(c.existing)}`,
  }));
  return {
    ok: conflicts.length === 0,
    errors: [],
    errorCount: 0,
    warnings: v.warnings,
    entries: v.entries.length,
    changes,
    unchanged: plan.unchanged.length + samePairs,
    conflicts,
    counts,
  };
}
