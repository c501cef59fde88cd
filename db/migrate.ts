/**
 * Brings the schema up to date with the committed drizzle-kit migrations
 * (db/migrations). Idempotent; concurrent callers on PostgreSQL are serialised
 * with an advisory lock.
 */
import path from "node:path";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/postgres-js";
import { migrate as migratePg } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { type Db, createDb, dbConfigFromEnv, pgliteOf, type DbConfig } from "./client";

export const migrationsFolder = () => path.resolve(process.env.SHOWBACK_MIGRATIONS_DIR || "db/migrations");

export async function migrateDb(db: Db, config: DbConfig): Promise<void> {
  const pg = pgliteOf(db);
  if (pg) {
    await migratePglite(drizzlePglite(pg), { migrationsFolder: migrationsFolder() });
    return;
  }
  // A separate client: drizzle alters the postgres.js client it wraps.
  const sql = postgres(config.databaseUrl!, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(727272)`;
    await migratePg(drizzlePg(sql), { migrationsFolder: migrationsFolder() });
    await sql`select pg_advisory_unlock(727272)`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** What every entry point calls: open the configured database and migrate it. */
export async function openDb(config: DbConfig = dbConfigFromEnv()): Promise<Db> {
  const db = await createDb(config);
  await migrateDb(db, config);
  return db;
}
