/**
 * Imports and their cost rows (docs/export-format.md): the SQL the ingest service
 * (app/services/ingest.ts) runs inside its transaction under the org's lock, and the
 * import history reads. Reading, hashing and checking the file happen in the service.
 */
import { EXPORT_COLUMNS } from "../../app/domain/csv/export";
import type { CopySource, Db } from "../client";

/** The columns of cost_rows an ingest loads, in COPY order. */
export const COST_COLUMNS = [
  "import_id",
  "org_id",
  "granularity",
  "bucket_start",
  // the export's own columns after its timestamp, under their canonical names
  ...EXPORT_COLUMNS.slice(1).map((c) => c.name),
  "is_unallocated",
  "line",
];

/** The newest active import of the org with these bytes (sha256), if any. */
export async function findActiveImportBySha(db: Db, orgId: string, sha256: string): Promise<number | null> {
  const same = await db.query<{ id: number }>(
    `select id from imports where org_id = $1 and sha256 = $2 and status = 'active' order by id desc limit 1`,
    [orgId, sha256],
  );
  return same[0]?.id ?? null;
}

/**
 * Deactivates every active cost row of the org/granularity with a bucket start in [from, to]
 * (the superseded rows are kept); returns how many rows of which imports, by import id.
 */
export async function deactivatePeriod(
  db: Db,
  p: { orgId: string; granularity: string; from: string; to: string },
): Promise<Array<{ importId: number; rows: number }>> {
  const replaced = await db.query<{ import_id: number; n: number }>(
    `with r as (
       update cost_rows set active = false
        where active and org_id = $1 and granularity = $2 and bucket_start between $3::date and $4::date
        returning import_id)
     select import_id, count(*)::int as n from r group by import_id order by import_id`,
    [p.orgId, p.granularity, p.from, p.to],
  );
  return replaced.map((r) => ({ importId: r.import_id, rows: r.n }));
}

export interface NewImport {
  orgId: string;
  granularity: string;
  firstBucket: string;
  lastBucket: string;
  fileName: string;
  sha256: string;
  rowCount: number;
  total: string;
  replacedImportIds: number[];
  warnings: string[];
  createdBy: string;
}

/** Inserts an active import row; returns its id. */
export async function insertImport(db: Db, p: NewImport): Promise<number> {
  const [{ id }] = await db.query<{ id: number }>(
    `insert into imports (org_id, granularity, first_bucket, last_bucket, file_name, sha256, row_count, total,
                          status, replaced_import_ids, warnings, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9::jsonb, $10::jsonb, $11) returning id`,
    [
      p.orgId,
      p.granularity,
      p.firstBucket,
      p.lastBucket,
      p.fileName,
      p.sha256,
      p.rowCount,
      p.total,
      JSON.stringify(p.replacedImportIds),
      JSON.stringify(p.warnings),
      p.createdBy,
    ],
  );
  return id;
}

/** COPY of cost rows into `table` (the import's unindexed leaf of cost_rows), each line encoded with `copyLine` over COST_COLUMNS. */
export async function copyCostRows(db: Db, table: string, lines: CopySource): Promise<void> {
  if (!/^cost_rows_i\d+$/.test(table)) throw new Error(`not an import leaf: ${table}`);
  await db.copyRows(table, COST_COLUMNS, lines);
}

/** Marks superseded (by `importId`) every other active import of the org left without active rows; returns their ids. */
export async function supersedeEmptiedImports(db: Db, orgId: string, importId: number): Promise<number[]> {
  const superseded = await db.query<{ id: number }>(
    `update imports i set status = 'superseded', superseded_by = $1
      where i.org_id = $2 and i.status = 'active' and i.id <> $1
        and not exists (select 1 from cost_rows c where c.import_id = i.id and c.active)
     returning id`,
    [importId, orgId],
  );
  return superseded.map((s) => s.id);
}

/** Fresh planner statistics of the tables the allocation recompute wrote (owner_bucket_costs is analyzed as it is refreshed). */
export async function analyzeDerivedTables(db: Db): Promise<void> {
  await db.exec(`analyze allocation_results, allocation_details, mapping_segments, usage_keys`);
}

export interface ImportRow {
  id: number;
  org_id: string;
  granularity: string;
  first_bucket: string;
  last_bucket: string;
  file_name: string;
  sha256: string;
  row_count: number;
  total: string;
  status: string;
  superseded_by: number | null;
  replaced_import_ids: number[];
  warnings: string[];
  created_by: string;
  created_at: string;
}

export async function listImports(db: Db, f: { orgId?: string; limit?: number } = {}): Promise<ImportRow[]> {
  return db.query<ImportRow>(`select * from imports where ($1::text is null or org_id = $1) order by id desc limit $2`, [
    f.orgId ?? null,
    f.limit ?? 500,
  ]);
}

export async function getImport(db: Db, id: number): Promise<ImportRow | null> {
  return (await db.query<ImportRow>(`select * from imports where id = $1`, [id]))[0] ?? null;
}
