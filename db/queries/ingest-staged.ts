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
  /** per timestamp: its rows, those failing a row rule (a required value, a decimal's characters), those with an empty label */
  n_rows: number;
  n_bad: number;
  n_empty: number;
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
 * Every set-based check in one scan of the staging table, two groupings. The byte guard
 * (CsvByteGuard) already checked field counts, edges, and that the decimals are made only
 * of digits, '.' and '-': of such strings PostgreSQL's numeric input accepts exactly the
 * validator's forms, -?\d+(\.\d*)? and -?\.\d+; the others ("1-2", ".") fail the cast, and
 * the failed query hands the file to the parsed path. Per timestamp: its rows, the rows
 * failing a row rule (required values), the rows with an empty label
 * (the warning the parsed path gives), lines, the unallocated row and its rules, the share
 * range, totals. Per (timestamp, resource, metric) of the other rows, rule 5: one
 * original_amount, Σ chargeback_cost within 0.01 of it (only failing groups are returned).
 */
export async function stagedChecks(db: Db, cols: StageColumns): Promise<StagedAggregate[]> {
  const F = (c: ExportColumn) => field(cols, c);
  const bad = `not (${F("owner_id")} <> '' and (${F("unit")} <> '' or ${isUnallocated(cols)}))`;
  const num = (c: ExportColumn) => `${F(c)}::numeric`;
  const typed = `select n, ${F("timestamp")} as ts, ${isUnallocated(cols)} as u, ${F("resource_id")} as resource, ${F("metric")} as metric,
                        ${num("chargeback_cost")} as c, ${num("original_amount")} as o, ${num("usage_share")} as s,
                        ${bad} as bad, ${emptyLabel(cols)} as empty_label
                   from stage_raw`;
  // one timestamp's groups hash in memory; without statistics on the staging table the
  // planner would sort its rows on disk instead (4 MB work_mem: 1.3 s of a 6 s scan per 1M rows)
  if (db.engine === "pg") await db.exec(`set local work_mem = '256MB'; set local enable_sort = off`);
  const out = await db.query<StagedAggregate>(
    `select * from (
       select grouping(resource, metric) = 3 as per_ts, ts, count(*)::int as n_rows,
              count(*) filter (where bad)::int as n_bad, count(*) filter (where empty_label)::int as n_empty,
              min(n)::int + 1 as first_line, (min(n) filter (where u))::int + 1 as u_line,
              count(*) filter (where u)::int as u_count,
              count(*) filter (where u and (c <> o or s <> 0))::int as u_bad,
              count(*) filter (where s < 0 or s > 1)::int as s_bad,
              trim_scale(sum(c))::text as total, trim_scale(coalesce(sum(c) filter (where u), 0))::text as u_total,
              min(o) filter (where not u) as o_min, max(o) filter (where not u) as o_max, sum(c) filter (where not u) as c_sum
         from (${typed}) t group by grouping sets ((ts), (ts, resource, metric))) g
      where per_ts or (o_min is not null and (o_min <> o_max or abs(c_sum - o_min) > 0.01))`,
  );
  if (db.engine === "pg") await db.exec(`set local enable_sort = on`);
  return out.sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0));
}

/** Moves the staged rows into `p.table` (the import's unindexed leaf of cost_rows), each timestamp (`raw`) mapped to its bucket start. */
export async function insertStagedCostRows(
  db: Db,
  cols: StageColumns,
  p: { table: string; importId: number; orgId: string; granularity: string; buckets: ReadonlyArray<{ raw: string; bucket: string }> },
): Promise<void> {
  if (!/^cost_rows_i\d+$/.test(p.table)) throw new Error(`not an import leaf: ${p.table}`);
  const F = (c: ExportColumn) => field(cols, c);
  const u = isUnallocated(cols);
  await db.query(
    `insert into ${p.table} (${COST_COLUMNS.join(", ")})
     select $1, $2, $3, m.bucket::date, case when ${u} then '${UNALLOCATED_OWNER_ID}' else ${F("owner_id")} end,
            ${F("environment_id")}, ${F("resource_id")}, ${F("product")}, ${F("metric")}, ${F("unit")},
            trim_scale(${F("chargeback_cost")}::numeric), trim_scale(${F("original_amount")}::numeric),
            trim_scale(${F("usage_share")}::numeric), ${u}, n + 1
       from stage_raw join unnest($4::text[], $5::text[]) as m(raw, bucket) on m.raw = ${F("timestamp")}`,
    [p.importId, p.orgId, p.granularity, p.buckets.map((b) => b.raw), p.buckets.map((b) => b.bucket)],
  );
}
