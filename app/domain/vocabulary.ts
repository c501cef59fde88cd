/**
 * The shared vocabulary of Showback: every closed set of words the app, the database
 * queries and the command line agree on, declared once (a const tuple, its zod enum and
 * its type). Pure: imports only zod. Other modules re-export from here; zod schemas at the
 * boundaries use `z.enum(GRANULARITIES)` etc. instead of repeating the literals.
 * Allocation policy names are not here: they belong to app/domain/allocation.ts.
 */
import { z } from "zod";

/** Bucket sizes of an export and of a view (docs/export-format.md, docs/allocation.md). */
export const GRANULARITIES = ["daily", "weekly", "monthly"] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const GranularitySchema = z.enum(GRANULARITIES);
export function isGranularity(s: unknown): s is Granularity {
  return typeof s === "string" && (GRANULARITIES as readonly string[]).includes(s);
}

/**
 * User roles (docs/auth.md): `team_viewer` reads the figures of its scope (teams and/or cost
 * centers) only, `viewer` reads everything, `finance_admin` reads and changes everything.
 */
export const ROLES = ["team_viewer", "viewer", "finance_admin"] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** Status of a stored import: a re-ingest of the same scope supersedes the previous one (docs/export-format.md). */
export const IMPORT_STATUSES = ["active", "superseded"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const ImportStatusSchema = z.enum(IMPORT_STATUSES);

/** Outcome of reconciling one (org, month) against its invoice (docs/reconciliation.md). */
export const RECONCILE_STATUSES = ["matched", "mismatch", "no_invoice", "no_data"] as const;
export type ReconcileStatus = (typeof RECONCILE_STATUSES)[number];
export const ReconcileStatusSchema = z.enum(RECONCILE_STATUSES);

/** Outcome of one month-end check (docs/reconciliation.md). */
export const CHECK_STATUSES = ["pass", "warn", "fail"] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
export const CheckStatusSchema = z.enum(CHECK_STATUSES);

/** What a report or dashboard groups cost by. */
export const GROUP_BYS = ["team", "cost_center"] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
export const GroupBySchema = z.enum(GROUP_BYS);

/** Output formats of `npm run report` (docs/cli.md). */
export const REPORT_FORMATS = ["csv", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const ReportFormatSchema = z.enum(REPORT_FORMATS);

/**
 * Pseudo-teams (docs/allocation.md, docs/crosswalk.md): cost whose owner has no crosswalk
 * entry, and the unallocated amount not spread by the policy; and, when grouping by cost
 * center, the pseudo cost center of teams without one.
 */
export const UNMAPPED = "unmapped";
export const UNALLOCATED = "unallocated";
/** The owner id of the export's unallocated row (any case in the file; stored lowercase): not a team, never mappable. */
export const UNALLOCATED_OWNER_ID = "unallocated";
export const UNASSIGNED = "unassigned";
/**
 * What a scoped viewer (role `team_viewer`) sees in place of every team outside its scope,
 * the pseudo-teams included: one line, no breakdown (app/domain/scope.ts).
 */
export const OTHER_TEAMS = "other teams";
/** The pseudo-groups a report or dashboard may show beside real teams and cost centers. */
export const DISPLAY_PSEUDO_GROUPS = [UNMAPPED, UNALLOCATED, UNASSIGNED, OTHER_TEAMS] as const;
export type DisplayPseudoGroup = (typeof DISPLAY_PSEUDO_GROUPS)[number];
export function isDisplayPseudoGroup(s: string): s is DisplayPseudoGroup {
  return (DISPLAY_PSEUDO_GROUPS as readonly string[]).includes(s);
}
/**
 * The pseudo-teams: names no team, crosswalk entry or policy may use
 * (UNASSIGNED is a cost-center pseudo-group only, so it may name a team).
 */
export const RESERVED_TEAM_NAMES = [UNMAPPED, UNALLOCATED, OTHER_TEAMS] as const;
export type ReservedTeamName = (typeof RESERVED_TEAM_NAMES)[number];
export function isReservedTeamName(s: string): s is ReservedTeamName {
  return (RESERVED_TEAM_NAMES as readonly string[]).includes(s);
}
