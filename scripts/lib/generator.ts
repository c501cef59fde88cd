/**
 * Deterministic, streaming generator of realistic Confluent Cloud cost allocation exports
 * (docs/export-format.md).
 *
 * - Ids are org-scoped and derived from (org, seed): `sa-…`, `u-…`, `pool-…`, `lkc-…`, `lcc-…`,
 *   `lfcp-…`, `env-…`, `lsrc-…`, `lksqlc-…`.
 * - Usage is random-but-smooth: a per-principal base level, weekly-anchored value noise with a
 *   small daily jitter, a weekday/weekend pattern and slow growth. All randomness comes from a
 *   seeded mulberry32 (topology) and a stateless integer hash of (seed, entity, day) (usage), so a
 *   bucket's rows do not depend on which range was requested around it.
 * - Usage quantities are synthetic floats quantised to integers (milli-units) before they become
 *   `Decimal`s; every money amount is a `Decimal` from there on, and every split goes through
 *   `allocate` so each (bucket, resource_id, metric) group sums EXACTLY to its `original_amount`.
 * - Support is allocated last, in proportion to each owner's total of all other rows in the
 *   bucket. One `unallocated` row per bucket (mostly credits, sometimes un-attributable usage).
 * - Rows whose chargeback_cost is zero are omitted, like the vendor's export.
 */
import { EXPORT_COLUMNS } from "../../app/domain/csv/export";
import { allocate, Decimal } from "../../app/domain/money";
import { fromDayNumber, isoWeekday, isValidDate, periodEnd, periodStart, toDayNumber } from "../../app/domain/periods";

import { isGranularity, type Granularity } from "../../app/domain/vocabulary";

export type { Granularity };

export interface GenerateOptions {
  /** Organization id (not written to the file; ids are derived from it). */
  org: string;
  granularity: Granularity;
  /** Inclusive range YYYY-MM-DD: every bucket START aligned to the granularity within [from, to] is generated. */
  from: string;
  to: string;
  /** Number of principals (service accounts, users, identity pools). Default 12. */
  principals?: number;
  /** Number of Kafka clusters. Default 2. */
  clusters?: number;
  /** Default 1. */
  seed?: number;
  /** `iso` (default): `2026-04-01T00:00:00Z`; `date`: `2026-04-01`. */
  timestampFormat?: "iso" | "date";
}

export type OwnerOptions = Pick<GenerateOptions, "org" | "principals" | "clusters" | "seed">;

/** The export's header, in the vendor's column order (docs/export-format.md). */
export const EXPORT_HEADER: string[] = EXPORT_COLUMNS.map((c) => c.name);

/** Product/metric/unit of the org-level rows. */
export const SUPPORT_PRODUCT = "support";
export const SUPPORT_METRIC = "Support";
export const UNALLOCATED_OWNER = "unallocated";
export const UNALLOCATED_PRODUCT = "unallocated";
export const UNALLOCATED_METRIC = "Unallocated";

/** Fraction digits of every split part (chargeback_cost). */
const PART_SCALE = 6;

export const DEFAULT_PRINCIPALS = 12;
export const DEFAULT_CLUSTERS = 2;
export const DEFAULT_SEED = 1;

// ---------------------------------------------------------------------------------------------
// Randomness: mulberry32 (sequential, topology) and a stateless 32-bit hash (per-day usage)
// ---------------------------------------------------------------------------------------------

/** mulberry32: small, fast, deterministic PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function hash2(a: number, b: number): number {
  return mix32((a ^ mix32((b | 0) + 0x9e3779b9)) >>> 0);
}

function unit(h: number): number {
  return h / 4294967296;
}

/** FNV-1a over a string, finalised with mix32. */
function strHash(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/**
 * Smooth multiplicative noise around 1: value noise anchored every 7 days (smoothstep
 * interpolation, ±`amp`) times a small daily jitter (±`jitter`).
 */
function smoothNoise(key: number, day: number, amp = 0.35, jitter = 0.08): number {
  const w = Math.floor(day / 7);
  const t = (day - w * 7) / 7;
  const s = t * t * (3 - 2 * t);
  const a = unit(hash2(key, w));
  const b = unit(hash2(key, w + 1));
  const v = a + (b - a) * s; // [0, 1]
  const j = unit(hash2(key ^ 0x5bd1e995, day));
  return (1 + amp * (2 * v - 1)) * (1 + jitter * (2 * j - 1));
}

/** Standard normal from two uniforms (Box–Muller). */
function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Decimal rate/price from a float, quantised to `dp` places via an integer (not money yet). */
function price(x: number, dp: number): Decimal {
  return new Decimal(Math.round(x * 10 ** dp)).div(10 ** dp);
}

/** A usage quantity quantised to 1/1000 of its unit, as an integer count of milli-units. */
function milli(x: number): number {
  return x > 0 ? Math.round(x * 1000) : 0;
}

const THOUSAND = new Decimal(1000);

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

const SERVICE_NAMES: ReadonlyArray<[string, string]> = [
  ["payments-api", "payments"],
  ["search-indexer", "search"],
  ["orders-service", "logistics"],
  ["clickstream-ingest", "data-platform"],
  ["fraud-detector", "risk"],
  ["recommendations", "growth"],
  ["inventory-sync", "logistics"],
  ["payments-ledger", "payments"],
  ["cdc-debezium", "data-platform"],
  ["notifications-service", "growth"],
  ["search-query-api", "search"],
  ["risk-scoring", "risk"],
  ["audit-archiver", "platform"],
  ["shipping-tracker", "logistics"],
  ["lakehouse-sink", "data-platform"],
  ["refund-worker", "payments"],
  ["email-campaigns", "growth"],
  ["catalog-sync", "search"],
  ["metrics-exporter", "platform"],
  ["kyc-checker", "risk"],
  ["warehouse-events", "logistics"],
  ["invoice-generator", "payments"],
  ["ab-testing", "growth"],
  ["log-shipper", "platform"],
  ["mobile-backend", "mobile"],
  ["push-notifier", "mobile"],
  ["dbt-runner", "data-platform"],
  ["api-gateway", "platform"],
];
const USER_NAMES: ReadonlyArray<[string, string]> = [
  ["Alice Nguyen", "data-platform"],
  ["Bob Martin", "platform"],
  ["Chloe Dubois", "search"],
  ["Diego Alvarez", "payments"],
  ["Emma Schmidt", "risk"],
  ["Farid Haddad", "growth"],
  ["Grace Okafor", "logistics"],
  ["Hiro Tanaka", "mobile"],
];
const POOL_NAMES: ReadonlyArray<[string, string]> = [
  ["k8s-prod-workloads", "platform"],
  ["spark-jobs", "data-platform"],
  ["github-actions-ci", "platform"],
  ["airflow-workers", "data-platform"],
  ["partner-gateway", "payments"],
];
const ENV_NAMES = ["production", "staging", "analytics"];
const CLUSTER_NAMES = ["core", "events", "analytics", "edge", "batch", "legacy"];

function pickName(list: ReadonlyArray<[string, string]>, n: number): [string, string] {
  const [name, team] = list[n % list.length];
  const round = Math.floor(n / list.length);
  return [round === 0 ? name : `${name}-${round + 1}`, team];
}

// ---------------------------------------------------------------------------------------------
// Topology (built once per options; O(principals × clusters))
// ---------------------------------------------------------------------------------------------

type PrincipalKind = "service_account" | "user" | "identity_pool";

interface Principal {
  idx: number;
  id: string;
  kind: PrincipalKind;
  name: string;
  team: string;
  weekendFactor: number;
  growthPerYear: number;
  /** Probability of activity on a weekday (weekend: a third of it); 1 = always on. */
  activity: number;
}

interface Membership {
  p: Principal;
  readBase: number; // GB/day
  writeBase: number; // GB/day
  keyR: number;
  keyW: number;
}

interface Cluster {
  idx: number;
  id: string;
  name: string;
  env: Env;
  ckus: number;
  ckuRate: Decimal; // USD / CKU-hour
  readRate: Decimal; // USD / GB
  writeRate: Decimal; // USD / GB
  storageGB: number;
  storageRate: Decimal; // USD / GB-hour
  partitions: number;
  partitionRate: Decimal; // USD / partition-hour
  baseRate: Decimal; // USD / hour
  members: Membership[];
  key: number;
  connect: { id: string; connectors: number; tasks: number; key: number } | null;
}

interface Env {
  idx: number;
  id: string;
  name: string;
  poolId: string;
  /** Flink cost owner: the compute pool or the environment. */
  flinkOwner: string;
  cfus: number;
  srId: string;
  schemas: number;
  rules: number;
  clusters: Cluster[];
  key: number;
}

interface Topology {
  opts: Required<Omit<GenerateOptions, "from" | "to" | "granularity" | "timestampFormat">>;
  seedKey: number;
  principals: Principal[];
  envs: Env[];
  clusters: Cluster[];
  ksql: { id: string; owner: Principal; cluster: Cluster; csus: number; key: number };
  link: { source: Cluster; dest: Cluster; key: number } | null;
  supportRate: Decimal;
}

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

function normalize(opts: OwnerOptions): Topology["opts"] {
  const principals = opts.principals ?? DEFAULT_PRINCIPALS;
  const clusters = opts.clusters ?? DEFAULT_CLUSTERS;
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!opts.org) throw new Error("org is required");
  if (!Number.isInteger(principals) || principals < 1) throw new Error(`principals must be a positive integer, got ${principals}`);
  if (!Number.isInteger(clusters) || clusters < 1) throw new Error(`clusters must be a positive integer, got ${clusters}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  return { org: opts.org, principals, clusters, seed };
}

const topologyCache = new Map<string, Topology>();

function buildTopology(input: OwnerOptions): Topology {
  const opts = normalize(input);
  const cacheKey = JSON.stringify([opts.org, opts.principals, opts.clusters, opts.seed]);
  const cached = topologyCache.get(cacheKey);
  if (cached) return cached;

  const seedKey = strHash(opts.org, mix32(opts.seed >>> 0));
  const rng = mulberry32(seedKey);
  const used = new Set<string>();
  let salt = 0;
  const makeId = (prefix: string, len: number): string => {
    for (;;) {
      let h = strHash(`${prefix}:${salt++}`, seedKey);
      let s = "";
      for (let i = 0; i < len; i++) {
        s += ID_ALPHABET[h % 36];
        h = mix32(h + i + 1);
      }
      const id = `${prefix}-${s}`;
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
  const between = (lo: number, hi: number) => lo + (hi - lo) * rng();

  // Environments: one per cluster up to 3.
  const envCount = Math.min(3, opts.clusters);
  const envs: Env[] = [];
  for (let e = 0; e < envCount; e++) {
    const id = makeId("env", 6);
    const poolId = makeId("lfcp", 6);
    envs.push({
      idx: e,
      id,
      name: ENV_NAMES[e],
      poolId,
      flinkOwner: e % 2 === 0 ? poolId : id,
      cfus: between(e === 0 ? 8 : 2, e === 0 ? 16 : 6),
      srId: makeId("lsrc", 6),
      schemas: Math.round(between(80, 400)),
      rules: Math.round(between(5, 40)),
      clusters: [],
      key: strHash(`env${e}`, seedKey),
    });
  }

  const clusters: Cluster[] = [];
  for (let c = 0; c < opts.clusters; c++) {
    const env = envs[c % envCount];
    const cl: Cluster = {
      idx: c,
      id: makeId("lkc", 6),
      name: `${env.name}-${CLUSTER_NAMES[c % CLUSTER_NAMES.length]}${c >= CLUSTER_NAMES.length ? `-${Math.floor(c / CLUSTER_NAMES.length) + 1}` : ""}`,
      env,
      ckus: env.idx === 0 ? 2 + Math.floor(rng() * 3) : 1 + Math.floor(rng() * 2),
      ckuRate: price(between(1.5, 2.25), 4),
      readRate: price(between(0.04, 0.06), 4),
      writeRate: price(between(0.04, 0.06), 4),
      storageGB: between(800, 6000),
      storageRate: price(0.1 / 730, 8), // $0.10 per GB-month
      partitions: Math.round(between(300, 3000)),
      partitionRate: price(between(0.0012, 0.0018), 6),
      baseRate: price(between(0.75, 1.5), 4),
      members: [],
      key: strHash(`lkc${c}`, seedKey),
      connect: null,
    };
    if (c % 2 === 0) {
      cl.connect = {
        id: makeId("lcc", 6),
        connectors: 2 + Math.floor(rng() * 5),
        tasks: 4 + Math.floor(rng() * 12),
        key: strHash(`lcc${c}`, seedKey),
      };
    }
    env.clusters.push(cl);
    clusters.push(cl);
  }

  const principals: Principal[] = [];
  let nSa = 0;
  let nUser = 0;
  let nPool = 0;
  for (let p = 0; p < opts.principals; p++) {
    // 70 % service accounts, 20 % users, 10 % identity pools, interleaved.
    const slot = p % 10;
    const kind: PrincipalKind = slot === 3 || slot === 8 ? "user" : slot === 6 ? "identity_pool" : "service_account";
    let name: string;
    let team: string;
    let id: string;
    if (kind === "service_account") {
      [name, team] = pickName(SERVICE_NAMES, nSa++);
      id = makeId("sa", 6);
    } else if (kind === "user") {
      [name, team] = pickName(USER_NAMES, nUser++);
      id = makeId("u", 6);
    } else {
      [name, team] = pickName(POOL_NAMES, nPool++);
      id = makeId("pool", 4);
    }
    const pr: Principal = {
      idx: p,
      id,
      kind,
      name,
      team,
      weekendFactor: kind === "user" ? 0.15 : between(0.35, 1.0),
      growthPerYear: between(-0.05, 0.35),
      activity: kind === "user" ? between(0.4, 0.8) : rng() < 0.15 ? between(0.5, 0.9) : 1,
    };
    principals.push(pr);

    // Home cluster plus, with some probability, others.
    const home = p % opts.clusters;
    for (let c = 0; c < opts.clusters; c++) {
      if (c !== home && rng() >= 0.3) continue;
      const role = rng();
      const level = Math.min(5000, Math.max(2, Math.exp(Math.log(kind === "user" ? 8 : 180) + 1.0 * gaussian(rng))));
      // producer-only, consumer-only or both; users mostly read.
      const reads = kind === "user" ? role < 0.9 : role >= 0.3;
      const writes = kind === "user" ? role >= 0.8 : role < 0.65;
      clusters[c].members.push({
        p: pr,
        readBase: reads ? level * between(0.8, 3.0) : 0, // reads fan out
        writeBase: writes ? level : 0,
        keyR: strHash(`r${p}:${c}`, seedKey),
        keyW: strHash(`w${p}:${c}`, seedKey),
      });
    }
  }

  const ksqlOwner = principals.filter((p) => p.kind === "service_account")[Math.floor(rng() * Math.min(3, nSa))] ?? principals[0];
  const topo: Topology = {
    opts,
    seedKey,
    principals,
    envs,
    clusters,
    ksql: {
      id: makeId("lksqlc", 5),
      owner: ksqlOwner,
      cluster: clusters[0],
      csus: 4 + 4 * Math.floor(rng() * 2),
      key: strHash("ksql", seedKey),
    },
    link: opts.clusters >= 2 ? { source: clusters[0], dest: clusters[1], key: strHash("link", seedKey) } : null,
    supportRate: price(between(0.06, 0.1), 3),
  };
  if (topologyCache.size > 32) topologyCache.clear();
  topologyCache.set(cacheKey, topo);
  return topo;
}

// ---------------------------------------------------------------------------------------------
// Owners (for demo crosswalks and display names)
// ---------------------------------------------------------------------------------------------

export interface OwnerDescription {
  orgId: string;
  ownerId: string;
  kind: "service_account" | "user" | "identity_pool" | "resource";
  suggestedTeam: string;
  displayName: string;
}

/**
 * Every owner_id the generator can emit for these options (principals, then Kafka clusters,
 * then the Flink owners), with a plausible display name and a suggested team. Stable for a
 * given (org, principals, clusters, seed).
 */
export function describeOwners(opts: OwnerOptions): OwnerDescription[] {
  const t = buildTopology(opts);
  const orgId = t.opts.org;
  const out: OwnerDescription[] = t.principals.map((p) => ({
    orgId,
    ownerId: p.id,
    kind: p.kind,
    suggestedTeam: p.team,
    displayName: p.name,
  }));
  for (const c of t.clusters) {
    out.push({
      orgId,
      ownerId: c.id,
      kind: "resource",
      suggestedTeam: c.env.idx === 2 ? "data-platform" : "platform",
      displayName: c.name,
    });
  }
  for (const e of t.envs) {
    const isPool = e.flinkOwner === e.poolId;
    out.push({
      orgId,
      ownerId: e.flinkOwner,
      kind: "resource",
      suggestedTeam: "data-platform",
      displayName: isPool ? `flink-${e.name}-pool` : e.name,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Buckets
// ---------------------------------------------------------------------------------------------

/** Every bucket start aligned to `granularity` within the inclusive range [from, to]. */
export function bucketStarts(granularity: Granularity, from: string, to: string): string[] {
  const out: string[] = [];
  for (let b = firstBucket(granularity, from); b <= to; b = periodEnd(b, granularity)) out.push(b);
  return out;
}

function firstBucket(granularity: Granularity, from: string): string {
  const s = periodStart(from, granularity);
  return s < from ? periodEnd(s, granularity) : s;
}

function checkRange(opts: GenerateOptions): void {
  if (!isValidDate(opts.from)) throw new Error(`invalid from date ${JSON.stringify(opts.from)}`);
  if (!isValidDate(opts.to)) throw new Error(`invalid to date ${JSON.stringify(opts.to)}`);
  if (opts.to < opts.from) throw new Error(`to (${opts.to}) is before from (${opts.from})`);
  if (!isGranularity(opts.granularity)) throw new Error(`invalid granularity ${JSON.stringify(opts.granularity)}`);
}

// ---------------------------------------------------------------------------------------------
// Usage model
// ---------------------------------------------------------------------------------------------

const REF_DAY = toDayNumber("2025-01-01");

function growth(perYear: number, day: number): number {
  const years = Math.max(-3, Math.min(3, (day - REF_DAY) / 365));
  return Math.exp(perYear * years);
}

function isWeekend(day: number): boolean {
  return isoWeekday(fromDayNumber(day)) >= 6;
}

/** GB a membership read (dir 0) or wrote (dir 1) on one day; 0 when the principal was idle. */
function dailyGB(m: Membership, dir: 0 | 1, day: number, weekend: boolean): number {
  const base = dir === 0 ? m.readBase : m.writeBase;
  if (base === 0) return 0;
  const p = m.p;
  if (p.activity < 1) {
    const act = weekend ? p.activity / 3 : p.activity;
    if (unit(hash2(m.keyR ^ 0x27d4eb2f, day)) >= act) return 0;
  }
  return base * growth(p.growthPerYear, day) * (weekend ? p.weekendFactor : 1) * smoothNoise(dir === 0 ? m.keyR : m.keyW, day);
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

interface BucketCtx {
  ts: string;
  rows: string[][];
  /** owner → total chargeback (units of 10^-PART_SCALE USD) of the bucket's rows so far (Support weights). */
  ownerTotals: Map<string, bigint>;
  total: Decimal;
}

function addToOwner(ctx: BucketCtx, owner: string, units: bigint): void {
  ctx.ownerTotals.set(owner, (ctx.ownerTotals.get(owner) ?? 0n) + units);
}

/** A non-negative decimal string with exactly PART_SCALE fraction digits → integer units (exact). */
function toUnits(fixed: string): bigint {
  return BigInt(fixed.replace(".", ""));
}

const SHARE_DEN = 1_000_000n;

/** part / original rounded half-up to 6 decimals, from exact integer units (0 ≤ part ≤ original). */
function shareOf(part: bigint, original: bigint): string {
  const q = (2n * part * SHARE_DEN + original) / (2n * original);
  if (q >= SHARE_DEN) return "1.000000";
  return `0.${q.toString().padStart(6, "0")}`;
}

/**
 * Emits one (resource, metric) group: `original` split over `weights` (owner → weight).
 * With no weights (a resource-owned cost) or when every weight is 0, the whole amount goes to
 * `fallbackOwner`. Zero parts are omitted.
 */
function emitGroup(
  ctx: BucketCtx,
  env: string,
  resource: string,
  product: string,
  metric: string,
  unitName: string,
  original: Decimal,
  origScale: number,
  weights: { key: string; weight: Decimal }[],
  fallbackOwner: string,
  trackOwners = true,
): void {
  if (original.isZero()) return;
  if (original.isNegative()) throw new Error(`negative usage amount for ${metric} on ${resource}`);
  const origStr = original.toFixed(origScale);
  const origUnits = toUnits(original.toFixed(PART_SCALE)); // exact: origScale ≤ PART_SCALE
  let parts = weights.length > 0 ? allocate(original, weights, { minScale: PART_SCALE }) : null;
  if (!parts) parts = new Map([[fallbackOwner, original]]);
  for (const [owner, part] of parts) {
    if (part.isZero()) continue;
    const partStr = part.toFixed(PART_SCALE);
    const partUnits = toUnits(partStr);
    ctx.rows.push([ctx.ts, owner, env, resource, product, metric, unitName, partStr, origStr, shareOf(partUnits, origUnits)]);
    if (trackOwners) addToOwner(ctx, owner, partUnits);
  }
  ctx.total = ctx.total.plus(original);
}

function qtyDecimal(milliUnits: number): Decimal {
  return new Decimal(milliUnits).div(THOUSAND);
}

function generateBucket(t: Topology, g: Granularity, bucket: string, ts: string): string[][] {
  const startDay = toDayNumber(bucket);
  const endDay = toDayNumber(periodEnd(bucket, g));
  const nDays = endDay - startDay;
  const hours = new Decimal(24 * nDays);
  const ctx: BucketCtx = { ts, rows: [], ownerTotals: new Map(), total: new Decimal(0) };
  const weekend: boolean[] = [];
  for (let d = startDay; d < endDay; d++) weekend.push(isWeekend(d));

  // Per-cluster throughput (milli-GB), used again for Schema Registry weights.
  const clusterTraffic = new Map<Cluster, number>();

  for (const c of t.clusters) {
    const env = c.env.id;
    const readW: { key: string; weight: Decimal }[] = [];
    const writeW: { key: string; weight: Decimal }[] = [];
    const ckuW: { key: string; weight: Decimal }[] = [];
    const active: { key: string; weight: Decimal }[] = [];
    let readTotal = 0;
    let writeTotal = 0;
    const one = new Decimal(1);
    for (const m of c.members) {
      let r = 0;
      let w = 0;
      for (let i = 0; i < nDays; i++) {
        r += dailyGB(m, 0, startDay + i, weekend[i]);
        w += dailyGB(m, 1, startDay + i, weekend[i]);
      }
      const rm = milli(r);
      const wm = milli(w);
      if (rm > 0) readW.push({ key: m.p.id, weight: new Decimal(rm) });
      if (wm > 0) writeW.push({ key: m.p.id, weight: new Decimal(wm) });
      if (rm + wm > 0) {
        // CKU weight: writes cost the brokers more than reads (replication).
        ckuW.push({ key: m.p.id, weight: new Decimal(2 * wm + rm) });
        active.push({ key: m.p.id, weight: one });
      }
      readTotal += rm;
      writeTotal += wm;
    }
    clusterTraffic.set(c, readTotal + writeTotal);

    // a Kafka cluster's own costs: its usage metrics, split over its clients (fallback: the cluster)
    const kafka = (metric: string, unitName: string, amount: Decimal, scale: number, weights: { key: string; weight: Decimal }[]) =>
      emitGroup(ctx, env, c.id, "kafka", metric, unitName, amount, scale, weights, c.id);
    kafka("KafkaNetworkRead", "GB", qtyDecimal(readTotal).times(c.readRate).toDecimalPlaces(6), 6, readW);
    kafka("KafkaNetworkWrite", "GB", qtyDecimal(writeTotal).times(c.writeRate).toDecimalPlaces(6), 6, writeW);
    kafka("KafkaNumCKUs", "CKU-hour", hours.times(c.ckus).times(c.ckuRate).toDecimalPlaces(4), 4, ckuW);
    const midDay = startDay + Math.floor(nDays / 2);
    const storage = milli(c.storageGB * growth(0.4, midDay) * smoothNoise(c.key, midDay, 0.1, 0.02));
    kafka("KafkaStorage", "GB-hour", qtyDecimal(storage).times(hours).times(c.storageRate).toDecimalPlaces(6), 6, active);
    kafka("KafkaPartition", "Partition-hour", hours.times(c.partitions).times(c.partitionRate).toDecimalPlaces(4), 4, active);
    kafka("KafkaBase", "Hour", hours.times(c.baseRate).toDecimalPlaces(2), 2, active);

    if (c.connect) {
      const k = c.connect;
      emitGroup(
        ctx,
        env,
        k.id,
        "connect",
        "ConnectCapacity",
        "Hour",
        hours.times(k.connectors).times("0.1110").toDecimalPlaces(4),
        4,
        [],
        c.id,
      );
      emitGroup(
        ctx,
        env,
        k.id,
        "connect",
        "ConnectNumTasks",
        "Task-hour",
        hours.times(k.tasks).times("0.0340").toDecimalPlaces(4),
        4,
        [],
        c.id,
      );
      let gb = 0;
      for (let i = 0; i < nDays; i++) gb += 40 * k.tasks * smoothNoise(k.key, startDay + i) * (weekend[i] ? 0.7 : 1);
      emitGroup(ctx, env, k.id, "connect", "ConnectThroughput", "GB", qtyDecimal(milli(gb)).times("0.025").toDecimalPlaces(6), 6, [], c.id);
    }
  }

  if (t.link) {
    const l = t.link;
    const src = l.source;
    let gb = 0;
    for (let i = 0; i < nDays; i++) gb += 120 * smoothNoise(l.key, startDay + i);
    const q = qtyDecimal(milli(gb));
    emitGroup(
      ctx,
      src.env.id,
      src.id,
      "cluster_link",
      "ClusterLinkingPerLink",
      "Link-hour",
      hours.times("0.0950").toDecimalPlaces(4),
      4,
      [],
      src.id,
    );
    emitGroup(ctx, src.env.id, src.id, "cluster_link", "ClusterLinkingRead", "GB", q.times("0.0500").toDecimalPlaces(6), 6, [], src.id);
    emitGroup(ctx, src.env.id, src.id, "cluster_link", "ClusterLinkingWrite", "GB", q.times("0.0500").toDecimalPlaces(6), 6, [], src.id);
  }

  for (const e of t.envs) {
    // Flink SQL: CFU-minutes of the environment's compute pool.
    let cfuMin = 0;
    for (let i = 0; i < nDays; i++) cfuMin += e.cfus * 1440 * smoothNoise(e.key, startDay + i, 0.4, 0.15) * (weekend[i] ? 0.8 : 1);
    emitGroup(
      ctx,
      e.id,
      e.poolId,
      "flink",
      "FlinkNumCFUs",
      "CFU-minute",
      qtyDecimal(milli(cfuMin)).times("0.0035").toDecimalPlaces(6),
      6,
      [],
      e.flinkOwner,
    );

    // Schema Registry / Stream Governance: attributed to the environment's Kafka clusters by traffic.
    const sw = e.clusters.map((c) => ({ key: c.id, weight: new Decimal(clusterTraffic.get(c) ?? 0) }));
    const fallback = e.clusters[0].id;
    emitGroup(
      ctx,
      e.id,
      e.srId,
      "stream_governance",
      "SchemaRegistry",
      "Schema-hour",
      hours.times(e.schemas).times("0.000137").toDecimalPlaces(6),
      6,
      sw,
      fallback,
    );
    emitGroup(ctx, e.id, e.srId, "stream_governance", "GovernanceBase", "Hour", hours.times("0.2740").toDecimalPlaces(4), 4, sw, fallback);
    emitGroup(
      ctx,
      e.id,
      e.srId,
      "stream_governance",
      "NumRules",
      "Rule-hour",
      hours.times(e.rules).times("0.0014").toDecimalPlaces(6),
      6,
      sw,
      fallback,
    );
  }

  {
    const k = t.ksql;
    emitGroup(
      ctx,
      k.cluster.env.id,
      k.id,
      "ksqldb",
      "KSQLNumCSUs",
      "CSU-hour",
      hours.times(k.csus).times("0.2300").toDecimalPlaces(4),
      4,
      [],
      k.owner.id,
    );
  }

  // Support: allocated LAST, in proportion to each owner's total of all other metrics in the bucket.
  const usage = ctx.total;
  const supportWeights = [...ctx.ownerTotals].map(([key, units]) => ({ key, weight: new Decimal(units.toString()) }));
  const support = usage.times(t.supportRate).toDecimalPlaces(2);
  emitGroup(ctx, "", "", SUPPORT_PRODUCT, SUPPORT_METRIC, "USD", support, 2, supportWeights, t.clusters[0].id, false);

  // The single unallocated row: promotional credits (negative), sometimes un-attributed usage (e.g. Tableflow).
  const h = hash2(t.seedKey ^ 0x3c6ef372, startDay);
  const creditPct = price(0.01 + 0.05 * unit(h), 4);
  let unalloc = usage.times(creditPct).neg();
  if (unit(mix32(h + 1)) < 0.2) unalloc = unalloc.plus(usage.times(price(0.03 + 0.06 * unit(mix32(h + 2)), 4)));
  unalloc = unalloc.toDecimalPlaces(2);
  if (unalloc.isZero()) unalloc = new Decimal("-0.01");
  const u = unalloc.toFixed(2);
  ctx.rows.push([ts, UNALLOCATED_OWNER, "", "", UNALLOCATED_PRODUCT, UNALLOCATED_METRIC, "USD", u, u, "0"]);
  return ctx.rows;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Yields the export's data records (arrays of strings in `EXPORT_HEADER` order; the header itself
 * is NOT yielded), bucket by bucket in ascending order. Memory is bounded by one bucket.
 */
export function* generateExportRecords(opts: GenerateOptions): Generator<string[]> {
  checkRange(opts);
  const t = buildTopology(opts);
  const iso = (opts.timestampFormat ?? "iso") === "iso";
  for (let b = firstBucket(opts.granularity, opts.from); b <= opts.to; b = periodEnd(b, opts.granularity)) {
    const rows = generateBucket(t, opts.granularity, b, iso ? `${b}T00:00:00Z` : b);
    yield* rows;
  }
}

/**
 * Expected number of rows per bucket for these options (approximate: idle principals and the
 * bucket length move it a little). The bench uses it to size a run for a target row count.
 */
export function estimateRowsPerBucket(opts: Pick<GenerateOptions, "org" | "granularity" | "principals" | "clusters" | "seed">): number {
  const t = buildTopology(opts);
  const days = opts.granularity === "daily" ? 1 : opts.granularity === "weekly" ? 7 : 30;
  let rows = 0;
  const owners = new Set<string>();
  for (const c of t.clusters) {
    let anyActive = false;
    for (const m of c.members) {
      // Probability that the principal is active at least once in the bucket (weekday/weekend mix).
      const a = m.p.activity >= 1 ? 1 : 1 - Math.pow(1 - (m.p.activity * 5 + (m.p.activity / 3) * 2) / 7, days);
      rows += a * ((m.readBase > 0 ? 1 : 0) + (m.writeBase > 0 ? 1 : 0) + 4); // read, write, CKU, storage, partition, base
      owners.add(m.p.id);
      anyActive ||= a > 0;
    }
    if (!anyActive) rows += 6;
    if (c.connect) rows += 3;
    owners.add(c.id);
  }
  if (t.link) rows += 3;
  for (const e of t.envs) {
    rows += 1 + 3 * e.clusters.length;
    owners.add(e.flinkOwner);
  }
  owners.add(t.ksql.owner.id);
  rows += 1; // ksqlDB
  rows += owners.size; // Support
  rows += 1; // unallocated
  return Math.round(rows);
}
