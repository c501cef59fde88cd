/**
 * npm run bench -- [--rows N] [--engine pg|pglite] [--stored-rows M] [--requests R] [--keep]
 *
 * In one run, on one engine: generates an export of N rows (default 1,000,000) and
 * measures the COPY floor (`psql \copy` into an unindexed table; PGlite: COPY from a
 * blob), the product's ingest of the same file (a real CLI process: wall time, rows/s,
 * peak RSS), the report CLI for a month, then loads M stored rows in total (default
 * 10,000,000: 5 orgs × 12 months daily) and times the pages of the built server over R
 * requests each (p50/p95): the overview over 12 and over 24 months of all orgs, a team
 * page over 12 months, a cost-center page over 12 months; then how long a crosswalk edit
 * takes to show on the dashboards, the same for a rule edit, and the what-if preview of a
 * rule. Prints a table and key=value lines; every key of BENCH_KEYS is always printed (-1
 * when the run could not measure it, e.g. with no stored rows). `--keep` leaves the
 * database (or PGlite data directory) in place for profiling and prints where it is.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { z } from "zod";
import { createPgliteDb, createPostgresDb, pgliteOf, type Db } from "../db/client";
import { migrateDb } from "../db/migrate";
import { createCrosswalkEntry, importCrosswalk, type ImportEntry } from "../app/services/crosswalk";
import { createRule, syncSegments, whatIf } from "../app/services/mapping";
import type { Rule } from "../app/domain/rules";
import { usageKeys } from "../db/queries/mapping";
import { bumpDataVersion } from "../db/queries/data-version";
import { ingestFile } from "../app/services/ingest";
import { seedUser } from "../app/services/users";
import { ensureCostCenter, moveTeam } from "../app/services/teams";
import { describeOwners, estimateRowsPerBucket } from "./lib/generator";
import { writeExportFile } from "./lib/export-file";
import { parseCli, runCli } from "./lib/cli";
import { startServer } from "./serve";
import { BENCH_KEYS } from "./lib/bench-keys";
import { measureDownload } from "./lib/bench-download";

const USAGE = "npm run bench -- [--rows N] [--engine pg|pglite] [--stored-rows M] [--requests R] [--keep]";
const Args = z.object({
  rows: z.coerce.number().int().min(1000).default(1_000_000),
  engine: z.enum(["pg", "pglite"]).default("pg"),
  storedRows: z.coerce.number().int().min(0).default(10_000_000),
  requests: z.coerce.number().int().min(5).default(100),
  keep: z.boolean(),
});

const root = path.resolve(import.meta.dirname, "..");
const log = (s: string) => process.stderr.write(s + "\n");

function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - t }));
  });
}

/** Picks principals so that one org's daily file over [from, to] has about `rows` rows. */
function sizeFor(org: string, rows: number, days: number, clusters = 2): number {
  const per100 = estimateRowsPerBucket({ org, granularity: "daily", principals: 100, clusters, seed: 1 });
  return Math.max(2, Math.round((100 * rows) / (days * per100)));
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

runCli(async () => {
  const a = parseCli(
    USAGE,
    process.argv.slice(2),
    {
      rows: { type: "string" },
      engine: { type: "string" },
      "stored-rows": { type: "string" },
      requests: { type: "string" },
      keep: { type: "boolean" },
    },
    Args,
    (v) => ({ rows: v.rows, engine: v.engine, storedRows: v["stored-rows"], requests: v.requests, keep: Boolean(v.keep) }),
  );
  const tmp = await mkdtemp(path.join(os.tmpdir(), "showback-bench-"));
  const baseUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
  const dbName = `showback_bench_${randomBytes(4).toString("hex")}`;
  const dbUrl = (() => {
    const u = new URL(baseUrl);
    u.pathname = "/" + dbName;
    return u.toString();
  })();
  const dataDir = path.join(tmp, "data");
  const engineEnv: Record<string, string> = a.engine === "pg" ? { DATABASE_URL: dbUrl } : { DATABASE_URL: "", SHOWBACK_DATA_DIR: dataDir };
  const admin = a.engine === "pg" ? postgres(baseUrl, { max: 1, onnotice: () => {} }) : null;
  const figures: Record<string, string | number> = Object.fromEntries(BENCH_KEYS.map((k) => [k, -1]));
  Object.assign(figures, { engine: a.engine, rows: a.rows });
  try {
    if (admin) await admin.unsafe(`create database ${dbName}`);

    // 1. the file
    const days = 30;
    const file = path.join(tmp, "bench.csv");
    const principals = sizeFor("bench-org", a.rows, days);
    log(`generating ~${a.rows} rows (${principals} principals × ${days} days)…`);
    const generated = await writeExportFile(file, {
      org: "bench-org",
      granularity: "daily",
      from: "2026-04-01",
      to: "2026-04-30",
      principals,
      clusters: 2,
      seed: 42,
    });
    figures.rows = generated;
    figures.file_mb = round((await stat(file)).size / 1e6);

    // 2. the floor: COPY of the same file into an unindexed table
    const floorColumns =
      "ts text, owner_id text, environment_id text, resource_id text, product text, metric text, unit text, chargeback_cost numeric, original_amount numeric, usage_share numeric";
    let floorMs: number;
    if (a.engine === "pg") {
      await run("psql", [dbUrl, "-qc", `create unlogged table if not exists bench_floor (${floorColumns})`]);
      const r = await run("psql", [dbUrl, "-qc", `\\copy bench_floor from '${file}' with (format csv, header true)`]);
      if (r.code !== 0) throw new Error(`psql \\copy failed: ${r.stderr}`);
      floorMs = r.ms;
      await run("psql", [dbUrl, "-qc", "drop table bench_floor"]);
    } else {
      const db = await createPgliteDb(dataDir);
      await db.exec(`create table bench_floor (${floorColumns})`);
      const t = performance.now();
      await pgliteOf(db)!.query(`copy bench_floor from '/dev/blob' with (format csv, header true)`, [], {
        blob: new Blob([await readFile(file)]),
      });
      floorMs = performance.now() - t;
      await db.exec("drop table bench_floor");
      await db.close();
    }
    figures.copy_floor_s = round(floorMs / 1000, 2);

    // 3. the product's ingest: a real CLI process
    log("ingesting with the product…");
    const ing = await run(process.execPath, ["--import", "tsx", "scripts/ingest.ts", "--org", "bench-org", file], {
      ...engineEnv,
      SHOWBACK_BENCH: "1",
    });
    if (ing.code !== 0) throw new Error(`ingest failed: ${ing.stderr}`);
    const ingestSeconds = Number(/bench_ingest_seconds=([\d.]+)/.exec(ing.stderr)?.[1]);
    const peakKb = Number(/bench_peak_rss_kb=(\d+)/.exec(ing.stderr)?.[1]);
    figures.ingest_s = round(ingestSeconds, 2);
    figures.ingest_process_s = round(ing.ms / 1000, 2);
    figures.ingest_rows_per_s = Math.round(generated / ingestSeconds);
    figures.ingest_vs_copy_ratio = round(ingestSeconds / (floorMs / 1000), 2);
    figures.ingest_peak_rss_mb = Math.round(peakKb / 1024);
    // which path ran (staged = COPY into staging + set-based checks) and where the time went
    figures.ingest_path = /bench_path=(\w+)/.exec(ing.stderr)?.[1] ?? "?";
    const phases = JSON.parse(/bench_phases=(\{[^}]*\})/.exec(ing.stderr)?.[1] ?? "{}") as Record<string, number>;
    for (const [k, ms] of Object.entries(phases)) figures[`ingest_phase_${k}_s`] = round(ms / 1000, 2);

    // 4. the report CLI for a month
    const rep = await run(
      process.execPath,
      ["--import", "tsx", "scripts/report.ts", "--granularity", "monthly", "--from", "2026-04-01", "--to", "2026-04-30"],
      engineEnv,
    );
    if (rep.code !== 0) throw new Error(`report failed: ${rep.stderr}`);
    figures.report_month_s = round(rep.ms / 1000, 2);

    // 5. stored rows: 5 orgs × 12 months daily, in process
    const db: Db = a.engine === "pg" ? createPostgresDb(dbUrl) : await createPgliteDb(dataDir);
    await migrateDb(db, a.engine === "pg" ? { databaseUrl: dbUrl } : {});
    const extra = Math.max(0, a.storedRows - generated);
    const orgs = ["bench-1", "bench-2", "bench-3", "bench-4", "bench-5"];
    let stored = generated;
    const loadStart = performance.now();
    for (const org of orgs) {
      const owners = describeOwners({ org, principals: sizeFor(org, extra / orgs.length, 365), clusters: 2, seed: 7 });
      const entries: ImportEntry[] = owners
        .slice(0, -1)
        .map((o) => ({ orgId: org, ownerId: o.ownerId, team: o.suggestedTeam, validFrom: "2025-01-01", validTo: null }));
      await importCrosswalk(db, "bench", entries, "merge");
      if (extra < 1000) continue;
      const f = path.join(tmp, `${org}.csv`);
      await writeExportFile(f, {
        org,
        granularity: "daily",
        from: "2026-01-01",
        to: "2026-12-31",
        principals: sizeFor(org, extra / orgs.length, 365),
        clusters: 2,
        seed: 7,
      });
      const r = await ingestFile(db, { orgId: org, filePath: f, actor: "bench" });
      if (r.status !== "imported") throw new Error(`stored-rows ingest failed for ${org}`);
      stored += r.summary.rowCount;
      await rm(f);
      log(`  ${org}: ${r.summary.rowCount} rows (${stored} stored)`);
    }
    figures.stored_rows = stored;
    figures.stored_load_s = round((performance.now() - loadStart) / 1000, 1);
    figures.stored_load_rows_per_s = stored > generated ? Math.round((stored - generated) / ((performance.now() - loadStart) / 1000)) : -1;
    // the cost-center page: every second team of the stored orgs under one cost center
    const benchTeams = await db.query<{ id: number }>(`select id from teams order by name`);
    if (benchTeams.length > 0) {
      await ensureCostCenter(db, "bench", "CC-BENCH");
      for (const t of benchTeams.filter((_, i) => i % 2 === 0)) await moveTeam(db, "bench", t.id, "CC-BENCH");
    }

    // 6. the server: overview and team loaders
    await seedUser(db, { email: "bench@example.test", role: "finance_admin", password: "bench password 123" });
    const server = await startServer({
      db,
      port: 0,
      host: "127.0.0.1",
      log: false,
      env: { ...engineEnv, SESSION_SECRET: randomBytes(32).toString("hex") },
    });
    try {
      const login = await fetch(`${server.url}/login`, {
        method: "POST",
        body: new URLSearchParams({ email: "bench@example.test", password: "bench password 123" }),
        redirect: "manual",
        headers: { origin: server.url },
      });
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
      if (!cookie) throw new Error(`bench login failed: ${login.status}`);
      // cold: the data version is bumped before each request, so the read cache (decision 0005)
      // never answers and every request runs the loader's queries
      const time = async (url: string, cold = false) => {
        const xs: number[] = [];
        for (let i = 0; i < a.requests; i++) {
          if (cold) await bumpDataVersion(db);
          const t = performance.now();
          const res = await fetch(server.url + url, { headers: { cookie } });
          await res.text();
          if (res.status !== 200) throw new Error(`${url} → ${res.status}`);
          xs.push(performance.now() - t);
        }
        return xs;
      };
      const range = "period=custom&from=2026-01-01&to=2026-12-31&gran=monthly";
      const teamTotal = async (team: string) => {
        const res = await fetch(`${server.url}/teams/${team}?${range}&_data=routes%2Fteams.%24team`, { headers: { cookie } });
        const body = await res.text();
        if (res.status !== 200) return "0";
        return (JSON.parse(body) as { d?: { totals?: { total?: string } } }).d?.totals?.total ?? "0";
      };
      const envOf = async (org: string, ownerId: string) =>
        (await usageKeys(db, org)).find((k) => k.ownerId === ownerId && k.environmentId !== "")!.environmentId;
      const lastOwnerOf = (org: string) =>
        describeOwners({ org, principals: sizeFor(org, extra / orgs.length, 365), clusters: 2, seed: 7 }).slice(-1)[0].ownerId;

      // 6a. a rule edit reflected on the dashboards: "what nobody claimed in this environment goes to bench-rule"
      if (extra >= 1000) {
        const envRule = (org: string, env: string, team: string, name: string): Rule => ({
          orgId: org,
          name,
          when: { environmentId: env },
          then: { team },
          validFrom: "2025-01-01",
          validTo: null,
        });
        const env2 = await envOf("bench-2", lastOwnerOf("bench-2"));
        await teamTotal("payments"); // warm the route (the page timings below do the same)
        const r0 = performance.now();
        await createRule(db, "bench", envRule("bench-2", env2, "bench-rule", "bench: unclaimed in env to bench-rule"));
        figures.rule_edit_commit_ms = round(performance.now() - r0);
        let ruleFresh = false;
        while (!ruleFresh && performance.now() - r0 < 30_000) ruleFresh = /[1-9]/.test(await teamTotal("bench-rule"));
        figures.rule_edit_to_fresh_ms = ruleFresh ? round(performance.now() - r0) : -1;

        // 6b. the what-if preview of another rule (nothing stored)
        const env3 = await envOf("bench-3", lastOwnerOf("bench-3"));
        const w0 = performance.now();
        const w = await whatIf(db, (tx) => createRule(tx, "bench", envRule("bench-3", env3, "bench-what-if", "bench: what-if")));
        figures.what_if_ms = round(performance.now() - w0);
        figures.what_if_rows = w.deltas.length;

        // 6c. the resolved crosswalk of every org recomputed and compared, nothing changed (the fixed cost of any edit)
        const s0 = performance.now();
        for (const o of orgs) await syncSegments(db, o);
        figures.segments_sync_all_orgs_ms = round(performance.now() - s0);
      }

      const range24 = "period=custom&from=2025-01-01&to=2026-12-31&gran=monthly";
      const overview = await time(`/?${range}&_data=routes%2F_index`);
      const team = await time(`/teams/payments?${range}&_data=routes%2Fteams.%24team`);
      const overviewCold = await time(`/?${range}&_data=routes%2F_index`, true);
      const overview24Cold = await time(`/?${range24}&_data=routes%2F_index`, true);
      const teamCold = await time(`/teams/payments?${range}&_data=routes%2Fteams.%24team`, true);
      figures.overview_cold_p50_ms = round(pct(overviewCold, 50));
      figures.overview_cold_p95_ms = round(pct(overviewCold, 95));
      figures.overview_24m_cold_p50_ms = round(pct(overview24Cold, 50));
      figures.overview_24m_cold_p95_ms = round(pct(overview24Cold, 95));
      figures.team_cold_p50_ms = round(pct(teamCold, 50));
      figures.team_cold_p95_ms = round(pct(teamCold, 95));
      // the year of daily rows as CSV, streamed: its size, time and the server's memory meanwhile
      // (twice: the first warms the route; the second is measured from a settled heap)
      const rowsUrl = `${server.url}/export/rows.csv?period=custom&from=2026-01-01&to=2026-12-31&gran=daily`;
      await measureDownload(rowsUrl, cookie, null);
      global.gc?.();
      const dl = await measureDownload(rowsUrl, cookie, null);
      figures.rows_csv_year_mb = round(dl.bytes / 1e6, 1);
      figures.rows_csv_year_ms = round(dl.ms);
      figures.rows_csv_year_rss_growth_mb = round(dl.rssPeakMb - dl.rssBeforeMb, 1);
      if (benchTeams.length > 0) {
        const ccCold = await time(`/cost-centers/CC-BENCH?${range}&_data=routes%2Fcost-centers.%24code`, true);
        figures.cost_center_cold_p50_ms = round(pct(ccCold, 50));
        figures.cost_center_cold_p95_ms = round(pct(ccCold, 95));
      }
      figures.overview_p50_ms = round(pct(overview, 50));
      figures.overview_p95_ms = round(pct(overview, 95));
      figures.team_p50_ms = round(pct(team, 50));
      figures.team_p95_ms = round(pct(team, 95));

      // 7. a crosswalk edit reflected on the dashboards
      const lastOwner = { ownerId: lastOwnerOf("bench-1") };
      const t0 = performance.now();
      await createCrosswalkEntry(db, "bench", {
        orgId: "bench-1",
        ownerId: lastOwner.ownerId,
        team: "bench-moved",
        validFrom: "2025-01-01",
        validTo: null,
      });
      // fresh = the new team's page answers with the owner's cost (before the edit it is a 404)
      let fresh = false;
      while (!fresh && performance.now() - t0 < 30_000) fresh = /[1-9]/.test(await teamTotal("bench-moved"));
      figures.crosswalk_edit_to_fresh_ms = fresh ? round(performance.now() - t0) : -1;
    } finally {
      await server.close();
      await db.close();
    }
  } finally {
    if (a.keep) {
      log(a.engine === "pg" ? `kept: DATABASE_URL=${dbUrl}` : `kept: SHOWBACK_DATA_DIR=${dataDir}`);
      await admin?.end();
    } else {
      if (admin) {
        await admin.unsafe(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  process.stdout.write(
    Object.entries(figures)
      .map(([k, v]) => `${k.padEnd(width)}  ${v}`)
      .join("\n") + "\n\n",
  );
  process.stdout.write(
    Object.entries(figures)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n") + "\n",
  );
  return 0;
});
