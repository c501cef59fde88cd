/**
 * Header matching shared by the CSV validators: by name, case-insensitive,
 * surrounding spaces and a UTF-8 BOM on the first field ignored, with aliases.
 */
import { type IssueList, makeIssue } from "./issues";

export interface ColumnSpec {
  /** canonical name */
  readonly name: string;
  /** other accepted header names */
  readonly aliases: readonly string[];
  /** must be present in the header */
  readonly required: boolean;
}

export function normalizeHeaderName(raw: string, index: number): string {
  const s = index === 0 ? raw.replace(/^\uFEFF/, "") : raw;
  return s.trim().toLowerCase();
}

export interface HeaderMatch {
  /** canonical column → field index */
  index: Map<string, number>;
  fieldCount: number;
  unknown: string[];
}

/**
 * Matches a header against column specs. Missing required columns (one issue listing
 * expected and found) and duplicates (two fields mapping to one column) are issues;
 * then the result is null (fatal). Unknown columns become one warning.
 */
export function matchHeader(
  fields: string[],
  specs: readonly ColumnSpec[],
  line: number,
  issues: IssueList,
  warnings: string[],
): HeaderMatch | null {
  const byName = new Map<string, ColumnSpec>();
  for (const spec of specs) {
    byName.set(spec.name.toLowerCase(), spec);
    for (const a of spec.aliases) byName.set(a.toLowerCase(), spec);
  }
  const index = new Map<string, number>();
  const unknown: string[] = [];
  let fatal = false;
  const shown = fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, "") : f).trim());
  fields.forEach((raw, i) => {
    const spec = byName.get(normalizeHeaderName(raw, i));
    if (!spec) {
      unknown.push(shown[i]);
      return;
    }
    const prev = index.get(spec.name);
    if (prev !== undefined) {
      fatal = true;
      issues.add(
        makeIssue(
          line,
          spec.name,
          shown[i],
          "duplicate-column",
          `(field ${i + 1}) names the same column as ${JSON.stringify(shown[prev])} (field ${prev + 1})`,
        ),
      );
      return;
    }
    index.set(spec.name, i);
  });
  const missing = specs.filter((s) => s.required && !index.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    fatal = true;
    const expected = specs
      .map((s) => (s.required ? s.name : `${s.name} (optional)`) + (s.aliases.length ? ` [or ${s.aliases.join(", ")}]` : ""))
      .join(", ");
    issues.add(
      makeIssue(
        line,
        null,
        null,
        "missing-columns",
        `the header lacks required column(s) ${missing.join(", ")}; expected: ${expected}; found: ${
          shown.length ? shown.map((s) => JSON.stringify(s)).join(", ") : "(nothing)"
        }`,
      ),
    );
  }
  if (unknown.length > 0) {
    warnings.push(
      `line ${line}: unknown column${unknown.length > 1 ? "s" : ""} ignored: ${unknown.map((u) => JSON.stringify(u)).join(", ")}`,
    );
  }
  return fatal ? null : { index, fieldCount: fields.length, unknown };
}

/** Field-count check shared by the validators; returns true when the row is usable. */
export function checkFieldCount(fields: string[], expected: number, line: number, issues: IssueList): boolean {
  if (fields.length === expected) return true;
  issues.add(
    makeIssue(
      line,
      null,
      null,
      "field-count",
      `the row has ${fields.length} field${fields.length === 1 ? "" : "s"}, the header has ${expected}`,
    ),
  );
  return false;
}
