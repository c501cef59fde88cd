/**
 * One database interface over two engines: PostgreSQL through postgres.js when
 * DATABASE_URL is set, else embedded PGlite in SHOWBACK_DATA_DIR (default ./data).
 *
 * Every value type is normalised the same way on both engines: `numeric` comes back
 * as a string (feed it to Decimal, never parseFloat), `date`/`timestamp` as their
 * PostgreSQL text form, `bigint` as a JS number (counts only, never money).
 * All SQL in the project lives in db/ and goes through `query`, `exec` and `copyRows`.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import postgres from "postgres";

export type Engine = "pg" | "pglite";

export interface Db {
  readonly engine: Engine;
  /** One statement with $1… parameters; returns rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** One or more statements, no parameters. */
  exec(text: string): Promise<void>;
  /** Runs fn in a transaction; nested calls reuse the outer transaction. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Bulk load with COPY. Text format (default): `lines` yields rows already encoded with
   * `copyLine`, each ending in "\n". CSV format: `lines` yields raw CSV bytes in chunks
   * that each end at a line break (PGlite loads every few chunks as one COPY).
   */
  copyRows(table: string, columns: string[], lines: CopySource, opts?: CopyOptions): Promise<void>;
  close(): Promise<void>;
}

export type CopySource = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
export interface CopyOptions {
  format?: "text" | "csv";
  /** CSV only: an unquoted empty value is '' rather than NULL, in every column */
  forceNotNull?: boolean;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** Encodes one value for COPY text format. null → \N. */
export function copyValue(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "\\N";
  const s = typeof v === "string" ? v : String(v);
  if (!NEEDS_ESCAPE.test(s)) return s; // the common case on the ingest hot path
  return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

export function copyLine(values: Array<string | number | boolean | null | undefined>): string {
  return values.map(copyValue).join("\t") + "\n";
}

const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`bad identifier ${s}`);
  return `"${s}"`;
};

function copySql(table: string, columns: string[], source: string, opts: CopyOptions = {}) {
  const csv =
    opts.format !== "csv" ? "" : ` WITH (FORMAT csv${opts.forceNotNull ? `, FORCE_NOT_NULL (${columns.map(ident).join(", ")})` : ""})`;
  return `COPY ${ident(table)} (${columns.map(ident).join(", ")}) FROM ${source}${csv}`;
}

// ---------------------------------------------------------------- PostgreSQL

const identity = (x: string) => x;

export function createPostgresDb(url: string, opts: { max?: number } = {}): Db {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    idle_timeout: 20,
    onnotice: () => {},
    // Every query here is short and already planned from statistics: JIT compilation
    // costs 100–400 ms per query above jit_above_cost and never paid back (measured on the
    // drill-down and recompute queries, docs/decisions/0004). Aggregations over a month of
    // rows hash in memory instead of spilling sorts to disk.
    connection: { jit: "off", work_mem: "64MB" },
    types: {
      // keep dates and timestamps as PostgreSQL text, like the PGlite client
      dateText: { to: 1082, from: [1082, 1114, 1184], serialize: (x: unknown) => String(x), parse: identity },
      int8: { to: 20, from: [20], serialize: (x: unknown) => String(x), parse: (x: string) => Number(x) },
      // jsonb parameters are passed as JSON text (as PGlite does); objects are stringified once
      jsonText: {
        to: 3802,
        from: [114, 3802],
        serialize: (x: unknown) => (typeof x === "string" ? x : JSON.stringify(x)),
        parse: (x: string) => JSON.parse(x),
      },
    },
  });
  return wrapPostgres(sql, sql, false);
}

function wrapPostgres(root: postgres.Sql, conn: postgres.Sql | postgres.TransactionSql, inTx: boolean): Db {
  const db: Db = {
    engine: "pg",
    async query<T>(text: string, params: unknown[] = []) {
      return (await conn.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
    },
    async exec(text: string) {
      await conn.unsafe(text);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      if (inTx) return fn(db);
      return (await root.begin((tx) => fn(wrapPostgres(root, tx, true)))) as T;
    },
    async copyRows(table, columns, lines, opts) {
      const writable = await conn.unsafe(copySql(table, columns, "STDIN", opts)).writable();
      await pipeline(Readable.from(lines, { objectMode: false }), writable as unknown as Writable);
    },
    async close() {
      if (!inTx) await root.end({ timeout: 5 });
    },
  };
  return db;
}

// ---------------------------------------------------------------- PGlite

const pgliteParsers = {
  [pgliteTypes.NUMERIC]: identity,
  [pgliteTypes.DATE]: identity,
  [pgliteTypes.TIMESTAMP]: identity,
  [pgliteTypes.TIMESTAMPTZ]: identity,
  [pgliteTypes.INT8]: (x: string) => Number(x),
};

type PgliteLike = Pick<PGlite, "query" | "exec">;

/** COPY through PGlite's /dev/blob, in chunks so one blob stays small. */
async function pgliteCopy(conn: PgliteLike, table: string, columns: string[], lines: CopySource, opts?: CopyOptions) {
  const CHUNK_BYTES = 8 * 1024 * 1024;
  let parts: Array<string | Uint8Array> = [];
  let size = 0;
  const flush = async () => {
    if (parts.length === 0) return;
    const blob = new Blob(parts as BlobPart[]);
    parts = [];
    size = 0;
    await conn.query(copySql(table, columns, "'/dev/blob'", opts), [], { blob });
  };
  for await (const line of lines as AsyncIterable<string | Uint8Array>) {
    parts.push(line);
    size += line.length;
    if (size >= CHUNK_BYTES) await flush();
  }
  await flush();
}

export async function createPgliteDb(dataDir?: string, opts: { loadDataDir?: Blob } = {}): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create({ dataDir, parsers: pgliteParsers, loadDataDir: opts.loadDataDir });
  return wrapPglite(pg);
}

function wrapPglite(pg: PGlite): Db {
  // PGlite is one connection: serialise top-level transactions so they never interleave.
  let chain: Promise<unknown> = Promise.resolve();
  const db: Db & { pglite: PGlite } = {
    engine: "pglite",
    pglite: pg,
    async query<T>(text: string, params: unknown[] = []) {
      return (await pg.query<T>(text, params)).rows;
    },
    async exec(text: string) {
      await pg.exec(text);
    },
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const run = () =>
        pg.transaction(async (tx) => {
          const txDb: Db = {
            engine: "pglite",
            async query<R>(text: string, params: unknown[] = []) {
              return (await tx.query<R>(text, params)).rows;
            },
            async exec(text: string) {
              await tx.exec(text);
            },
            transaction: (inner) => inner(txDb),
            copyRows: (table, columns, lines, opts) => pgliteCopy(tx, table, columns, lines, opts),
            close: async () => {},
          };
          return fn(txDb);
        });
      const p = chain.then(run, run);
      chain = p.catch(() => {});
      return p;
    },
    copyRows: (table, columns, lines, opts) => pgliteCopy(pg, table, columns, lines, opts),
    async close() {
      await pg.close();
    },
  };
  return db;
}

/** Exposes the underlying PGlite (tests use it to snapshot a migrated template). */
export function pgliteOf(db: Db): PGlite | undefined {
  return (db as Db & { pglite?: PGlite }).pglite;
}

// ---------------------------------------------------------------- factory

export interface DbConfig {
  databaseUrl?: string;
  dataDir?: string;
}

export function dbConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DbConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.SHOWBACK_DATA_DIR || "./data"),
  };
}

/** DATABASE_URL → PostgreSQL; unset → embedded PGlite in SHOWBACK_DATA_DIR. Does not migrate. */
export async function createDb(config: DbConfig = dbConfigFromEnv()): Promise<Db> {
  if (config.databaseUrl) return createPostgresDb(config.databaseUrl);
  return createPgliteDb(config.dataDir ?? path.resolve("./data"));
}
