/**
 * Issue 17: cost_rows is partitioned by org, then by import (docs/decisions/0009). Each
 * import's rows are loaded into a leaf of their own before it has any index, indexed after
 * the load and attached; the guarantees stay as they were: identical bytes are a no-op, a
 * re-run marks the rows it replaces inactive, a rejected or failed ingest leaves nothing
 * (not even a table), and migration 0016 moves rows stored before it into one leaf per org.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgliteDb, createPostgresDb, type Db } from "../../db/client";
import { migrateDb } from "../../db/migrate";
import { createImportLeaf, importLeafName, orgPartitionName } from "../../db/queries/cost-partitions";
import { ingestFile } from "../../app/services/ingest";
import { writeExportFile } from "../../scripts/lib/export-file";
import { baseUrl, createTestDb, testEngine, type TestDb } from "../helpers/db";

let t: TestDb;
let db: Db;
let tmp: string;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-partitions-"));
});
afterAll(async () => {
  await t.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

const exportFile = async (name: string, seed: number) => {
  const f = path.join(tmp, name);
  await writeExportFile(f, { org: "org-p", granularity: "daily", from: "2026-04-01", to: "2026-04-05", principals: 6, clusters: 1, seed });
  return f;
};

/** The leaves of cost_rows (two levels down) with their parent partition and row counts. */
async function leaves(d: Db) {
  return d.query<{ leaf: string; parent: string; top: string; indexes: string[] }>(
    `select c.relname as leaf, p.relname as parent, t.relname as top,
            coalesce((select array_agg(i.indexname::text order by i.indexname) from pg_indexes i where i.tablename = c.relname), '{}') as indexes
       from pg_inherits h1 join pg_class c on c.oid = h1.inhrelid join pg_class p on p.oid = h1.inhparent
       join pg_inherits h2 on h2.inhrelid = p.oid join pg_class t on t.oid = h2.inhparent
      where t.relname = 'cost_rows' order by c.relname`,
  );
}
const leafTables = async (d: Db) =>
  (await d.query<{ n: number }>(`select count(*)::int as n from pg_class where relname ~ '^cost_rows_i[0-9]+$'`))[0].n;
const countIn = async (d: Db, table: string, where = "true") =>
  (await d.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`))[0].n;

describe("cost_rows partitioned by org and import", () => {
  let first: number;

  it("loads an import into a leaf of its own, indexed and attached under the org's partition", async () => {
    const r = await ingestFile(db, { orgId: "org-p", filePath: await exportFile("a.csv", 1), actor: "test", alerts: false });
    expect(r.status).toBe("imported");
    if (r.status !== "imported") return;
    first = r.importId;
    const leaf = importLeafName(r.importId);
    expect(await leaves(db)).toEqual([
      { leaf, parent: orgPartitionName("org-p"), top: "cost_rows", indexes: [`${leaf}_bucket_idx`, `${leaf}_owner_idx`] },
    ]);
    expect(await countIn(db, leaf)).toBe(r.summary.rowCount);
    expect(await countIn(db, "cost_rows", "active")).toBe(r.summary.rowCount);
    // the leaf's CHECK states its bounds: a row of another import or org cannot go in
    await expect(
      db.query(`insert into ${leaf} select * from ${leaf} where false union all select ${r.importId + 1}, org_id, granularity, bucket_start,
                owner_id, environment_id, resource_id, product, metric, unit, chargeback_cost, original_amount, usage_share, is_unallocated, line, active
                from ${leaf} limit 1`),
    ).rejects.toThrow(/bounds|partition constraint/);
  });

  it("identical bytes add no leaf; a re-run adds one and marks the rows it replaces inactive", async () => {
    const same = await ingestFile(db, { orgId: "org-p", filePath: await exportFile("a-again.csv", 1), actor: "test", alerts: false });
    expect(same.status).toBe("unchanged");
    expect(await leafTables(db)).toBe(1);

    const r = await ingestFile(db, { orgId: "org-p", filePath: await exportFile("b.csv", 2), actor: "test", alerts: false });
    expect(r.status).toBe("imported");
    if (r.status !== "imported") return;
    expect(r.replacedImportIds).toEqual([first]);
    expect((await leaves(db)).map((l) => l.leaf)).toEqual([importLeafName(first), importLeafName(r.importId)].sort());
    expect(await countIn(db, importLeafName(first), "active")).toBe(0);
    expect(await countIn(db, importLeafName(first))).toBeGreaterThan(0); // superseded rows are kept
    expect(await countIn(db, importLeafName(r.importId), "active")).toBe(r.summary.rowCount);
    expect(await countIn(db, "cost_rows", "active")).toBe(r.summary.rowCount);
  });

  it("a rejected file, and a load that fails, leave no table behind", async () => {
    const before = await leafTables(db);
    const bad = path.join(tmp, "bad.csv");
    const text = await readFile(await exportFile("c.csv", 3), "utf8");
    await writeFile(bad, text.replace(/\n([^,\n]+),([^,\n]+),/, "\n$1,,")); // the first row loses its owner id
    const r = await ingestFile(db, { orgId: "org-p", filePath: bad, actor: "test", alerts: false });
    expect(r.status).toBe("rejected");
    expect(await leafTables(db)).toBe(before);

    await expect(
      db.transaction(async (tx) => {
        await createImportLeaf(tx, "org-p", 999_999);
        throw new Error("the load failed");
      }),
    ).rejects.toThrow("the load failed");
    expect((await db.query<{ t: string | null }>(`select to_regclass('cost_rows_i999999')::text as t`))[0].t).toBeNull();
  });
});

/** A database migrated only up to 0015 (cost_rows not yet partitioned), on the test engine. */
async function databaseBefore0016(): Promise<{ db: Db; reopen: () => Promise<Db>; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "showback-mig-"));
  await cp(path.resolve("db/migrations"), dir, { recursive: true });
  const journal = JSON.parse(await readFile(path.join(dir, "meta/_journal.json"), "utf8")) as { entries: Array<{ idx: number }> };
  journal.entries = journal.entries.filter((e) => e.idx < 16);
  await writeFile(path.join(dir, "meta/_journal.json"), JSON.stringify(journal));
  const migrateWith = async (d: Db, folder: string, url?: string) => {
    const saved = process.env.SHOWBACK_MIGRATIONS_DIR;
    process.env.SHOWBACK_MIGRATIONS_DIR = folder;
    try {
      await migrateDb(d, url ? { databaseUrl: url } : {});
    } finally {
      if (saved === undefined) delete process.env.SHOWBACK_MIGRATIONS_DIR;
      else process.env.SHOWBACK_MIGRATIONS_DIR = saved;
    }
  };
  if (testEngine() === "pglite") {
    const d = await createPgliteDb();
    await migrateWith(d, dir);
    return {
      db: d,
      reopen: async () => (await migrateWith(d, path.resolve("db/migrations")), d),
      cleanup: async () => (await d.close(), await rm(dir, { recursive: true, force: true })),
    };
  }
  const name = `showback_mig_${randomBytes(5).toString("hex")}`;
  const admin = postgres(baseUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(baseUrl());
  u.pathname = "/" + name;
  const url = u.toString();
  const d = createPostgresDb(url, { max: 1 });
  await migrateWith(d, dir, url);
  return {
    db: d,
    reopen: async () => (await migrateWith(d, path.resolve("db/migrations"), url), d),
    cleanup: async () => {
      await d.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe("migration 0016", () => {
  it("moves the rows stored before it into one indexed leaf per org, active flags and all", { timeout: 120_000 }, async () => {
    const m = await databaseBefore0016();
    try {
      await m.db.exec(`insert into organizations (org_id) values ('org-a'), ('org-b')`);
      for (const [id, org] of [
        [1, "org-a"],
        [2, "org-b"],
        [3, "org-a"],
      ] as const)
        await m.db.query(
          `insert into imports (id, org_id, granularity, first_bucket, last_bucket, file_name, sha256, row_count, total, status, replaced_import_ids, warnings, created_by)
           values ($1, $2, 'daily', '2026-04-01', '2026-04-01', 'f.csv', $3, 1, '1', 'active', '[]', '[]', 'test')`,
          [id, org, `sha-${id}`],
        );
      await m.db.exec(
        `insert into cost_rows (import_id, org_id, granularity, bucket_start, owner_id, product, metric, unit, chargeback_cost, original_amount, usage_share, is_unallocated, line, active)
         values (1, 'org-a', 'daily', '2026-04-01', 'sa-1', 'kafka', 'm', 'GB', 1.5, 3, 0.5, false, 2, false),
                (2, 'org-b', 'daily', '2026-04-01', 'sa-2', 'kafka', 'm', 'GB', 2, 2, 1, false, 2, true),
                (3, 'org-a', 'daily', '2026-04-01', 'sa-1', 'kafka', 'm', 'GB', 1.25, 3, 0.5, false, 2, true),
                (3, 'org-a', 'daily', '2026-04-01', 'unallocated', '', '', '', 0.5, 0.5, 0, true, 3, true)`,
      );
      const before = await m.db.query(`select * from cost_rows order by import_id, line`);
      const d = await m.reopen();
      expect(await d.query(`select * from cost_rows order by import_id, line`)).toEqual(before);
      const hi = 4;
      expect(await leaves(d)).toEqual(
        ["org-a", "org-b"]
          .map((org) => {
            const leaf = `${orgPartitionName(org)}_upto_${hi}`;
            return {
              leaf,
              parent: orgPartitionName(org),
              top: "cost_rows",
              indexes: [`${leaf}_bucket_idx`, `${leaf}_import_idx`, `${leaf}_owner_idx`],
            };
          })
          .sort((x, y) => (x.leaf < y.leaf ? -1 : 1)),
      );
      expect((await d.query<{ t: string | null }>(`select to_regclass('cost_rows_before_0016')::text as t`))[0].t).toBeNull();
      // the next import of an org gets a leaf of its own next to the moved rows
      await d.query(`select setval(pg_get_serial_sequence('imports', 'id'), 3)`);
      const f = path.join(tmp, "after-migration.csv");
      await writeExportFile(f, {
        org: "org-a",
        granularity: "daily",
        from: "2026-05-01",
        to: "2026-05-02",
        principals: 3,
        clusters: 1,
        seed: 5,
      });
      const r = await ingestFile(d, { orgId: "org-a", filePath: f, actor: "test", alerts: false });
      expect(r.status).toBe("imported");
      if (r.status === "imported") expect((await leaves(d)).map((l) => l.leaf)).toContain(importLeafName(r.importId));
    } finally {
      await m.cleanup();
    }
  });
});
