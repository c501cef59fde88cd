/**
 * What a team name and a cost center code may be (docs/crosswalk.md): the one rule for the
 * admin forms (also checked in the browser) and the team services.
 */
import { InputError } from "./errors";
import { isReservedTeamName } from "./vocabulary";

/** Why `name` (trimmed) cannot name a team, or null when it can. */
export function teamNameProblem(name: string): string | null {
  const n = name.trim();
  if (!n) return "The team name is empty.";
  if (n.length > 100) return "The team name is longer than 100 characters.";
  if (isReservedTeamName(n.toLowerCase())) return `"${n}" is a pseudo-team name and cannot be used for a team.`;
  return null;
}

/** Why `code` (trimmed; empty = no cost center) cannot be a cost center code, or null when it can. */
export function costCenterProblem(code: string | null | undefined): string | null {
  const c = (code ?? "").trim();
  if (c.length > 50) return "The cost center code is longer than 50 characters.";
  return null;
}

/** The trimmed team name; InputError (field `name`) when it cannot name a team. */
export function checkTeamName(name: string): string {
  const p = teamNameProblem(name);
  if (p) throw new InputError(p, { field: "name" });
  return name.trim();
}

/** The trimmed cost center code, null for none; InputError (field `cost_center`) when too long. */
export function checkCostCenter(code: string | null | undefined): string | null {
  const p = costCenterProblem(code);
  if (p) throw new InputError(p, { field: "cost_center" });
  return (code ?? "").trim() || null;
}
