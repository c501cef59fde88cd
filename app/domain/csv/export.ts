/**
 * Streaming validator of the Confluent Cloud cost-allocation export (docs/export-format.md).
 * The caller parses the CSV and feeds `header()` then `row()` per record, then `finish()`.
 * Memory: one entry per distinct bucket and per (bucket, resource_id, metric) group,
 * never per row. Pure: the caller passes `now`.
 */
import Decimal from "decimal.js";
import { type ColumnSpec, checkFieldCount, matchHeader } from "./header";
import { IssueList, type ValidationIssue, makeIssue } from "./issues";
import { EMPTY_LABEL } from "./labels";
import { UNALLOCATED_OWNER_ID } from "../vocabulary";

export { MAX_FIELDS, MAX_RECORD_BYTES } from "./limits";
import {
  ExactDecimal,
  type Granularity,
  addDays,
  bucketEnd,
  dateToEpochMs,
  dayDiff,
  fitsGranularity,
  isFirstOfMonth,
  isMonday,
  parseBucketTimestamp,
  parseDate,
  parseDecimal,
} from "./values";

export type { Granularity } from "./values";

/** Canonical columns and accepted aliases (docs/export-format.md). All ten must be present. */
export const EXPORT_COLUMNS = [
  { name: "timestamp", aliases: ["bucket_start", "start_time"], required: true },
  { name: "owner_id", aliases: ["owner", "principal_id"], required: true },
  { name: "environment_id", aliases: ["environment", "env_id"], required: true },
  { name: "resource_id", aliases: ["resource", "logical_resource_id"], required: true },
  { name: "product", aliases: ["product_category"], required: true },
  { name: "metric", aliases: ["line_type", "billable_metric"], required: true },
  { name: "unit", aliases: ["unit_of_measure"], required: true },
  { name: "chargeback_cost", aliases: [], required: true },
  { name: "original_amount", aliases: [], required: true },
  { name: "usage_share", aliases: [], required: true },
] as const satisfies readonly ColumnSpec[];

export type ExportColumn = (typeof EXPORT_COLUMNS)[number]["name"];

export interface ExportRow {
  line: number;
  /** YYYY-MM-DD (UTC bucket start) */
  bucketStart: string;
  /** "unallocated" (lowercase) on the unallocated row */
  ownerId: string;
  environmentId: string;
  resourceId: string;
  product: string;
  metric: string;
  unit: string;
  /** normalized decimal strings */
  chargebackCost: string;
  originalAmount: string;
  usageShare: string;
  isUnallocated: boolean;
}

export interface ExportSummary {
  /** no errors (an unbalanced file with allowUnbalanced counts as ok) */
  ok: boolean;
  /** the first maxErrors errors */
  errors: ValidationIssue[];
  /** all errors */
  errorCount: number;
  /** human-readable, stored on the import */
  warnings: string[];
  granularity: Granularity | null;
  /** bucket starts, YYYY-MM-DD */
  firstBucket: string | null;
  lastBucket: string | null;
  bucketCount: number;
  /** data rows read (after the header) */
  rowCount: number;
  /** Σ chargeback_cost of all valid rows, exact decimal string */
  total: string;
  /** Σ chargeback_cost of the valid unallocated rows */
  unallocatedTotal: string;
  /** groups whose chargeback_cost does not sum to original_amount (or whose original_amount differs) */
  unbalancedGroups: number;
}

export interface ExportValidatorOptions {
  /** stated by the user; otherwise inferred from the buckets */
  granularity?: Granularity;
  /** rule 5 failures become warnings (one per group) instead of errors */
  allowUnbalanced?: boolean;
  /** ingest time, for the 48 h and in-progress-bucket warnings */
  now?: Date;
  /** errors listed (all are counted); default 50 */
  maxErrors?: number;
  /**
   * the requested export range (YYYY-MM-DD, `to` inclusive), if known: for weekly and
   * monthly files, a range starting or ending inside a week/month gets a partial-bucket warning
   */
  range?: { from: string; to: string };
}

const BALANCE_TOLERANCE = new ExactDecimal("0.01");

/** Line numbers listed in the empty product/metric warning. */
export const EMPTY_LABEL_LINES_SHOWN = 5;

/**
 * The warning stored on an import with rows (other than the unallocated row) whose product
 * or metric is empty: they load, their empty values show as EMPTY_LABEL. Both ingest paths
 * produce it through this function, from the count and the first lines.
 */
export function emptyLabelWarning(count: number, lines: readonly number[]): string {
  const shown = lines.slice(0, EMPTY_LABEL_LINES_SHOWN).join(", ");
  const more = count > lines.length ? ", …" : "";
  return `${count} row${count === 1 ? "" : "s"} other than the unallocated row ${count === 1 ? "has" : "have"} an empty product or metric (line${count === 1 ? "" : "s"} ${shown}${more}); loaded, shown as ${JSON.stringify(EMPTY_LABEL)}`;
}
const HOURS_48_MS = 48 * 3_600_000;

interface GroupEntry {
  bucket: string;
  resourceId: string;
  metric: string;
  sum: Decimal;
  original: string;
  firstLine: number;
  /** an original_amount mismatch was reported for this group */
  mismatched: boolean;
  /** a row of this group had another error: its sum is unreliable, skip the balance check */
  tainted: boolean;
}

export class ExportValidator {
  private readonly issues: IssueList;
  private readonly warnings: string[] = [];
  private readonly opts: ExportValidatorOptions;
  private headerSeen = false;
  private headerOk = false;
  private headerLine = 1;
  private col: Record<ExportColumn, number> | null = null;
  private fieldCount = 0;
  private rows = 0;
  private total: Decimal = new ExactDecimal(0);
  private unallocatedTotal: Decimal = new ExactDecimal(0);
  /** distinct bucket → first line it appears on */
  private readonly buckets = new Map<string, number>();
  /** bucket → line of its unallocated row */
  private readonly unallocated = new Map<string, number>();
  private readonly groups = new Map<string, GroupEntry>();
  private unbalancedGroups = 0;
  /** rows other than the unallocated row with an empty product or metric: count and first lines */
  private emptyLabels = { count: 0, lines: [] as number[] };
  private finished: ExportSummary | null = null;

  constructor(opts: ExportValidatorOptions = {}) {
    this.opts = opts;
    this.issues = new IssueList(opts.maxErrors ?? 50);
    if (opts.range) {
      for (const d of [opts.range.from, opts.range.to]) {
        if (!parseDate(d).ok) throw new RangeError(`range: not a YYYY-MM-DD date: ${JSON.stringify(d)}`);
      }
    }
  }

  /** The header record. Returns false when fatal (missing or duplicate columns); later rows are then ignored. */
  header(fields: string[], line = 1): boolean {
    if (this.headerSeen) throw new Error("ExportValidator.header() called twice");
    this.headerSeen = true;
    this.headerLine = line;
    const match = matchHeader(fields, EXPORT_COLUMNS, line, this.issues, this.warnings);
    if (!match) return false;
    this.headerOk = true;
    this.fieldCount = match.fieldCount;
    this.col = Object.fromEntries(match.index) as Record<ExportColumn, number>;
    return true;
  }

  /** The matched header (canonical column → field index), once header() accepted it. */
  columns(): { index: Record<ExportColumn, number>; fieldCount: number } | null {
    return this.headerOk && this.col ? { index: { ...this.col }, fieldCount: this.fieldCount } : null;
  }

  /**
   * Takes per-bucket aggregates instead of rows, from a caller that has already checked
   * every row-level and group-level rule set-based (the database staging path of ingest):
   * `finish()` then applies the file-level rules (empty file, granularity, warnings) exactly
   * as for rows fed one by one. Returns false, changing nothing, when a bucket would fail a
   * row rule this method cannot report per line (a bucket that does not fit the stated
   * granularity); the caller then validates row by row instead.
   */
  absorbAggregates(agg: {
    rows: number;
    buckets: ReadonlyArray<{ bucket: string; firstLine: number; unallocatedLine: number | null; total: string; unallocatedTotal: string }>;
    /** rows other than the unallocated row with an empty product or metric: how many, and their first lines (ascending) */
    emptyLabels?: { count: number; lines: readonly number[] };
  }): boolean {
    if (this.finished) throw new Error("ExportValidator.absorbAggregates() after finish()");
    if (!this.headerOk || this.rows > 0) throw new Error("ExportValidator.absorbAggregates() needs an accepted header and no rows");
    const g = this.opts.granularity;
    if (g && agg.buckets.some((b) => !fitsGranularity(b.bucket, g))) return false;
    this.rows = agg.rows;
    for (const b of agg.buckets) {
      this.buckets.set(b.bucket, b.firstLine);
      if (b.unallocatedLine !== null) this.unallocated.set(b.bucket, b.unallocatedLine);
      this.total = this.total.plus(b.total);
      this.unallocatedTotal = this.unallocatedTotal.plus(b.unallocatedTotal);
    }
    if (agg.emptyLabels)
      this.emptyLabels = { count: agg.emptyLabels.count, lines: agg.emptyLabels.lines.slice(0, EMPTY_LABEL_LINES_SHOWN) };
    return true;
  }

  /** One data record. Returns the normalized row, or null if the row has an error (or the header was fatal). */
  /** Files repeat one timestamp per bucket thousands of times: parse each distinct text once. */
  private tsCache = new Map<string, ReturnType<typeof parseBucketTimestamp>>();
  private parseTimestamp(raw: string): ReturnType<typeof parseBucketTimestamp> {
    let r = this.tsCache.get(raw);
    if (!r) {
      r = parseBucketTimestamp(raw);
      if (this.tsCache.size > 10_000) this.tsCache.clear();
      this.tsCache.set(raw, r);
    }
    return r;
  }

  private noteEmptyLabel(line: number) {
    this.emptyLabels.count += 1;
    if (this.emptyLabels.lines.length < EMPTY_LABEL_LINES_SHOWN) this.emptyLabels.lines.push(line);
  }

  row(fields: string[], line: number): ExportRow | null {
    if (this.finished) throw new Error("ExportValidator.row() after finish()");
    if (!this.headerSeen) throw new Error("ExportValidator.row() before header()");
    if (!this.headerOk || !this.col) return null;
    this.rows += 1;
    if (!checkFieldCount(fields, this.fieldCount, line, this.issues)) return null;

    const col = this.col;
    const raw = (c: ExportColumn) => fields[col[c]];
    const text = (c: ExportColumn) => raw(c).trim();
    let bad = false;
    const err = (c: ExportColumn | null, value: string | null, rule: string, msg: string) => {
      bad = true;
      this.issues.add(makeIssue(line, c, value, rule, msg));
    };

    // timestamp and granularity
    const ts = this.parseTimestamp(raw("timestamp"));
    let bucket: string | null = null;
    if (!ts.ok) err("timestamp", raw("timestamp"), "timestamp", ts.reason);
    else {
      bucket = ts.value;
      if (!this.buckets.has(bucket)) this.buckets.set(bucket, line);
      const g = this.opts.granularity;
      if (g && !fitsGranularity(bucket, g)) {
        err(
          "timestamp",
          raw("timestamp"),
          "granularity",
          g === "weekly"
            ? `starts bucket ${bucket}, which is not a Monday (weekly buckets start on Monday)`
            : `starts bucket ${bucket}, which is not the 1st of a month (monthly buckets start on the 1st)`,
        );
      }
    }

    // required text: the unallocated row (credits, refunds, adjustments) may leave product,
    // metric and unit empty; another row with an empty product or metric is a warning
    // (emptyLabelWarning), its unit is still required
    const isUnallocated = text("owner_id").toLowerCase() === UNALLOCATED_OWNER_ID;
    for (const c of isUnallocated ? (["owner_id"] as const) : (["owner_id", "unit"] as const)) {
      if (text(c) === "") err(c, raw(c), "required-value", "is empty");
    }
    if (!isUnallocated && (text("product") === "" || text("metric") === "")) this.noteEmptyLabel(line);
    const ownerId = isUnallocated ? UNALLOCATED_OWNER_ID : text("owner_id");
    const resourceId = text("resource_id");
    const metric = text("metric");

    // money and share
    const money: Partial<Record<"chargeback_cost" | "original_amount" | "usage_share", string>> = {};
    for (const c of ["chargeback_cost", "original_amount", "usage_share"] as const) {
      const p = parseDecimal(raw(c));
      if (!p.ok) err(c, raw(c), "decimal", p.reason);
      else money[c] = p.value;
    }
    if (money.usage_share !== undefined) {
      const share = new ExactDecimal(money.usage_share);
      if (share.lt(0) || share.gt(1)) err("usage_share", raw("usage_share"), "usage-share-range", "is outside [0, 1]");
    }

    // the unallocated row
    if (isUnallocated) {
      if (bucket !== null) {
        const first = this.unallocated.get(bucket);
        if (first !== undefined) {
          err(
            "owner_id",
            raw("owner_id"),
            "unallocated-unique",
            `is a second unallocated row for bucket ${bucket} (the first is on line ${first})`,
          );
        } else this.unallocated.set(bucket, line);
      }
      if (
        money.chargeback_cost !== undefined &&
        money.original_amount !== undefined &&
        !new ExactDecimal(money.chargeback_cost).eq(money.original_amount)
      ) {
        err(
          "chargeback_cost",
          raw("chargeback_cost"),
          "unallocated-amounts",
          `differs from original_amount ${money.original_amount} on the unallocated row`,
        );
      }
      if (money.usage_share !== undefined && !new ExactDecimal(money.usage_share).isZero()) {
        err("usage_share", raw("usage_share"), "unallocated-share", "is not 0 on the unallocated row");
      }
    } else if (bucket !== null) {
      // group bookkeeping (rule 5)
      const key = `${bucket}\u0000${resourceId}\u0000${metric}`;
      let g = this.groups.get(key);
      if (!g) {
        g = {
          bucket,
          resourceId,
          metric,
          sum: new ExactDecimal(0),
          original: money.original_amount ?? "",
          firstLine: line,
          mismatched: false,
          tainted: false,
        };
        this.groups.set(key, g);
      }
      if (money.original_amount !== undefined) {
        if (g.original === "") g.original = money.original_amount;
        else if (!g.mismatched && !new ExactDecimal(g.original).eq(money.original_amount)) {
          g.mismatched = true;
          this.unbalancedGroups += 1;
          const msg = `differs from original_amount ${g.original} on line ${g.firstLine} for bucket ${bucket}, resource ${JSON.stringify(resourceId)}, metric ${JSON.stringify(metric)}`;
          if (this.opts.allowUnbalanced) {
            this.warnings.push(`line ${line}: original_amount ${money.original_amount} ${msg} (accepted with --allow-unbalanced)`);
          } else err("original_amount", raw("original_amount"), "group-original-amount", msg);
        }
      }
      if (bad || money.chargeback_cost === undefined) g.tainted = true;
      else g.sum = g.sum.plus(money.chargeback_cost);
    }

    if (bad || bucket === null) return null;
    const cost = money.chargeback_cost as string;
    this.total = this.total.plus(cost);
    if (isUnallocated) this.unallocatedTotal = this.unallocatedTotal.plus(cost);
    return {
      line,
      bucketStart: bucket,
      ownerId,
      environmentId: text("environment_id"),
      resourceId,
      product: text("product"),
      metric,
      unit: text("unit"),
      chargebackCost: cost,
      originalAmount: money.original_amount as string,
      usageShare: money.usage_share as string,
      isUnallocated,
    };
  }

  finish(): ExportSummary {
    if (this.finished) return this.finished;
    const sorted = [...this.buckets.keys()].sort();

    // rule 6: not empty
    if (!this.headerSeen) {
      this.issues.add(makeIssue(0, null, null, "not-empty", "the file is empty (no header, no rows)"));
    } else if (this.headerOk && this.rows === 0) {
      this.issues.add(makeIssue(this.headerLine, null, null, "not-empty", "the file has a header but no data rows"));
    }

    // rule 5: group balance
    for (const g of this.groups.values()) {
      if (g.mismatched || g.tainted || g.original === "") continue;
      const diff = g.sum.minus(g.original);
      if (diff.abs().lte(BALANCE_TOLERANCE)) continue;
      this.unbalancedGroups += 1;
      const sum = g.sum.toFixed();
      const text = `Σ chargeback_cost = ${sum} for bucket ${g.bucket}, resource ${JSON.stringify(g.resourceId)}, metric ${JSON.stringify(g.metric)} but original_amount = ${g.original} (difference ${diff.toFixed()}, tolerance 0.01)`;
      if (this.opts.allowUnbalanced) {
        this.warnings.push(`line ${g.firstLine}: ${text} (accepted with --allow-unbalanced)`);
      } else {
        this.issues.add(makeIssue(g.firstLine, "chargeback_cost", sum, "group-balance", `is the group's sum: ${text}`));
      }
    }

    // rule 2: granularity
    const granularity = this.resolveGranularity(sorted);

    // warnings
    if (this.emptyLabels.count > 0) this.warnings.push(emptyLabelWarning(this.emptyLabels.count, this.emptyLabels.lines));
    for (const b of sorted) {
      if (!this.unallocated.has(b)) this.warnings.push(`bucket ${b} has no unallocated row; its unallocated amount is 0`);
    }
    if (granularity && sorted.length > 0) this.timeWarnings(sorted, granularity);

    const errorCount = this.issues.count;
    this.finished = {
      ok: errorCount === 0,
      errors: this.issues.issues,
      errorCount,
      warnings: this.warnings.slice(),
      granularity,
      firstBucket: sorted[0] ?? null,
      lastBucket: sorted[sorted.length - 1] ?? null,
      bucketCount: sorted.length,
      rowCount: this.rows,
      total: this.total.toFixed(),
      unallocatedTotal: this.unallocatedTotal.toFixed(),
      unbalancedGroups: this.unbalancedGroups,
    };
    return this.finished;
  }

  private resolveGranularity(sorted: string[]): Granularity | null {
    if (this.opts.granularity) return this.opts.granularity;
    if (sorted.length === 0) return null;
    if (sorted.length === 1) {
      const b = sorted[0];
      if (isFirstOfMonth(b) || isMonday(b)) {
        const g: Granularity = isFirstOfMonth(b) ? "monthly" : "weekly";
        this.warnings.push(`granularity inferred from a single bucket (${b}) as ${g}; state it with --granularity`);
        return g;
      }
      return "daily";
    }
    let oneDayApart = false;
    for (let i = 1; i < sorted.length; i++) {
      if (dayDiff(sorted[i - 1], sorted[i]) === 1) oneDayApart = true;
    }
    if (oneDayApart || sorted.some((b) => !isMonday(b) && !isFirstOfMonth(b))) return "daily";
    if (sorted.every(isMonday)) return "weekly"; // gaps between Mondays are multiples of 7
    if (sorted.every(isFirstOfMonth)) return "monthly";
    // Mondays that are not 1sts mixed with 1sts that are not Mondays
    const monday = sorted.find((b) => !isFirstOfMonth(b)) as string;
    const first = sorted.find((b) => !isMonday(b)) as string;
    const [later, earlier] = monday > first ? [monday, first] : [first, monday];
    this.issues.add(
      makeIssue(
        this.buckets.get(later) as number,
        "timestamp",
        later,
        "granularity",
        `mixes granularities: ${monday} is a Monday but not a 1st (weekly), ${first} is a 1st but not a Monday (monthly), and no two buckets are 1 day apart (first line of ${earlier}: ${this.buckets.get(earlier)}); state the granularity with --granularity (e.g. daily)`,
      ),
    );
    return null;
  }

  private timeWarnings(sorted: string[], granularity: Granularity): void {
    const { now, range } = this.opts;
    const last = sorted[sorted.length - 1];
    if (now) {
      const nowMs = now.getTime();
      const periodEnd = bucketEnd(last, granularity);
      const periodEndMs = dateToEpochMs(periodEnd);
      const inProgress = sorted.filter((b) => dateToEpochMs(bucketEnd(b, granularity)) > nowMs);
      for (const b of inProgress) {
        this.warnings.push(
          `bucket ${b} ends ${bucketEnd(b, granularity)}, after ingest time ${now.toISOString()}: it is partial (still in progress)`,
        );
      }
      if (periodEndMs <= nowMs && nowMs - periodEndMs < HOURS_48_MS) {
        this.warnings.push(
          `the period ended less than 48 hours before ingest (period end ${periodEnd}T00:00:00Z, ingest ${now.toISOString()}); the vendor's data may still be arriving`,
        );
      }
    }
    if (range && granularity !== "daily") {
      const unit = granularity === "weekly" ? "week" : "month";
      const fits = (d: string) => fitsGranularity(d, granularity);
      if (!fits(range.from)) {
        this.warnings.push(`the requested range starts ${range.from}, inside a ${unit}: the first ${granularity} bucket may be partial`);
      }
      if (!fits(addDays(range.to, 1))) {
        this.warnings.push(`the requested range ends ${range.to}, inside a ${unit}: the last ${granularity} bucket may be partial`);
      }
    }
  }
}

/** Convenience: validate a whole in-memory file (header + rows). */
export function validateExport(
  header: string[] | null,
  rows: Iterable<{ fields: string[]; line: number }>,
  opts: ExportValidatorOptions = {},
  headerLine = 1,
): { rows: ExportRow[]; summary: ExportSummary } {
  const v = new ExportValidator(opts);
  const out: ExportRow[] = [];
  if (header && v.header(header, headerLine)) {
    for (const r of rows) {
      const row = v.row(r.fields, r.line);
      if (row) out.push(row);
    }
  }
  return { rows: out, summary: v.finish() };
}
