/**
 * Validators of the other CSV inputs: the crosswalk (docs/crosswalk.md), teams and owner display
 * names (docs/crosswalk.md, docs/cli.md). The caller parses the CSV; import is all-or-nothing, decided by the
 * caller from `errorCount`. Entries are returned for the valid lines only.
 * Pure: no I/O.
 */
import { type ColumnSpec, checkFieldCount, matchHeader, normalizeHeaderName } from "./header";
import { IssueList, type ValidationIssue, makeIssue } from "./issues";
import { parseDate } from "./values";
import { RESERVED_TEAM_NAMES, UNALLOCATED_OWNER_ID } from "../vocabulary";
import { BEGINNING_OF_TIME, periodsOverlap, validFromField, validFromLabel } from "../crosswalk";
import { parseSplitText, teamNameProblem, type Split } from "../splits";

export interface CsvRecord {
  fields: string[];
  line: number;
}

export interface CsvValidation<E> {
  entries: E[];
  /** the first maxErrors (default 50) */
  errors: ValidationIssue[];
  errorCount: number;
  warnings: string[];
}

export interface CsvValidateOptions {
  /** line of the header record (default: 1) */
  headerLine?: number;
  /** errors listed (all are counted); default 50 */
  maxErrors?: number;
  /**
   * Accept the optional `split` column (crosswalk CSV only). Off until entries can store a
   * split: without it a `split` column is an unknown column, as before.
   */
  splits?: boolean;
}

export interface CrosswalkCsvEntry {
  line: number;
  orgId: string;
  ownerId: string;
  /** the team; "" when the row gives a `split` instead */
  team: string;
  /** YYYY-MM-DD, inclusive; BEGINNING_OF_TIME when the file leaves it empty */
  validFrom: string;
  /** YYYY-MM-DD, exclusive; null = open-ended */
  validTo: string | null;
  costCenter: string | null;
  note: string | null;
  /**
   * The row's split (app/domain/splits.ts), in place of `team`; null when the row gives a team.
   * Absent when the file has no `split` column, so such files parse exactly as before.
   */
  split?: Split | null;
}

export interface TeamCsvEntry {
  line: number;
  team: string;
  costCenter: string | null;
}

export interface OwnerNameCsvEntry {
  line: number;
  orgId: string;
  ownerId: string;
  displayName: string;
}

export const CROSSWALK_COLUMNS = [
  { name: "org_id", aliases: [], required: true },
  { name: "owner_id", aliases: [], required: true },
  { name: "team", aliases: [], required: true },
  { name: "valid_from", aliases: [], required: true },
  { name: "valid_to", aliases: [], required: true },
  { name: "cost_center", aliases: [], required: false },
  { name: "note", aliases: [], required: false },
] as const satisfies readonly ColumnSpec[];

/**
 * The crosswalk columns when the header names a `split` column: each row then gives a team or a
 * split (exactly one), so `team` is optional (a file of splits only may leave it out).
 * A header without `split` is matched against CROSSWALK_COLUMNS, unchanged.
 */
export const CROSSWALK_SPLIT_COLUMNS = [
  { name: "org_id", aliases: [], required: true },
  { name: "owner_id", aliases: [], required: true },
  { name: "team", aliases: [], required: false },
  { name: "split", aliases: [], required: false },
  { name: "valid_from", aliases: [], required: true },
  { name: "valid_to", aliases: [], required: true },
  { name: "cost_center", aliases: [], required: false },
  { name: "note", aliases: [], required: false },
] as const satisfies readonly ColumnSpec[];

type CrosswalkColumn = (typeof CROSSWALK_COLUMNS)[number] | (typeof CROSSWALK_SPLIT_COLUMNS)[number];

export const TEAMS_COLUMNS = [
  { name: "team", aliases: [], required: true },
  { name: "cost_center", aliases: [], required: true },
] as const satisfies readonly ColumnSpec[];

export const OWNER_NAMES_COLUMNS = [
  { name: "org_id", aliases: [], required: true },
  { name: "owner_id", aliases: [], required: true },
  { name: "display_name", aliases: [], required: true },
] as const satisfies readonly ColumnSpec[];

/** Half-open period overlap, shared with the crosswalk domain (a null end is +∞). */
export { periodsOverlap };

function period(from: string, to: string | null): string {
  return `[${validFromLabel(from)}, ${to ?? "open-ended"})`;
}

/** Shared skeleton: header matching, field counts, per-row accessors. */
function run<C extends ColumnSpec, E>(
  specs: readonly C[],
  header: string[],
  rows: readonly CsvRecord[],
  opts: CsvValidateOptions,
  perRow: (
    get: (c: C["name"]) => string,
    line: number,
    err: (c: C["name"] | null, value: string | null, rule: string, text: string) => void,
    isBad: () => boolean,
  ) => E | null,
  after?: (entries: E[], issues: IssueList, warnings: string[]) => void,
): CsvValidation<E> {
  const issues = new IssueList(opts.maxErrors ?? 50);
  const warnings: string[] = [];
  const headerLine = opts.headerLine ?? 1;
  const entries: E[] = [];
  const match = matchHeader(header, specs, headerLine, issues, warnings);
  if (match) {
    if (rows.length === 0) {
      issues.add(makeIssue(headerLine, null, null, "not-empty", "the file has a header but no data rows"));
    }
    for (const { fields, line } of rows) {
      if (!checkFieldCount(fields, match.fieldCount, line, issues)) continue;
      let bad = false;
      const get = (c: C["name"]) => {
        const i = match.index.get(c);
        return i === undefined ? "" : fields[i].trim();
      };
      const err = (c: C["name"] | null, value: string | null, rule: string, text: string) => {
        bad = true;
        issues.add(makeIssue(line, c, value, rule, text));
      };
      const e = perRow(get, line, err, () => bad);
      if (e !== null && !bad) entries.push(e);
    }
    after?.(entries, issues, warnings);
  }
  return { entries, errors: issues.issues, errorCount: issues.count, warnings };
}

function isReservedTeam(team: string): boolean {
  return (RESERVED_TEAM_NAMES as readonly string[]).includes(team.toLowerCase());
}

/**
 * The crosswalk CSV `org_id,owner_id,team,valid_from,valid_to[,cost_center][,note][,split]`
 * (docs/crosswalk.md).
 * Per line: non-empty org_id/owner_id/team, team not a pseudo-team, owner_id not
 * `unallocated`, valid_from a date or empty (since the beginning: BEGINNING_OF_TIME),
 * valid_to empty or a date after valid_from.
 * With a `split` column (`payments:60;search:40`, app/domain/splits.ts `parseSplitText`): each
 * line gives exactly one of team or split (rule `team-or-split`); a split's percentages are > 0
 * with at most 4 decimals and sum to exactly 100, its teams are distinct and not pseudo-teams
 * (case-insensitive, as the team column); a split line gives no cost_center (a cost center
 * belongs to one team). The entry then has `team: ""` and `split` set; without a split column
 * the entries carry no `split` key at all.
 * Across the file: no two lines of one (org_id, owner_id) with overlapping periods,
 * no team with two different cost centers.
 */
export function validateCrosswalkCsv(
  header: string[],
  rows: readonly CsvRecord[],
  opts: CsvValidateOptions = {},
): CsvValidation<CrosswalkCsvEntry> {
  const hasSplit = opts.splits === true && header.some((h, i) => normalizeHeaderName(h, i) === "split");
  const specs: readonly CrosswalkColumn[] = hasSplit ? CROSSWALK_SPLIT_COLUMNS : CROSSWALK_COLUMNS;
  return run(
    specs,
    header,
    rows,
    opts,
    (get, line, err, isBad) => {
      const orgId = get("org_id");
      const ownerId = get("owner_id");
      const team = get("team");
      const splitRaw = get("split");
      for (const [c, v] of [["org_id", orgId], ["owner_id", ownerId], ...(hasSplit ? [] : [["team", team] as const])] as const) {
        if (v === "") err(c, v, "required-value", "is empty");
      }
      if (hasSplit) {
        if (team === "" && splitRaw === "")
          err("split", splitRaw, "team-or-split", "is empty and so is team: a row gives a team or a split");
        else if (team !== "" && splitRaw !== "") {
          err("split", splitRaw, "team-or-split", `is given with team ${JSON.stringify(team)}: a row gives a team or a split, not both`);
        }
      }
      if (ownerId.toLowerCase() === UNALLOCATED_OWNER_ID) {
        err(
          "owner_id",
          ownerId,
          "unallocated-not-mappable",
          "is the unallocated row's owner, which no team can own (the allocation policy spreads it)",
        );
      }
      if (team !== "" && isReservedTeam(team)) err("team", team, "reserved-team", "is a pseudo-team name");
      let split: Split | null = null;
      if (team === "" && splitRaw !== "") {
        const parsed = parseSplitText(splitRaw);
        if (!parsed.ok) {
          for (const i of parsed.errors) {
            const reserved = i.team !== undefined && isReservedTeam(i.team) && i.message === teamNameProblem(i.team);
            err("split", splitRaw, reserved ? "reserved-team" : "split", `is not a valid split: ${i.message}`);
          }
        } else {
          // the team column refuses pseudo-teams case-insensitively; so does the split column
          for (const s of parsed.split) {
            if (isReservedTeam(s.team))
              err("split", splitRaw, "reserved-team", `is not a valid split: team ${JSON.stringify(s.team)} is a pseudo-team name`);
          }
          split = parsed.split;
        }
        const ccRaw = get("cost_center");
        if (ccRaw !== "")
          err("cost_center", ccRaw, "team-cost-center", "is given on a split row: a cost center belongs to one team, not to a split");
      }
      const fromRaw = get("valid_from");
      const toRaw = get("valid_to");
      // empty valid_from: since the beginning (BEGINNING_OF_TIME)
      const from = fromRaw === "" ? ({ ok: true, value: BEGINNING_OF_TIME } as const) : parseDate(fromRaw);
      if (!from.ok) err("valid_from", fromRaw, "date", from.reason);
      let validTo: string | null = null;
      if (toRaw !== "") {
        const to = parseDate(toRaw);
        if (!to.ok) err("valid_to", toRaw, "date", to.reason);
        else {
          validTo = to.value;
          if (from.ok && !(to.value > from.value)) {
            err("valid_to", toRaw, "valid-to-after-from", `is not after valid_from ${validFromLabel(from.value)}`);
          }
        }
      }
      if (isBad() || !from.ok) return null;
      const cc = get("cost_center");
      const note = get("note");
      const entry: CrosswalkCsvEntry = {
        line,
        orgId,
        ownerId,
        team,
        validFrom: from.value,
        validTo,
        costCenter: cc === "" ? null : cc,
        note: note === "" ? null : note,
      };
      if (hasSplit) entry.split = split;
      return entry;
    },
    (entries, issues) => {
      // overlaps within the file, per (org_id, owner_id)
      const byOwner = new Map<string, CrosswalkCsvEntry[]>();
      for (const e of entries) {
        const key = `${e.orgId}\u0000${e.ownerId}`;
        const list = byOwner.get(key);
        if (list) list.push(e);
        else byOwner.set(key, [e]);
      }
      const bad = new Set<number>();
      for (const list of byOwner.values()) {
        for (let j = 1; j < list.length; j++) {
          for (let i = 0; i < j; i++) {
            const a = list[i];
            const b = list[j];
            if (!periodsOverlap(a.validFrom, a.validTo, b.validFrom, b.validTo)) continue;
            bad.add(b.line);
            issues.add(
              makeIssue(
                b.line,
                "valid_from",
                validFromField(b.validFrom),
                "period-overlap",
                `starts period ${period(b.validFrom, b.validTo)} of org ${JSON.stringify(b.orgId)}, owner ${JSON.stringify(b.ownerId)}, which overlaps line ${a.line} ${period(a.validFrom, a.validTo)}`,
              ),
            );
          }
        }
      }
      // one cost center per team
      const cc = new Map<string, { costCenter: string; line: number }>();
      for (const e of entries) {
        if (e.costCenter === null) continue;
        const seen = cc.get(e.team);
        if (!seen) cc.set(e.team, { costCenter: e.costCenter, line: e.line });
        else if (seen.costCenter !== e.costCenter) {
          bad.add(e.line);
          issues.add(
            makeIssue(
              e.line,
              "cost_center",
              e.costCenter,
              "team-cost-center",
              `gives team ${JSON.stringify(e.team)} a second cost center (line ${seen.line} gives ${JSON.stringify(seen.costCenter)})`,
            ),
          );
        }
      }
      if (bad.size > 0) {
        const kept = entries.filter((e) => !bad.has(e.line));
        entries.length = 0;
        entries.push(...kept);
      }
    },
  );
}

/**
 * The teams CSV `team,cost_center` (cost_center may be empty = none). A team listed
 * twice with different cost centers is an error; an identical repeat is dropped with a warning.
 */
export function validateTeamsCsv(header: string[], rows: readonly CsvRecord[], opts: CsvValidateOptions = {}): CsvValidation<TeamCsvEntry> {
  const seen = new Map<string, TeamCsvEntry>();
  const dupWarnings: string[] = [];
  const result = run(TEAMS_COLUMNS, header, rows, opts, (get, line, err, isBad) => {
    const team = get("team");
    if (team === "") err("team", team, "required-value", "is empty");
    else if (isReservedTeam(team)) err("team", team, "reserved-team", "is a pseudo-team name");
    const ccRaw = get("cost_center");
    const costCenter = ccRaw === "" ? null : ccRaw;
    if (isBad()) return null;
    const prev = seen.get(team);
    if (prev) {
      if (prev.costCenter !== costCenter) {
        err(
          "cost_center",
          ccRaw,
          "team-cost-center",
          `gives team ${JSON.stringify(team)} a different cost center than line ${prev.line} (${prev.costCenter === null ? "none" : JSON.stringify(prev.costCenter)})`,
        );
      } else dupWarnings.push(`line ${line}: team ${JSON.stringify(team)} repeats line ${prev.line}; ignored`);
      return null;
    }
    const e = { line, team, costCenter };
    seen.set(team, e);
    return e;
  });
  result.warnings.push(...dupWarnings);
  return result;
}

/**
 * The owner display names CSV `org_id,owner_id,display_name` (all non-empty). One
 * (org_id, owner_id) given two different names is an error; an identical repeat is dropped with a warning.
 */
export function validateOwnerNamesCsv(
  header: string[],
  rows: readonly CsvRecord[],
  opts: CsvValidateOptions = {},
): CsvValidation<OwnerNameCsvEntry> {
  const seen = new Map<string, OwnerNameCsvEntry>();
  const dupWarnings: string[] = [];
  const result = run(OWNER_NAMES_COLUMNS, header, rows, opts, (get, line, err, isBad) => {
    const orgId = get("org_id");
    const ownerId = get("owner_id");
    const displayName = get("display_name");
    for (const [c, v] of [
      ["org_id", orgId],
      ["owner_id", ownerId],
      ["display_name", displayName],
    ] as const) {
      if (v === "") err(c, v, "required-value", "is empty");
    }
    if (isBad()) return null;
    const key = `${orgId}\u0000${ownerId}`;
    const prev = seen.get(key);
    if (prev) {
      if (prev.displayName !== displayName) {
        err(
          "display_name",
          displayName,
          "duplicate-entry",
          `names org ${JSON.stringify(orgId)}, owner ${JSON.stringify(ownerId)} differently from line ${prev.line} (${JSON.stringify(prev.displayName)})`,
        );
      } else
        dupWarnings.push(
          `line ${line}: owner ${JSON.stringify(ownerId)} of org ${JSON.stringify(orgId)} repeats line ${prev.line}; ignored`,
        );
      return null;
    }
    const e = { line, orgId, ownerId, displayName };
    seen.set(key, e);
    return e;
  });
  result.warnings.push(...dupWarnings);
  return result;
}
