/** Server helpers of the crosswalk editor: form parsing and the bulk-import preview. */
import type { Db } from "../../../db/client";
import { planCrosswalkCsvImport, type ImportEntry } from "../../../db/queries/crosswalk";
import { validateCrosswalkCsv, validateOwnerNamesCsv, type CrosswalkCsvEntry, type OwnerNameCsvEntry } from "~/domain/csv/crosswalk";
import { parseValidFrom, validateCrosswalkEntry, validFromLabel } from "~/domain/crosswalk";
import { PSEUDO_TEAMS } from "~/domain/allocation";
import type { ValidationIssue } from "~/domain/csv/issues";
import { readCsvRecords } from "~/services/csv";

export class FormError extends Error {}

export const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v.trim() : "");

/** The entry fields of a create/update form, checked (throws FormError). */
export function entryFromForm(form: FormData) {
  const e = {
    orgId: str(form.get("org_id")),
    ownerId: str(form.get("owner_id")),
    team: str(form.get("team")),
    // empty: since the beginning
    validFrom: parseValidFrom(str(form.get("valid_from"))),
    validTo: str(form.get("valid_to")) || null,
  };
  const problems = validateCrosswalkEntry(e);
  if (PSEUDO_TEAMS.includes(e.team.toLowerCase())) problems.push(`"${e.team}" is a pseudo-team and cannot be mapped to`);
  if (e.ownerId.toLowerCase() === "unallocated") problems.push(`"unallocated" is not an owner that can be mapped; it is spread by the org's policy`);
  if (problems.length) throw new FormError(problems.join("; "));
  return { ...e, note: str(form.get("note")) || null, costCenter: str(form.get("cost_center")) || null };
}

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

export function parseCrosswalkCsv(text: string): { entries: CrosswalkCsvEntry[]; errors: ValidationIssue[]; errorCount: number; warnings: string[] } {
  const recs = readCsvRecords(text);
  if (recs.syntaxError)
    return { entries: [], errors: [{ line: recs.syntaxError.line, column: null, value: null, rule: "csv-syntax", message: recs.syntaxError.message }], errorCount: 1, warnings: [] };
  if (recs.header.length === 0)
    return { entries: [], errors: [{ line: 0, column: null, value: null, rule: "not-empty", message: "the file is empty" }], errorCount: 1, warnings: [] };
  return validateCrosswalkCsv(recs.header, recs.rows);
}

export function parseOwnerNamesCsv(text: string): { entries: OwnerNameCsvEntry[]; errors: ValidationIssue[]; errorCount: number; warnings: string[] } {
  const recs = readCsvRecords(text);
  if (recs.syntaxError)
    return { entries: [], errors: [{ line: recs.syntaxError.line, column: null, value: null, rule: "csv-syntax", message: recs.syntaxError.message }], errorCount: 1, warnings: [] };
  if (recs.header.length === 0)
    return { entries: [], errors: [{ line: 0, column: null, value: null, rule: "not-empty", message: "the file is empty" }], errorCount: 1, warnings: [] };
  return validateOwnerNamesCsv(recs.header, recs.rows);
}

export const toImportEntries = (entries: CrosswalkCsvEntry[]): ImportEntry[] =>
  entries.map((e) => ({
    line: e.line, orgId: e.orgId, ownerId: e.ownerId, team: e.team, validFrom: e.validFrom, validTo: e.validTo, costCenter: e.costCenter, note: e.note,
  }));

/**
 * The preview: validation errors, then the plan. In replace mode a removed entry
 * and an added entry of the same (org, owner) and valid_from are shown as one
 * change (team changed) or end-date (only valid_to changed).
 */
export async function previewBulk(db: Db, text: string, mode: "merge" | "replace"): Promise<BulkPreview> {
  const v = parseCrosswalkCsv(text);
  const empty = { add: 0, change: 0, end_date: 0, remove: 0 };
  if (v.errorCount > 0)
    return { ok: false, errors: v.errors, errorCount: v.errorCount, warnings: v.warnings, entries: v.entries.length, changes: [], unchanged: 0, conflicts: [], counts: empty };
  const plan = await planCrosswalkCsvImport(db, toImportEntries(v.entries), mode);
  const changes: BulkChange[] = [];
  const removed = [...plan.remove];
  let samePairs = 0;
  for (const a of plan.add) {
    const i = removed.findIndex((r) => r.orgId === a.orgId && r.ownerId === a.ownerId && r.validFrom === a.validFrom);
    const after = { team: a.team, validFrom: a.validFrom, validTo: a.validTo, line: a.line };
    if (i >= 0) {
      const r = removed.splice(i, 1)[0];
      if (r.team === a.team && r.validTo === a.validTo) {
        samePairs++; // replace mode re-creates an identical entry: nothing changes
        continue;
      }
      changes.push({
        orgId: a.orgId, ownerId: a.ownerId, kind: r.team !== a.team ? "change" : "end_date",
        before: { team: r.team, validFrom: r.validFrom, validTo: r.validTo }, after,
      });
    } else changes.push({ orgId: a.orgId, ownerId: a.ownerId, kind: "add", before: null, after });
  }
  for (const r of removed)
    changes.push({ orgId: r.orgId, ownerId: r.ownerId, kind: "remove", before: { team: r.team, validFrom: r.validFrom, validTo: r.validTo }, after: null });
  const order = { change: 0, end_date: 1, add: 2, remove: 3 };
  changes.sort((a, b) => order[a.kind] - order[b.kind] || (a.orgId + a.ownerId < b.orgId + b.ownerId ? -1 : 1));
  const counts = { ...empty };
  for (const c of changes) counts[c.kind]++;
  const conflicts = plan.conflicts.map((c) => ({
    line: c.candidate.line ?? null,
    message: `${c.candidate.orgId}/${c.candidate.ownerId} → ${c.candidate.team} [${validFromLabel(c.candidate.validFrom)}, ${c.candidate.validTo ?? "open"}) overlaps existing entry ${c.existing.orgId}/${c.existing.ownerId} → ${c.existing.team} [${validFromLabel(c.existing.validFrom)}, ${c.existing.validTo ?? "open"})${c.existing.id ? ` (entry #${c.existing.id})` : ""}`,
  }));
  return {
    ok: conflicts.length === 0, errors: [], errorCount: 0, warnings: v.warnings, entries: v.entries.length, changes,
    unchanged: plan.unchanged.length + samePairs, conflicts, counts,
  };
}
