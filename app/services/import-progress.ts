/**
 * Progress and timing of an ingest (docs/export-format.md): the phases a long ingest reports,
 * the per-step stopwatch the benchmark reads, and the crash-test hook.
 */

/** What a long ingest is doing, in the order it happens. */
export const INGEST_PHASES = {
  reading: "reading the file",
  checking: "checking the rules",
  storing: "storing rows",
  allocating: "allocating to teams",
} as const;
export type IngestPhase = keyof typeof INGEST_PHASES;

/** Byte progress of reading the file (rows seen so far, bytes read of totalBytes). */
export type IngestProgress = { rows: number; bytes: number; totalBytes: number };

export type Stopwatch = ReturnType<typeof stopwatch>;

/** Milliseconds per step, each `lap(name)` closing the step that ran since the previous one. */
export function stopwatch() {
  const timings: Record<string, number> = {};
  let t = performance.now();
  return {
    timings,
    lap(name: string) {
      const now = performance.now();
      timings[name] = Math.round(now - t);
      t = now;
      testPauseAfter(name);
    },
  };
}

/**
 * Test hook (tests/integration/ingest-crash.test.ts): SHOWBACK_TEST_PAUSE_AT=<phase> prints
 * `showback_test_paused=<phase>` on stderr and blocks the process for good as that phase
 * starts (after the step keyed here), so the test can SIGKILL it there. Unset: a no-op.
 */
const PAUSE_AFTER: Record<string, string> = {
  lock: "staging",
  stage_copy: "checks",
  replace: "insert",
  owner_costs: "allocation",
  store_results: "details",
};
function testPauseAfter(step: string) {
  if (!process.env.SHOWBACK_TEST_PAUSE_AT || PAUSE_AFTER[step] !== process.env.SHOWBACK_TEST_PAUSE_AT) return;
  process.stderr.write(`showback_test_paused=${PAUSE_AFTER[step]}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
