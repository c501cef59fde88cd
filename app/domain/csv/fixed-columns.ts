/**
 * What the import files with a fixed column set share (the rules CSV ./rules.ts, the GL accounts
 * CSV ./gl-accounts.ts): issues whose rule text comes from the file's own rule table, a strict
 * header (an unknown column is an error, not a warning: a misspelt column silently dropped would
 * widen what the file says), and every issue listed by line at the end. Pure.
 */
import { matchHeader, normalizeHeaderName, type ColumnSpec, type HeaderMatch } from "./header";
import { IssueList, makeIssue, RULES, type ValidationIssue } from "./issues";

export type IssueFn = (line: number, column: string | null, value: string | null, rule: string, text: string) => ValidationIssue;

/** `makeIssue`, with the rule text `own(rule)` in place of ./issues.ts RULES where it gives one. */
export function issueWithOwnRules(own: (rule: string) => string | undefined): IssueFn {
  return (line, column, value, rule, text) => {
    const i = makeIssue(line, column, value, rule, text);
    const mine = own(rule);
    if (mine === undefined) return i;
    const tail = `(rule: ${RULES[rule] ?? rule})`;
    return { ...i, message: `${i.message.slice(0, i.message.length - tail.length)}(rule: ${mine})` };
  };
}

/** Every issue of `all` ordered by line (stable within a line), the first `max` listed, all counted. */
export function issuesByLine(all: IssueList, max: number): { errors: ValidationIssue[]; errorCount: number } {
  const list = new IssueList(max);
  const byLine = all.issues.map((x, n) => ({ x, n })).sort((a, b) => a.x.line - b.x.line || a.n - b.n);
  for (const { x } of byLine) list.add(x);
  return { errors: list.issues, errorCount: list.count };
}

/**
 * Matches a header against a fixed column set: an empty file, a missing or doubled column and
 * every column not in `specs` (`unknown-column`, `unknownText(field number)`) are issues in
 * `all`. The match, or null when the rows cannot be read (the file is empty or a column is
 * missing or doubled).
 */
export function matchFixedHeader(
  header: string[],
  specs: readonly ColumnSpec[],
  headerLine: number,
  all: IssueList,
  o: { issue: IssueFn; expected: string; unknownText: (field: number) => string },
): HeaderMatch | null {
  if (header.length === 0) {
    all.add(o.issue(0, null, null, "not-empty", `the file is empty: expected the header ${o.expected}`));
    return null;
  }
  const match = matchHeader(header, specs, headerLine, all, []);
  const known = new Set<string>(specs.map((s) => s.name));
  header.forEach((h, i) => {
    if (known.has(normalizeHeaderName(h, i))) return;
    const shown = (i === 0 ? h.replace(/^\uFEFF/, "") : h).trim();
    all.add(o.issue(headerLine, null, shown, "unknown-column", o.unknownText(i + 1)));
  });
  return match;
}
