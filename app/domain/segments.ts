/**
 * The crosswalk resolved ahead of time (docs/crosswalk.md): for each usage key an org's exports
 * contain (owner, environment, resource, product), the periods of bucket-start dates over which
 * `createMappingResolver` (app/domain/rules.ts) gives one answer. Resolution changes only at a
 * valid_from or valid_to of an entry of the key's owner or of a rule of its org, so evaluating the
 * resolver at each such date (and at BEGINNING_OF_TIME) and merging equal neighbours gives every
 * answer it can give. The stored copy (`mapping_segments`) is what the SQL joins; the
 * tests check that the join and the resolver agree row by row.
 *
 * Pure: imports only the domain.
 */
import { BEGINNING_OF_TIME } from "./crosswalk";
import { createMappingResolver, explainSource, type MappingResolverInput } from "./rules";
import { UNALLOCATED } from "./vocabulary";

/** What a rule's conditions can see of a cost row, apart from its date. */
export interface UsageKey {
  orgId: string;
  ownerId: string;
  environmentId: string;
  resourceId: string;
  product: string;
}

/** One share of one period of one key: `parts` = 1 for a team, the number of shares of a split. */
export interface Segment extends UsageKey {
  validFrom: string;
  /** exclusive; null = open-ended */
  validTo: string | null;
  team: string;
  pct: string;
  parts: number;
  /** `entry #3`, `rule "x" (#2)`, `split 40 % of rule "x" (#2)` */
  mappedBy: string;
}

export const usageKeyId = (k: UsageKey) => [k.orgId, k.ownerId, k.environmentId, k.resourceId, k.product].join("\u0000");

type Answer = Array<{ team: string; pct: string; parts: number; mappedBy: string }> | null;
const answerId = (a: Answer) => (a === null ? "" : a.map((s) => `${s.team}\u0001${s.pct}\u0001${s.mappedBy}`).join("\u0002"));

/**
 * The segments of `keys` under the entries, rules and names of `input`, in key order then date
 * order. Unmapped periods have no segment. The unallocated row is never a usage key here.
 */
export function resolveSegments(keys: readonly UsageKey[], input: MappingResolverInput): Segment[] {
  const resolver = createMappingResolver(input);
  const entryDates = new Map<string, string[]>();
  for (const e of input.entries) {
    const k = `${e.orgId}\u0000${e.ownerId}`;
    let list = entryDates.get(k);
    if (!list) entryDates.set(k, (list = []));
    list.push(e.validFrom);
    if (e.validTo !== null) list.push(e.validTo);
  }
  const ruleDates = new Map<string, string[]>();
  const ruleDatesOf = (orgId: string) => {
    let list = ruleDates.get(orgId);
    if (!list) {
      list = [];
      for (const r of input.rules)
        if (r.orgId === null || r.orgId === orgId) {
          list.push(r.validFrom);
          if (r.validTo !== null) list.push(r.validTo);
        }
      ruleDates.set(orgId, list);
    }
    return list;
  };

  const out: Segment[] = [];
  for (const key of keys) {
    if (key.ownerId === UNALLOCATED) continue;
    const dates = [
      ...new Set([BEGINNING_OF_TIME, ...(entryDates.get(`${key.orgId}\u0000${key.ownerId}`) ?? []), ...ruleDatesOf(key.orgId)]),
    ].sort();
    let current: { from: string; answer: Answer } | null = null;
    const flush = (to: string | null) => {
      if (current?.answer) for (const s of current.answer) out.push({ ...key, validFrom: current.from, validTo: to, ...s });
    };
    for (const day of dates) {
      const r = resolver.resolve({ ...key, bucketStart: day });
      let answer: Answer = null;
      if (!("unmapped" in r)) {
        const t = r.target;
        answer =
          "team" in t
            ? [{ team: t.team, pct: "100", parts: 1, mappedBy: explainSource(r.source) }]
            : t.split.map((s) => ({ team: s.team, pct: s.pct, parts: t.split.length, mappedBy: explainSource(r.source, { pct: s.pct }) }));
      }
      if (current && answerId(current.answer) === answerId(answer)) continue;
      flush(day);
      current = { from: day, answer };
    }
    flush(null);
  }
  return out;
}

/** Groups segments by usage key (in their order). */
export function segmentsByKey(segments: readonly Segment[]): Map<string, Segment[]> {
  const m = new Map<string, Segment[]>();
  for (const s of segments) {
    const id = usageKeyId(s);
    let list = m.get(id);
    if (!list) m.set(id, (list = []));
    list.push(s);
  }
  return m;
}

function answerAt(list: readonly Segment[] | undefined, day: string): string {
  if (!list) return "";
  const hit = list.filter((s) => s.validFrom <= day && (s.validTo === null || day < s.validTo));
  return hit
    .map((s) => `${s.team}\u0001${s.pct}\u0001${s.mappedBy}`)
    .sort()
    .join("\u0002");
}

export interface SegmentChange {
  /** the keys whose segments differ, with their new segments (possibly none) */
  keys: UsageKey[];
  /** the smallest [from, to) of dates on which some key's answer differs; null when nothing changed */
  from: string | null;
  /** exclusive; null = open-ended */
  to: string | null;
  changed: boolean;
}

/** Where `before` and `after` (the stored and the new segments of one org) disagree. */
export function diffSegments(before: readonly Segment[], after: readonly Segment[]): SegmentChange {
  const b = segmentsByKey(before);
  const a = segmentsByKey(after);
  const keys: UsageKey[] = [];
  let from: string | null = null;
  let to: string | null = null;
  let open = false;
  for (const id of new Set([...b.keys(), ...a.keys()])) {
    const bl = b.get(id);
    const al = a.get(id);
    const dates = [
      ...new Set([...(bl ?? []), ...(al ?? [])].flatMap((s) => (s.validTo === null ? [s.validFrom] : [s.validFrom, s.validTo]))),
    ].sort();
    let differs = false;
    for (let i = 0; i < dates.length; i++) {
      if (answerAt(bl, dates[i]) === answerAt(al, dates[i])) continue;
      differs = true;
      if (from === null || dates[i] < from) from = dates[i];
      const end = i + 1 < dates.length ? dates[i + 1] : null;
      if (end === null) open = true;
      else if (to === null || end > to) to = end;
    }
    if (differs) {
      const s = (bl ?? al)![0];
      keys.push({ orgId: s.orgId, ownerId: s.ownerId, environmentId: s.environmentId, resourceId: s.resourceId, product: s.product });
    }
  }
  return { keys, from, to: open ? null : to, changed: keys.length > 0 };
}
