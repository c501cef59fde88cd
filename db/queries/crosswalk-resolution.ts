/**
 * Crosswalk resolution in SQL, defined once (docs/crosswalk.md): the entry of (org, owner)
 * that applies at a bucket is the one effective at the bucket START date,
 * valid_from ≤ day < valid_to (valid_to null = open-ended; BEGINNING_OF_TIME is a real date).
 * Periods of one (org, owner) never overlap, so at most one entry applies.
 * The same rule as `createResolver` (app/domain/crosswalk.ts);
 * tests/integration/crosswalk-resolution.test.ts checks that they agree.
 *
 * These are SQL text builders: every argument is a trusted SQL expression (a column or
 * a placeholder), never a value.
 */

export interface ResolutionRefs {
  /** alias of the crosswalk_entries row */
  entry: string;
  /** SQL expressions: the org id, the owner id and the bucket-start date being resolved */
  orgId: string;
  ownerId: string;
  day: string;
}

/** Predicate: the crosswalk entry `entry` is in effect at `day` (whatever its owner). */
export function entryEffectiveAt(entry: string, day: string): string {
  return `${entry}.valid_from <= ${day} and (${entry}.valid_to is null or ${day} < ${entry}.valid_to)`;
}

/** Predicate: the crosswalk entry `entry` applies to (orgId, ownerId) at `day`. */
export function entryAppliesAt(r: ResolutionRefs): string {
  const e = r.entry;
  return `${e}.org_id = ${r.orgId} and ${e}.owner_id = ${r.ownerId}
             and ${entryEffectiveAt(e, r.day)}`;
}

/**
 * `left join`s that resolve a row's team: `<team>.name` is the team whose entry applies at
 * `day`, null when the owner is unmapped there. `when`: an extra condition for resolving at
 * all (e.g. `not c.is_unallocated`: the unallocated rows have no owner to map).
 */
export function resolvedTeamJoin(r: ResolutionRefs & { team: string; when?: string }): string {
  return `left join crosswalk_entries ${r.entry} on ${r.when ? `${r.when} and ` : ""}${entryAppliesAt(r)}
       left join teams ${r.team} on ${r.team}.id = ${r.entry}.team_id`;
}

/** Predicate: no crosswalk entry applies to (orgId, ownerId) at `day` (the owner is unmapped there). */
export function unmappedAt(r: Omit<ResolutionRefs, "entry"> & { entry?: string }): string {
  const entry = r.entry ?? "x";
  return `not exists (select 1 from crosswalk_entries ${entry} where ${entryAppliesAt({ ...r, entry })})`;
}
