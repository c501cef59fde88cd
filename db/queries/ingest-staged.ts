/**
 * The SQL of the staged ingest path (docs/decisions/0004): a temporary staging table
 * loaded with `COPY … WITH (FORMAT csv)` of the file's bytes, the validation rules
 * (docs/export-format.md) checked set-based over it, and the rows moved to `cost_rows`
 * with one INSERT … SELECT. The service (app/services/import-staged.ts) streams and
 * guards the bytes and decides, from these results, whether the staged path takes the file.
 */
import type { ExportColumn } from "../../app/domain/csv/export";
import { UNALLOCATED_OWNER_ID } from "../../app/domain/vocabulary";
import type { CopySource, Db } from "../client";
import { COST_COLUMNS } from "./ingest";

/** Where each export column is in the staged file (the validator's `columns()`). */
export interface StageColumns {
  index: Record<ExportColumn, number>;
  fieldCount: number;
}

const field = (cols: StageColumns, c: ExportColumn) => `f${cols.index[c] + 1}`;
const isUnallocated = (cols: StageColumns) => `lower(${field(cols, "owner_id")}) = '${UNALLOCATED_OWNER_ID}'`;
/** Rows other than the unallocated row with an empty product or metric (the warning the parsed path gives). */
const emptyLabel = (cols: StageColumns) =>
  `not (${isUnallocated(cols)}) and (${field(cols, "product")} = '' or ${field(cols, "metric")} = '')`;

/** Creates the staging table (dropped at commit) with one text column per field; returns the column names. */
export async function createStageTable(db: Db, fieldCount: number): Promise<string[]> {
  const fields = Array.from({ length: fieldCount }, (_, i) => `f${i + 1}`);
  await db.exec(
    `create temp table stage_raw (n bigint generated always as identity, ${fields.map((f) => `${f} text`).join(", ")}) on commit drop`,
  );
  return fields;
}

/** COPY of CSV chunks (each ending at a line break) into the staging table. */
export async function copyIntoStage(db: Db, fields: string[], chunks: CopySource): Promise<void> {
  await db.copyRows("stage_raw", fields, chunks, { format: "csv", forceNotNull: true });
}

/**
 * Row rules in one scan; the byte guard already checked field counts and edges.
 * Required values, and decimals made only of digits, '.' and '-': of such strings
 * PostgreSQL's numeric input accepts exactly the validator's forms, -?\d+(\.\d*)? and
 * -?\.\d+; the others fail the cast of stagedBucketAggregates. `emptyLabels` counts the
 * rows the empty-label warning is about.
 */
export async function checkStagedRows(db: Db, cols: StageColumns): Promise<{ rows: number; bad: number; emptyLabels: number }> {
  const F = (c: ExportColumn) => field(cols, c);
  const [check] = await db.query<{ rows: number; bad: number; empty_labels: number }>(
    `select count(*)::int as rows,
            count(*) filter (where not (
              ${F("owner_id")} <> '' and (${F("unit")} <> '' or ${isUnallocated(cols)})
              and ${(["chargeback_cost", "original_amount", "usage_share"] as const).map((c) => `ltrim(${F(c)}, '0123456789.-') = ''`).join(" and ")}
            ))::int as bad,
            count(*) filter (where ${emptyLabel(cols)})::int as empty_labels
       from stage_raw`,
  );
  return { rows: check.rows, bad: check.bad, emptyLabels: check.empty_labels };
}

/** File lines (header = line 1) of the first `limit` rows with an empty label. */
export async function stagedEmptyLabelLines(db: Db, cols: StageColumns, limit: number): Promise<number[]> {
  const rows = await db.query<{ line: number }>(
    `select (n + 1)::int as line from stage_raw where ${emptyLabel(cols)} order by n limit ${Number(limit)}`,
  );
  return rows.map((r) => r.line);
}

export interface StagedAggregate {
  /** true: a per-timestamp row; false: a failing (timestamp, resource, metric) group */
  per_ts: boolean;
  ts: string;
  first_line: number;
  u_line: number | null;
  u_count: number;
  u_bad: number;
  s_bad: number;
  total: string;
  u_total: string;
}

/**
 * One pass, two groupings. Per timestamp: lines, the unallocated row and its rules, the
 * share range, totals. Per (timestamp, resource, metric) of the other rows, rule 5: one
 * original_amount, Σ chargeback_cost within 0.01 of it (only failing groups are returned).
 */
export async function stagedBucketAggregates(db: Db, cols: StageColumns): Promise<StagedAggregate[]> {
  const F = (c: ExportColumn) => field(cols, c);
  const typed = `select n, ${F("timestamp")} as ts, ${isUnallocated(cols)} as u, ${F("resource_id")} as resource, ${F("metric")} as metric,
                        ${F("chargeback_cost")}::numeric as c, ${F("original_amount")}::numeric as o, ${F("usage_share")}::numeric as s
                   from stage_raw`;
  return db.query<StagedAggregate>(
    `select * from (
       select grouping(resource, metric) = 3 as per_ts, ts, min(n)::int + 1 as first_line, (min(n) filter (where u))::int + 1 as u_line,
              count(*) filter (where u)::int as u_count,
              count(*) filter (where u and (c <> o or s <> 0))::int as u_bad,
              count(*) filter (where s < 0 or s > 1)::int as s_bad,
              trim_scale(sum(c))::text as total, trim_scale(coalesce(sum(c) filter (where u), 0))::text as u_total,
              min(o) filter (where not u) as o_min, max(o) filter (where not u) as o_max, sum(c) filter (where not u) as c_sum
         from (${typed}) t group by grouping sets ((ts), (ts, resource, metric))) g
      where per_ts or (o_min is not null and (o_min <> o_max or abs(c_sum - o_min) > 0.01))
      order by ts`,
  );
}

/** Moves the staged rows into cost_rows, each timestamp (`raw`) mapped to its bucket start. */
export async function insertStagedCostRows(
  db: Db,
  cols: StageColumns,
  p: { importId: number; orgId: string; granularity: string; buckets: ReadonlyArray<{ raw: string; bucket: string }> },
): Promise<void> {
  const F = (c: ExportColumn) => field(cols, c);
  const u = isUnallocated(cols);
  await db.query(
    `insert into cost_rows (${COST_COLUMNS.join(", ")})
     select $1, $2, $3, m.bucket::date, case when ${u} then '${UNALLOCATED_OWNER_ID}' else ${F("owner_id")} end,
            ${F("environment_id")}, ${F("resource_id")}, ${F("product")}, ${F("metric")}, ${F("unit")},
            trim_scale(${F("chargeback_cost")}::numeric), trim_scale(${F("original_amount")}::numeric),
            trim_scale(${F("usage_share")}::numeric), ${u}, n + 1
       from stage_raw join unnest($4::text[], $5::text[]) as m(raw, bucket) on m.raw = ${F("timestamp")}`,
    [p.importId, p.orgId, p.granularity, p.buckets.map((b) => b.raw), p.buckets.map((b) => b.bucket)],
  );
}
