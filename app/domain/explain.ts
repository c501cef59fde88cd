/**
 * The explained report (`npm run report -- --explain`, docs/crosswalk.md "Command line"): the
 * stored result of one team in one bucket split by where its cost came from (`mapped_by`:
 * `entry #3`, `rule "x" (#2)`, `split 40 % of …`, `unmapped`), so that the parts add up to the
 * stored result EXACTLY.
 *
 * The direct cost of each part comes from the raw rows resolved through the stored segments;
 * the team's unallocated share is spread over its parts with `allocate()`, weighted by each
 * part's direct cost. What no part of the mapping explains keeps a label of its own:
 *  - `policy`: a share the team received with no direct cost to weight it by (a `shared:<team>`
 *    policy, or parts whose direct costs weigh nothing);
 *  - `unallocated`: the pseudo-team of the amount the policy did not spread;
 *  - `frozen`: a closed month whose stored figures the current mapping no longer gives (the
 *    team's stored direct cost differs from its parts'): the whole stored row, unexplained.
 */
import { allocate, dec, ZERO, type Decimal } from "./money";
import { UNALLOCATED, UNMAPPED } from "./vocabulary";

export const EXPLAIN_UNMAPPED = UNMAPPED;
export const EXPLAIN_POLICY = "policy";
export const EXPLAIN_UNALLOCATED = UNALLOCATED;
export const EXPLAIN_FROZEN = "frozen";

/** A stored allocation result of one team in one bucket (allocation_results). */
export interface StoredTeamResult {
  team: string;
  direct: Decimal;
  unallocatedShare: Decimal;
  total: Decimal;
}

/** The direct cost of one team in one bucket that came through one mapping (`mapped_by`). */
export interface MappedByPart {
  mappedBy: string;
  direct: Decimal;
}

export interface ExplainedPart {
  mappedBy: string;
  direct: Decimal;
  unallocatedShare: Decimal;
  total: Decimal;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Splits one stored (bucket, team) result by `mapped_by` (see the module comment). The parts
 * returned sum exactly to `stored` in each of direct, unallocated share and total; they are
 * sorted by `mapped_by` (plain string compare), parts of the same `mapped_by` merged.
 */
export function explainTeamBucket(stored: StoredTeamResult, parts: readonly MappedByPart[]): ExplainedPart[] {
  const direct = dec(stored.direct);
  const share = dec(stored.unallocatedShare);
  const whole = (mappedBy: string): ExplainedPart[] => [{ mappedBy, direct, unallocatedShare: share, total: dec(stored.total) }];
  if (stored.team === UNALLOCATED) return whole(EXPLAIN_UNALLOCATED);

  const merged = new Map<string, Decimal>();
  for (const p of parts) merged.set(p.mappedBy, (merged.get(p.mappedBy) ?? ZERO).plus(dec(p.direct)));
  const labels = [...merged.keys()].sort(cmp);
  let explained: Decimal = ZERO;
  for (const l of labels) explained = explained.plus(merged.get(l)!);
  if (!explained.eq(direct) || (labels.length === 0 && share.isZero())) return whole(EXPLAIN_FROZEN);

  const shares = share.isZero()
    ? null
    : allocate(
        share,
        labels.map((key) => ({ key, weight: merged.get(key)! })),
      );
  const out: ExplainedPart[] = labels.map((mappedBy) => {
    const d = merged.get(mappedBy)!;
    const s = shares?.get(mappedBy) ?? ZERO;
    return { mappedBy, direct: d, unallocatedShare: s, total: d.plus(s) };
  });
  // nothing to weight the share by: it came from the policy alone
  if (!share.isZero() && !shares) {
    out.push({ mappedBy: EXPLAIN_POLICY, direct: ZERO, unallocatedShare: share, total: share });
    out.sort((a, b) => cmp(a.mappedBy, b.mappedBy));
  }
  return out;
}
