/**
 * A small bounded read cache for figures that change only when the data changes
 * (docs/decisions/0005-read-cache.md).
 *
 * Entries are keyed by (data version, query name, normalized parameters). The data
 * version (db/queries/data-version.ts) is bumped at commit by triggers on every source
 * table, by any process, so an ingest, a crosswalk edit, a policy change, a close or a
 * reopen (here or in a CLI process) makes every older entry unreachable; the first
 * request that sees a newer version also drops them all.
 *
 * - Bounded LRU (lru-cache): at most `max` entries and about `maxBytes` of JSON.
 * - Single flight: concurrent identical misses share one computation.
 * - Cached values are deep-frozen plain data (objects, arrays, primitives), shared by
 *   every caller: anything else (a Map, a Decimal, a Date) is refused.
 * - One cache per database (several servers may share a process: tests).
 * - The version is read at most once per request (memoized on the Request object).
 *
 * Never cache anything per user here (session, CSRF token, role): keys carry no user
 * identity, so every signed-in user shares the entries.
 */
import { LRUCache } from "lru-cache";
import type { Db } from "../../db/client";
import { getDataVersion } from "../../db/queries/data-version";

export interface ReadCacheOptions {
  /** Most entries kept (default 500). */
  max?: number;
  /** About how many bytes of JSON kept in all (default 64 MiB). */
  maxBytes?: number;
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
  /** misses that joined a computation already running */
  shared: number;
  /** times a newer version dropped every entry */
  flushes: number;
}

/** Stable JSON of parameters: object keys sorted, undefined dropped. */
export function stableKey(v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return JSON.stringify(v);
  if (typeof v === "bigint") return JSON.stringify(v.toString());
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(stableKey).join(",")}]`;
  if (typeof v === "object" && isPlain(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableKey(o[k])}`).join(",")}}`;
  }
  throw new TypeError(`read cache: cannot key on ${Object.prototype.toString.call(v)}`);
}

export function cacheKey(version: string, name: string, params: unknown): string {
  return `${version}\u0000${name}\u0000${stableKey(params)}`;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Freezes plain data in place (objects, arrays); throws on anything else. */
export function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== "object") {
    if (typeof v === "function" || typeof v === "symbol") throw new TypeError(`read cache: cannot cache a ${typeof v}`);
    return v;
  }
  if (Object.isFrozen(v)) return v;
  if (!Array.isArray(v) && !isPlain(v))
    throw new TypeError(`read cache: only plain data can be cached, got ${Object.prototype.toString.call(v)}`);
  for (const x of Object.values(v as object)) deepFreeze(x);
  return Object.freeze(v);
}

export class ReadCache {
  readonly stats: ReadCacheStats = { hits: 0, misses: 0, shared: 0, flushes: 0 };
  private readonly lru: LRUCache<string, { value: unknown }>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private newest: bigint | null = null;

  constructor(opts: ReadCacheOptions = {}) {
    this.lru = new LRUCache<string, { value: unknown }>({
      max: opts.max ?? 500,
      maxSize: opts.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (e, key) => Math.max(1, key.length + (JSON.stringify(e.value)?.length ?? 0)),
    });
  }

  get size(): number {
    return this.lru.size;
  }

  /**
   * The value of `compute()` for (version, name, params): from the cache, from the same
   * computation already running, or computed now (errors are not cached). The result is
   * deep-frozen: never mutate it.
   */
  async read<T>(version: string, name: string, params: unknown, compute: () => Promise<T>): Promise<T> {
    const v = BigInt(version);
    if (this.newest === null || v > this.newest) {
      if (this.newest !== null && this.lru.size > 0) {
        this.lru.clear();
        this.stats.flushes++;
      }
      this.newest = v;
    }
    const key = cacheKey(version, name, params);
    const hit = this.lru.get(key);
    if (hit) {
      this.stats.hits++;
      return hit.value as T;
    }
    const running = this.inflight.get(key);
    if (running) {
      this.stats.shared++;
      return running as Promise<T>;
    }
    this.stats.misses++;
    const p = Promise.resolve()
      .then(compute)
      .then((value) => {
        const frozen = deepFreeze(value);
        // a request that read an older version before a commit: answer it, keep nothing
        if (this.newest === null || v >= this.newest) this.lru.set(key, { value: frozen });
        return frozen;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  clear(): void {
    this.lru.clear();
  }
}

const CACHES = new WeakMap<Db, ReadCache>();
const VERSIONS = new WeakMap<Request, Promise<string>>();

/** The read cache of this database (one per open database). */
export function cacheFor(db: Db): ReadCache {
  let c = CACHES.get(db);
  if (!c) CACHES.set(db, (c = new ReadCache()));
  return c;
}

/** The data version, read once per request. */
export function versionFor(request: Request, db: Db): Promise<string> {
  let v = VERSIONS.get(request);
  if (!v) {
    v = getDataVersion(db);
    VERSIONS.set(request, v);
    v.catch(() => VERSIONS.delete(request));
  }
  return v;
}

export type CachedRead = <T>(name: string, params: unknown, compute: () => Promise<T>) => Promise<T>;

/** `cached(name, params, compute)` for this request: keyed by the data version it saw. */
export function readerFor(request: Request, db: Db): CachedRead {
  const cache = cacheFor(db);
  return async (name, params, compute) => cache.read(await versionFor(request, db), name, params, compute);
}
