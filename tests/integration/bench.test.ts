/**
 * `npm run bench` at a small size, on the engine chosen by TEST_DB (issue 17: "CI runs the
 * bench at a small size and checks that every key is printed"): a real child process, whose
 * key=value output must hold every key of BENCH_KEYS with a measured value (not the -1 of a
 * figure the run could not measure) and the ingest's phase breakdown. The figures' sizes are
 * not checked here: performance targets are read from full-size runs (docs/scaling.md).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BENCH_KEYS } from "../../scripts/lib/bench-keys";
import { baseUrl, testEngine } from "../helpers/db";

const root = path.resolve(import.meta.dirname, "../..");
const engine = testEngine();

function runBench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench.ts", ...args], {
      cwd: root,
      // the bench creates (and drops) a database of its own next to the tests' on PostgreSQL
      env: { ...process.env, DATABASE_URL: baseUrl() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe(`npm run bench at a small size (${engine})`, () => {
  it("prints every figure as key=value with a measured value, and the ingest's phases", { timeout: 300_000 }, async () => {
    const r = await runBench(["--engine", engine, "--rows", "3000", "--stored-rows", "30000", "--requests", "5"]);
    expect(r.code, r.stderr).toBe(0);
    const figures = new Map(
      r.stdout
        .split("\n")
        .map((l) => /^([a-z0-9_]+)=(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2]]),
    );
    const missing = BENCH_KEYS.filter((k) => !figures.has(k));
    expect(missing).toEqual([]);
    const unmeasured = BENCH_KEYS.filter((k) => figures.get(k) === "-1");
    expect(unmeasured).toEqual([]);
    for (const k of BENCH_KEYS.filter((k) => k !== "engine" && k !== "ingest_path"))
      expect(Number.isFinite(Number(figures.get(k))), `${k}=${figures.get(k)}`).toBe(true);
    expect(figures.get("engine")).toBe(engine);
    expect(figures.get("ingest_path")).toBe("staged");
    // the phase breakdown of the ingest: at least the copy, the load into the leaf and its indexes
    for (const phase of ["stage_copy", "load", "index", "owner_costs", "details"])
      expect(figures.has(`ingest_phase_${phase}_s`), phase).toBe(true);
    expect(Number(figures.get("ingest_rows_per_s"))).toBeGreaterThan(0);
  });
});
