/**
 * The GL account mapping as CSV (docs/journal.md "CSV import"): one mapping a line,
 *
 * ```
 * scope,key,account,org_id
 * cost_center,CC-100,6100,
 * org_default,org-prod,6190,
 * clearing,*,2100,
 * suspense,*,6999,
 * suspense,unmapped,6998,org-prod
 * ```
 *
 * - Header: exactly the columns `scope`, `key`, `account` and the optional `org_id`, by name,
 *   case-insensitive, in any order (./header.ts). An unknown column is an ERROR: a misspelt
 *   `org_id` silently dropped would widen its mappings to every organization.
 * - `scope`: cost_center (key = a cost center code), org_default (key = an organization id),
 *   clearing (key = an organization id or `*`), suspense (key = `unmapped`, `unassigned`,
 *   `unallocated` or `*`). A cost center or organization must exist (an error naming the line
 *   otherwise): a mapping of a misspelt code would never apply.
 * - `org_id`: empty = every organization; an organization narrows a cost_center or suspense
 *   mapping to it (and wins over the all-org one). Empty for org_default and clearing, whose key
 *   is the organization.
 * - `account`: the GL account code (app/domain/journal.ts `accountProblem`).
 * - A (scope, key, org_id) appears once per file. Cells are trimmed; blank lines are skipped;
 *   one leading apostrophe of the writer's formula protection is taken off (./rules.ts).
 *
 * All-or-nothing: every mapping, or every problem by line, column, value and rule. Pure.
 */
import { compareGlAccounts, glAccountProblems, sameGlKey, type GlAccount, type GlRefs, type GlScope } from "../journal";
import type { CsvRecord } from "./crosswalk";
import { issueWithOwnRules, issuesByLine, matchFixedHeader } from "./fixed-columns";
import { checkFieldCount, type ColumnSpec } from "./header";
import { IssueList, type ValidationIssue } from "./issues";
import { protectCell, unprotectCell } from "./rules";

export const GL_CSV_COLUMNS = [
  { name: "scope", aliases: [], required: true },
  { name: "key", aliases: [], required: true },
  { name: "account", aliases: [], required: true },
  { name: "org_id", aliases: [], required: false },
] as const satisfies readonly ColumnSpec[];

export type GlCsvColumn = (typeof GL_CSV_COLUMNS)[number]["name"];

/** The canonical header, as `list` and the download write it. */
export const GL_CSV_HEADER: readonly GlCsvColumn[] = GL_CSV_COLUMNS.map((c) => c.name);

/** The rule ids of this file's issues that ./issues.ts RULES does not list, with their text. */
export const GL_CSV_RULES: Readonly<Record<string, string>> = {
  "unknown-column": "the columns are scope, key, account and optionally org_id",
  "gl-scope": "scope is cost_center, org_default, clearing or suspense",
  "gl-key": "the key names what the scope maps: a known cost center, a known organization (clearing: or *), a pseudo cost center or *",
  "gl-org": "org_id is empty or a known organization (empty for org_default and clearing)",
  "gl-account": "an account is a code of letters, digits and . _ - / :",
  "duplicate-entry": "a (scope, key, org_id) appears once per file",
};

const issue = issueWithOwnRules((rule) => GL_CSV_RULES[rule]);

export type GlCsvResult =
  { ok: true; accounts: Array<GlAccount & { line: number }> } | { ok: false; errors: ValidationIssue[]; errorCount: number };

/**
 * Parses the GL accounts CSV (header and records as `readCsvRecords` gives them) against the
 * known cost centers and organizations: every mapping (in file order), or every problem by line.
 */
export function parseGlAccountsCsv(
  header: string[],
  records: readonly CsvRecord[],
  refs: GlRefs,
  opts: { headerLine?: number; maxErrors?: number } = {},
): GlCsvResult {
  const headerLine = opts.headerLine ?? 1;
  const all = new IssueList(Number.MAX_SAFE_INTEGER);
  const fail = (): GlCsvResult => ({ ok: false, ...issuesByLine(all, opts.maxErrors ?? 50) });
  const match = matchFixedHeader(header, GL_CSV_COLUMNS, headerLine, all, {
    issue,
    expected: GL_CSV_HEADER.join(","),
    unknownText: (field) =>
      `(field ${field}) is not a GL accounts column (an org_id ignored would widen its mappings to every organization); the header is ${GL_CSV_HEADER.join(",")}`,
  });
  if (!match) return fail();

  const out: Array<GlAccount & { line: number }> = [];
  const seen: Array<GlAccount & { line: number }> = [];
  for (const { fields, line } of records) {
    if (fields.every((f) => f.trim() === "")) continue;
    if (!checkFieldCount(fields, match.fieldCount, line, all)) continue;
    const raw = (c: GlCsvColumn) => {
      const i = match.index.get(c);
      return i === undefined ? "" : fields[i].trim();
    };
    const v = (c: GlCsvColumn) => unprotectCell(raw(c));
    const m = { scope: v("scope"), key: v("key"), orgId: v("org_id"), account: v("account") };
    const problems = glAccountProblems(m, refs);
    for (const p of problems) all.add(issue(line, p.field, raw(p.field), p.rule, p.text));
    if (problems.length) continue;
    const a = { ...m, scope: m.scope as GlScope, line };
    const dup = seen.find((s) => sameGlKey(s, a));
    if (dup) {
      all.add(
        issue(
          line,
          "key",
          raw("key"),
          "duplicate-entry",
          `repeats the mapping of line ${dup.line} (scope ${a.scope}, key ${a.key}, org_id ${a.orgId ? a.orgId : "empty"}): keep one line`,
        ),
      );
      continue;
    }
    seen.push(a);
    out.push(a);
  }
  if (all.count > 0) return fail();
  return { ok: true, accounts: out };
}

/** The canonical CSV of `accounts` (header and cells, sorted by scope, key, org), formula protection of apostrophes applied; write with `toSafeCsv`. */
export function formatGlAccountsCsv(accounts: readonly GlAccount[]): { header: string[]; rows: string[][] } {
  return {
    header: [...GL_CSV_HEADER],
    rows: [...accounts].sort(compareGlAccounts).map((a) => [a.scope, a.key, a.account, a.orgId].map(protectCell)),
  };
}
