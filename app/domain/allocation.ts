/**
 * Allocation core (docs/allocation.md): direct cost per team and the spreading of a bucket's
 * unallocated amount U by the organization's policy. Every split goes through
 * `allocate` (largest remainder), so Σ total = Σ direct + U exactly.
 */
import { allocate, Decimal, dec, ZERO } from "./money";
import { policyTeams, policyWeights, type Policy } from "./policies";

import { isReservedTeamName, UNALLOCATED, UNASSIGNED, UNMAPPED } from "./vocabulary";

export { UNALLOCATED, UNASSIGNED, UNMAPPED } from "./vocabulary";

// The policies live in the registry (app/domain/policies.ts); re-exported for existing callers.
export { DEFAULT_POLICY, formatPolicy, parsePolicy, type Policy } from "./policies";

export interface TeamResult {
  team: string;
  direct: Decimal;
  unallocatedShare: Decimal;
  total: Decimal;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One bucket: direct cost per team (pseudo-team "unmapped" included, it is weighted like a team)
 * and the unallocated amount U. The policy's registry entry (app/domain/policies.ts) gives the
 * weights (e.g. proportional: each team's direct cost; shared:<team>: 1 for that team, which then
 * appears even with no direct cost); null weights or Σw = 0: U stays on "unallocated". Rounding through `allocate` (largest remainder,
 * 0.0001 or U's own finer scale, ties by team name).
 * Rows: every team of `directByTeam` (even with direct 0), plus any policy-named team receiving a non-zero share,
 * plus "unallocated" (direct 0, share U) only when U ≠ 0 and was not spread.
 * Invariant: Σ total = Σ direct + U exactly. Results sorted by team name (plain string compare).
 * Throws when `directByTeam` contains the reserved key "unallocated".
 */
export function allocateBucket(directByTeam: ReadonlyMap<string, Decimal>, unallocated: Decimal, policy: Policy): TeamResult[] {
  if (directByTeam.has(UNALLOCATED)) throw new Error(`"${UNALLOCATED}" is a pseudo-team and cannot carry direct cost`);
  const U = dec(unallocated);
  const teams = [...directByTeam.keys()].sort(cmp);
  const direct = new Map<string, Decimal>(teams.map((t) => [t, dec(directByTeam.get(t)!)]));

  // weights computed by the policy, then applied by `allocate` (null weights or Σw = 0: U stays on "unallocated")
  for (const t of policyTeams(policy))
    if (isReservedTeamName(t)) throw new Error(`a ${policy.kind} policy cannot name the pseudo-team "${t}"`);
  const weights = policyWeights(policy, direct);
  const shares: Map<string, Decimal> | null = weights ? allocate(U, weights) : null;

  const results: TeamResult[] = [];
  const names = new Set(teams);
  if (shares) for (const [t, s] of shares) if (!s.isZero()) names.add(t);
  for (const team of names) {
    const d = direct.get(team) ?? ZERO;
    const s = shares?.get(team) ?? ZERO;
    results.push({ team, direct: d, unallocatedShare: s, total: d.plus(s) });
  }
  if (!shares && !U.isZero()) results.push({ team: UNALLOCATED, direct: ZERO, unallocatedShare: U, total: U });
  return results.sort((a, b) => cmp(a.team, b.team));
}

/**
 * Convenience: from per-owner costs of one bucket (the non-unallocated rows; several rows per owner are
 * summed) + a resolver (owner → team name, or null for unmapped).
 */
export function allocateOwners(
  ownerCosts: ReadonlyArray<{ ownerId: string; cost: Decimal }>,
  unallocated: Decimal,
  resolve: (ownerId: string) => string | null,
  policy: Policy,
): TeamResult[] {
  const direct = new Map<string, Decimal>();
  for (const { ownerId, cost } of ownerCosts) {
    const team = resolve(ownerId) ?? UNMAPPED;
    direct.set(team, (direct.get(team) ?? ZERO).plus(dec(cost)));
  }
  return allocateBucket(direct, unallocated, policy);
}

/**
 * Group key for reports: by team → team; by cost_center → the team's cost center code;
 * pseudo-teams "unmapped"/"unallocated" stay themselves; a team without a cost center → "unassigned".
 */
export function groupKey(team: string, by: "team" | "cost_center", costCenterOf: (team: string) => string | null | undefined): string {
  if (by === "team" || isReservedTeamName(team)) return team;
  const cc = costCenterOf(team);
  return cc != null && cc.trim() !== "" ? cc : UNASSIGNED;
}

/** The three amounts carried by every result row. */
export interface Amounts {
  direct: Decimal;
  unallocatedShare: Decimal;
  total: Decimal;
}

export type KeyedAmounts<K extends string> = { [P in K]: string } & Amounts;

/**
 * Generic roll-up: groups `rows` by the string fields named in `keys`, sums the three amounts
 * exactly, and returns one row per distinct key tuple, sorted by the key fields in the order
 * given (plain string compare). Only the key fields and amounts are kept.
 *
 * Typical use: map bucket results to { period, org, group } (period = periodStart(bucket, view),
 * group = groupKey(team, by, costCenterOf)) and `rollup(rows, ["period", "org", "group"])`.
 */
export function rollup<K extends string>(rows: Iterable<KeyedAmounts<K>>, keys: readonly K[]): Array<KeyedAmounts<K>> {
  if (keys.length === 0) throw new Error("rollup needs at least one key field");
  const groups = new Map<string, KeyedAmounts<K>>();
  for (const row of rows) {
    const parts = keys.map((k) => {
      const v = row[k];
      if (typeof v !== "string") throw new Error(`rollup: key field "${k}" must be a string`);
      return v;
    });
    const id = JSON.stringify(parts);
    const g = groups.get(id);
    if (g) {
      g.direct = g.direct.plus(row.direct);
      g.unallocatedShare = g.unallocatedShare.plus(row.unallocatedShare);
      g.total = g.total.plus(row.total);
    } else {
      const fresh = { direct: dec(row.direct), unallocatedShare: dec(row.unallocatedShare), total: dec(row.total) } as KeyedAmounts<K>;
      keys.forEach((k, i) => ((fresh as Record<string, unknown>)[k] = parts[i]));
      groups.set(id, fresh);
    }
  }
  return [...groups.values()].sort((a, b) => {
    for (const k of keys) {
      const c = cmp(a[k], b[k]);
      if (c !== 0) return c;
    }
    return 0;
  });
}
