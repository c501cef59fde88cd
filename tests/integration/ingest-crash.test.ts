/**
 * Crash safety of the ingest CLI (issue 11): an `npm run ingest` child is SIGKILLed at the
 * start of each phase (staging, checks, insert, allocation, details; the test hook
 * SHOWBACK_TEST_PAUSE_AT in app/services/import-progress.ts stops it there). Afterwards the report
 * and the list of imports are byte-identical to the ones before the killed ingest, and the
 * same file then ingests cleanly with the right totals.
 *
 * TEST_DB=pg: the child uses a test database over DATABASE_URL. TEST_DB=pglite: the child
 * opens an on-disk PGlite data folder (SHOWBACK_DATA_DIR), so a kill mid-write must leave
 * a folder that opens again (PostgreSQL's crash recovery from the WAL).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../app/domain/money";
import { createCliEnv, type CliEnv } from "../helpers/cli";

const root = path.resolve(__dirname, "../..");
const ORG = "org-crash";
const FROM = "2026-03-01";
const TO = "2026-03-20";
const PHASES = ["staging", "checks", "insert", "allocation", "details"] as const;

let tmp: string;
let cli: CliEnv;
let fileA: string;
let fileB: string;
let baseline: string;

/** Everything a reader sees: the report CSV of the covered range and the import list. */
async function snapshot(): Promise<string> {
  const report = await cli.run("report", "--granularity", "daily", "--from", FROM, "--to", TO, "--format", "csv");
  expect(report.code, report.stderr).toBe(0);
  const byOrg = await cli.run(
    "report",
    "--granularity",
    "daily",
    "--from",
    FROM,
    "--to",
    TO,
    "--org",
    ORG,
    "--by",
    "cost_center",
    "--format",
    "csv",
  );
  expect(byOrg.code, byOrg.stderr).toBe(0);
  const state = await cli.withDb(async (db) => ({
    imports: await db.query(
      `select id, org_id, granularity, first_bucket, last_bucket, file_name, sha256, row_count, total::text, status,
              superseded_by, replaced_import_ids, created_at::text from imports order by id`,
    ),
    rows: await db.query(`select count(*)::int as n, coalesce(sum(chargeback_cost), 0)::text as t from cost_rows where active`),
    allRows: await db.query(`select count(*)::int as n from cost_rows`),
    audit: await db.query(`select count(*)::int as n from audit_log`),
  }));
  return [report.stdout, byOrg.stdout, JSON.stringify(state, null, 1)].join("\n----\n");
}

/** Runs the ingest CLI until it prints the pause marker of `phase`, then SIGKILLs it. */
function ingestKilledAt(phase: string, file: string): Promise<{ marker: boolean; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(root, "scripts", "ingest.ts"), "--org", ORG, "--granularity", "daily", file],
      {
        cwd: root,
        env: { ...process.env, ...cli.env, NODE_OPTIONS: "", SHOWBACK_TEST_PAUSE_AT: phase },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    let marker = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.stdout.resume();
    child.stderr.on("data", (d) => {
      stderr += d;
      if (!marker && stderr.includes(`showback_test_paused=${phase}\n`)) {
        marker = true;
        child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      clearTimeout(timer);
      resolve({ marker, signal, stderr });
    });
  });
}

/** Σ chargeback_cost of an export file (decimal, exact). */
async function fileTotal(file: string): Promise<string> {
  const [header, ...lines] = (await readFile(file, "utf8")).trimEnd().split("\n");
  const col = header!.split(",").indexOf("chargeback_cost");
  expect(col).toBeGreaterThanOrEqual(0);
  return lines.reduce((s, l) => s.plus(l.split(",")[col]!), new Decimal(0)).toFixed();
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-crash-"));
  cli = await createCliEnv();
  fileA = path.join(tmp, "a.csv");
  fileB = path.join(tmp, "b.csv");
  for (const [out, seed] of [
    [fileA, "1"],
    [fileB, "2"],
  ] as const) {
    const g = await cli.run("generate", "--org", ORG, "--granularity", "daily", "--from", FROM, "--to", TO, "--seed", seed, "--out", out);
    expect(g.code, g.stderr).toBe(0);
  }
  const a = await cli.run("ingest", "--org", ORG, "--granularity", "daily", fileA);
  expect(a.code, a.stderr).toBe(0);
  baseline = await snapshot();
  expect(baseline).toContain(ORG);
}, 180_000);

afterAll(async () => {
  await cli?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("an ingest killed mid-way changes nothing", () => {
  for (const phase of PHASES) {
    it(`SIGKILL as ${phase} starts`, async () => {
      const r = await ingestKilledAt(phase, fileB);
      expect(r.marker, `no pause marker for ${phase}; stderr:\n${r.stderr}`).toBe(true);
      expect(r.signal).toBe("SIGKILL");
      expect(await snapshot()).toBe(baseline);
    }, 180_000);
  }

  it("then the same file ingests cleanly, with the file's total", async () => {
    const b = await cli.run("ingest", "--org", ORG, "--granularity", "daily", fileB);
    expect(b.code, b.stderr).toBe(0);
    const total = await fileTotal(fileB);
    expect(b.stdout).toContain(`total ${total} USD`);
    const state = await cli.withDb(async (db) => ({
      imports: await db.query<{ status: string; total: string; file_name: string }>(
        `select status, total::text as total, file_name from imports where org_id = $1 order by id`,
        [ORG],
      ),
      active: await db.query<{ t: string }>(
        `select coalesce(sum(chargeback_cost), 0)::text as t from cost_rows where active and org_id = $1`,
        [ORG],
      ),
      allocated: await db.query<{ t: string }>(`select coalesce(sum(total), 0)::text as t from allocation_results where org_id = $1`, [
        ORG,
      ]),
    }));
    expect(state.imports.map((i) => [i.file_name, i.status])).toEqual([
      ["a.csv", "superseded"],
      ["b.csv", "active"],
    ]);
    expect(new Decimal(state.imports[1]!.total).eq(total)).toBe(true);
    expect(new Decimal(state.active[0]!.t).eq(total)).toBe(true);
    expect(new Decimal(state.allocated[0]!.t).eq(total)).toBe(true);
    expect(await snapshot()).not.toBe(baseline);
  }, 180_000);
});
