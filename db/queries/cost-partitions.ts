/**
 * The partitions of `cost_rows` (docs/decisions/0009-partitioned-cost-rows.md): LIST (org_id),
 * one partition per org, each RANGE (import_id) with one leaf per import. An ingest, in its
 * transaction under the org's lock:
 *
 *  1. `createImportLeaf`: a plain table shaped like cost_rows, with no index, and a CHECK
 *     that already states its partition bounds (so attaching it scans nothing);
 *  2. loads its rows into that table (INSERT … SELECT from the staging table, or COPY);
 *  3. `attachImportLeaf`: builds the leaf's indexes in one sorted pass each, attaches the
 *     leaf under its org's partition and analyzes it.
 *
 * ATTACH PARTITION takes a SHARE UPDATE EXCLUSIVE lock on the parent: readers are never
 * blocked; a rollback leaves nothing behind, as the leaf is created in the transaction.
 */
import { createHash } from "node:crypto";
import type { Db } from "../client";

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The org's partition (a hash of the org id keeps the name a valid identifier; migration 0016 names them the same way). */
export function orgPartitionName(orgId: string): string {
  return `cost_rows_o_${createHash("md5").update(orgId, "utf8").digest("hex").slice(0, 16)}`;
}

/** The leaf that holds one import's rows. */
export function importLeafName(importId: number): string {
  if (!Number.isSafeInteger(importId) || importId < 1) throw new Error(`bad import id ${importId}`);
  return `cost_rows_i${importId}`;
}

/**
 * The org's partition of cost_rows, created (as a standalone partitioned table, then
 * attached, so readers are not locked out) when it does not exist yet.
 */
async function ensureOrgPartition(db: Db, orgId: string): Promise<string> {
  const name = orgPartitionName(orgId);
  const [{ exists }] = await db.query<{ exists: boolean }>(`select to_regclass($1) is not null as exists`, [name]);
  if (exists) return name;
  await db.exec(
    `create table ${name} (like cost_rows including defaults including constraints) partition by range (import_id);
     alter table cost_rows attach partition ${name} for values in (${literal(orgId)})`,
  );
  return name;
}

/** Creates the empty, unindexed table that will become the import's leaf; returns its name. */
export async function createImportLeaf(db: Db, orgId: string, importId: number): Promise<string> {
  const leaf = importLeafName(importId);
  await db.exec(
    `create table ${leaf} (like cost_rows including defaults including constraints,
       constraint ${leaf}_bounds check (org_id = ${literal(orgId)} and import_id = ${importId}))`,
  );
  return leaf;
}

/**
 * After the load: the leaf's indexes (what every query on cost_rows filters on: the active
 * rows of a granularity over a bucket range, and of given owners), then the leaf attached
 * under the org's partition and its planner statistics.
 */
export async function attachImportLeaf(db: Db, orgId: string, importId: number): Promise<void> {
  const leaf = importLeafName(importId);
  const part = await ensureOrgPartition(db, orgId);
  if (db.engine === "pg") await db.exec(`set local maintenance_work_mem = '256MB'`);
  await db.exec(
    `create index ${leaf}_bucket_idx on ${leaf} (granularity, bucket_start) where active;
     create index ${leaf}_owner_idx on ${leaf} (owner_id) where active;
     alter table ${part} attach partition ${leaf} for values from (${importId}) to (${importId + 1});
     analyze ${leaf}`,
  );
}
