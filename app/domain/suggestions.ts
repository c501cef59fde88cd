/**
 * Suggested teams for the unmapped queue (docs/crosswalk.md): where the owners around an
 * unmapped owner already agree, the queue proposes their team, with the evidence in words.
 *
 * For an unmapped owner, in the period shown:
 * 1. resource majority: for each resource (cluster) the owner has cost on, the OTHER owners'
 *    mapped cost there (any team, not the pseudo-teams) is summed per team; when one team has
 *    at least MAJORITY_SHARE (75 %) of it and at least MIN_OWNERS (2) distinct owners map to that
 *    team there, it is suggested: "3 of 4 owners on lkc-abc (92 % of its cost) map to payments".
 *    The owner's resources are tried largest cost first (ties by id); the first that qualifies wins;
 * 2. otherwise the same on the owner's environments;
 * 3. otherwise, when the owner has no display name and a rule of its organization (or of every
 *    organization) has an `owner_name` condition, a hint to import names; no team is suggested.
 * Empty environment and resource ids (org-level rows) are never evidence.
 *
 * Tie-breaks, so the same data always gives the same answer: a scope's teams by cost (highest
 * first), then by number of owners (most first), then by name; the owner's scopes by its cost
 * there (highest first), then by id. The percentage shown is rounded DOWN to a whole number,
 * so it never overstates the evidence (74.9 % does not qualify and is never shown as 75 %).
 *
 * Pure: imports only the domain.
 */
import { dec, ZERO, Decimal } from "./money";
import type { Rule } from "./rules";
import { UNALLOCATED, UNMAPPED } from "./vocabulary";

/** The share of the scope's mapped cost one team needs (inclusive). */
export const MAJORITY_SHARE = "0.75";
/** The distinct owners that must map to that team on the scope. */
export const MIN_OWNERS = 2;

/** Mapped cost of one owner on one (environment, resource) to one team in the period. */
export interface MappedCost {
  orgId: string;
  ownerId: string;
  environmentId: string;
  resourceId: string;
  team: string;
  cost: string;
}

/** An unmapped owner as the suggestion needs it: its unmapped cost per resource and per environment. */
export interface OwnerUsage {
  orgId: string;
  ownerId: string;
  hasDisplayName: boolean;
  resources: ReadonlyArray<{ id: string; cost: string }>;
  environments: ReadonlyArray<{ id: string; cost: string }>;
}

export type ScopeKind = "resource" | "environment";

/** One team's hold on a scope's mapped cost. */
export interface Majority {
  team: string;
  /** distinct owners mapping to `team` there */
  owners: number;
  /** distinct owners with mapped cost there */
  of: number;
  /** team cost / mapped cost, exact */
  share: string;
  /** the share in percent, rounded down to a whole number */
  pct: string;
  /** the scope's mapped cost */
  cost: string;
}

export type Suggestion =
  | { kind: "team"; team: string; basis: ScopeKind; scopeId: string; evidence: string; majority: Majority }
  | { kind: "hint"; evidence: string };

/** The hint's text (no team is suggested). */
export const NAME_HINT = "a rule matches on display names: import names (npm run crosswalk -- names …)";

const isTeam = (t: string) => t !== "" && t !== UNMAPPED && t !== UNALLOCATED;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The leading team of a scope's mapped cost (rows of that scope only), leaving out
 * `excludeOwner`; null when nothing is mapped there or the mapped cost is not positive.
 * Whether it is strong enough is `isStrong`.
 */
export function leadingTeam(rows: ReadonlyArray<Pick<MappedCost, "ownerId" | "team" | "cost">>, excludeOwner?: string): Majority | null {
  // per owner and team first: an owner counts for a team when its cost there is not zero
  const perOwnerTeam = new Map<string, { ownerId: string; team: string; cost: Decimal }>();
  for (const r of rows) {
    if (!isTeam(r.team) || r.ownerId === excludeOwner) continue;
    const k = `${r.ownerId}\u0000${r.team}`;
    const e = perOwnerTeam.get(k);
    if (e) e.cost = e.cost.plus(dec(r.cost));
    else perOwnerTeam.set(k, { ownerId: r.ownerId, team: r.team, cost: dec(r.cost) });
  }
  const teams = new Map<string, { cost: Decimal; owners: Set<string> }>();
  const owners = new Set<string>();
  let total = ZERO;
  for (const e of perOwnerTeam.values()) {
    if (e.cost.isZero()) continue;
    owners.add(e.ownerId);
    total = total.plus(e.cost);
    const t = teams.get(e.team) ?? { cost: ZERO, owners: new Set<string>() };
    t.cost = t.cost.plus(e.cost);
    t.owners.add(e.ownerId);
    teams.set(e.team, t);
  }
  if (!total.gt(0)) return null;
  const [best] = [...teams.entries()].sort(([ta, a], [tb, b]) => b.cost.comparedTo(a.cost) || b.owners.size - a.owners.size || cmp(ta, tb));
  if (!best) return null;
  const share = best[1].cost.div(total);
  return {
    team: best[0],
    owners: best[1].owners.size,
    of: owners.size,
    share: share.toFixed(),
    pct: share.times(100).toDecimalPlaces(0, Decimal.ROUND_DOWN).toFixed(),
    cost: total.toFixed(),
  };
}

/** At least MAJORITY_SHARE of the cost and MIN_OWNERS owners. */
export const isStrong = (m: Majority | null): m is Majority => m !== null && dec(m.share).gte(MAJORITY_SHARE) && m.owners >= MIN_OWNERS;

/** "3 of 4 owners on lkc-abc (92 % of its cost) map to payments" */
export const evidenceText = (m: Majority, scopeId: string) =>
  `${m.owners} of ${m.of} owners on ${scopeId} (${m.pct} % of its cost) map to ${m.team}`;

/** Whether a rule that can apply to `orgId` has an owner_name condition (display names matter there). */
export function hasNameRule(rules: ReadonlyArray<Pick<Rule, "orgId" | "when">>, orgId: string): boolean {
  return rules.some((r) => (r.orgId === null || r.orgId === orgId) && r.when.ownerName !== undefined);
}

/** The owner's scopes, largest cost first (ties by id), empty ids left out. */
const ordered = (scopes: OwnerUsage["resources"]) =>
  scopes.filter((s) => s.id !== "").sort((a, b) => dec(b.cost).comparedTo(dec(a.cost)) || cmp(a.id, b.id));

export interface Suggester {
  /** The suggestion for one unmapped owner (null: no strong evidence and no hint). */
  forOwner(o: OwnerUsage): Suggestion | null;
  /** The strong majority of all the mapped cost on one scope (for a rule on it), or null. */
  forScope(orgId: string, kind: ScopeKind, id: string): (Majority & { evidence: string }) | null;
}

/**
 * Builds the suggester over the period's mapped cost. `nameRules(orgId)`: whether display names
 * matter for the org's rules (`hasNameRule`).
 */
export function createSuggester(mapped: readonly MappedCost[], nameRules: (orgId: string) => boolean): Suggester {
  const byScope = new Map<string, MappedCost[]>();
  const push = (k: string, r: MappedCost) => {
    const list = byScope.get(k);
    if (list) list.push(r);
    else byScope.set(k, [r]);
  };
  const key = (orgId: string, kind: ScopeKind, id: string) => `${orgId}\u0000${kind}\u0000${id}`;
  for (const r of mapped) {
    if (!isTeam(r.team)) continue;
    if (r.resourceId !== "") push(key(r.orgId, "resource", r.resourceId), r);
    if (r.environmentId !== "") push(key(r.orgId, "environment", r.environmentId), r);
  }
  const strongOn = (orgId: string, kind: ScopeKind, id: string, exclude?: string) => {
    const m = leadingTeam(byScope.get(key(orgId, kind, id)) ?? [], exclude);
    return isStrong(m) ? m : null;
  };
  return {
    forOwner(o) {
      const tries: Array<[ScopeKind, OwnerUsage["resources"]]> = [
        ["resource", o.resources],
        ["environment", o.environments],
      ];
      for (const [kind, scopes] of tries)
        for (const s of ordered(scopes)) {
          const m = strongOn(o.orgId, kind, s.id, o.ownerId);
          if (m) return { kind: "team", team: m.team, basis: kind, scopeId: s.id, evidence: evidenceText(m, s.id), majority: m };
        }
      if (!o.hasDisplayName && nameRules(o.orgId)) return { kind: "hint", evidence: NAME_HINT };
      return null;
    },
    forScope(orgId, kind, id) {
      if (id === "") return null;
      const m = strongOn(orgId, kind, id);
      return m ? { ...m, evidence: evidenceText(m, id) } : null;
    },
  };
}

/** An environment's unmapped cost in the queue, with the owners on it. */
export interface EnvironmentGroup {
  orgId: string;
  environmentId: string;
  cost: string;
  owners: string[];
}

/**
 * The queue's owners grouped by (org, environment): unmapped cost per environment, largest first
 * (ties by org, then environment id); the owners on each by their cost there (highest first, ties
 * by id). The empty environment id is the org-level rows.
 */
export function groupByEnvironment(
  owners: ReadonlyArray<{ orgId: string; ownerId: string; environments: ReadonlyArray<{ id: string; cost: string }> }>,
): EnvironmentGroup[] {
  const acc = new Map<string, { orgId: string; environmentId: string; cost: Decimal; owners: Map<string, Decimal> }>();
  for (const o of owners)
    for (const e of o.environments) {
      const k = `${o.orgId}\u0000${e.id}`;
      const g = acc.get(k) ?? { orgId: o.orgId, environmentId: e.id, cost: ZERO, owners: new Map<string, Decimal>() };
      g.cost = g.cost.plus(dec(e.cost));
      g.owners.set(o.ownerId, (g.owners.get(o.ownerId) ?? ZERO).plus(dec(e.cost)));
      acc.set(k, g);
    }
  return [...acc.values()]
    .sort((a, b) => b.cost.comparedTo(a.cost) || cmp(a.orgId, b.orgId) || cmp(a.environmentId, b.environmentId))
    .map((g) => ({
      orgId: g.orgId,
      environmentId: g.environmentId,
      cost: g.cost.toFixed(),
      owners: [...g.owners.entries()].sort((a, b) => b[1].comparedTo(a[1]) || cmp(a[0], b[0])).map(([id]) => id),
    }));
}

/**
 * The name proposed for a rule on an environment: "<env> to <team>" (the env's display name
 * with its id when known), or "environment <env>" when no team is suggested. At most 200 characters.
 */
export function environmentRuleName(environmentId: string, displayName: string | null, team: string | null): string {
  const env = displayName && displayName.trim() ? `${displayName.trim()} (${environmentId})` : environmentId;
  return (team ? `${env} to ${team}` : `environment ${env}`).slice(0, 200).trim();
}
