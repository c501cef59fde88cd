/**
 * A fresh, migrated, empty database for one test (or one test file), on the engine
 * chosen by TEST_DB (`pglite`, the default, or `pg`).
 *
 * - pglite: an in-memory PGlite loaded from a migrated template tarball made once
 *   per process (initdb + migrate costs seconds; loading the dump is fast).
 * - pg: a new database `showback_t_<random>` created from a migrated template database
 *   on DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), dropped by `cleanup`.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createPgliteDb, createPostgresDb, pgliteOf, type Db } from "../../db/client";
import { migrateDb } from "../../db/migrate";

export const testEngine = (): "pg" | "pglite" => (process.env.TEST_DB === "pg" ? "pg" : "pglite");
/** Set by tests/global-setup.ts; used in database names so the run can drop them all. */
const runId = () => process.env.SHOWBACK_TEST_RUN || "adhoc";

export const baseUrl = () => process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";

let pgliteTemplate: Promise<Blob> | undefined;
async function pgliteTemplateBlob(): Promise<Blob> {
  pgliteTemplate ??= (async () => {
    const db = await createPgliteDb();
    await migrateDb(db, {});
    const blob = await pgliteOf(db)!.dumpDataDir("none");
    await db.close();
    return blob;
  })();
  return pgliteTemplate;
}

function urlWithDb(url: string, name: string) {
  const u = new URL(url);
  u.pathname = "/" + name;
  return u.toString();
}

let pgTemplate: Promise<string> | undefined;
async function pgTemplateName(): Promise<string> {
  pgTemplate ??= (async () => {
    const name = `showback_tpl_${runId()}_${process.pid}_${randomBytes(3).toString("hex")}`;
    const admin = postgres(baseUrl(), { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database ${name}`);
    } finally {
      await admin.end();
    }
    const url = urlWithDb(baseUrl(), name);
    const db = createPostgresDb(url, { max: 1 });
    await migrateDb(db, { databaseUrl: url });
    await db.close();
    return name;
  })();
  return pgTemplate;
}

export interface TestDb {
  db: Db;
  /** The DbConfig a CLI child process needs to open the same database (pg only; pglite is in-memory). */
  databaseUrl?: string;
  cleanup(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  if (testEngine() === "pglite") {
    const db = await createPgliteDb(undefined, { loadDataDir: await pgliteTemplateBlob() });
    return { db, cleanup: () => db.close() };
  }
  const tpl = await pgTemplateName();
  const name = `showback_t_${runId()}_${randomBytes(5).toString("hex")}`;
  const admin = postgres(baseUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${tpl}`);
  const url = urlWithDb(baseUrl(), name);
  const db = createPostgresDb(url, { max: 4 });
  return {
    db,
    databaseUrl: url,
    async cleanup() {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
