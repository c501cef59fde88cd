/**
 * Access scope of a scoped viewer (role `team_viewer`, docs/auth.md "Scoped viewers").
 *
 * A scope names teams and/or cost centers. The teams it lets its holder see are the named
 * teams plus every team whose cost center is named (looked up when the request is served, so
 * moving a team between cost centers moves it in or out of scope at once). Every figure of
 * a team outside that set, the pseudo-teams `unmapped` and `unallocated` included, is read
 * as the one pseudo-team OTHER_TEAMS: totals still add up, and nothing about those teams
 * (name, amount, owner, product) is shown apart.
 *
 * `Visible` is what the read models take: null = every team (viewer, finance admin), or the
 * sorted list of visible team names.
 */
import { z } from "zod";
import { OTHER_TEAMS } from "./vocabulary";

export { OTHER_TEAMS };

export interface AccessScope {
  teams: string[];
  costCenters: string[];
}

/** null: no restriction; else the visible team names, sorted, without duplicates. */
export type Visible = readonly string[] | null;

const name = z.string().trim().min(1, "an empty name").max(100, "a name longer than 100 characters");

/** Comma-separated lists from the CLI and the admin form: trimmed, de-duplicated, sorted. */
export const scopeListSchema = z
  .string()
  .optional()
  .transform((s) => (s ?? "").split(",").map((x) => x.trim()))
  .transform((xs) => xs.filter((x) => x.length > 0))
  .pipe(z.array(name).max(200, "at most 200 names"))
  .transform((xs) => [...new Set(xs)].sort());

/** The scope of a team_viewer must name something: an empty scope would show nothing at all. */
export function scopeProblem(s: AccessScope): string | null {
  if (s.teams.length === 0 && s.costCenters.length === 0) {
    return "a team_viewer needs a scope: --teams and/or --cost-centers (comma-separated)";
  }
  if (s.teams.some((t) => t.toLowerCase() === OTHER_TEAMS)) return `"${OTHER_TEAMS}" is not a team`;
  return null;
}

/** The visible team names of a scope, given the current teams and their cost centers. */
export function visibleTeams(scope: AccessScope, teams: ReadonlyArray<{ name: string; costCenter: string | null }>): string[] {
  const cc = new Set(scope.costCenters);
  const out = new Set(scope.teams);
  for (const t of teams) if (t.costCenter !== null && cc.has(t.costCenter)) out.add(t.name);
  return [...out].sort();
}

export const isVisible = (visible: Visible, team: string) => visible === null || visible.includes(team);

/** The team a scoped viewer reads for `team`: itself when visible, else OTHER_TEAMS. */
export const foldTeam = (visible: Visible, team: string) => (isVisible(visible, team) ? team : OTHER_TEAMS);

/** A cost center's figures shown to a scoped viewer count only its visible teams. */
export const describeScope = (s: AccessScope) =>
  [s.teams.length ? `teams ${s.teams.join(", ")}` : "", s.costCenters.length ? `cost centers ${s.costCenters.join(", ")}` : ""]
    .filter(Boolean)
    .join("; ");
