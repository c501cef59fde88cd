/**
 * Writes a realistic, deterministic Confluent Cloud cost allocation export (docs/export-format.md) to a file.
 *
 *   npm run generate -- --org ORG --granularity daily|weekly|monthly --from YYYY-MM-DD --to YYYY-MM-DD \
 *                       [--principals N] [--clusters N] [--seed S] [--timestamp-format iso|date] --out FILE.csv
 *
 * Exit status: 0 on success, 1 on failure, 2 on usage errors.
 */
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify";
import { GRANULARITIES } from "../app/domain/vocabulary";
import { z } from "zod";
import { Decimal } from "../app/domain/money";
import { isValidDate } from "../app/domain/periods";
import { EXPORT_HEADER, generateExportRecords, type GenerateOptions } from "./lib/generator";
import { parseCli, runCli, UsageError } from "./lib/cli";

const USAGE = `usage: npm run generate -- --org ORG --granularity daily|weekly|monthly --from YYYY-MM-DD --to YYYY-MM-DD
                          [--principals N] [--clusters N] [--seed S] [--timestamp-format iso|date] --out FILE.csv

  --org               organization id the ids are derived from (the file has no org column)
  --granularity       daily, weekly (buckets start on Mondays) or monthly (on the 1st)
  --from, --to        inclusive range: every bucket start within it is generated
  --principals        service accounts/users/identity pools (default 12)
  --clusters          Kafka clusters (default 2)
  --seed              integer seed (default 1); same seed, same file
  --timestamp-format  iso (2026-04-01T00:00:00Z, default) or date (2026-04-01)
  --out               output CSV file`;

const date = z.string().refine(isValidDate, { message: "must be a date YYYY-MM-DD" });
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { message: "must be an integer" })
    .transform((s) => Number.parseInt(s, 10))
    .pipe(z.number().int().min(min).max(max));

const ArgsSchema = z
  .object({
    org: z.string().min(1),
    granularity: z.enum(GRANULARITIES),
    from: date,
    to: date,
    principals: int(1, 1_000_000).optional(),
    clusters: int(1, 1_000).optional(),
    seed: int(-2_147_483_648, 4_294_967_295).optional(),
    "timestamp-format": z.enum(["iso", "date"]).optional(),
    out: z.string().min(1),
  })
  .refine((a) => a.from <= a.to, { message: "--from must not be after --to", path: ["to"] });

runCli(async () => {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const a = parseCli(
    USAGE,
    argv,
    {
      org: { type: "string" },
      granularity: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      principals: { type: "string" },
      clusters: { type: "string" },
      seed: { type: "string" },
      "timestamp-format": { type: "string" },
      out: { type: "string" },
    },
    ArgsSchema,
    (values, positionals) => {
      if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${USAGE}`);
      return values;
    },
  );
  const opts: GenerateOptions = {
    org: a.org,
    granularity: a.granularity,
    from: a.from,
    to: a.to,
    principals: a.principals,
    clusters: a.clusters,
    seed: a.seed,
    timestampFormat: a["timestamp-format"],
  };

  let rows = 0;
  let total = new Decimal(0);
  const started = process.hrtime.bigint();
  // Options extend stream.TransformOptions: buffer 1024 records before asking the loop to wait.
  const stringifier = stringify({ header: true, columns: EXPORT_HEADER, writableHighWaterMark: 1024 });
  const done = pipeline(stringifier, createWriteStream(a.out));
  // Settles when the pipeline ends or fails (e.g. the output cannot be opened); never rejects.
  const settled = done.then(
    () => undefined,
    () => undefined,
  );
  // Backpressure: when the stringifier's buffer is full, wait for 'drain' (or for the pipeline to fail).
  const drained = () =>
    new Promise<void>((resolve) => {
      const wake = () => {
        stringifier.off("drain", wake);
        resolve();
      };
      stringifier.on("drain", wake);
      void settled.then(wake);
    });
  for (const r of generateExportRecords(opts)) {
    if (stringifier.destroyed) break;
    rows++;
    total = total.plus(r[7]);
    if (!stringifier.write(r)) await drained();
  }
  stringifier.end();
  await done;
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(
    `wrote ${rows} rows to ${a.out}; total chargeback_cost ${total.toFixed()} USD (${secs.toFixed(1)} s, ${Math.round(rows / Math.max(secs, 1e-9))} rows/s)\n`,
  );
  return 0;
});
