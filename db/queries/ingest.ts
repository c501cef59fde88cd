/**
 * Ingest (docs/export-format.md): one streaming pass over the file (SHA-256, csv-parse, the domain
 * validator, normalised rows spooled to a temp file in COPY format), then one
 * transaction under the org's advisory lock: identical-bytes no-op, replacement of
 * the covered bucket range, COPY, allocation recompute, restatement record, audit.
 * A rejected file changes nothing. Memory is bounded by the validator's per-group
 * state, not by the file size.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";
import { ExportValidator, MAX_FIELDS, MAX_RECORD_BYTES, type ExportSummary } from "../../app/domain/csv/export";
import { makeIssue, type ValidationIssue } from "../../app/domain/csv/issues";
import { copyLine, type Db } from "../client";
import { recomputeAllocation, refreshOwnerBucketCosts } from "./allocation";
import { writeAudit } from "./audit";
import { ingestStaged } from "./ingest-staged";
import { ensureOrg, lockOrg } from "./orgs";
import { recordImportRestatement, snapshotResults } from "./restatements";

export type { Granularity } from "../../app/domain/vocabulary";
import type { Granularity } from "../../app/domain/vocabulary";

export interface IngestOptions {
  orgId: string;
  filePath: string;
  fileName?: string;
  granularity?: Granularity;
  allowUnbalanced?: boolean;
  actor: string;
  now?: Date;
  /** Called every few thousand rows during the parse, and once at the end. */
  onProgress?: (p: { rows: number; bytes: number; totalBytes: number }) => void;
  /** Called when a phase starts, for progress displays (the byte progress covers reading only). */
  onPhase?: (phase: IngestPhase) => void;
  /** false: skip the staged fast path (tests compare both paths). Default true. */
  staged?: boolean;
}

export type IngestResult =
  | { status: "rejected"; summary: ExportSummary; errors: ValidationIssue[]; errorCount: number }
  | { status: "unchanged"; importId: number; summary: ExportSummary; message: string }
  | {
      status: "imported";
      importId: number;
      summary: ExportSummary;
      replacedImportIds: number[];
      supersededImportIds: number[];
      replacedRows: number;
      /** milliseconds per phase (validate, load, recompute…), for the benchmark */
      timings: Record<string, number>;
      /** how the file was checked and loaded (see ingest-staged.ts) */
      path: IngestPath;
      /** why the staged path handed over to the parsed one, when it did */
      fallbackReason?: string;
    };

/**
 * "staged": the file's bytes were COPYed as CSV into a staging table and checked
 * set-based (the fast path for well-formed files); "parsed": parsed and checked row by
 * row in Node (every file the staged path does not accept, with exact error reports).
 */
export type IngestPath = "staged" | "parsed";

/** What a long ingest is doing, in the order it happens. */
export const INGEST_PHASES = {
  reading: "reading the file",
  checking: "checking the rules",
  storing: "storing rows",
  allocating: "allocating to teams",
} as const;
export type IngestPhase = keyof typeof INGEST_PHASES;

export const COST_COLUMNS = [
  "import_id", "org_id", "granularity", "bucket_start", "owner_id", "environment_id", "resource_id", "product",
  "metric", "unit", "chargeback_cost", "original_amount", "usage_share", "is_unallocated", "line",
];

/** A record over a parser cap: parsing stops there. */
class RecordLimit extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

interface Spooled {
  summary: ExportSummary;
  sha256: string;
  spoolFile: string;
  tmpDir: string;
}

/** Pass 1: parse + validate + hash, spooling valid rows to a COPY file. */
export async function validateExportFile(
  opts: Pick<IngestOptions, "filePath" | "granularity" | "allowUnbalanced" | "now" | "onProgress">,
  spool = true,
): Promise<Spooled> {
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
    parse({ relax_column_count: true, skip_empty_lines: true, info: true, bom: false, relax_quotes: false, max_record_size: MAX_RECORD_BYTES }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (record.length > MAX_FIELDS) throw new RecordLimit(info.lines, `the record has ${record.length} fields, more than the limit of ${MAX_FIELDS}`);
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
            row.bucketStart, row.ownerId, row.environmentId, row.resourceId, row.product,
            row.metric, row.unit, row.chargebackCost, row.originalAmount, row.usageShare, row.isUnallocated, row.line,
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
      parseError = makeIssue(err.lines ?? 0, null, null, "record-limit", `the record is longer than the limit of ${MAX_RECORD_BYTES} bytes; parsing stopped here`);
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

/**
 * The validation verdict on a file without storing anything (the upload preview): the staged
 * checks in a rolled-back transaction, or, for files the staged path does not take, the
 * row-by-row validator (exact errors). The summary is the one ingest would record.
 */
export async function checkExportFile(
  db: Db,
  opts: Pick<IngestOptions, "filePath" | "granularity" | "allowUnbalanced" | "now">,
): Promise<{ summary: ExportSummary; path: IngestPath; fallbackReason?: string }> {
  const staged = await ingestStaged(db, { ...opts, orgId: "", actor: "" }, stopwatch(), "check");
  if (staged.status === "checked") return { summary: staged.summary, path: "staged" };
  const v = await validateExportFile(opts, false);
  await rm(v.tmpDir, { recursive: true, force: true });
  return { summary: v.summary, path: "parsed", ...(staged.status === "fallback" ? { fallbackReason: staged.reason } : {}) };
}

/** Streams the spool into COPY, prefixing the columns known only once the import row exists. */
async function* spoolLines(file: string, prefix: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) yield prefix + line + "\n";
}

export type Stopwatch = ReturnType<typeof stopwatch>;

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
const PAUSE_AFTER: Record<string, string> = { lock: "staging", stage_copy: "checks", replace: "insert", owner_costs: "allocation", store_results: "details" };
function testPauseAfter(step: string) {
  if (!process.env.SHOWBACK_TEST_PAUSE_AT || PAUSE_AFTER[step] !== process.env.SHOWBACK_TEST_PAUSE_AT) return;
  process.stderr.write(`showback_test_paused=${PAUSE_AFTER[step]}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

export async function ingestFile(db: Db, opts: IngestOptions): Promise<IngestResult> {
  const sw = stopwatch();
  let fallbackReason: string | undefined;
  if (opts.staged !== false) {
    const staged = await ingestStaged(db, opts, sw);
    if (staged.status === "done") return staged.result;
    if (staged.status === "fallback") fallbackReason = staged.reason;
  }
  opts.onPhase?.("checking");
  const spooled = await validateExportFile(opts);
  sw.lap("validate");
  try {
    const { summary } = spooled;
    if (!summary.ok) return { status: "rejected", summary, errors: summary.errors, errorCount: summary.errorCount };
    return await db.transaction(async (tx) => {
      await ensureOrg(tx, opts.orgId);
      await lockOrg(tx, opts.orgId);
      sw.lap("lock");
      const load = (importId: number) =>
        tx.copyRows("cost_rows", COST_COLUMNS, spoolLines(spooled.spoolFile, copyLine([importId, opts.orgId, summary.granularity!]).slice(0, -1) + "\t"));
      return commitImport(tx, opts, summary, spooled.sha256, load, sw, { path: "parsed", fallbackReason });
    });
  } finally {
    await rm(spooled.tmpDir, { recursive: true, force: true });
  }
}

/**
 * The transactional part shared by both ingest paths, under the org's lock: identical-bytes
 * no-op, replacement of the covered range (superseded rows kept), `load(importId)` of the
 * new rows, derived tables, restatement, audit.
 */
export async function commitImport(
  tx: Db,
  opts: IngestOptions,
  summary: ExportSummary,
  sha256: string,
  load: (importId: number) => Promise<void>,
  sw: Stopwatch,
  how: { path: IngestPath; fallbackReason?: string },
): Promise<IngestResult> {
  const granularity = summary.granularity!;
  const first = summary.firstBucket!;
  const last = summary.lastBucket!;
  const same = await tx.query<{ id: number }>(
    `select id from imports where org_id = $1 and sha256 = $2 and status = 'active' order by id desc limit 1`,
    [opts.orgId, sha256],
  );
  if (same.length > 0)
    return {
      status: "unchanged" as const,
      importId: same[0].id,
      summary,
      message: `identical file already ingested as import ${same[0].id} for ${opts.orgId}; nothing changed`,
    };

  const before = await snapshotResults(tx, opts.orgId, granularity, first, last);
  const replaced = await tx.query<{ import_id: number; n: number }>(
    `with r as (
       update cost_rows set active = false
        where active and org_id = $1 and granularity = $2 and bucket_start between $3::date and $4::date
        returning import_id)
     select import_id, count(*)::int as n from r group by import_id order by import_id`,
    [opts.orgId, granularity, first, last],
  );
  const replacedImportIds = replaced.map((r) => r.import_id);
  const replacedRows = replaced.reduce((s, r) => s + r.n, 0);
  sw.lap("replace");

  const [{ id: importId }] = await tx.query<{ id: number }>(
    `insert into imports (org_id, granularity, first_bucket, last_bucket, file_name, sha256, row_count, total,
                          status, replaced_import_ids, warnings, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9::jsonb, $10::jsonb, $11) returning id`,
    [
      opts.orgId, granularity, first, last, opts.fileName ?? path.basename(opts.filePath), sha256,
      summary.rowCount, summary.total, JSON.stringify(replacedImportIds), JSON.stringify(summary.warnings), opts.actor,
    ],
  );
  opts.onPhase?.("storing");
  await load(importId);
  sw.lap("load");

  const superseded = await tx.query<{ id: number }>(
    `update imports i set status = 'superseded', superseded_by = $1
      where i.org_id = $2 and i.status = 'active' and i.id <> $1
        and not exists (select 1 from cost_rows c where c.import_id = i.id and c.active)
     returning id`,
    [importId, opts.orgId],
  );
  opts.onPhase?.("allocating");
  // fresh planner statistics after a bulk load: without them the recompute's joins plan for an empty table
  await tx.exec(`analyze cost_rows`);
  sw.lap("analyze");
  await refreshOwnerBucketCosts(tx, opts.orgId, granularity, first, last);
  sw.lap("owner_costs");
  await recomputeAllocation(tx, opts.orgId, granularity, first, last, { importId, onPhase: sw.lap });
  await tx.exec(`analyze owner_bucket_costs, allocation_results, allocation_details`);
  sw.lap("analyze_derived");
  if (replacedImportIds.length > 0)
    await recordImportRestatement(tx, { orgId: opts.orgId, granularity, importId, from: first, to: last, before });

  await writeAudit(tx, {
    actor: opts.actor,
    action: "ingest",
    entity: "import",
    entityId: String(importId),
    before: replacedImportIds.length ? { replacedImportIds, replacedRows } : null,
    after: {
      orgId: opts.orgId, granularity, firstBucket: first, lastBucket: last, rowCount: summary.rowCount,
      total: summary.total, sha256, fileName: opts.fileName ?? path.basename(opts.filePath),
    },
  });
  return {
    status: "imported" as const,
    importId,
    summary,
    replacedImportIds,
    supersededImportIds: superseded.map((s) => s.id),
    replacedRows,
    timings: sw.timings,
    path: how.path,
    ...(how.fallbackReason ? { fallbackReason: how.fallbackReason } : {}),
  };
}

export interface ImportRow {
  id: number;
  org_id: string;
  granularity: string;
  first_bucket: string;
  last_bucket: string;
  file_name: string;
  sha256: string;
  row_count: number;
  total: string;
  status: string;
  superseded_by: number | null;
  replaced_import_ids: number[];
  warnings: string[];
  created_by: string;
  created_at: string;
}

export async function listImports(db: Db, f: { orgId?: string; limit?: number } = {}): Promise<ImportRow[]> {
  return db.query<ImportRow>(
    `select * from imports where ($1::text is null or org_id = $1) order by id desc limit $2`,
    [f.orgId ?? null, f.limit ?? 500],
  );
}

export async function getImport(db: Db, id: number): Promise<ImportRow | null> {
  return (await db.query<ImportRow>(`select * from imports where id = $1`, [id]))[0] ?? null;
}
