/** Issue 7: the benchmark runs to completion at a small size and prints every key. */
import { describe, expect, it } from "vitest";
import { runScript } from "../helpers/cli";
import { testEngine } from "../helpers/db";

const KEYS = [
  "copy_floor_s",
  "ingest_s",
  "ingest_rows_per_s",
  "ingest_vs_copy_ratio",
  "ingest_peak_rss_mb",
  "report_month_s",
  "stored_rows",
  "overview_p50_ms",
  "overview_p95_ms",
  "team_p50_ms",
  "team_p95_ms",
  "crosswalk_edit_to_fresh_ms",
];

describe("npm run bench (smoke)", () => {
  it(`prints every figure on ${testEngine()}`, async () => {
    const r = await runScript("bench", ["--rows", "20000", "--stored-rows", "40000", "--requests", "10", "--engine", testEngine()], {});
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const kv = new Map(
      r.stdout
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => l.split("=") as [string, string]),
    );
    for (const k of KEYS) {
      expect(kv.has(k), `missing ${k}`).toBe(true);
      expect(Number(kv.get(k)), k).toBeGreaterThan(0);
    }
    expect(Number(kv.get("rows"))).toBeGreaterThan(15_000);
    // the generated export is well-formed: the staged path loads it, and its phases are printed
    expect(kv.get("ingest_path")).toBe("staged");
    expect(kv.has("ingest_phase_stage_copy_s") && kv.has("ingest_phase_load_s")).toBe(true);
  }, 300_000);
});
