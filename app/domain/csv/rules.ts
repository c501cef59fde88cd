/**
 * The rules CSV (docs/crosswalk.md "Rules"): the rules file of app/domain/rules.ts written as a
 * CSV, one rule a line, for a team that keeps its mapping in a spreadsheet or in version control:
 *
 * ```
 * position,org_id,name,owner_id,owner_id_prefix,owner_name_op,owner_name_value,owner_name_case_sensitive,owner_kind,environment_id,resource_id,product,team,split,valid_from,valid_to
 * 1,alpha,env-abc to platform,,,starts_with,payments-,,service_account,env-abc,,,platform,,2026-01-01,
 * 2,,shared ingest account,sa-123,,,,,,,,,,payments:60;search:40,,
 * ```
 *
 * It is a faithful second spelling of the JSON: each line is turned into the JSON form of its
 * rule and the whole list is validated by `parseRulesJson`, so a rule is valid in CSV exactly
 * when it is valid in JSON, with the same messages; each JSON path is then located at the line
 * and column it came from (`[2].when.owner_name.regex` → the line of the third rule, column
 * `owner_name_value`), as `ValidationIssue`s like the other CSV imports (./issues.ts).
 * All-or-nothing: every rule, or every problem.
 *
 * - Header: by name, case-insensitive, any order (./header.ts). `org_id` and `name` are
 *   required; every other column is optional (left out = empty on every line). An unknown
 *   column is an ERROR, not a warning as in the other CSVs: a misspelt condition column would
 *   otherwise be dropped and silently widen its rules (JSON refuses unknown keys likewise).
 * - `position`: optional. Without the column, or with it empty on every line, the rules are in
 *   priority order as written. Given, it must be given on every line, each of 1…n once (n the
 *   number of rules), and the rules are ordered by it, whatever the order of the lines.
 * - An empty cell is a key left out: `org_id` empty = every organization (`null`); a condition
 *   empty = not tested; `valid_from` empty = since the beginning; `valid_to` empty = open-ended.
 * - `owner_name_op` (equals / starts_with / ends_with / contains / regex) with
 *   `owner_name_value`; `owner_name_case_sensitive` `true` / `false` / empty (= true), in any
 *   case (spreadsheets write TRUE).
 * - `team` or `split` (exactly one): a split as in the crosswalk CSV, `payments:60;search:40`
 *   (app/domain/splits.ts `parseSplitText`).
 * - Cells are trimmed (no valid value starts or ends with spaces); lines whose cells are all
 *   empty (spreadsheet padding) are skipped.
 * - Formula protection: the CSV writer (app/services/csv.ts `toSafeCsv`) puts an apostrophe
 *   before a cell that starts with `=` `+` `-` `@` (and is not a number). Reading takes one
 *   leading apostrophe off a cell that is apostrophes followed by such a character, and
 *   `formatRulesCsv` adds one to a value of that shape, so every value survives the round trip
 *   (`-foo` → `'-foo` → `-foo`; `'=x` → `''=x` → `'=x`).
 *
 * `formatRulesCsv` returns the canonical rows (the service writes them with `toSafeCsv`):
 * every column, positions 1…n, `owner_name_case_sensitive` written only when false (as the
 * JSON's `case_sensitive`). Reading them back gives the same rules. Limit: a split whose team
 * name contains `;` has no text form; such a rules list can be exported as JSON only.
 *
 * Pure: no I/O.
 */
import { BEGINNING_OF_TIME } from "../crosswalk";
import { InputError } from "../errors";
import { NAME_OPS, parseRulesJson, type Rule } from "../rules";
import { formatSplitObject, formatSplitText, parseSplitText } from "../splits";
import type { CsvRecord } from "./crosswalk";
import { issueWithOwnRules, issuesByLine, matchFixedHeader } from "./fixed-columns";
import { type ColumnSpec, checkFieldCount } from "./header";
import { IssueList, RULES, type ValidationIssue } from "./issues";

export const RULES_CSV_COLUMNS = [
  { name: "position", aliases: [], required: false },
  { name: "org_id", aliases: [], required: true },
  { name: "name", aliases: [], required: true },
  { name: "owner_id", aliases: [], required: false },
  { name: "owner_id_prefix", aliases: [], required: false },
  { name: "owner_name_op", aliases: [], required: false },
  { name: "owner_name_value", aliases: [], required: false },
  { name: "owner_name_case_sensitive", aliases: [], required: false },
  { name: "owner_kind", aliases: [], required: false },
  { name: "environment_id", aliases: [], required: false },
  { name: "resource_id", aliases: [], required: false },
  { name: "product", aliases: [], required: false },
  { name: "team", aliases: [], required: false },
  { name: "split", aliases: [], required: false },
  { name: "valid_from", aliases: [], required: false },
  { name: "valid_to", aliases: [], required: false },
] as const satisfies readonly ColumnSpec[];

export type RulesCsvColumn = (typeof RULES_CSV_COLUMNS)[number]["name"];

/** The canonical header, in this order. */
export const RULES_CSV_HEADER: readonly RulesCsvColumn[] = RULES_CSV_COLUMNS.map((c) => c.name);

/** The conditions written as they are: CSV column = `when` key. */
const PLAIN_CONDITIONS = ["owner_id", "owner_id_prefix", "owner_kind", "environment_id", "resource_id", "product"] as const;

/** The rule ids of this file's issues that ./issues.ts RULES does not list, with their text. */
export const RULES_CSV_RULES: Readonly<Record<string, string>> = {
  "rules-file": "each rule is valid as in the rules JSON file (docs/crosswalk.md#rules)",
  "unique-name": "rule names are unique in the whole list",
  "unknown-column": "every column is a rules CSV column",
  position: "positions are 1…n, each once, on every line or on none",
  "owner-name": `owner_name_op is one of ${NAME_OPS.join(", ")}, given with owner_name_value`,
  boolean: "owner_name_case_sensitive is true, false or empty (= true)",
  split: "a split is team:percent parts separated by ; (payments:60;search:40) summing to 100",
};

/** `makeIssue`, with the text of this file's own rule ids. */
const issue = issueWithOwnRules((rule) => (RULES[rule] === undefined ? RULES_CSV_RULES[rule] : undefined));

// ---------------------------------------------------------------------------------------------
// Formula protection
// ---------------------------------------------------------------------------------------------

/** One or more apostrophes, then a character that starts a spreadsheet formula. */
const QUOTED = /^'+[=+\-@\t\r]/;

/**
 * A value as the rules CSV carries it before the writer's formula neutralisation: one more
 * apostrophe before a value that is apostrophes followed by a formula character (`'=x` → `''=x`).
 * A value that starts with the formula character itself is left to the writer (`-x` → `'-x`).
 */
export function protectCell(value: string): string {
  return QUOTED.test(value) ? `'${value}` : value;
}

/** The value of a (trimmed) cell: one leading apostrophe off `'=…`, `''-…` (see `protectCell`). */
export function unprotectCell(cell: string): string {
  return QUOTED.test(cell) ? cell.slice(1) : cell;
}

// ---------------------------------------------------------------------------------------------
// Parse
// ---------------------------------------------------------------------------------------------

export interface RulesCsvOptions {
  /** line of the header record (default: 1) */
  headerLine?: number;
  /** issues listed (all are counted); default 50 */
  maxErrors?: number;
}

export type RulesCsvResult =
  | { ok: true; rules: Rule[] }
  | {
      ok: false;
      /** the first maxErrors, by line */
      errors: ValidationIssue[];
      errorCount: number;
    };

interface Line {
  line: number;
  /** trimmed cell as written, by column (missing column = "") */
  raw: (c: RulesCsvColumn) => string;
  /** the value: trimmed, formula protection taken off */
  value: (c: RulesCsvColumn) => string;
  /** columns with a CSV-level problem (their JSON problems are not repeated) */
  bad: Set<RulesCsvColumn | null>;
}

/** The JSON path of a rule's field (after `[i]`) → the column it came from. */
function columnOf(path: string, l: Line): RulesCsvColumn | null {
  const p = path.replace(/^\[\d+\]\.?/, "");
  if (p === "org_id" || p === "name" || p === "valid_from" || p === "valid_to") return p;
  if (p === "when.owner_name") return "owner_name_op";
  if (p === "when.owner_name.case_sensitive") return "owner_name_case_sensitive";
  if (p.startsWith("when.owner_name.")) return "owner_name_value";
  const cond = PLAIN_CONDITIONS.find((c) => p === `when.${c}`);
  if (cond) return cond;
  if (p === "then.team") return "team";
  if (p === "then.split" || p.startsWith("then.split.") || p.startsWith("then.split[")) return "split";
  if (p === "then") return l.value("split") !== "" ? "split" : "team";
  return null;
}

function ruleIdOf(column: RulesCsvColumn | null, message: string): string {
  if (column === "valid_from") return "date";
  if (column === "valid_to") return /must be after/.test(message) ? "valid-to-after-from" : "date";
  if (column === "name" && /already used by rule #/.test(message)) return "unique-name";
  return "rules-file";
}

/** The JSON form of one line's rule (parseRulesJson validates it); CSV-only problems go to `err`. */
function ruleJsonOf(l: Line, err: (c: RulesCsvColumn, rule: string, text: string) => void): Record<string, unknown> {
  const v = l.value;
  const when: Record<string, unknown> = {};
  for (const c of PLAIN_CONDITIONS) if (v(c) !== "") when[c] = v(c);

  const op = v("owner_name_op");
  const nameValue = v("owner_name_value");
  const cs = v("owner_name_case_sensitive");
  let caseSensitive: boolean | undefined;
  if (cs !== "") {
    const b = cs.toLowerCase();
    if (b === "true" || b === "false") caseSensitive = b === "true";
    else err("owner_name_case_sensitive", "boolean", "is not true, false or empty (= true)");
  }
  if (op !== "") {
    if (!(NAME_OPS as readonly string[]).includes(op)) err("owner_name_op", "owner-name", `is not one of ${NAME_OPS.join(", ")}`);
    else {
      // an empty value is the JSON's problem ("owner_name.starts_with is empty"), on owner_name_value
      const n: Record<string, unknown> = { [op]: nameValue };
      if (caseSensitive !== undefined) n.case_sensitive = caseSensitive;
      when.owner_name = n;
    }
  } else if (nameValue !== "") {
    err("owner_name_op", "owner-name", `is empty but owner_name_value is given: name the operator (${NAME_OPS.join(", ")})`);
  } else if (cs !== "") {
    err("owner_name_op", "owner-name", "is empty but owner_name_case_sensitive is given (it applies to an owner_name condition)");
  }

  const then: Record<string, unknown> = {};
  if (v("team") !== "") then.team = v("team");
  const splitText = v("split");
  if (splitText !== "") {
    const s = parseSplitText(splitText);
    if (s.ok) then.split = formatSplitObject(s.split);
    else for (const e of s.errors) err("split", "split", `is not a valid split: ${e.message}`);
  }

  const out: Record<string, unknown> = { org_id: v("org_id") === "" ? null : v("org_id"), name: v("name"), when, then };
  if (v("valid_from") !== "") out.valid_from = v("valid_from");
  out.valid_to = v("valid_to") === "" ? null : v("valid_to");
  return out;
}

/**
 * Parses the rules CSV (header and records as `readCsvRecords` gives them; see the module
 * comment): every rule in priority order, or every problem located by line and column.
 */
export function parseRulesCsv(header: string[], records: readonly CsvRecord[], opts: RulesCsvOptions = {}): RulesCsvResult {
  const headerLine = opts.headerLine ?? 1;
  // every issue, in the order found; listed by line at the end
  const all = new IssueList(Number.MAX_SAFE_INTEGER);
  const fail = (): RulesCsvResult => ({ ok: false, ...issuesByLine(all, opts.maxErrors ?? 50) });

  const match = matchFixedHeader(header, RULES_CSV_COLUMNS, headerLine, all, {
    issue,
    expected: RULES_CSV_HEADER.join(","),
    unknownText: (field) =>
      `(field ${field}) is not a rules CSV column (a condition ignored would widen its rules); the columns are ${RULES_CSV_HEADER.join(", ")}`,
  });
  if (!match) return fail();

  const lines: Line[] = [];
  for (const { fields, line } of records) {
    if (fields.every((f) => f.trim() === "")) continue;
    if (!checkFieldCount(fields, match.fieldCount, line, all)) continue;
    const raw = (c: RulesCsvColumn) => {
      const i = match.index.get(c);
      return i === undefined ? "" : fields[i].trim();
    };
    lines.push({ line, raw, value: (c) => unprotectCell(raw(c)), bad: new Set() });
  }
  const lineErr = (l: Line, c: RulesCsvColumn | null, rule: string, text: string) => {
    l.bad.add(c);
    all.add(issue(l.line, c, c === null ? null : l.raw(c), rule, text));
  };

  // the order: by position when given
  let ordered = lines;
  if (match.index.has("position") && lines.some((l) => l.value("position") !== "")) {
    const n = lines.length;
    const seen = new Map<number, number>();
    let okOrder = true;
    const at = new Map<Line, number>();
    for (const l of lines) {
      const p = l.value("position");
      const bad = (text: string) => {
        okOrder = false;
        lineErr(l, "position", "position", text);
      };
      if (p === "") bad("is empty while other lines give a position: give every line its position (1…n), or none");
      else if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > n) bad(`is not a position 1…${n} (the file has ${n} rules)`);
      else if (seen.has(Number(p))) bad(`repeats the position of line ${seen.get(Number(p))}`);
      else {
        seen.set(Number(p), l.line);
        at.set(l, Number(p));
      }
    }
    if (okOrder) ordered = [...lines].sort((a, b) => (at.get(a) as number) - (at.get(b) as number));
  }

  const json = ordered.map((l) => ruleJsonOf(l, (c, rule, text) => lineErr(l, c, rule, text)));
  const parsed = parseRulesJson(json);
  if (parsed.ok && all.count === 0) return { ok: true, rules: parsed.rules };
  if (!parsed.ok) {
    for (const e of parsed.errors) {
      if (e.index === null) {
        all.add(issue(headerLine, null, null, "rules-file", e.message));
        continue;
      }
      const l = ordered[e.index];
      const c = columnOf(e.path, l);
      if (l.bad.has(c)) continue; // already reported in CSV terms
      // "already used by rule #2" names a position: add its line
      const message = e.message.replace(/\brule #(\d+)/g, (m, k: string) => {
        const other = ordered[Number(k) - 1];
        return other ? `${m} (line ${other.line})` : m;
      });
      all.add(issue(l.line, c, c === null ? null : l.raw(c), ruleIdOf(c, message), c === null ? message : `is refused: ${message}`));
    }
  }
  return fail();
}

// ---------------------------------------------------------------------------------------------
// Format
// ---------------------------------------------------------------------------------------------

/**
 * The canonical rules CSV of `rules` (in their order) as a header and rows of cells, formula
 * protection of apostrophes applied (`protectCell`); write them with `toSafeCsv`
 * (app/services/csv.ts). `parseRulesCsv` of the written file gives the same rules (without ids).
 * Throws an InputError when a split team's name contains `;` (no text form: export JSON).
 */
export function formatRulesCsv(rules: readonly Rule[]): { header: string[]; rows: string[][] } {
  const rows = rules.map((r, i) => {
    const w = r.when;
    const n = w.ownerName;
    let split = "";
    if ("split" in r.then) {
      const semi = r.then.split.find((s) => s.team.includes(";"));
      if (semi)
        throw new InputError(
          `rule ${JSON.stringify(r.name)}: the split's team ${JSON.stringify(semi.team)} contains ";", which the CSV split column cannot write; export the rules as JSON`,
          { field: "format" },
        );
      split = formatSplitText(r.then.split);
    }
    const cells: Record<RulesCsvColumn, string> = {
      position: String(i + 1),
      org_id: r.orgId ?? "",
      name: r.name,
      owner_id: w.ownerId ?? "",
      owner_id_prefix: w.ownerIdPrefix ?? "",
      owner_name_op: n?.op ?? "",
      owner_name_value: n?.value ?? "",
      owner_name_case_sensitive: n && !n.caseSensitive ? "false" : "",
      owner_kind: w.ownerKind ?? "",
      environment_id: w.environmentId ?? "",
      resource_id: w.resourceId ?? "",
      product: w.product ?? "",
      team: "team" in r.then ? r.then.team : "",
      split,
      valid_from: r.validFrom === BEGINNING_OF_TIME ? "" : r.validFrom,
      valid_to: r.validTo ?? "",
    };
    return RULES_CSV_HEADER.map((c) => protectCell(cells[c]));
  });
  return { header: [...RULES_CSV_HEADER], rows };
}
