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

// ---------------------------------------------------------------------------------------------
// The resolved crosswalk (mapping_segments: entries > rules in order > unmapped, computed by the
// domain resolver, app/domain/segments.ts). A row's usage key is (org, owner, environment,
// resource, product); its date is the bucket start.
// ---------------------------------------------------------------------------------------------

export interface SegmentRefs {
  /** alias of the mapping_segments row */
  seg: string;
  /** alias of the row being resolved: it has org_id, owner_id, environment_id, resource_id, product */
  row: string;
  /** SQL expression: the row's bucket-start date */
  day: string;
}

/** Predicate: segment `seg` is of the row's usage key and in effect at `day`. */
export function segmentAppliesAt(r: SegmentRefs): string {
  const { seg: m, row: c } = r;
  return `${m}.org_id = ${c}.org_id and ${m}.owner_id = ${c}.owner_id and ${m}.environment_id = ${c}.environment_id
             and ${m}.resource_id = ${c}.resource_id and ${m}.product = ${c}.product
             and ${m}.valid_from <= ${r.day} and (${m}.valid_to is null or ${r.day} < ${m}.valid_to)`;
}

/**
 * `left join` of the segments that apply to the row: none (unmapped), one with `parts` = 1 (a
 * team), or one per share of a split (`parts` > 1: the row is repeated once per share; take its
 * amount with `shareAmount`). `when`: an extra condition for resolving at all.
 */
export function segmentJoin(r: SegmentRefs & { when?: string }): string {
  return `left join mapping_segments ${r.seg} on ${r.when ? `${r.when} and ` : ""}${segmentAppliesAt(r)}`;
}

/** Predicate: no segment applies to the row at `day` (it is unmapped there). */
export function unmappedRowAt(r: Omit<SegmentRefs, "seg">): string {
  return `not exists (select 1 from mapping_segments x where ${segmentAppliesAt({ ...r, seg: "x" })})`;
}

/**
 * The row's amount for the share `seg` of a split, exactly as `splitAmount` (app/domain/splits.ts):
 * in units of 10^-s (s = max(4, the cost's own scale)), each share gets ⌊units × pct / 100⌋ and
 * the units left over go one each to the largest remainders (ties by team name), the sign put
 * back. The other shares of the split are the segment rows of the same key and valid_from,
 * read by correlated subqueries (no window: the plan needs no sort of the rows). For `parts` = 1
 * (or no segment) it is the cost; the subqueries then do not run.
 */
export function shareAmount(seg: string, cost: string): string {
  const scale = `greatest(4, scale(trim_scale(${cost})))`;
  const units = `(abs(${cost}) * power(10::numeric, ${scale}))`;
  const exact = (pct: string) => `(${units} * ${pct} / 100)`;
  const rem = (pct: string) => `(${exact(pct)} - floor(${exact(pct)}))`;
  const o = "share_other";
  const sameSplit = `${o}.org_id = ${seg}.org_id and ${o}.owner_id = ${seg}.owner_id and ${o}.environment_id = ${seg}.environment_id
        and ${o}.resource_id = ${seg}.resource_id and ${o}.product = ${seg}.product and ${o}.valid_from = ${seg}.valid_from`;
  const ahead = `(select count(*) from mapping_segments ${o} where ${sameSplit}
        and (${rem(`${o}.pct`)} > ${rem(`${seg}.pct`)} or (${rem(`${o}.pct`)} = ${rem(`${seg}.pct`)} and ${o}.team collate "C" < ${seg}.team collate "C")))`;
  const deficit = `(${units} - (select sum(floor(${exact(`${o}.pct`)})) from mapping_segments ${o} where ${sameSplit}))`;
  return `case when ${seg}.parts > 1
            then sign(${cost}) * trim_scale((floor(${exact(`${seg}.pct`)}) + case when ${ahead} < ${deficit} then 1 else 0 end) / power(10::numeric, ${scale}))
            else ${cost} end`;
}
