/**
 * Issue 7: the staged ingest path (COPY into a staging table, set-based checks) stores
 * exactly what the row-by-row path stores, and hands every file it is not sure about to
 * the row-by-row path, which then reports or accepts it. Each variant of a generated
 * export is ingested twice on the same database, once per path (two orgs), and the
 * outcomes are compared: result, summary, stored rows, allocations and drill-down details.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCrosswalkEntry } from "../../app/services/crosswalk";
import { checkExportFile, ingestFile, type IngestResult } from "../../app/services/ingest";
import { validateExportFile } from "../../app/services/import-parse";
import { writeExportFile } from "../../scripts/lib/export-file";
import { createTestDb, type TestDb } from "../helpers/db";

let tmp: string;
let t: TestDb;
let base: string;
let baseLines: string[];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-staged-"));
  const file = path.join(tmp, "base.csv");
  await writeExportFile(file, {
    org: "org-x",
    granularity: "daily",
    from: "2026-04-01",
    to: "2026-04-03",
    principals: 12,
    clusters: 2,
    seed: 11,
  });
  base = await readFile(file, "utf8");
  baseLines = base.trimEnd().split("\n");
  t = await createTestDb();
  // one owner mapped in both orgs, so allocations have a real team besides unmapped
  const owner = baseLines[1].split(",")[1];
  for (const org of ["org-s", "org-p"])
    await createCrosswalkEntry(t.db, "test", { orgId: org, ownerId: owner, team: "payments", validFrom: "2026-01-01", validTo: null });
});
afterAll(async () => {
  await t?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

/** Rewrites field `col` (0-based) of every data row. */
const mapField = (lines: string[], col: number, f: (v: string, row: string[]) => string) =>
  lines.map((l, i) => {
    if (i === 0) return l;
    const r = l.split(",");
    r[col] = f(r[col], r);
    return r.join(",");
  });
const join = (lines: string[], eol = "\n") => lines.join(eol) + eol;

async function stored(org: string) {
  const rows = await t.db.query(
    `select bucket_start, owner_id, environment_id, resource_id, product, metric, unit, chargeback_cost::text as c,
            original_amount::text as o, usage_share::text as s, is_unallocated, line
       from cost_rows where org_id = $1 and active order by line`,
    [org],
  );
  const results = await t.db.query(
    `select granularity, bucket_start, team, direct_cost::text as d, unallocated_share::text as u, total::text as total
       from allocation_results where org_id = $1 order by granularity, bucket_start, team`,
    [org],
  );
  const details = await t.db.query(
    `select granularity, month, team, owner_id, product, metric, unit, environment_id, resource_id, direct::text as d
       from allocation_details where org_id = $1 order by 1, 2, 3, 4, 5, 6, 7, 8, 9`,
    [org],
  );
  const owners = await t.db.query(
    `select granularity, bucket_start, owner_id, environment_id, resource_id, product, is_unallocated, cost::text as cost from owner_bucket_costs
      where org_id = $1 order by 1, 2, 3, 4, 5, 6, 7`,
    [org],
  );
  return { rows, results, details, owners };
}

/** The comparable part of a result: everything but ids and timings. */
function outcome(r: IngestResult) {
  if (r.status === "imported") return { status: r.status, summary: r.summary, replacedRows: r.replacedRows };
  if (r.status === "unchanged") return { status: r.status, summary: r.summary };
  return { status: r.status, summary: r.summary, errors: r.errors, errorCount: r.errorCount };
}

async function both(name: string, content: string, opts: { granularity?: "daily" | "weekly" | "monthly"; allowUnbalanced?: boolean } = {}) {
  const file = path.join(tmp, name);
  await writeFile(file, content);
  const now = new Date("2026-06-01T00:00:00Z");
  const staged = await ingestFile(t.db, { orgId: "org-s", filePath: file, actor: "test", now, ...opts });
  const parsed = await ingestFile(t.db, { orgId: "org-p", filePath: file, actor: "test", now, staged: false, ...opts });
  expect(outcome(staged)).toEqual(outcome(parsed));
  if (parsed.status === "imported") expect(await stored("org-s")).toEqual(await stored("org-p"));
  return { staged, parsed };
}

const pathOf = (r: IngestResult) => (r.status === "imported" ? r.path : r.status);

describe("the staged ingest path", () => {
  it("loads a well-formed export and stores exactly what the row-by-row path stores", async () => {
    const { staged, parsed } = await both("base.csv", base);
    expect(pathOf(staged)).toBe("staged");
    expect(pathOf(parsed)).toBe("parsed");
    expect(staged.summary.rowCount).toBe(baseLines.length - 1);
    const s = await stored("org-s");
    expect(s.rows.length).toBe(baseLines.length - 1);
    expect(s.results.some((r) => r.team === "payments")).toBe(true);
    // the identical bytes again: a no-op on the staged path too
    const again = await ingestFile(t.db, { orgId: "org-s", filePath: path.join(tmp, "base.csv"), actor: "test" });
    expect(again.status).toBe("unchanged");
  });

  it.each([
    ["CRLF line endings", () => join(baseLines, "\r\n")],
    ["no final line break", () => baseLines.join("\n")],
    [
      "a BOM, aliased and reordered columns and an unknown column",
      () => {
        const rows = baseLines.map((l) => {
          const f = l.split(",");
          return [f[9], f[1], f[0], "x", ...f.slice(2, 9)].join(",");
        });
        rows[0] =
          "\uFEFFusage_share,principal_id,start_time,notes,environment,resource,product_category,line_type,unit_of_measure,chargeback_cost,original_amount";
        return join(rows);
      },
    ],
    [
      "decimals with leading and trailing zeros, 'n.' and '.n'",
      () => {
        const pad = (v: string) => {
          const neg = v.startsWith("-");
          const a = neg ? v.slice(1) : v;
          return (neg ? "-" : "") + (a.includes(".") ? `0${a}00` : `${a}.`);
        };
        const z = mapField(mapField(baseLines, 7, pad), 8, (v) => (v.startsWith("0.") ? v.slice(1) : v));
        return join(z);
      },
    ],
    ["UNALLOCATED in capitals", () => join(mapField(baseLines, 1, (v) => (v === "unallocated" ? "UNALLOCATED" : v)))],
    ["date-only timestamps", () => join(mapField(baseLines, 0, (v) => v.slice(0, 10)))],
  ])("takes the staged path for %s, with the same outcome", async (_label, make) => {
    const { staged } = await both(`v-${_label.replace(/\W+/g, "-")}.csv`, make());
    expect(staged.status).toBe("imported");
    expect(pathOf(staged)).toBe("staged");
  });

  it.each([
    ["quoted fields", () => join(mapField(baseLines, 1, (v) => `"${v}"`)), "quoted fields"],
    ["a padded owner id", () => join(mapField(baseLines, 1, (v) => (v === "unallocated" ? v : ` ${v}`))), "blanks at its edges"],
    ["an empty line between rows", () => join([...baseLines.slice(0, 5), "", ...baseLines.slice(5)]), "line 6 has 1 fields"],
    [
      "two timestamp forms for one bucket",
      () => join(baseLines.map((l, i) => (i % 2 === 1 ? l.replace("T00:00:00Z", "") : l))),
      "two timestamp forms",
    ],
  ])("hands %s to the row-by-row path, which accepts it", async (_label, make, reason) => {
    const { staged } = await both(`f-${_label.replace(/\W+/g, "-")}.csv`, make());
    expect(staged.status).toBe("imported");
    if (staged.status !== "imported") return;
    expect(staged.path).toBe("parsed");
    expect(staged.fallbackReason).toContain(reason);
  });

  it("hands an unbalanced file to the row-by-row path: warnings with --allow-unbalanced", async () => {
    const rows = mapField(baseLines, 7, (v, r) => (r[1] !== "unallocated" && r[4] === "kafka" ? (v.startsWith("-") ? v : `1${v}`) : v));
    const { staged } = await both("unbalanced.csv", join(rows), { allowUnbalanced: true });
    expect(staged.status).toBe("imported");
    if (staged.status !== "imported") return;
    expect(staged.path).toBe("parsed");
    expect(staged.summary.warnings.some((w) => w.includes("allow-unbalanced"))).toBe(true);
  });

  it.each([
    ["a bad decimal", () => join(baseLines.map((l, i) => (i === 3 ? l.replace(/,([\d.]+),/, ",1e3,") : l)))],
    ["a COPY end marker line", () => join([...baseLines.slice(0, 4), "\\.", ...baseLines.slice(4)])],
    ["a header without rows", () => join(baseLines.slice(0, 1))],
    ["a duplicate unallocated row", () => join([...baseLines, baseLines.find((l) => l.includes(",unallocated,"))!])],
    ["a usage share above 1", () => join(mapField(baseLines, 9, (v, r) => (r[1] === "unallocated" ? v : "1.5")))],
    ["a short row", () => join(baseLines.map((l, i) => (i === 2 ? l.split(",").slice(0, 9).join(",") : l)))],
  ])("rejects %s exactly as the row-by-row path does, storing nothing", async (_label, make) => {
    const before = await stored("org-s");
    const { staged } = await both(`r-${_label.replace(/\W+/g, "-")}.csv`, make());
    expect(staged.status).toBe("rejected");
    expect(await stored("org-s")).toEqual(before);
  });

  it("rejects a weekly-stated daily file through the row-by-row report", async () => {
    const { staged } = await both("weekly-stated.csv", base, { granularity: "weekly" });
    expect(staged.status).toBe("rejected");
    if (staged.status === "rejected") expect(staged.errors[0].rule).toBe("granularity");
  });
});

describe("checkExportFile (the upload preview)", () => {
  it("gives the summary ingest records, through the staged checks, and stores nothing", async () => {
    const file = path.join(tmp, "check.csv");
    await writeFile(file, join(mapField(baseLines, 1, (v) => (v === "unallocated" ? "UNALLOCATED" : v))));
    const counts = async () =>
      (
        await t.db.query<{ n: number }>(
          `select (select count(*) from cost_rows) + (select count(*) from imports) + (select count(*) from organizations) as n`,
        )
      )[0];
    const before = await counts();
    const checked = await checkExportFile(t.db, { filePath: file });
    expect(checked.path).toBe("staged");
    expect(await counts()).toEqual(before);
    const parsed = await validateExportFile({ filePath: file }, false);
    await rm(parsed.tmpDir, { recursive: true, force: true });
    expect(checked.summary).toEqual(parsed.summary);
    const r = await ingestFile(t.db, { orgId: "org-check", filePath: file, actor: "test" });
    expect(r.summary).toEqual(checked.summary);
  });

  it("reports a bad file's errors row by row", async () => {
    const file = path.join(tmp, "check-bad.csv");
    await writeFile(file, join(baseLines.map((l, i) => (i === 3 ? l.replace(/,([\d.]+),/, ",1e3,") : l))));
    const checked = await checkExportFile(t.db, { filePath: file });
    expect(checked.path).toBe("parsed");
    expect(checked.summary.ok).toBe(false);
    expect(checked.summary.errors[0]).toMatchObject({ line: 4, column: "chargeback_cost", value: "1e3", rule: "decimal" });
  });
});

describe("progress phases", () => {
  it("are reported in order on both paths, bytes reaching the file size", async () => {
    const file = path.join(tmp, "phases.csv");
    await writeFile(file, join(mapField(baseLines, 6, (v) => `${v}x`)));
    for (const staged of [true, false]) {
      const phases: string[] = [];
      let lastBytes = 0;
      const r = await ingestFile(t.db, {
        orgId: staged ? "org-ph-s" : "org-ph-p",
        filePath: file,
        actor: "test",
        staged,
        onPhase: (p) => phases.push(p),
        onProgress: (p) => (lastBytes = p.bytes),
      });
      expect(r.status).toBe("imported");
      expect(phases).toEqual(staged ? ["reading", "checking", "storing", "allocating"] : ["checking", "storing", "allocating"]);
      expect(lastBytes).toBe(Buffer.byteLength(join(mapField(baseLines, 6, (v) => `${v}x`))));
    }
  });
});
