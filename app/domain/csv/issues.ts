/**
 * Validation issues shared by every CSV validator (docs/export-format.md, docs/crosswalk.md).
 * Pure: no I/O.
 */
import { MAX_FIELDS, MAX_RECORD_BYTES } from "./limits";

export interface ValidationIssue {
  /** 1-based line of the file (0 = the file as a whole, e.g. no header at all). */
  line: number;
  /** canonical column name, or null when the issue is about the row or the file */
  column: string | null;
  /** the offending raw value, or null */
  value: string | null;
  /** stable rule id, e.g. "decimal", "group-balance" (see RULES) */
  rule: string;
  /** human-readable, names the line, column, value and rule */
  message: string;
}

/** Rule ids and the human-readable rule they stand for. */
export const RULES: Readonly<Record<string, string>> = {
  "missing-columns": "every required column is present",
  "duplicate-column": "each column appears once in the header",
  "field-count": "every row has the header's field count",
  "required-value": "this column must not be empty",
  timestamp: "timestamps are bucket starts at 00:00:00 UTC",
  granularity: "all buckets share one granularity: daily (any day), weekly (a Monday), monthly (the 1st)",
  decimal: "money fields are plain decimals",
  "usage-share-range": "usage_share is within [0, 1]",
  "unallocated-unique": "at most one unallocated row per bucket",
  "unallocated-amounts": "on the unallocated row chargeback_cost = original_amount",
  "unallocated-share": "on the unallocated row usage_share = 0",
  "group-original-amount": "all rows of a (bucket, resource_id, metric) group carry the same original_amount",
  "group-balance": "a (bucket, resource_id, metric) group's chargeback_cost sums to its original_amount within 0.01 USD",
  "not-empty": "the file is not empty",
  "record-limit": `a record is at most ${MAX_RECORD_BYTES} bytes (1 MiB) long and has at most ${MAX_FIELDS} fields`,
  date: "dates are YYYY-MM-DD calendar dates",
  "valid-to-after-from": "valid_to is empty or strictly after valid_from",
  "period-overlap": "periods of one (org_id, owner_id) never overlap",
  "unallocated-not-mappable": "the unallocated owner cannot be mapped to a team",
  "reserved-team": "unmapped and unallocated are pseudo-teams, not team names",
  "team-cost-center": "a team belongs to exactly one cost center",
  "duplicate-entry": "an entry appears once per file",
};

const MAX_VALUE_IN_MESSAGE = 80;

function quote(s: string): string {
  const short = s.length > MAX_VALUE_IN_MESSAGE ? `${s.slice(0, MAX_VALUE_IN_MESSAGE)}…` : s;
  return JSON.stringify(short);
}

/**
 * Builds an issue whose message reads e.g.
 * `line 7, column "chargeback_cost": value "12,50" is not a decimal (rule: money fields are plain decimals)`.
 * `text` is the problem ("is not a decimal"); with a value it follows `value "…"`.
 */
export function makeIssue(line: number, column: string | null, value: string | null, rule: string, text: string): ValidationIssue {
  let where = line > 0 ? `line ${line}` : "file";
  if (column !== null) where += `, column ${quote(column)}`;
  const what = value !== null ? `value ${quote(value)} ${text}` : text;
  const ruleText = RULES[rule] ?? rule;
  return { line, column, value, rule, message: `${where}: ${what} (rule: ${ruleText})` };
}

/** Collects issues: keeps the first `max`, counts all. */
export class IssueList {
  private readonly list: ValidationIssue[] = [];
  private total = 0;

  constructor(private readonly max = 50) {}

  add(issue: ValidationIssue): void {
    this.total += 1;
    if (this.list.length < this.max) this.list.push(issue);
  }

  /** the first `max` issues, in the order they were added */
  get issues(): ValidationIssue[] {
    return this.list.slice();
  }

  /** the number of issues added, listed or not */
  get count(): number {
    return this.total;
  }
}

/** One issue message a line; ends with "… and N more" when total > listed. */
export function formatIssues(issues: ValidationIssue[], total: number): string {
  const lines = issues.map((i) => i.message);
  if (total > issues.length) lines.push(`… and ${total - issues.length} more`);
  return lines.join("\n");
}
