/**
 * The data version (migration 0004, db/schema/data-version.ts): one counter bumped at
 * commit by deferred triggers on every table a figure depends on, by any process.
 * Read caches key their entries by it (app/lib/read-cache.server.ts,
 * docs/decisions/0005-read-cache.md).
 */
import type { Db } from "../client";

/** The current data version, as a decimal string (a bigint; compare with BigInt). */
export async function getDataVersion(db: Db): Promise<string> {
  const [r] = await db.query<{ v: string }>(`select version::text as v from data_version where id = 1`);
  if (!r) throw new Error("data_version has no row: run the migrations (0004_data_version)");
  return r.v;
}

/** Bumps the data version with no data change: every read cache starts afresh (the benchmark's cold reads). */
export async function bumpDataVersion(db: Db): Promise<void> {
  await db.query(`update data_version set version = version + 1 where id = 1`);
}
