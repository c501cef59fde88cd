/**
 * The staged ingest path (docs/decisions/0004): the file's bytes go straight into
 * `COPY … WITH (FORMAT csv)` of a temporary staging table, and the validation rules (docs/export-format.md) are checked
 * set-based in the same transaction; the rows then reach the import's own leaf of
 * `cost_rows` with one INSERT … SELECT (the SQL is in db/queries/ingest-staged.ts), before
 * that leaf has any index (docs/decisions/0009). Node only hashes the bytes
 * and guards them (`CsvByteGuard`, one pass at about 2 ns a byte), so the parse happens
 * inside the server's COPY.
 *
 * The path is deliberately stricter than the row-by-row validator (`ExportValidator`):
 * anything it is not sure to accept exactly as the validator would (a quote character,
 * padded values, an error of any kind, an unbalanced group even with --allow-unbalanced)
 * rolls its transaction back and hands the file to the parsed path, which gives the exact
 * error report or accepts it. Both paths store identical rows and summaries
 * (`tests/integration/ingest-staged.test.ts` compares them).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { EMPTY_LABEL_LINES_SHOWN, ExportValidator, MAX_FIELDS, MAX_RECORD_BYTES, type ExportSummary } from "../domain/csv/export";
import { parseBucketTimestamp } from "../domain/csv/values";
import type { Db } from "../../db/client";
import { copyIntoStage, createStageTable, insertStagedCostRows, stagedChecks, stagedEmptyLabelLines } from "../../db/queries/ingest-staged";
import { ensureOrg, lockOrg } from "../../db/queries/orgs";
import type { CheckOptions } from "./import-parse";
import type { IngestPhase, Stopwatch } from "./import-progress";

/** Thrown inside the staging transaction to roll it back and use the parsed path. */
class NotStaged extends Error {}
/** Thrown inside the staging transaction of a check (dry run) to roll it back with the verdict. */
class Checked extends Error {
  constructor(readonly summary: ExportSummary) {
    super("checked");
  }
}

export interface StageOptions extends CheckOptions {
  orgId: string;
  /** Called when a phase starts (commit mode only). */
  onPhase?: (phase: IngestPhase) => void;
}

/**
 * A file the checks accepted, inside the import's transaction: `load(importId, table)` writes
 * its rows into `table`, the import's new leaf of cost_rows (db/queries/cost-partitions.ts).
 */
export interface StagedFile {
  summary: ExportSummary;
  sha256: string;
  load: (importId: number, table: string) => Promise<void>;
}

export type StagedOutcome<T> =
  { status: "done"; result: T } | { status: "checked"; summary: ExportSummary } | { status: "fallback"; reason: string };

const HEAD_LIMIT = 64 * 1024;

/** The header line (without its line break) and its length in bytes including the break. */
async function readHeaderLine(filePath: string): Promise<{ text: string; bytes: number } | null> {
  const fh = await open(filePath, "r");
  try {
    const buf = Buffer.alloc(HEAD_LIMIT);
    const { bytesRead } = await fh.read(buf, 0, HEAD_LIMIT, 0);
    const nl = buf.subarray(0, bytesRead).indexOf(10);
    if (nl < 0) return null;
    return { text: buf.subarray(0, nl).toString("utf8").replace(/\r$/, ""), bytes: nl + 1 };
  } finally {
    await fh.close();
  }
}

/**
 * Checks line-aligned CSV bytes for everything that could make `COPY … (FORMAT csv)` fail
 * or read a value differently from the row-by-row path, in one pass over the bytes
 * (≈ 2 ns a byte): the field count of every line, quotes, backslashes, control and
 * non-ASCII bytes, carriage returns other than a consistent CRLF, and blanks at a value's
 * edge (the validator trims them), and in the decimal fields (`decimalFields`, by position)
 * any character other than a digit, '.' and '-'. State carries over between chunks; each chunk must
 * start at a line start. A COPY that fails on the server must be avoided, not just
 * handled: postgres.js never settles the writable then (porsager/postgres#1173).
 */
export class CsvByteGuard {
  /** line breaks seen */
  lines = 0;
  /** CRLF line endings (decided by the first line) */
  private crlf: boolean | null = null;

  private readonly decimal: Uint8Array;

  constructor(
    private readonly fieldCount: number,
    decimalFields: readonly number[] = [],
  ) {
    this.decimal = new Uint8Array(fieldCount + 1);
    for (const f of decimalFields) this.decimal[f] = 1;
  }

  /** null when the chunk is safe to COPY, else why not (nothing of the chunk should be sent) */
  check(d: Uint8Array): string | null {
    const expected = this.fieldCount - 1;
    let commas = 0;
    let prev = 10;
    let lines = 0;
    for (let i = 0; i < d.length; i++) {
      const b = d[i];
      if (b === 44) {
        if (prev === 32 || prev === 9 || prev === 11 || prev === 12) return "a value with blanks at its edges";
        commas++;
      } else if (b === 10) {
        if (prev === 32 || prev === 9 || prev === 11 || prev === 12) return "a value with blanks at its edges";
        const cr = prev === 13;
        this.crlf ??= cr;
        if (cr !== this.crlf) return "mixed line endings";
        if (commas !== expected) return `line ${this.lines + lines + 2} has ${commas + 1} fields, the header ${this.fieldCount}`;
        commas = 0;
        lines++;
      } else if (b === 32 || b === 9 || b === 11 || b === 12) {
        if (prev === 44 || prev === 10) return "a value with blanks at its edges";
      } else if (b === 13) {
        if (d[i + 1] !== 10) return "a carriage return inside a line";
        if (prev === 32 || prev === 9 || prev === 11 || prev === 12) return "a value with blanks at its edges";
      } else if (b === 34) return "quoted fields";
      else if (b === 92) return "a backslash";
      else if (b < 32 || b > 126) return "control characters or non-ASCII text";
      else if (this.decimal[commas] === 1 && (b < 48 || b > 57) && b !== 46 && b !== 45)
        return `a decimal with characters other than digits, '.' and '-' on line ${this.lines + lines + 2}`;
      prev = b;
    }
    if (prev !== 10) return "a chunk that does not end a line";
    this.lines += lines;
    return null;
  }
}

export interface ByteScan {
  sha256: string;
  /** why streaming stopped early (the staged path then hands over), if it did */
  stopped: string | null;
}

/**
 * Yields the data part of the file (after the header line) in chunks that end at a line
 * break and pass the guard, while hashing the whole file. Before a chunk that fails the
 * guard, streaming stops (COPY gets a normal end) and `scan.stopped` says why.
 */
export async function* dataChunks(
  filePath: string,
  headerBytes: number,
  guard: CsvByteGuard,
  scan: ByteScan,
  onBytes: (n: number) => void,
) {
  const hash = createHash("sha256");
  let carry: Buffer | null = null;
  let seen = 0;
  let crlf = false;
  /** blank lines held back at the end of the last chunk: dropped at the end of the file, else the file is not plain */
  let blankTail = false;
  const tooLong = `a line longer than ${MAX_RECORD_BYTES} bytes`;
  for await (const raw of createReadStream(filePath, { highWaterMark: 1 << 20 })) {
    const chunk = raw as Buffer;
    hash.update(chunk);
    let data = chunk;
    if (seen < headerBytes) data = chunk.subarray(Math.min(chunk.length, headerBytes - seen));
    seen += chunk.length;
    onBytes(seen);
    if (data.length === 0) continue;
    const joined: Buffer = carry ? Buffer.concat([carry, data]) : data;
    const cut = joined.lastIndexOf(10);
    if (cut < 0) {
      // never buffer an unbounded line: the parsed path refuses it with its line number
      if (joined.length > MAX_RECORD_BYTES) {
        scan.stopped = tooLong;
        return;
      }
      carry = Buffer.from(joined);
      continue;
    }
    carry = cut + 1 < joined.length ? Buffer.from(joined.subarray(cut + 1)) : null;
    if (carry && carry.length > MAX_RECORD_BYTES) {
      scan.stopped = tooLong;
      return;
    }
    let out = joined.subarray(0, cut + 1);
    crlf = cut > 0 && out[cut - 1] === 13;
    if (blankTail) {
      scan.stopped = "an empty line between rows";
      return;
    }
    // trailing blank lines (a file ending in an empty line) are not rows: hold them back
    let end = out.length;
    while (end >= 2 && out[end - 2] === 10) end -= 1;
    while (end >= 3 && out[end - 2] === 13 && out[end - 3] === 10) end -= 2;
    if (end < out.length) {
      blankTail = true;
      out = out.subarray(0, end);
    }
    scan.stopped = guard.check(out);
    if (scan.stopped) return; // COPY ends normally; the parsed path takes the file (the hash is not needed)
    yield out;
  }
  if (carry) {
    if (blankTail) {
      scan.stopped = "an empty line between rows";
      return;
    }
    const last = Buffer.concat([carry, Buffer.from(crlf ? "\r\n" : "\n")]);
    scan.stopped = guard.check(last);
    if (!scan.stopped) yield last;
  }
  scan.sha256 = hash.digest("hex");
}

/**
 * Stages and checks the file in one transaction. With `commit`, under the org's lock: an
 * accepted file is handed to `commit` in the same transaction (its result is returned as
 * "done"). With `commit` null, a dry run for the upload preview: the same staging and
 * checks, no org lock, then a rollback that returns the summary ("checked"); nothing is
 * stored. A file the staged path does not take ("fallback") left nothing behind.
 */
export async function ingestStaged<T>(
  db: Db,
  opts: StageOptions,
  sw: Stopwatch,
  commit: ((tx: Db, file: StagedFile) => Promise<T>) | null,
): Promise<StagedOutcome<T>> {
  const fallback = (reason: string): StagedOutcome<T> => {
    sw.lap("staged_attempt");
    return { status: "fallback", reason };
  };
  const header = await readHeaderLine(opts.filePath);
  if (!header) return fallback("no header line");
  if (header.text.includes('"')) return fallback("quoted header");
  if (header.text.split(",").length > MAX_FIELDS) return fallback(`more than ${MAX_FIELDS} columns`);
  const validator = new ExportValidator({ granularity: opts.granularity, allowUnbalanced: opts.allowUnbalanced, now: opts.now });
  if (!validator.header(header.text.split(","), 1)) return fallback("header not accepted");
  const cols = validator.columns()!;
  const totalBytes = (await stat(opts.filePath)).size;

  try {
    const result = await db.transaction(async (tx) => {
      if (commit) {
        await ensureOrg(tx, opts.orgId);
        await lockOrg(tx, opts.orgId);
        sw.lap("lock");
      }
      const fields = await createStageTable(tx, cols.fieldCount);
      const guard = new CsvByteGuard(
        cols.fieldCount,
        (["chargeback_cost", "original_amount", "usage_share"] as const).map((c) => cols.index[c]),
      );
      const scan: ByteScan = { sha256: "", stopped: null };
      let lastReport = 0;
      if (commit) opts.onPhase?.("reading");
      await copyIntoStage(
        tx,
        fields,
        dataChunks(opts.filePath, header.bytes, guard, scan, (bytes) => {
          if (bytes - lastReport < 4 << 20) return;
          lastReport = bytes;
          opts.onProgress?.({ rows: guard.lines, bytes, totalBytes });
        }),
      );
      sw.lap("stage_copy");
      if (scan.stopped) throw new NotStaged(scan.stopped);
      const expectedRows = guard.lines;
      if (commit) {
        opts.onProgress?.({ rows: guard.lines, bytes: totalBytes, totalBytes });
        opts.onPhase?.("checking");
      }

      // every rule in one scan: row rules counted per bucket (rows other than the unallocated
      // row with an empty product or metric are counted for the warning the parsed path gives;
      // their first lines are read only when there are some), per bucket and per (bucket,
      // resource, metric) group
      const agg = await stagedChecks(tx, cols);
      const perTs = agg.filter((g) => g.per_ts);
      const check = perTs.reduce((s, g) => ({ rows: s.rows + g.n_rows, bad: s.bad + g.n_bad, empty: s.empty + g.n_empty }), {
        rows: 0,
        bad: 0,
        empty: 0,
      });
      if (check.rows !== expectedRows) throw new NotStaged(`staged ${check.rows} rows for ${expectedRows} lines`);
      if (check.bad > 0) throw new NotStaged(`${check.bad} rows need the row-by-row checks`);
      const emptyLabels = {
        count: check.empty,
        lines: check.empty === 0 ? [] : await stagedEmptyLabelLines(tx, cols, EMPTY_LABEL_LINES_SHOWN),
      };
      const buckets: Array<{
        raw: string;
        bucket: string;
        firstLine: number;
        unallocatedLine: number | null;
        total: string;
        unallocatedTotal: string;
      }> = [];
      const seenBuckets = new Set<string>();
      for (const r of perTs) {
        const p = parseBucketTimestamp(r.ts);
        if (!p.ok) throw new NotStaged(`timestamp ${JSON.stringify(r.ts)} ${p.reason}`);
        if (seenBuckets.has(p.value)) throw new NotStaged(`bucket ${p.value} written in two timestamp forms`);
        seenBuckets.add(p.value);
        if (r.u_count > 1 || r.u_bad > 0 || r.s_bad > 0) throw new NotStaged(`bucket ${p.value} needs the row-by-row checks`);
        buckets.push({
          raw: r.ts,
          bucket: p.value,
          firstLine: r.first_line,
          unallocatedLine: r.u_line,
          total: r.total,
          unallocatedTotal: r.u_total,
        });
      }
      // (after the timestamps: one bucket written two ways would split its groups)
      const unbalanced = agg.length - buckets.length;
      if (unbalanced > 0) throw new NotStaged(`${unbalanced} unbalanced groups`);
      sw.lap("stage_check");

      if (!validator.absorbAggregates({ rows: check.rows, buckets, emptyLabels }))
        throw new NotStaged("a bucket does not fit the stated granularity");
      const summary = validator.finish();
      if (!summary.ok) throw new NotStaged("file-level rules");
      if (!commit) throw new Checked(summary);

      const load = (importId: number, table: string) =>
        insertStagedCostRows(tx, cols, { table, importId, orgId: opts.orgId, granularity: summary.granularity!, buckets });
      return commit(tx, { summary, sha256: scan.sha256, load });
    });
    return { status: "done", result };
  } catch (e) {
    if (e instanceof Checked) return { status: "checked", summary: e.summary };
    // any failure here (a COPY that does not parse, a cast, a rule) leaves nothing behind:
    // the transaction rolled back, and the parsed path decides with exact error reports
    return fallback(e instanceof NotStaged ? e.message : `staging failed: ${(e as Error).message.split("\n")[0]}`);
  }
}
