/**
 * The staged ingest path (docs/decisions/0004): the file's bytes go straight into
 * `COPY … WITH (FORMAT csv)` of a temporary staging table, and the validation rules (docs/export-format.md) are checked
 * set-based in the same transaction; the rows then reach `cost_rows` with one
 * INSERT … SELECT. Node only hashes the bytes and guards them (`CsvByteGuard`, one pass
 * at about 2 ns a byte), so the parse happens inside the server's COPY.
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
import { EMPTY_LABEL_LINES_SHOWN, ExportValidator, MAX_FIELDS, MAX_RECORD_BYTES, type ExportColumn, type ExportSummary } from "../../app/domain/csv/export";
import { parseBucketTimestamp } from "../../app/domain/csv/values";
import type { Db } from "../client";
import { commitImport, COST_COLUMNS, type IngestOptions, type IngestResult, type Stopwatch } from "./ingest";
import { ensureOrg, lockOrg } from "./orgs";

/** Thrown inside the staging transaction to roll it back and use the parsed path. */
class NotStaged extends Error {}
/** Thrown inside the staging transaction of a check (dry run) to roll it back with the verdict. */
class Checked extends Error {
  constructor(readonly summary: ExportSummary) {
    super("checked");
  }
}

export type StagedOutcome =
  | { status: "done"; result: IngestResult }
  | { status: "checked"; summary: ExportSummary }
  | { status: "fallback"; reason: string };

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
 * edge (the validator trims them). State carries over between chunks; each chunk must
 * start at a line start. A COPY that fails on the server must be avoided, not just
 * handled: postgres.js never settles the writable then (porsager/postgres#1173).
 */
export class CsvByteGuard {
  /** line breaks seen */
  lines = 0;
  /** CRLF line endings (decided by the first line) */
  private crlf: boolean | null = null;

  constructor(private readonly fieldCount: number) {}

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
export async function* dataChunks(filePath: string, headerBytes: number, guard: CsvByteGuard, scan: ByteScan, onBytes: (n: number) => void) {
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
 * `mode: "check"` is a dry run for the upload preview: the same staging and checks, no
 * org lock, then a rollback that returns the summary; nothing is stored.
 */
export async function ingestStaged(db: Db, opts: IngestOptions, sw: Stopwatch, mode: "commit" | "check" = "commit"): Promise<StagedOutcome> {
  const fallback = (reason: string): StagedOutcome => {
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

  const fields = Array.from({ length: cols.fieldCount }, (_, i) => `f${i + 1}`);
  const F = (c: ExportColumn) => `f${cols.index[c] + 1}`;
  const isUnallocated = `lower(${F("owner_id")}) = 'unallocated'`;

  try {
    const result = await db.transaction(async (tx) => {
      if (mode === "commit") {
        await ensureOrg(tx, opts.orgId);
        await lockOrg(tx, opts.orgId);
        sw.lap("lock");
      }
      await tx.exec(
        `create temp table stage_raw (n bigint generated always as identity, ${fields.map((f) => `${f} text`).join(", ")}) on commit drop`,
      );
      const guard = new CsvByteGuard(cols.fieldCount);
      const scan: ByteScan = { sha256: "", stopped: null };
      let lastReport = 0;
      if (mode === "commit") opts.onPhase?.("reading");
      await tx.copyRows(
        "stage_raw",
        fields,
        dataChunks(opts.filePath, header.bytes, guard, scan, (bytes) => {
          if (bytes - lastReport < 4 << 20) return;
          lastReport = bytes;
          opts.onProgress?.({ rows: guard.lines, bytes, totalBytes });
        }),
        { format: "csv", forceNotNull: true },
      );
      sw.lap("stage_copy");
      if (scan.stopped) throw new NotStaged(scan.stopped);
      const expectedRows = guard.lines;
      if (mode === "commit") {
        opts.onProgress?.({ rows: guard.lines, bytes: totalBytes, totalBytes });
        opts.onPhase?.("checking");
      }

      // Row rules (docs/export-format.md) in one scan; the guard already checked field counts and edges.
      // Required values, and decimals made only of digits, '.' and '-': of such strings
      // PostgreSQL's numeric input accepts exactly the validator's forms, -?\d+(\.\d*)? and
      // -?\.\d+; the others fail the cast below.
      // Rows other than the unallocated row with an empty product or metric are counted for
      // the warning the parsed path gives (their first lines are read only when there are some).
      const emptyLabel = `not (${isUnallocated}) and (${F("product")} = '' or ${F("metric")} = '')`;
      const [check] = await tx.query<{ rows: number; bad: number; empty_labels: number }>(
        `select count(*)::int as rows,
                count(*) filter (where not (
                  ${F("owner_id")} <> '' and (${F("unit")} <> '' or ${isUnallocated})
                  and ${(["chargeback_cost", "original_amount", "usage_share"] as const).map((c) => `ltrim(${F(c)}, '0123456789.-') = ''`).join(" and ")}
                ))::int as bad,
                count(*) filter (where ${emptyLabel})::int as empty_labels
           from stage_raw`,
      );
      if (check.rows !== expectedRows) throw new NotStaged(`staged ${check.rows} rows for ${expectedRows} lines`);
      if (check.bad > 0) throw new NotStaged(`${check.bad} rows need the row-by-row checks`);
      const emptyLabels = {
        count: check.empty_labels,
        lines: check.empty_labels === 0 ? [] : (
          await tx.query<{ line: number }>(`select (n + 1)::int as line from stage_raw where ${emptyLabel} order by n limit ${EMPTY_LABEL_LINES_SHOWN}`)
        ).map((r) => r.line),
      };
      sw.lap("stage_check_rows");

      const typed = `select n, ${F("timestamp")} as ts, ${isUnallocated} as u, ${F("resource_id")} as resource, ${F("metric")} as metric,
                            ${F("chargeback_cost")}::numeric as c, ${F("original_amount")}::numeric as o, ${F("usage_share")}::numeric as s
                       from stage_raw`;
      // One pass, two groupings. Per timestamp: lines, the unallocated row and its rules, the
      // share range, totals. Per (timestamp, resource, metric) of the other rows, rule 5: one
      // original_amount, Σ chargeback_cost within 0.01 of it (only failing groups are returned).
      const agg = await tx.query<{
        per_ts: boolean; ts: string; first_line: number; u_line: number | null; u_count: number; u_bad: number; s_bad: number; total: string; u_total: string;
      }>(
        `select * from (
           select grouping(resource, metric) = 3 as per_ts, ts, min(n)::int + 1 as first_line, (min(n) filter (where u))::int + 1 as u_line,
                  count(*) filter (where u)::int as u_count,
                  count(*) filter (where u and (c <> o or s <> 0))::int as u_bad,
                  count(*) filter (where s < 0 or s > 1)::int as s_bad,
                  trim_scale(sum(c))::text as total, trim_scale(coalesce(sum(c) filter (where u), 0))::text as u_total,
                  min(o) filter (where not u) as o_min, max(o) filter (where not u) as o_max, sum(c) filter (where not u) as c_sum
             from (${typed}) t group by grouping sets ((ts), (ts, resource, metric))) g
          where per_ts or (o_min is not null and (o_min <> o_max or abs(c_sum - o_min) > 0.01))
          order by ts`,
      );
      const buckets: Array<{ raw: string; bucket: string; firstLine: number; unallocatedLine: number | null; total: string; unallocatedTotal: string }> = [];
      const seenBuckets = new Set<string>();
      for (const r of agg.filter((g) => g.per_ts)) {
        const p = parseBucketTimestamp(r.ts);
        if (!p.ok) throw new NotStaged(`timestamp ${JSON.stringify(r.ts)} ${p.reason}`);
        if (seenBuckets.has(p.value)) throw new NotStaged(`bucket ${p.value} written in two timestamp forms`);
        seenBuckets.add(p.value);
        if (r.u_count > 1 || r.u_bad > 0 || r.s_bad > 0) throw new NotStaged(`bucket ${p.value} needs the row-by-row checks`);
        buckets.push({ raw: r.ts, bucket: p.value, firstLine: r.first_line, unallocatedLine: r.u_line, total: r.total, unallocatedTotal: r.u_total });
      }
      // (after the timestamps: one bucket written two ways would split its groups)
      const unbalanced = agg.length - buckets.length;
      if (unbalanced > 0) throw new NotStaged(`${unbalanced} unbalanced groups`);
      sw.lap("stage_check_buckets");

      if (!validator.absorbAggregates({ rows: check.rows, buckets, emptyLabels })) throw new NotStaged("a bucket does not fit the stated granularity");
      const summary = validator.finish();
      if (!summary.ok) throw new NotStaged("file-level rules");
      if (mode === "check") throw new Checked(summary);

      const load = async (importId: number) => {
        await tx.query(
          `insert into cost_rows (${COST_COLUMNS.join(", ")})
           select $1, $2, $3, m.bucket::date, case when ${isUnallocated} then 'unallocated' else ${F("owner_id")} end,
                  ${F("environment_id")}, ${F("resource_id")}, ${F("product")}, ${F("metric")}, ${F("unit")},
                  trim_scale(${F("chargeback_cost")}::numeric), trim_scale(${F("original_amount")}::numeric),
                  trim_scale(${F("usage_share")}::numeric), ${isUnallocated}, n + 1
             from stage_raw join unnest($4::text[], $5::text[]) as m(raw, bucket) on m.raw = ${F("timestamp")}`,
          [importId, opts.orgId, summary.granularity, buckets.map((b) => b.raw), buckets.map((b) => b.bucket)],
        );
      };
      return commitImport(tx, opts, summary, scan.sha256, load, sw, { path: "staged" });
    });
    return { status: "done", result };
  } catch (e) {
    if (e instanceof Checked) return { status: "checked", summary: e.summary };
    // any failure here (a COPY that does not parse, a cast, a rule) leaves nothing behind:
    // the transaction rolled back, and the parsed path decides with exact error reports
    return fallback(e instanceof NotStaged ? e.message : `staging failed: ${(e as Error).message.split("\n")[0]}`);
  }
}
