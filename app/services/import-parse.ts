/**
 * The parsed ingest path (docs/export-format.md): one streaming pass over the file
 * (SHA-256, csv-parse, the domain validator), normalised rows spooled to a temp file in
 * COPY format. Memory is bounded by the validator's per-group state, not by the file size.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";
import { ExportValidator, MAX_FIELDS, MAX_RECORD_BYTES, type ExportSummary } from "../domain/csv/export";
import { makeIssue, type ValidationIssue } from "../domain/csv/issues";
import type { Granularity } from "../domain/vocabulary";
import { copyLine } from "../../db/client";
import type { IngestProgress } from "./import-progress";

/** What reading and checking a file needs to know. */
export interface CheckOptions {
  filePath: string;
  granularity?: Granularity;
  allowUnbalanced?: boolean;
  now?: Date;
  /** Called every few thousand rows during the parse, and once at the end. */
  onProgress?: (p: IngestProgress) => void;
}

/** A record over a parser cap: parsing stops there. */
class RecordLimit extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Spooled {
  summary: ExportSummary;
  sha256: string;
  /** the valid rows, one COPY text line each (without import_id, org_id, granularity) */
  spoolFile: string;
  /** remove with `discardSpool` */
  tmpDir: string;
}

/** Pass 1: parse + validate + hash, spooling valid rows to a COPY file (none with spool = false). */
export async function validateExportFile(opts: CheckOptions, spool = true): Promise<Spooled> {
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), "showback-ingest-"));
  const spoolFile = path.join(tmpDir, "rows.copy");
  const out = createWriteStream(spoolFile);
  const hash = createHash("sha256");
  const totalBytes = (await stat(opts.filePath)).size;
  const validator = new ExportValidator({ granularity: opts.granularity, allowUnbalanced: opts.allowUnbalanced, now: opts.now });
  let bytes = 0;
  let rows = 0;
  let headerSeen = false;
  let fatal = false;
  let parseError: ValidationIssue | null = null;

  const input = createReadStream(opts.filePath);
  input.on("data", (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  // caps (docs/export-format.md): csv-parse stops at a record of more than MAX_RECORD_BYTES,
  // so a line without an end is never buffered whole; MAX_FIELDS is checked per record
  const parser = input.pipe(
    parse({
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      bom: false,
      relax_quotes: false,
      max_record_size: MAX_RECORD_BYTES,
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (record.length > MAX_FIELDS)
        throw new RecordLimit(info.lines, `the record has ${record.length} fields, more than the limit of ${MAX_FIELDS}`);
      if (!headerSeen) {
        headerSeen = true;
        fatal = !validator.header(record, info.lines);
        continue;
      }
      if (fatal) continue;
      const row = validator.row(record, info.lines);
      rows++;
      if (row && spool) {
        const ok = out.write(
          copyLine([
            row.bucketStart,
            row.ownerId,
            row.environmentId,
            row.resourceId,
            row.product,
            row.metric,
            row.unit,
            row.chargebackCost,
            row.originalAmount,
            row.usageShare,
            row.isUnallocated,
            row.line,
          ]),
        );
        if (!ok) await once(out, "drain");
      }
      if (rows % 5000 === 0) opts.onProgress?.({ rows, bytes, totalBytes });
    }
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    if (e instanceof RecordLimit) parseError = makeIssue(e.line, null, null, "record-limit", e.message);
    else if (err.code === "CSV_MAX_RECORD_SIZE") {
      parseError = makeIssue(
        err.lines ?? 0,
        null,
        null,
        "record-limit",
        `the record is longer than the limit of ${MAX_RECORD_BYTES} bytes; parsing stopped here`,
      );
    } else {
      parseError = {
        line: err.lines ?? 0,
        column: null,
        value: null,
        rule: "csv-syntax",
        message: `line ${err.lines ?? "?"}: the file is not valid CSV (${err.message})`,
      };
    }
    input.destroy();
  }
  out.end();
  await once(out, "close");
  opts.onProgress?.({ rows, bytes: totalBytes, totalBytes });
  const summary = validator.finish();
  if (parseError) {
    // parsing stopped: "the file is empty / has no rows" would only restate it
    const notEmpty = summary.errors.filter((e) => e.rule === "not-empty").length;
    summary.errors = summary.errors.filter((e) => e.rule !== "not-empty");
    summary.errorCount -= notEmpty;
    summary.errors.unshift(parseError);
    summary.errorCount += 1;
    summary.ok = false;
  }
  return { summary, sha256: hash.digest("hex"), spoolFile, tmpDir };
}

export async function discardSpool(s: Spooled): Promise<void> {
  await rm(s.tmpDir, { recursive: true, force: true });
}

/** Streams the spool as cost_rows COPY lines, prefixing the columns known only once the import row exists. */
export async function* spooledCostLines(s: Spooled, importId: number, orgId: string, granularity: string): AsyncGenerator<string> {
  const prefix = copyLine([importId, orgId, granularity]).slice(0, -1) + "\t";
  const rl = createInterface({ input: createReadStream(s.spoolFile), crlfDelay: Infinity });
  for await (const line of rl) yield prefix + line + "\n";
}
