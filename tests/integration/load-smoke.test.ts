/**
 * Issue 11: `npm run load` runs to completion at a tiny size against the built server on a
 * fresh embedded database with the demo data, and prints every key. Timings are NOT
 * checked here (figures come from the full-size run: docs/decisions/0005-read-cache.md).
 * The script always uses its own embedded database, so it runs once, under TEST_DB=pglite.
 */
import { describe, expect, it } from "vitest";
import { loadRoutes } from "../../scripts/lib/load-phase";
import { runScript } from "../helpers/cli";
import { testEngine } from "../helpers/db";
import { BUILD_DIR } from "../helpers/server";

const STATS = ["seconds", "requests", "rps", "p50_ms", "p95_ms", "p99_ms", "non2xx", "socket_errors", "timeouts", "errors"];
const PER_GROUP = ["requests", "p50_ms", "p95_ms", "p99_ms"];

describe.skipIf(testEngine() !== "pglite")("npm run load (smoke)", () => {
  it("signs in, loads the dashboards and prints every key for both phases", async () => {
    const r = await runScript("load", ["--users", "2", "--rate", "5", "--seconds", "2", "--saturate-seconds", "1"], {
      SHOWBACK_BUILD_DIR: BUILD_DIR,
    });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const kv = new Map(
      r.stdout
        .split("\n")
        .filter((l) => /^[a-z0-9_]+=/.test(l))
        .map((l) => l.split("=") as [string, string]),
    );
    const groups = loadRoutes("payments", "org-prod").map((g) => g.group);
    const keys = [...STATS, ...groups.flatMap((g) => PER_GROUP.map((k) => `${g}_${k}`))];
    for (const prefix of ["", "saturated_"]) {
      for (const k of keys) {
        const v = kv.get(prefix + k);
        expect(v, `missing ${prefix}${k}`).toBeDefined();
        expect(Number.isFinite(Number(v)), `${prefix}${k}=${v}`).toBe(true);
      }
      expect(Number(kv.get(`${prefix}requests`))).toBeGreaterThan(0);
    }
    // it really signed in: every response of the run was a 2xx page or download
    expect(kv.get("errors")).toBe("0");
    expect(kv.get("engine")).toBe("pglite");
  }, 300_000);

  it("refuses bad arguments with the usage (exit 2)", async () => {
    const r = await runScript("load", ["--users", "0"], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("npm run load");
  });
});
