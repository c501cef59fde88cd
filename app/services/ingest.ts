/**
 * Ingest of a cost allocation export (docs/export-format.md), shared by `npm run ingest`
 * and the upload page. The sequence, for one file:
 *
 *  1. staged path (docs/decisions/0004): the bytes are hashed and COPYed into a staging
 *     table, the rules checked set-based; a file it takes is committed in that transaction.
 *  2. otherwise the parsed path: one streaming pass (hash, csv-parse, the domain validator,
 *     rows spooled to a temp file). A rejected file stores nothing but its audit entry.
 *  3. commit, under the org's advisory lock: identical bytes are a no-op; the covered
 *     bucket range is replaced (superseded rows kept); the new import and its rows; derived
 *     tables and the allocation recomputed; a restatement recorded when something was
 *     replaced; the audit entry.
 *
 * Timing per step (`timings`, for the benchmark), phase and byte progress are reported as
 * it goes (app/services/import-progress.ts).
 */
import path from "node:path";
import type { ExportSummary } from "../domain/csv/export";
import type { ValidationIssue } from "../domain/csv/issues";
import { InputError } from "../domain/errors";
import type { Db } from "../../db/client";
import { alertsAfterIngest } from "./alerts";
import { checkOrgId } from "../domain/orgs";
import { refreshOwnerBucketCosts } from "../../db/queries/allocation";
import { recomputeAllocation } from "./allocation";
import { syncSegments } from "./mapping";
import { addUsageKeys } from "../../db/queries/mapping";
import { writeAudit } from "../../db/queries/audit";
import { replacementPreview } from "../../db/queries/imports";
import { attachImportLeaf, createImportLeaf } from "../../db/queries/cost-partitions";
import {
  analyzeDerivedTables,
  copyCostRows,
  deactivatePeriod,
  findActiveImportBySha,
  insertImport,
  supersedeEmptiedImports,
} from "../../db/queries/ingest";
import { ensureOrg, lockOrg } from "../../db/queries/orgs";
import { diffSnapshots } from "../domain/restatements";
import { insertRestatement, snapshotResults } from "../../db/queries/restatements";
import { discardSpool, spooledCostLines, validateExportFile, type CheckOptions } from "./import-parse";
import { INGEST_PHASES, stopwatch, type IngestPhase, type Stopwatch } from "./import-progress";
import { ingestStaged, type StagedFile } from "./import-staged";

export { INGEST_PHASES, type IngestPhase };

export interface IngestOptions extends CheckOptions {
  orgId: string;
  /** the name stored with the import (default: the file's base name) */
  fileName?: string;
  actor: string;
  /** Called when a phase starts, for progress displays (the byte progress covers reading only). */
  onPhase?: (phase: IngestPhase) => void;
  /** false: skip the staged fast path (tests compare both paths). Default true. */
  staged?: boolean;
  /** false: do not evaluate the alerts after the import (docs/alerts.md). Default true. */
  alerts?: boolean;
}

/**
 * "staged": the file's bytes were COPYed as CSV into a staging table and checked
 * set-based (the fast path for well-formed files); "parsed": parsed and checked row by
 * row in Node (every file the staged path does not accept, with exact error reports).
 */
export type IngestPath = "staged" | "parsed";

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
      /** how the file was checked and loaded (see import-staged.ts) */
      path: IngestPath;
      /** why the staged path handed over to the parsed one, when it did */
      fallbackReason?: string;
    };

const storedName = (opts: Pick<IngestOptions, "fileName" | "filePath">) => opts.fileName ?? path.basename(opts.filePath);

/**
 * Ingests one export (see ingestFileCore); after an import that changed data, evaluates the
 * alerts (budget thresholds, new anomalies) and delivers what is due: alertsAfterIngest, which
 * never fails the ingest.
 */
export async function ingestFile(db: Db, opts: IngestOptions): Promise<IngestResult> {
  const r = await ingestFileCore(db, opts);
  if (r.status === "imported" && opts.alerts !== false) await alertsAfterIngest(db);
  return r;
}

async function ingestFileCore(db: Db, opts: IngestOptions): Promise<IngestResult> {
  const sw = stopwatch();

  // 1. the staged path: checked and, when it takes the file, committed in one transaction
  let fallbackReason: string | undefined;
  if (opts.staged !== false) {
    const staged = await ingestStaged(db, opts, sw, (tx, file) => commitImport(tx, opts, file, sw, { path: "staged" }));
    if (staged.status === "done") return staged.result;
    if (staged.status === "fallback") fallbackReason = staged.reason;
  }

  // 2. the parsed path: parse, validate and hash, spooling the valid rows
  opts.onPhase?.("checking");
  const spooled = await validateExportFile(opts);
  sw.lap("validate");
  try {
    const { summary } = spooled;
    if (!summary.ok) {
      await recordRejectedIngest(db, opts.actor, { orgId: opts.orgId, fileName: storedName(opts), summary });
      return { status: "rejected", summary, errors: summary.errors, errorCount: summary.errorCount };
    }
    // 3. commit under the org's lock
    return await db.transaction(async (tx) => {
      await ensureOrg(tx, opts.orgId);
      await lockOrg(tx, opts.orgId);
      sw.lap("lock");
      const load = (importId: number, table: string) =>
        copyCostRows(tx, table, spooledCostLines(spooled, importId, opts.orgId, summary.granularity!));
      return commitImport(tx, opts, { summary, sha256: spooled.sha256, load }, sw, { path: "parsed", fallbackReason });
    });
  } finally {
    await discardSpool(spooled);
  }
}

/**
 * The transactional part shared by both paths, under the org's lock: identical-bytes
 * no-op, replacement of the covered range (superseded rows kept), `load(importId)` of the
 * new rows, derived tables, restatement, audit.
 */
async function commitImport(
  tx: Db,
  opts: IngestOptions,
  file: StagedFile,
  sw: Stopwatch,
  how: { path: IngestPath; fallbackReason?: string },
): Promise<IngestResult> {
  const { summary, sha256 } = file;
  const orgId = opts.orgId;
  const granularity = summary.granularity!;
  const first = summary.firstBucket!;
  const last = summary.lastBucket!;
  const same = await findActiveImportBySha(tx, orgId, sha256);
  if (same !== null)
    return {
      status: "unchanged" as const,
      importId: same,
      summary,
      message: `identical file already ingested as import ${same} for ${orgId}; nothing changed`,
    };

  // replace the covered period
  const before = await snapshotResults(tx, orgId, granularity, first, last);
  const replaced = await deactivatePeriod(tx, { orgId, granularity, from: first, to: last });
  const replacedImportIds = replaced.map((r) => r.importId);
  const replacedRows = replaced.reduce((s, r) => s + r.rows, 0);
  sw.lap("replace");

  // the new import and its rows
  const importId = await insertImport(tx, {
    orgId,
    granularity,
    firstBucket: first,
    lastBucket: last,
    fileName: storedName(opts),
    sha256,
    rowCount: summary.rowCount,
    total: summary.total,
    replacedImportIds,
    warnings: summary.warnings,
    createdBy: opts.actor,
  });
  // into a leaf of its own, indexed after the load and then attached (docs/decisions/0009)
  opts.onPhase?.("storing");
  const leaf = await createImportLeaf(tx, orgId, importId);
  await file.load(importId, leaf);
  sw.lap("load");
  await attachImportLeaf(tx, orgId, importId);
  sw.lap("index");
  const supersededImportIds = await supersedeEmptiedImports(tx, orgId, importId);

  // allocation over the covered range
  opts.onPhase?.("allocating");
  await refreshOwnerBucketCosts(tx, orgId, granularity, first, last, leaf);
  sw.lap("owner_costs");
  // new usage keys (owner, environment, resource, product) get their resolved mapping
  await addUsageKeys(tx, orgId, granularity, first, last);
  await syncSegments(tx, orgId);
  sw.lap("segments");
  await recomputeAllocation(tx, orgId, granularity, first, last, { importId, onPhase: sw.lap });
  await analyzeDerivedTables(tx);
  sw.lap("analyze_derived");

  // what changed in figures already reported (docs/reconciliation.md)
  if (replacedImportIds.length > 0) {
    const after = await snapshotResults(tx, orgId, granularity, first, last);
    const deltas = diffSnapshots(before, after);
    for (const month of new Set([...before, ...after].map((r) => r.month)))
      await insertRestatement(tx, {
        kind: "import",
        orgId,
        month,
        importId,
        granularity,
        deltas: deltas.filter((d) => d.month === month),
      });
  }

  await writeAudit(tx, {
    actor: opts.actor,
    action: "ingest",
    entity: "import",
    entityId: String(importId),
    before: replacedImportIds.length ? { replacedImportIds, replacedRows } : null,
    after: {
      orgId,
      granularity,
      firstBucket: first,
      lastBucket: last,
      rowCount: summary.rowCount,
      total: summary.total,
      sha256,
      fileName: storedName(opts),
    },
  });
  return {
    status: "imported" as const,
    importId,
    summary,
    replacedImportIds,
    supersededImportIds,
    replacedRows,
    timings: sw.timings,
    path: how.path,
    ...(how.fallbackReason ? { fallbackReason: how.fallbackReason } : {}),
  };
}

/** The audit entry of a rejected file (CLI or upload page): nothing else is stored. */
async function recordRejectedIngest(db: Db, actor: string, p: { orgId: string; fileName: string; summary: ExportSummary }): Promise<void> {
  await writeAudit(db, {
    actor,
    action: "ingest_rejected",
    entity: "import",
    entityId: null,
    after: {
      orgId: p.orgId,
      fileName: p.fileName,
      granularity: p.summary.granularity,
      firstBucket: p.summary.firstBucket,
      lastBucket: p.summary.lastBucket,
      rowCount: p.summary.rowCount,
      errorCount: p.summary.errorCount,
      errors: p.summary.errors.slice(0, 10),
    },
  });
}

/**
 * The validation verdict on a file without storing anything: the staged checks in a
 * rolled-back transaction, or, for files the staged path does not take, the row-by-row
 * validator (exact errors). The summary is the one ingest would record.
 */
export async function checkExportFile(
  db: Db,
  opts: Omit<CheckOptions, "onProgress">,
): Promise<{ summary: ExportSummary; path: IngestPath; fallbackReason?: string }> {
  const staged = await ingestStaged(db, { ...opts, orgId: "" }, stopwatch(), null);
  if (staged.status === "checked") return { summary: staged.summary, path: "staged" };
  const v = await validateExportFile(opts, false);
  await discardSpool(v);
  return { summary: v.summary, path: "parsed", ...(staged.status === "fallback" ? { fallbackReason: staged.reason } : {}) };
}

export type UploadPreview =
  | { status: "rejected"; orgId: string; summary: ExportSummary }
  | { status: "valid"; orgId: string; summary: ExportSummary; replaces: Array<{ importId: number; rows: number; total: string }> };

/**
 * The preview of an upload (the upload page, before confirm): the org id and the file are
 * checked (InputError), the file validated without storing anything; a rejected file is
 * audited as a CLI rejection is, a valid one comes with the stored rows it would replace.
 */
export async function previewIngest(
  db: Db,
  p: { orgId: string; fileName: string; bytes: number; actor: string } & Omit<CheckOptions, "onProgress">,
): Promise<UploadPreview> {
  let orgId: string;
  try {
    orgId = checkOrgId(p.orgId);
  } catch (e) {
    // the upload form's field is "org"
    if (e instanceof InputError) throw new InputError(e.message, { field: "org" });
    throw e;
  }
  if (p.bytes === 0) throw new InputError(`${p.fileName} is empty.`, { field: "file" });
  const v = await checkExportFile(db, { filePath: p.filePath, granularity: p.granularity, allowUnbalanced: p.allowUnbalanced, now: p.now });
  if (!v.summary.ok) {
    await recordRejectedIngest(db, p.actor, { orgId, fileName: p.fileName, summary: v.summary });
    return { status: "rejected", orgId, summary: v.summary };
  }
  const replaces = await replacementPreview(db, {
    orgId,
    granularity: v.summary.granularity!,
    from: v.summary.firstBucket!,
    to: v.summary.lastBucket!,
  });
  return { status: "valid", orgId, summary: v.summary, replaces };
}
