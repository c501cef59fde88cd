/** npm run ingest -- --org ORG_ID [--granularity daily|weekly|monthly] [--allow-unbalanced] FILE.csv [FILE.csv…] */
import { stat } from "node:fs/promises";
import cliProgress from "cli-progress";
import { z } from "zod";
import { formatIssues } from "../app/domain/csv/issues";
import { GRANULARITIES } from "../app/domain/vocabulary";
import { INGEST_PHASES, ingestFile } from "../app/services/ingest";
import { cliActor, parseCli, runCli, withDb } from "./lib/cli";

const USAGE = "npm run ingest -- --org ORG_ID [--granularity daily|weekly|monthly] [--allow-unbalanced] FILE.csv [FILE.csv…]";

const Args = z.object({
  org: z
    .string()
    .trim()
    .min(1, "--org is required")
    .regex(/^[A-Za-z0-9._:-]+$/, "--org must be an id without spaces"),
  granularity: z.enum(GRANULARITIES).optional(),
  allowUnbalanced: z.boolean(),
  files: z.array(z.string()).min(1, "at least one FILE.csv is required"),
});

runCli(async () => {
  const args = parseCli(
    USAGE,
    process.argv.slice(2),
    { org: { type: "string" }, granularity: { type: "string" }, "allow-unbalanced": { type: "boolean" } },
    Args,
    (v, files) => ({ org: v.org, granularity: v.granularity, allowUnbalanced: Boolean(v["allow-unbalanced"]), files }),
  );
  let failed = false;
  await withDb(async (db) => {
    for (const file of args.files) {
      const size = (await stat(file).catch(() => null))?.size;
      if (size === undefined) {
        process.stderr.write(`${file}: no such file\n`);
        failed = true;
        continue;
      }
      const started = Date.now();
      const bar =
        size > 5_000_000 && process.stderr.isTTY !== undefined
          ? new cliProgress.SingleBar(
              { format: `${file} [{bar}] {percentage}% | {rows} rows | {phase}`, stream: process.stderr, hideCursor: true },
              cliProgress.Presets.shades_classic,
            )
          : null;
      bar?.start(size, 0, { rows: 0, phase: `${INGEST_PHASES.reading}…` });
      const result = await ingestFile(db, {
        orgId: args.org,
        filePath: file,
        granularity: args.granularity,
        allowUnbalanced: args.allowUnbalanced,
        actor: cliActor(),
        now: new Date(),
        onProgress: (p) => bar?.update(p.bytes, { rows: p.rows }),
        onPhase: (phase) => bar?.update({ phase: `${INGEST_PHASES[phase]}…` }),
      });
      bar?.stop();
      const secs = (Date.now() - started) / 1000;
      if (process.env.SHOWBACK_BENCH) {
        process.stderr.write(`bench_ingest_seconds=${secs} bench_rows=${result.summary.rowCount}\n`);
        if (result.status === "imported")
          process.stderr.write(
            `bench_path=${result.path} bench_phases=${JSON.stringify(result.timings)}${result.fallbackReason ? ` bench_fallback=${JSON.stringify(result.fallbackReason)}` : ""}\n`,
          );
      }
      const s = result.summary;
      for (const w of s.warnings) process.stderr.write(`${file}: warning: ${w}\n`);
      if (result.status === "rejected") {
        failed = true;
        process.stderr.write(
          `${file}: rejected, nothing stored. ${result.errorCount} problem(s):\n${formatIssues(result.errors, result.errorCount)}\n`,
        );
      } else if (result.status === "unchanged") {
        process.stdout.write(`${file}: ${result.message}\n`);
      } else {
        if (result.path === "parsed" && result.fallbackReason)
          process.stderr.write(`${file}: note: checked row by row (${result.fallbackReason}); plain exports load faster\n`);
        process.stdout.write(
          `${file}: import ${result.importId} for ${args.org}: ${s.rowCount} rows, ${s.granularity} ${s.firstBucket}..${s.lastBucket}, total ${s.total} USD` +
            (result.replacedImportIds.length
              ? `; replaced ${result.replacedRows} rows of import(s) ${result.replacedImportIds.join(", ")}`
              : "") +
            (result.supersededImportIds.length ? `; superseded import(s) ${result.supersededImportIds.join(", ")}` : "") +
            ` (${Math.round(secs * 10) / 10} s, ${Math.round(s.rowCount / Math.max(secs, 0.001))} rows/s)\n`,
        );
      }
    }
  });
  // for npm run bench: one machine-readable line with the process's peak memory
  if (process.env.SHOWBACK_BENCH) process.stderr.write(`bench_peak_rss_kb=${process.resourceUsage().maxRSS}\n`);
  return failed ? 1 : 0;
});
