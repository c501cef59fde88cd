/**
 * The crosswalk (docs/crosswalk.md): (org_id, owner_id) → team over effective periods
 * [valid_from, valid_to) of UTC dates (YYYY-MM-DD); valid_to null = open-ended.
 * Periods of one (org, owner) never overlap.
 *
 * An empty valid_from means "since the beginning": it is stored as BEGINNING_OF_TIME (a
 * real date, earlier than any export, so every comparison and SQL range test keeps working)
 * and shown and exported as empty again (docs/export-format.md).
 */
import { isValidDate } from "./periods";
import { formatSplitText, sameSplit, type Split } from "./splits";

/** The valid_from of an entry effective "since the beginning" (an empty valid_from on input). */
export const BEGINNING_OF_TIME = "0001-01-01";

/** A valid_from as typed or imported: empty (or blanks) = BEGINNING_OF_TIME, else unchanged (trimmed). */
export function parseValidFrom(raw: string): string {
  const t = raw.trim();
  return t === "" ? BEGINNING_OF_TIME : t;
}

/** A valid_from as written to a CSV export or a form field: BEGINNING_OF_TIME is empty. */
export function validFromField(validFrom: string): string {
  return validFrom === BEGINNING_OF_TIME ? "" : validFrom;
}

/** Human-readable text for a valid_from ("since the beginning" for BEGINNING_OF_TIME). */
export const SINCE_THE_BEGINNING = "since the beginning";
export function validFromLabel(validFrom: string): string {
  return validFrom === BEGINNING_OF_TIME ? SINCE_THE_BEGINNING : validFrom;
}

/** "from 2026-01-01", or "since the beginning", for sentences. */
export function validFromPhrase(validFrom: string): string {
  return validFrom === BEGINNING_OF_TIME ? SINCE_THE_BEGINNING : `from ${validFrom}`;
}

export interface CrosswalkEntry {
  id?: number;
  orgId: string;
  ownerId: string;
  /** the team; "" when the entry splits (`split`) */
  team: string;
  /** a split target in place of `team` (app/domain/splits.ts); absent or null for a team */
  split?: Split | null;
  validFrom: string;
  validTo: string | null;
}

/** The entry's target in words: its team, or its split as `payments:60;search:40`. */
export function entryTargetText(e: Pick<CrosswalkEntry, "team" | "split">): string {
  return e.split ? formatSplitText(e.split) : e.team;
}

const keyOf = (orgId: string, ownerId: string) => `${orgId}\u0000${ownerId}`;

/** Problems with one entry on its own (empty ids, bad dates, valid_to ≤ valid_from); [] when valid. */
export function validateCrosswalkEntry(e: CrosswalkEntry): string[] {
  const errors: string[] = [];
  if (!e.orgId || e.orgId.trim() !== e.orgId) errors.push("org_id must be non-empty without surrounding spaces");
  if (!e.ownerId || e.ownerId.trim() !== e.ownerId) errors.push("owner_id must be non-empty without surrounding spaces");
  if (e.split) {
    if (e.team !== "") errors.push("an entry gives a team or a split, not both");
  } else if (!e.team || e.team.trim() !== e.team) errors.push("team must be non-empty without surrounding spaces");
  const fromOk = isValidDate(e.validFrom);
  if (!fromOk) errors.push(`valid_from ${JSON.stringify(e.validFrom)} is not a date YYYY-MM-DD`);
  if (e.validTo !== null) {
    if (!isValidDate(e.validTo)) errors.push(`valid_to ${JSON.stringify(e.validTo)} is not a date YYYY-MM-DD`);
    else if (fromOk && e.validTo <= e.validFrom) errors.push(`valid_to ${e.validTo} must be after valid_from ${e.validFrom}`);
  }
  return errors;
}

/** Whether [aFrom, aTo) and [bFrom, bTo) share at least one day (null = open-ended). */
export function periodsOverlap(aFrom: string, aTo: string | null, bFrom: string, bTo: string | null): boolean {
  return (bTo === null || aFrom < bTo) && (aTo === null || bFrom < aTo);
}

function sameSlot(a: CrosswalkEntry, b: CrosswalkEntry): boolean {
  return a.orgId === b.orgId && a.ownerId === b.ownerId;
}

/** Same org, owner, team and period (ids ignored). */
export function sameEntry(a: CrosswalkEntry, b: CrosswalkEntry): boolean {
  const splitsEqual = a.split && b.split ? sameSplit(a.split, b.split) : !a.split && !b.split;
  return sameSlot(a, b) && a.team === b.team && splitsEqual && a.validFrom === b.validFrom && a.validTo === b.validTo;
}

/**
 * The first existing entry (earliest valid_from) of the same org + owner whose period overlaps the
 * candidate's; entries whose id equals `ignoreId` (the entry being edited) are skipped.
 */
export function findOverlap(existing: readonly CrosswalkEntry[], candidate: CrosswalkEntry, ignoreId?: number): CrosswalkEntry | null {
  let found: CrosswalkEntry | null = null;
  for (const e of existing) {
    if (!sameSlot(e, candidate)) continue;
    if (ignoreId !== undefined && e.id === ignoreId) continue;
    if (!periodsOverlap(e.validFrom, e.validTo, candidate.validFrom, candidate.validTo)) continue;
    if (!found || e.validFrom < found.validFrom) found = e;
  }
  return found;
}

/** Human-readable refusal for an overlapping edit. */
export function overlapMessage(candidate: CrosswalkEntry, existing: CrosswalkEntry): string {
  const p = (e: CrosswalkEntry) => `[${validFromLabel(e.validFrom)}, ${e.validTo ?? "open"})`;
  return (
    `owner ${candidate.ownerId} in org ${candidate.orgId}: period ${p(candidate)} for team ${candidate.team} ` +
    `overlaps the existing entry ${p(existing)} for team ${existing.team}`
  );
}

/**
 * Resolver: an owner maps to the team whose entry is effective at the bucket START date
 * (valid_from ≤ start < valid_to). Entries are indexed by (org, owner) and sorted by valid_from;
 * each lookup is a binary search. `bucketStart` may be a date or an ISO instant (its date part is used).
 */
export function createResolver(entries: readonly CrosswalkEntry[]): (orgId: string, ownerId: string, bucketStart: string) => string | null {
  const index = new Map<string, CrosswalkEntry[]>();
  for (const e of entries) {
    const k = keyOf(e.orgId, e.ownerId);
    let list = index.get(k);
    if (!list) index.set(k, (list = []));
    list.push(e);
  }
  for (const list of index.values()) list.sort((a, b) => (a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : 0));

  return (orgId, ownerId, bucketStart) => {
    const list = index.get(keyOf(orgId, ownerId));
    if (!list) return null;
    const day = bucketStart.slice(0, 10);
    // last entry with validFrom ≤ day
    let lo = 0;
    let hi = list.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].validFrom <= day) {
        idx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (idx < 0) return null;
    const e = list[idx];
    return e.validTo === null || day < e.validTo ? e.team : null;
  };
}

/**
 * The date range an edit touches (for incremental recompute): the smallest [from, to) covering the
 * period before the edit and the period after it (to = null when either is open-ended).
 * Pass null for `before` on create and for `after` on delete.
 */
export function affectedRange(before: CrosswalkEntry | null, after: CrosswalkEntry | null): { from: string; to: string | null } {
  const present = [before, after].filter((e): e is CrosswalkEntry => e !== null);
  if (present.length === 0) throw new Error("affectedRange needs at least one of before/after");
  const from = present.map((e) => e.validFrom).reduce((a, b) => (b < a ? b : a));
  const to = present.some((e) => e.validTo === null) ? null : present.map((e) => e.validTo as string).reduce((a, b) => (b > a ? b : a));
  return { from, to };
}

export interface MergePlan {
  add: CrosswalkEntry[];
  unchanged: CrosswalkEntry[];
  remove: CrosswalkEntry[];
  conflicts: Array<{ candidate: CrosswalkEntry; existing: CrosswalkEntry }>;
}

/**
 * The crosswalk bulk import (docs/crosswalk.md).
 * - merge: an entry identical to an existing one (or repeated in the file) is a no-op (`unchanged`),
 *   a new one is added, one that overlaps a different existing entry, or an entry already accepted
 *   from the file, is a conflict (`existing` = the entry it collides with).
 * - replace: every existing entry of the orgs named in `incoming` is removed and all incoming entries
 *   are added (repeated identical lines once; overlaps among incoming lines are conflicts).
 * The caller applies the plan only when `conflicts` is empty (all-or-nothing).
 * Per-entry validity (dates, empty fields) is checked with `validateCrosswalkEntry` by the caller.
 */
export function planCrosswalkImport(
  existing: readonly CrosswalkEntry[],
  incoming: readonly CrosswalkEntry[],
  mode: "merge" | "replace",
): MergePlan {
  const plan: MergePlan = { add: [], unchanged: [], remove: [], conflicts: [] };
  let base: CrosswalkEntry[];
  if (mode === "replace") {
    const orgs = new Set(incoming.map((e) => e.orgId));
    plan.remove = existing.filter((e) => orgs.has(e.orgId));
    base = existing.filter((e) => !orgs.has(e.orgId));
  } else {
    base = [...existing];
  }
  const byKey = new Map<string, CrosswalkEntry[]>();
  const push = (e: CrosswalkEntry) => {
    const k = keyOf(e.orgId, e.ownerId);
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(e);
  };
  base.forEach(push);
  const accepted = new Set<CrosswalkEntry>(); // incoming entries already added

  for (const cand of incoming) {
    const slot = byKey.get(keyOf(cand.orgId, cand.ownerId)) ?? [];
    const same = slot.find((e) => sameEntry(e, cand));
    if (same) {
      plan.unchanged.push(accepted.has(same) ? cand : same);
      continue;
    }
    const clash = findOverlap(slot, cand);
    if (clash) {
      plan.conflicts.push({ candidate: cand, existing: clash });
      continue;
    }
    const added: CrosswalkEntry = { ...cand };
    delete added.id;
    plan.add.push(added);
    accepted.add(added);
    push(added);
  }
  return plan;
}
