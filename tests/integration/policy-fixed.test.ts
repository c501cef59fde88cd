/**
 * The allocation policy as data (docs/allocation.md) on the engine chosen by TEST_DB:
 * `fixed` set through the real CLI, the report checked to the unit against hand-computed
 * figures, validation errors that change nothing, a team rename that keeps the policy
 * (stored by team id), team deletion refused while a policy names the team, and the
 * 0006 migration converting text policies to JSON.
 */
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgliteDb, createPostgresDb, type Db } from "../../db/client";
import { migrateDb, migrationsFolder } from "../../db/migrate";
import { createTeam, deleteTeam, renameTeam } from "../../app/services/teams";
import { listAudit } from "../../db/queries/audit";
import { getOrg, listOrgs } from "../../db/queries/orgs";
import { createCliEnv, type CliEnv } from "../helpers/cli";
import { baseUrl, testEngine } from "../helpers/db";

const FIX = path.resolve(__dirname, "../fixtures/vendor-example");
const ORG = "org-vendor";

let cli: CliEnv;

/** org-vendor's monthly report for April 2026 as { team: [direct, share, total] }. */
async function report(): Promise<Record<string, [string, string, string]>> {
  const r = await cli.run("report", "--granularity", "monthly", "--from", "2026-04-01", "--to", "2026-04-01", "--org", ORG);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split("\n").slice(1);
  return Object.fromEntries(lines.map((l) => l.split(",")).map((c) => [c[2]!, [c[3]!, c[4]!, c[5]!]]));
}

const teamId = (db: Db, name: string) => db.query<{ id: number }>(`select id from teams where name = $1`, [name]).then((r) => r[0]!.id);

beforeAll(async () => {
  cli = await createCliEnv();
  expect((await cli.run("crosswalk", "import", path.join(FIX, "crosswalk.csv"))).code).toBe(0);
  expect((await cli.run("ingest", "--org", ORG, "--granularity", "monthly", path.join(FIX, "export-2026-04-monthly.csv"))).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await cli?.cleanup();
});

describe("fixed policy through the CLI", () => {
  it("proportional first (the figures the fixed policy starts from)", async () => {
    // direct: analytics 3.0938, payments 7.2188, platform 6.1875, search 16.5000 (Σ 33.0001); U = −5.50
    const r = await report();
    expect(Object.fromEntries(Object.entries(r).map(([t, v]) => [t, v[0]]))).toEqual({
      analytics: "3.0938",
      payments: "7.2188",
      platform: "6.1875",
      search: "16.5000",
    });
  });

  it("splits U by the fixed percentages, exact to the unit (largest remainder, ties by name)", async () => {
    const set = await cli.run("orgs", "set", "--org", ORG, "--policy", "fixed:payments=60, search=39.99 ,analytics=0.01");
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(`${ORG}: policy fixed:analytics=0.01,payments=60,search=39.99, tolerance 0.01\n`);
    // U = −5.50 = −55000 units of 0.0001: payments 60 % = −3.30 exactly; search 39.99 % = −2.19945 and
    // analytics 0.01 % = −0.00055 are both half a unit off: the one leftover unit goes to the tie's
    // first name, analytics → analytics −0.0006, search −2.1994 (Σ −5.50); platform (not listed) 0.
    expect(await report()).toEqual({
      analytics: ["3.0938", "-0.0006", "3.0932"],
      payments: ["7.2188", "-3.3000", "3.9188"],
      platform: ["6.1875", "0.0000", "6.1875"],
      search: ["16.5000", "-2.1994", "14.3006"],
    });
    const list = await cli.run("orgs", "list");
    expect(list.stdout).toContain(`${ORG}\tfixed:analytics=0.01,payments=60,search=39.99\t`);
  });

  it.each([
    ["fixed:payments=60,search=30", 2, /the percentages sum to 90, not 100/],
    ["fixed:payments=60,payments=40", 2, /team "payments" is listed twice/],
    ["fixed:payments=60,unmapped=40", 2, /pseudo-team/],
    ["fixed:payments=60.00001,search=39.99999", 2, /at most 4 decimals/],
    ["fixed:payments=60,nobody=40", 1, /The team "nobody" named by the policy does not exist/],
  ])("%s is refused (exit %i) and changes nothing", async (policy, code, re) => {
    const before = await report();
    const audits = await cli.withDb(async (db) => (await listAudit(db, { entity: "organization" })).length);
    const r = await cli.run("orgs", "set", "--org", ORG, "--policy", policy);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(re);
    expect(r.stdout).toBe("");
    expect(await report()).toEqual(before);
    await cli.withDb(async (db) => {
      expect((await getOrg(db, ORG))!.policy).toBe("fixed:analytics=0.01,payments=60,search=39.99");
      expect((await listAudit(db, { entity: "organization" })).length).toBe(audits);
    });
  });

  it("a team rename keeps the policy (stored by id) and its figures, ties now broken by the new name", async () => {
    await cli.withDb(async (db) => {
      const spec = (await db.query<{ policy_spec: unknown }>(`select policy_spec from organizations where org_id = $1`, [ORG]))[0]!
        .policy_spec;
      await renameTeam(db, "test", await teamId(db, "analytics"), "zeta-analytics");
      expect(
        (await db.query<{ policy_spec: unknown }>(`select policy_spec from organizations where org_id = $1`, [ORG]))[0]!.policy_spec,
      ).toEqual(spec);
      expect((await getOrg(db, ORG))!.policy).toBe("fixed:payments=60,search=39.99,zeta-analytics=0.01");
    });
    // same tie (half a unit each), now "search" < "zeta-analytics": search gets the leftover unit
    expect(await report()).toEqual({
      payments: ["7.2188", "-3.3000", "3.9188"],
      platform: ["6.1875", "0.0000", "6.1875"],
      search: ["16.5000", "-2.1995", "14.3005"],
      "zeta-analytics": ["3.0938", "-0.0005", "3.0933"],
    });
    const list = await cli.run("orgs", "list");
    expect(list.stdout).toContain(`${ORG}\tfixed:payments=60,search=39.99,zeta-analytics=0.01\t`);
  });

  it("refuses deleting a team a fixed policy names, until the policy changes", async () => {
    await cli.withDb((db) => createTeam(db, "test", "finops", null).then(() => undefined));
    expect((await cli.run("orgs", "set", "--org", ORG, "--policy", "fixed:finops=50,payments=50")).code).toBe(0);
    expect((await report()).finops).toEqual(["0.0000", "-2.7500", "-2.7500"]); // 50 % of −5.50;
    await cli.withDb(async (db) => {
      await expect(deleteTeam(db, "test", await teamId(db, "finops"))).rejects.toThrow(
        /receives unallocated cost by the policy of org-vendor/,
      );
      expect(await teamId(db, "finops")).toBeGreaterThan(0);
    });
    expect((await cli.run("orgs", "set", "--org", ORG, "--policy", "proportional")).code).toBe(0);
    await cli.withDb(async (db) => {
      await deleteTeam(db, "test", await teamId(db, "finops"));
      expect(await db.query(`select id from teams where name = 'finops'`)).toEqual([]);
    });
  });
});

// ------------------------------------------------------------------ migration 0006

async function freshDb(): Promise<{ db: Db; url?: string; cleanup(): Promise<void> }> {
  if (testEngine() === "pglite") {
    const db = await createPgliteDb();
    return { db, cleanup: () => db.close() };
  }
  const name = `showback_t_mig_${randomBytes(5).toString("hex")}`;
  const admin = postgres(baseUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(baseUrl());
  u.pathname = "/" + name;
  const db = createPostgresDb(u.toString(), { max: 2 });
  return {
    db,
    url: u.toString(),
    async cleanup() {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

describe("migration 0006_policy_as_data", () => {
  it("converts text policies: shared:<name> → {kind: shared, teamId}, the others → {kind}", async () => {
    const full = migrationsFolder();
    const partial = await mkdtemp(path.join(os.tmpdir(), "showback-mig-"));
    const t = await freshDb();
    const saved = process.env.SHOWBACK_MIGRATIONS_DIR;
    try {
      // the migrations up to 0005
      await cp(full, partial, { recursive: true });
      const journal = JSON.parse(await readFile(path.join(full, "meta", "_journal.json"), "utf8"));
      const upTo = journal.entries.findIndex((e: { tag: string }) => e.tag === "0006_policy_as_data");
      expect(upTo).toBe(6);
      journal.entries = journal.entries.slice(0, upTo);
      await writeFile(path.join(partial, "meta", "_journal.json"), JSON.stringify(journal));
      process.env.SHOWBACK_MIGRATIONS_DIR = partial;
      await migrateDb(t.db, { databaseUrl: t.url });
      await t.db.query(`insert into teams (name) values ('platform'), ('search')`);
      await t.db.query(
        `insert into organizations (org_id, policy) values ('o-prop', 'proportional'), ('o-even', 'even'), ('o-none', 'none'),
           ('o-shared', 'shared:search'), ('o-gone', 'shared:finops')`,
      );
      // then 0006
      process.env.SHOWBACK_MIGRATIONS_DIR = full;
      await migrateDb(t.db, { databaseUrl: t.url });
      const id = (n: string) => teamId(t.db, n);
      const rows = await t.db.query<{ org_id: string; policy_spec: unknown }>(
        `select org_id, policy_spec from organizations order by org_id`,
      );
      expect(rows).toEqual([
        { org_id: "o-even", policy_spec: { kind: "even" } },
        // its team row was missing: created, so the policy keeps allocating to that name
        { org_id: "o-gone", policy_spec: { kind: "shared", teamId: await id("finops") } },
        { org_id: "o-none", policy_spec: { kind: "none" } },
        { org_id: "o-prop", policy_spec: { kind: "proportional" } },
        { org_id: "o-shared", policy_spec: { kind: "shared", teamId: await id("search") } },
      ]);
      expect((await listOrgs(t.db)).map((o) => o.policy)).toEqual(["even", "shared:finops", "none", "proportional", "shared:search"]);
      expect(
        await t.db.query(
          `select column_name from information_schema.columns where table_name = 'organizations' and column_name = 'policy'`,
        ),
      ).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.SHOWBACK_MIGRATIONS_DIR;
      else process.env.SHOWBACK_MIGRATIONS_DIR = saved;
      await t.cleanup();
      await rm(partial, { recursive: true, force: true });
    }
  }, 120_000);
});
