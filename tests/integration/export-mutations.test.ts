/**
 * Issue 11: mutations of a valid export (a line dropped, duplicated or truncated, a field
 * corrupted, a header name changed) are either loaded with the right totals or rejected with a
 * located message and nothing changed; never a crash, never a partial load. Both engines
 * (TEST_DB=pglite|pg).
 *
 * - through the real CLI (`scripts/ingest.ts` in a child process): exit code 0 or 1 only; on 1
 *   a message naming a line and the database (imports, cost rows, allocations, report) unchanged;
 *   on 0 the import's total, the stored rows and the report equal the file's own Σ chargeback_cost.
 *   A CLI run costs seconds (a process, the engine's start), so the number of runs is sized to
 *   stay near a minute per engine (MUTATION_CLI_RUNS overrides it).
 * - in process, many more mutations on both ingest paths (staged and row by row), which must
 *   agree exactly, with the same checks.
 * - the parser caps: a 16 MB line and a 100-field record are refused by line and limit, exit 1.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPORT_COLUMNS } from "../../app/domain/csv/export";
import { dec } from "../../app/domain/money";
import type { Db } from "../../db/client";
import { createCrosswalkEntry } from "../../app/services/crosswalk";
import { ingestFile, type IngestResult } from "../../app/services/ingest";
import { getReport } from "../../db/queries/report";
import { createCliEnv, type CliEnv } from "../helpers/cli";
import { createTestDb, testEngine, type TestDb } from "../helpers/db";
import { startTestServer, type TestClient, type TestServer } from "../helpers/server";

const FIX = path.resolve(__dirname, "../fixtures/vendor-example");
const EXPORT = path.join(FIX, "export-2026-04-monthly.csv");
const CROSSWALK = path.join(FIX, "crosswalk.csv");
const ORG = "org-vendor";

let tmp: string;
let baseLines: string[];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-mut-"));
  baseLines = (await readFile(EXPORT, "utf8")).trimEnd().split("\n");
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------------ mutations

type Mutation =
  | { kind: "drop"; line: number }
  | { kind: "duplicate"; line: number }
  | { kind: "truncate"; line: number; at: number }
  | { kind: "corrupt"; line: number; field: number; value: string }
  | { kind: "header"; field: number; value: string };

const DATA_LINES = 19;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("drop" as const), line: fc.integer({ min: 1, max: DATA_LINES }) }),
  fc.record({ kind: fc.constant("duplicate" as const), line: fc.integer({ min: 1, max: DATA_LINES }) }),
  fc.record({ kind: fc.constant("truncate" as const), line: fc.integer({ min: 0, max: DATA_LINES }), at: fc.nat({ max: 200 }) }),
  fc.record({
    kind: fc.constant("corrupt" as const),
    line: fc.integer({ min: 1, max: DATA_LINES }),
    field: fc.integer({ min: 0, max: 9 }),
    value: fc.oneof(
      fc.constantFrom(
        "",
        " ",
        "x",
        "-",
        "1e3",
        "1,5",
        '"',
        '"a""b"',
        "0.5",
        "-0.00",
        "12.5000",
        "2026-04-02",
        "2026-04-01T01:00:00Z",
        "2026-05-01",
        "unallocated",
        "UNALLOCATED",
        "NaN",
        "١",
        "\\.",
        "a\tb",
      ),
      fc.string({ maxLength: 6 }),
    ),
  }),
  fc.record({
    kind: fc.constant("header" as const),
    field: fc.integer({ min: 0, max: 9 }),
    value: fc.constantFrom("", "bogus", "owner_id", "TIMESTAMP", "principal_id", "Product_Category", "x y", "usage share"),
  }),
);

function apply(lines: readonly string[], m: Mutation): string {
  const out = [...lines];
  switch (m.kind) {
    case "drop":
      out.splice(m.line, 1);
      break;
    case "duplicate":
      out.splice(m.line, 0, out[m.line]);
      break;
    case "truncate":
      out[m.line] = out[m.line].slice(0, m.at % out[m.line].length);
      break;
    case "corrupt":
    case "header": {
      const i = m.kind === "header" ? 0 : m.line;
      const f = out[i].split(",");
      f[m.field] = m.value;
      out[i] = f.join(",");
      break;
    }
  }
  return out.join("\n") + "\n";
}

/**
 * The file's own totals, computed independently of the app: Σ chargeback_cost of its data
 * records and their count (used only for files the app accepted, which parse as CSV).
 */
function oracle(text: string): { total: string; rows: number } {
  const recs = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  const names = new Map<string, string>();
  for (const c of EXPORT_COLUMNS) for (const n of [c.name, ...c.aliases]) names.set(n, c.name);
  const idx = recs[0].findIndex((h) => names.get(h.trim().toLowerCase()) === "chargeback_cost");
  let total = dec("0");
  for (const r of recs.slice(1)) total = total.plus(r[idx].trim());
  return { total: total.toFixed(), rows: recs.length - 1 };
}

/** Everything an ingest may change, and the report. */
async function snapshot(db: Db) {
  return {
    imports: await db.query(
      `select id, org_id, granularity, first_bucket, last_bucket, sha256, row_count, total::text as total, status, superseded_by from imports order by id`,
    ),
    rows: await db.query(
      `select import_id, org_id, bucket_start, owner_id, product, metric, chargeback_cost::text as c, active, line from cost_rows order by import_id, line`,
    ),
    results: await db.query(
      `select org_id, granularity, bucket_start, team, direct_cost::text as d, unallocated_share::text as u, total::text as t from allocation_results order by 1, 2, 3, 4`,
    ),
    details: await db.query(
      `select org_id, granularity, month, team, owner_id, product, metric, unit, resource_id, direct::text as d from allocation_details order by 1, 2, 3, 4, 5, 6, 7, 8, 9`,
    ),
    owners: await db.query(
      `select org_id, granularity, bucket_start, owner_id, environment_id, resource_id, product, is_unallocated, cost::text as c from owner_bucket_costs
        order by 1, 2, 3, 4, 5, 6, 7, 8`,
    ),
    report: await getReport(db, { granularity: "monthly", from: "2000-01-01", to: "2100-12-31" }),
  };
}

/**
 * On an accepted file: the active import, the stored rows and the report equal the file's totals.
 * A file replaces exactly its covered bucket range (a mutated timestamp can move a row to
 * another month, and an earlier run may have left rows outside this file's range), so the rows
 * and the report are read over the new import's [first_bucket, last_bucket].
 */
async function expectLoaded(db: Db, org: string, text: string) {
  const o = oracle(text);
  const [imp] = await db.query<{ total: string; row_count: number; first: string; last: string }>(
    `select total::text as total, row_count, first_bucket::text as first, last_bucket::text as last
       from imports where org_id = $1 and status = 'active' order by id desc limit 1`,
    [org],
  );
  expect(dec(imp.total).toFixed()).toBe(o.total);
  expect(imp.row_count).toBe(o.rows);
  const [rows] = await db.query<{ n: number; t: string }>(
    `select count(*)::int as n, sum(chargeback_cost)::text as t from cost_rows where org_id = $1 and active and bucket_start between $2 and $3`,
    [org, imp.first, imp.last],
  );
  expect(rows.n).toBe(o.rows);
  expect(dec(rows.t).toFixed()).toBe(o.total);
  const report = await getReport(db, { granularity: "monthly", from: imp.first, to: imp.last, orgIds: [org] });
  expect(report.reduce((a, r) => a.plus(r.total), dec("0")).toFixed()).toBe(o.total);
}

// ------------------------------------------------------------------ through the CLI

describe("mutated exports through the real CLI", () => {
  let cli: CliEnv;
  beforeAll(async () => {
    cli = await createCliEnv();
    expect((await cli.run("crosswalk", "import", CROSSWALK)).code).toBe(0);
    expect((await cli.run("ingest", "--org", ORG, "--granularity", "monthly", EXPORT)).code).toBe(0);
  }, 60_000);
  afterAll(() => cli?.cleanup());

  it("are loaded with the file's totals or rejected (exit 1, a line named, nothing changed); never a crash", async () => {
    const runs = Number(process.env.MUTATION_CLI_RUNS) || (testEngine() === "pg" ? 28 : 10);
    const seen = { loaded: 0, rejected: 0 };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const text = apply(baseLines, m);
        const file = path.join(tmp, `cli-${n++}.csv`);
        await writeFile(file, text);
        // each run compares with the state just before it (runs share the database, and a
        // failed run must not leave a stale reference for the next ones, or for shrinking)
        const state = await cli.withDb(snapshot);
        const r = await cli.run("ingest", "--org", ORG, "--granularity", "monthly", file);
        expect([0, 1], `${JSON.stringify(m)}\n${r.stderr}`).toContain(r.code);
        const after = await cli.withDb(snapshot);
        if (r.code === 1) {
          seen.rejected++;
          expect(r.stderr).toContain(`${file}: rejected, nothing stored.`);
          expect(r.stderr).toMatch(/^line \d+[:,]/m);
          expect(after).toEqual(state);
        } else {
          seen.loaded++;
          if (/identical file already ingested/.test(r.stdout)) expect(after).toEqual(state);
          else {
            expect(r.stdout).toMatch(
              new RegExp(`import \\d+ for ${ORG}: ${oracle(text).rows} rows, .* total ${oracle(text).total.replace(".", "\\.")} USD`),
            );
            await cli.withDb((db) => expectLoaded(db, ORG, text));
          }
        }
      }),
      {
        numRuns: runs,
        ...(process.env.MUTATION_SEED ? { seed: Number(process.env.MUTATION_SEED) } : {}),
        // one that loads (a copy of the unallocated row's environment id changed) and one that cannot
        examples: [[{ kind: "corrupt", line: 19, field: 2, value: "env-credit" }], [{ kind: "drop", line: 3 }]],
      },
    );
    expect(seen.loaded).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  }, 240_000);

  it("refuses a 16 MB line and a 100-field record by line and limit, storing nothing", async () => {
    const before = await cli.withDb(snapshot);
    const big = path.join(tmp, "big-line.csv");
    await writeFile(
      big,
      [baseLines[0], baseLines[1], `2026-04-01T00:00:00Z,${"x".repeat(16 << 20)},e,r,kafka,M,GB,1,1,1`, ...baseLines.slice(2)].join("\n") +
        "\n",
    );
    const r = await cli.run("ingest", "--org", ORG, "--granularity", "monthly", big);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${big}: rejected, nothing stored.`);
    expect(r.stderr).toMatch(/^line 3: the record is longer than the limit of 1048576 bytes/m);
    expect(r.stderr.length).toBeLessThan(10_000); // the line is not echoed

    const wide = path.join(tmp, "wide.csv");
    await writeFile(wide, [...baseLines.slice(0, 5), `${baseLines[5]}${",x".repeat(90)}`, ...baseLines.slice(6)].join("\n") + "\n");
    const w = await cli.run("ingest", "--org", ORG, "--granularity", "monthly", wide);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/^line 6: the record has 100 fields, more than the limit of 64/m);
    expect(await cli.withDb(snapshot)).toEqual(before);
  }, 120_000);
});

// ------------------------------------------------------------------ in process, both paths

describe("mutated exports on both ingest paths (in process)", () => {
  let t: TestDb;
  const orgs = { staged: "org-mut-s", parsed: "org-mut-p" } as const;
  beforeAll(async () => {
    t = await createTestDb();
    for (const org of Object.values(orgs)) {
      for (const [owner, team] of [
        ["sa-abc", "payments"],
        ["sa-ghi", "search"],
        ["lkc-123", "platform"],
      ] as const)
        await createCrosswalkEntry(t.db, "test", { orgId: org, ownerId: owner, team, validFrom: "2026-01-01", validTo: null });
      const r = await ingestFile(t.db, { orgId: org, filePath: EXPORT, actor: "test", granularity: "monthly" });
      expect(r.status).toBe("imported");
    }
  });
  afterAll(() => t?.cleanup());

  const outcome = (r: IngestResult) =>
    r.status === "rejected"
      ? { status: r.status, errors: r.errors, errorCount: r.errorCount, warnings: r.summary.warnings }
      : { status: r.status, summary: r.summary };
  const ofOrg = async (org: string) => {
    const s = await snapshot(t.db);
    return {
      rows: s.rows.filter((r) => r.org_id === org).map((r) => ({ ...r, import_id: 0, org_id: "" })),
      results: s.results.filter((r) => r.org_id === org).map((r) => ({ ...r, org_id: "" })),
      details: s.details.filter((r) => r.org_id === org).map((r) => ({ ...r, org_id: "" })),
    };
  };

  it("agree, and load with the file's totals or reject with located errors and change nothing", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const text = apply(baseLines, m);
        const file = path.join(tmp, `ip-${n++}.csv`);
        await writeFile(file, text);
        const before = await snapshot(t.db);
        const staged = await ingestFile(t.db, { orgId: orgs.staged, filePath: file, actor: "test", granularity: "monthly" });
        const parsed = await ingestFile(t.db, { orgId: orgs.parsed, filePath: file, actor: "test", granularity: "monthly", staged: false });
        expect(outcome(staged), JSON.stringify(m)).toEqual(outcome(parsed));
        if (staged.status === "rejected") {
          expect(staged.errors.length).toBeGreaterThan(0);
          for (const e of staged.errors) expect(e.message).toMatch(/^(line \d+|file)[:,]/);
          expect(await snapshot(t.db)).toEqual(before);
        } else {
          expect(await ofOrg(orgs.staged)).toEqual(await ofOrg(orgs.parsed));
          for (const org of Object.values(orgs)) await expectLoaded(t.db, org, text);
        }
      }),
      { numRuns: 80 },
    );
  }, 240_000);
});

// ------------------------------------------------------------------ through the upload page

describe("mutated exports through the upload page (preview, then confirm)", () => {
  let app: TestServer;
  let admin: TestClient;
  beforeAll(async () => {
    app = await startTestServer({
      seed: async (db) => {
        for (const [owner, team] of [
          ["sa-abc", "payments"],
          ["sa-ghi", "search"],
          ["lkc-123", "platform"],
        ] as const)
          await createCrosswalkEntry(db, "test", { orgId: ORG, ownerId: owner, team, validFrom: "2026-01-01", validTo: null });
      },
    });
    admin = await app.loginAs("finance_admin");
  });
  afterAll(() => app?.close());

  const post = async (form: Record<string, string | Blob>, multipart = false) => {
    const res = await admin.post("/imports/new?_data=routes%2Fimports.new", form, { multipart });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: /^\s*\{/.test(text) ? (JSON.parse(text) as Record<string, any>) : null };
  };

  it("never answer 500: each file is previewed and loaded with its totals, or refused with located errors and nothing changed", async () => {
    const seen = { loaded: 0, rejected: 0 };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const text = apply(baseLines, m);
        const before = await snapshot(app.db);
        const p = await post(
          { intent: "preview", org: ORG, granularity: "monthly", file: new File([text], `web-${n++}.csv`, { type: "text/csv" }) },
          true,
        );
        expect(p.status, `${JSON.stringify(m)}\n${p.text.slice(0, 300)}`).toBeLessThan(500);
        if (p.body?.stage === "rejected") {
          seen.rejected++;
          expect(p.body.summary.errors.length).toBeGreaterThan(0);
          for (const e of p.body.summary.errors as Array<{ message: string }>) expect(e.message).toMatch(/^(line \d+|file)[:,]/);
          expect(await snapshot(app.db)).toEqual(before);
          return;
        }
        expect(p.body?.stage, p.text.slice(0, 300)).toBe("preview");
        const c = await post({ intent: "confirm", token: p.body!.token });
        expect(c.status, c.text.slice(0, 300)).toBeLessThan(500);
        if (c.body?.stage === "unchanged") expect(await snapshot(app.db)).toEqual(before);
        else {
          expect(c.headers.get("x-remix-redirect") ?? "").toMatch(/^\/imports\/\d+\?created=1$/);
          seen.loaded++;
          await expectLoaded(app.db, ORG, text);
        }
      }),
      {
        numRuns: testEngine() === "pg" ? 25 : 15,
        examples: [[{ kind: "corrupt", line: 19, field: 2, value: "env-credit" }], [{ kind: "drop", line: 3 }]],
      },
    );
    expect(seen.loaded).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  }, 240_000);
});
