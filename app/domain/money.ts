/**
 * Exact money arithmetic for Showback (docs/allocation.md).
 *
 * Every amount is a `Decimal` (precision 50, ROUND_HALF_UP) or a decimal string.
 * Never convert an amount to a JavaScript `number`.
 *
 * `allocate` is THE primitive for every split (modelled on dinero.js `allocate()`):
 * exact integer arithmetic (BigInt) on the smallest unit of the target scale, largest
 * remainder method, deterministic tie-break by key.
 */
import DecimalJs from "decimal.js";

/** Decimal constructor used across the domain: precision 50, ROUND_HALF_UP. */
export const Decimal = DecimalJs.clone({ precision: 50, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = DecimalJs;

/** Alias: money amounts are Decimals. */
export const Money = Decimal;
export type Money = Decimal;

export const ZERO: Decimal = new Decimal(0);

/**
 * THE decimal rule of the app, for every decimal typed by a person or read from a file
 * (CSV cells, the org tolerance on the web form and in the CLI, invoice amounts):
 * `-?\d+(\.\d*)?` or `-?\.\d+`; no `+`, no exponent, no thousands separators.
 */
const DECIMAL_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A parse outcome: the value, or why the input was refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Parses a decimal typed by a user: surrounding spaces ignored, then DECIMAL_RE. The value
 * is normalized (`"1."` → `"1"`, `"-0.50"` → `"-0.5"`, `"-0"` → `"0"`).
 */
export function parseDecimal(s: string): Parsed<string> {
  const t = s.trim();
  if (t === "") return { ok: false, reason: "is empty, expected a decimal" };
  if (!DECIMAL_RE.test(t)) {
    return {
      ok: false,
      reason: "is not a decimal (digits with an optional leading - and . ; no +, exponent or thousands separator)",
    };
  }
  return { ok: true, value: normalizeDecimal(t) };
}

/**
 * `parseDecimal` and ≥ 0: any leading "-" is refused (also "-0"). Used for the org's
 * reconciliation tolerance by the admin page and `npm run orgs -- set --tolerance`.
 */
export function parseNonNegativeDecimal(s: string): Parsed<string> {
  const p = parseDecimal(s);
  if (!p.ok) return p;
  if (s.trim().startsWith("-")) return { ok: false, reason: "is negative, expected a decimal ≥ 0" };
  return p;
}

/** Decimal's own normalisation (as `new Decimal(t).toFixed()`), by string operations: the hot path of ingest. */
function normalizeDecimal(t: string): string {
  const negative = t.charCodeAt(0) === 45; // "-"
  const body = negative ? t.slice(1) : t;
  const dot = body.indexOf(".");
  let int = dot < 0 ? body : body.slice(0, dot);
  let frac = dot < 0 ? "" : body.slice(dot + 1);
  let i = 0;
  while (i < int.length - 1 && int.charCodeAt(i) === 48) i++;
  int = int.slice(i) || "0";
  let j = frac.length;
  while (j > 0 && frac.charCodeAt(j - 1) === 48) j--;
  frac = frac.slice(0, j);
  const abs = frac ? `${int}.${frac}` : int;
  return negative && abs !== "0" ? `-${abs}` : abs;
}

/** True when `s` is exactly a decimal string of DECIMAL_RE (no surrounding spaces), with an optional leading "+". */
export function isDecimalString(s: string): boolean {
  return DECIMAL_RE.test(s.charCodeAt(0) === 43 /* + */ ? s.slice(1) : s);
}

/**
 * Converts a decimal string (or a Decimal of any decimal.js clone) into a domain Decimal.
 * Throws on anything that is not a plain decimal string (empty, spaces, "1,000", "1e3", "NaN", …).
 */
export function dec(v: string | Decimal): Decimal {
  if (typeof v === "string") {
    if (!isDecimalString(v)) throw new Error(`not a decimal number: ${JSON.stringify(v)}`);
    return new Decimal(v);
  }
  if (!DecimalJs.isDecimal(v) || !v.isFinite()) throw new Error(`not a finite decimal: ${String(v)}`);
  return v instanceof Decimal ? v : new Decimal(v);
}

/** Exact sum (0 for an empty iterable). */
export function sum(values: Iterable<Decimal>): Decimal {
  let acc: Decimal = ZERO;
  for (const v of values) acc = acc.plus(v);
  return acc;
}

/** Number of fraction digits of `d` (trailing zeros do not count: "1.50" → 1). */
export function scaleOf(d: Decimal): number {
  return d.decimalPlaces();
}

/** Removes the sign of a negative zero rendering ("-0.0000" → "0.0000"). */
function unNegZero(s: string): string {
  return /^-0(?:\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Fixed 4 decimals, ROUND_HALF_UP, e.g. "-562.2900". Never renders "-0.0000". */
export function fmt4(d: Decimal): string {
  return unNegZero(d.toFixed(4, Decimal.ROUND_HALF_UP));
}

/** Exact rendering with at least 4 decimals (more when the value needs them; nothing is rounded). */
export function fmtExact(d: Decimal): string {
  return unNegZero(d.toFixed(Math.max(4, d.decimalPlaces())));
}

/** |d| × 10^scale as a BigInt; `scale` must be ≥ d.decimalPlaces() (exact, no rounding). */
function toUnits(d: Decimal, scale: number): bigint {
  const s = d.abs().toFixed(scale); // toFixed is not bounded by precision: exact here
  return BigInt(s.replace(".", ""));
}

function fromUnits(units: bigint, scale: number): Decimal {
  return new Decimal(`${units.toString()}e-${scale}`);
}

export interface AllocateOptions {
  /** Minimum number of fraction digits of every part (default 4 = 0.0001 USD). */
  minScale?: number;
}

/**
 * THE one primitive for every split. Splits `amount` across keys by weight so that the parts
 * sum to `amount` EXACTLY. Parts are rounded to `scale` = max(minScale (default 4), scaleOf(amount))
 * fraction digits by the largest remainder method; ties broken by key ascending (plain string compare).
 * Weights ≤ 0 count as 0. Returns null when the total weight is 0 (caller decides where the amount stays).
 * Negative amounts: allocate |amount| and negate (symmetric). Keys must be unique (throws otherwise).
 *
 * The returned Map has one entry per input key, in input order (zero-weight keys get 0).
 * Each part p_i satisfies |p_i − exact_i| < 10^-scale where exact_i = amount × w_i / Σw.
 */
export function allocate(
  amount: Decimal,
  weights: ReadonlyArray<{ key: string; weight: Decimal }>,
  opts?: AllocateOptions,
): Map<string, Decimal> | null {
  const amt = dec(amount);
  const minScale = opts?.minScale ?? 4;
  if (!Number.isInteger(minScale) || minScale < 0) throw new Error(`minScale must be a non-negative integer, got ${minScale}`);
  const scale = Math.max(minScale, scaleOf(amt));

  const seen = new Set<string>();
  const ws: Decimal[] = [];
  let wScale = 0;
  for (const { key, weight } of weights) {
    if (seen.has(key)) throw new Error(`allocate: duplicate key ${JSON.stringify(key)}`);
    seen.add(key);
    const w = dec(weight);
    const clamped = w.isPositive() && !w.isZero() ? w : ZERO;
    ws.push(clamped);
    wScale = Math.max(wScale, scaleOf(clamped));
  }

  // Integer weights: w_i × 10^wScale (exact), so the ratio w_i / Σw is unchanged.
  const wUnits = ws.map((w) => toUnits(w, wScale));
  const total = wUnits.reduce((a, b) => a + b, 0n);
  if (total === 0n) return null;

  const units = toUnits(amt, scale);
  const floors: bigint[] = [];
  const rems: bigint[] = [];
  let assigned = 0n;
  for (const w of wUnits) {
    const num = units * w;
    const q = num / total; // BigInt division truncates; all operands ≥ 0 → floor
    floors.push(q);
    rems.push(num - q * total);
    assigned += q;
  }
  let deficit = units - assigned; // 0 ≤ deficit < number of positive weights

  const keys = weights.map((w) => w.key);
  const order = keys
    .map((_, i) => i)
    .filter((i) => wUnits[i] > 0n)
    .sort((a, b) => {
      if (rems[a] !== rems[b]) return rems[a] > rems[b] ? -1 : 1;
      return keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0;
    });
  for (const i of order) {
    if (deficit === 0n) break;
    floors[i] += 1n;
    deficit -= 1n;
  }

  const negative = amt.isNegative() && !amt.isZero();
  const out = new Map<string, Decimal>();
  keys.forEach((key, i) => {
    const part = fromUnits(floors[i], scale);
    out.set(key, negative && !part.isZero() ? part.neg() : part);
  });
  return out;
}
