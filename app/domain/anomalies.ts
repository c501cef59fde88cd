/**
 * Anomalies in a team's daily spend (issue 16, docs/forecasting.md "Anomalies"). Pure.
 *
 * Each day is compared with a robust baseline of the days before it: the median and the MAD
 * (median absolute deviation) of the trailing 28 calendar days (the series' days in
 * [day − 28, day − 1]; a day without a row is no observation, not a 0 — give the caller's 0s
 * explicitly); optionally (`seasonality: "weekday"`, see `baselineOf`) adjusted for the weekly
 * pattern. σ ≈ 1.4826 × MAD (the MAD of a normal distribution is 0.6745 σ). A day is flagged when
 *
 *   score = |cost − median| / (1.4826 × MAD) ≥ threshold (default 4),
 *   |cost − median| ≥ $1 and |cost − median| ≥ 20 % of |median|,
 *   and at least 14 of the trailing days are there.
 *
 * The two minimum deltas keep flat and near-zero series quiet (a $0.02 → $0.09 day is not an
 * anomaly however small the MAD). A MAD of 0 (a perfectly steady series) would make every cent a
 * spike: σ is floored at max($0.01, 1 % of |median|). The baseline includes earlier flagged days
 * (the median is robust to them). Amounts are exact Decimals; the score is a ratio, rendered as
 * a number with 2 decimals.
 *
 * `topMovers` explains a flagged day: per (owner, metric, resource), the day's cost against its
 * median over the baseline days (a key absent on a day counts 0 that day), sorted by |delta|.
 */
import { dec, Decimal, fmt4, sum, ZERO } from "./money";
import { addDays, isoWeekday, isValidDate } from "./periods";

/** σ ≈ MAD × this for normally distributed data. */
export const MAD_SCALE = "1.4826";
export const ANOMALY_DEFAULTS = {
  /** flagged from this robust z-score */
  threshold: 4,
  /** trailing calendar days of the baseline */
  windowDays: 28,
  /** baseline observations needed before a day can be flagged */
  minHistory: 14,
  /** minimum |cost − median| in USD */
  minDelta: "1",
  /** minimum |cost − median| as a percentage of |median| */
  minDeltaPct: 20,
  /** `none`: one median for every day; `weekday`: the baseline follows the weekly pattern */
  seasonality: "none",
} as const satisfies Required<AnomalyOptions>;

export interface AnomalyOptions {
  threshold?: number;
  windowDays?: number;
  minHistory?: number;
  minDelta?: string;
  minDeltaPct?: number;
  seasonality?: "weekday" | "none";
}

export interface DailyPoint {
  /** YYYY-MM-DD */
  date: string;
  /** decimal string (USD) */
  cost: string;
}

export interface Anomaly {
  date: string;
  /** the day's cost (4 dp) */
  cost: string;
  /** the trailing median (4 dp) */
  baseline: string;
  /** the trailing MAD, unscaled (4 dp) */
  mad: string;
  /** |cost − baseline| / (1.4826 × MAD), 2 decimals */
  score: number;
  direction: "spike" | "drop";
}

/** The median of `xs` (the mean of the two middle values for an even count); 0 for none. */
export function median(xs: readonly Decimal[]): Decimal {
  if (xs.length === 0) return ZERO;
  const s = [...xs].sort((a, b) => a.comparedTo(b));
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : s[m - 1].plus(s[m]).div(2);
}

/** The median absolute deviation from the median (unscaled). */
export function mad(xs: readonly Decimal[], med: Decimal = median(xs)): Decimal {
  return median(xs.map((x) => x.minus(med).abs()));
}

/**
 * The median and MAD of a trailing window for a day of weekday `w`. With `weekday` seasonality
 * (and every weekday seen at least twice, with a positive level) each value is first divided by
 * its weekday's factor, factor(w) = median of weekday w ÷ the median of the seven weekday
 * medians; the median and MAD of the adjusted values are scaled back by the day's own factor.
 * A weekday whose factor is 0 (no spend on Sundays) drops out of the adjusted window, and its
 * days get a baseline of 0. Otherwise (or with `none`) the plain median and MAD.
 */
function baselineOf(
  window: ReadonlyArray<{ w: number; v: Decimal }>,
  w: number,
  seasonality: "weekday" | "none",
): { med: Decimal; m: Decimal } {
  const plain = () => {
    const vs = window.map((x) => x.v);
    const med = median(vs);
    return { med, m: mad(vs, med) };
  };
  if (seasonality === "none") return plain();
  const byW = new Map<number, Decimal[]>();
  for (const x of window) (byW.get(x.w) ?? byW.set(x.w, []).get(x.w)!).push(x.v);
  const medians = [1, 2, 3, 4, 5, 6, 7].map((k) => byW.get(k) ?? []);
  if (medians.some((vs) => vs.length < 2)) return plain();
  const wMed = medians.map((vs) => median(vs));
  const level = median(wMed);
  if (!level.greaterThan(ZERO) || wMed.some((v) => v.isNegative())) return plain();
  const factor = (k: number) => wMed[k - 1].div(level);
  const adjusted = window.filter((x) => !factor(x.w).isZero()).map((x) => x.v.div(factor(x.w)));
  const medAdj = median(adjusted);
  const madAdj = mad(adjusted, medAdj);
  return { med: medAdj.times(factor(w)), m: madAdj.times(factor(w)) };
}

/** The days of `series` flagged against their trailing baseline, in date order. */
export function detectAnomalies(series: readonly DailyPoint[], opts: AnomalyOptions = {}): Anomaly[] {
  const o = { ...ANOMALY_DEFAULTS, ...opts };
  if (!(o.threshold > 0)) throw new Error(`threshold must be > 0, got ${o.threshold}`);
  if (!Number.isInteger(o.windowDays) || o.windowDays < 1) throw new Error(`windowDays must be an integer ≥ 1, got ${o.windowDays}`);
  const minDelta = dec(o.minDelta);
  const minPct = new Decimal(o.minDeltaPct).div(100);
  const scale = dec(MAD_SCALE);
  const threshold = new Decimal(o.threshold);

  const byDay = new Map<string, Decimal>();
  for (const p of series) {
    if (!isValidDate(p.date)) throw new Error(`invalid date ${JSON.stringify(p.date)}: expected YYYY-MM-DD`);
    byDay.set(p.date, (byDay.get(p.date) ?? ZERO).plus(dec(p.cost)));
  }
  const days = [...byDay.keys()].sort();
  const out: Anomaly[] = [];
  for (const day of days) {
    const window: Array<{ w: number; v: Decimal }> = [];
    for (let i = o.windowDays; i >= 1; i--) {
      const d = addDays(day, -i);
      const v = byDay.get(d);
      if (v !== undefined) window.push({ w: isoWeekday(d), v });
    }
    if (window.length < o.minHistory) continue;
    const x = byDay.get(day)!;
    const { med, m } = baselineOf(window, isoWeekday(day), o.seasonality);
    const delta = x.minus(med);
    const abs = delta.abs();
    if (abs.lessThan(minDelta) || abs.lessThan(med.abs().times(minPct)) || abs.isZero()) continue;
    const floor = Decimal.max(new Decimal("0.01"), med.abs().div(100));
    const sigma = Decimal.max(m.times(scale), floor);
    const score = abs.div(sigma);
    if (score.lessThan(threshold)) continue;
    out.push({
      date: day,
      cost: fmt4(x),
      baseline: fmt4(med),
      mad: fmt4(m),
      score: Number(score.toDecimalPlaces(2).toFixed(2)),
      direction: delta.isPositive() ? "spike" : "drop",
    });
  }
  return out;
}

export interface MoverRow {
  ownerId: string;
  metric: string;
  resourceId: string;
  /** decimal string (USD) or Decimal */
  cost: string | Decimal;
}

export interface Mover {
  ownerId: string;
  metric: string;
  resourceId: string;
  /** the flagged day's cost (4 dp) */
  cost: string;
  /** its median over the baseline days (4 dp) */
  baseline: string;
  /** cost − baseline (4 dp) */
  delta: string;
}

const keyOf = (r: MoverRow) => `${r.ownerId}\u0000${r.metric}\u0000${r.resourceId}`;

/**
 * What moved on a flagged day: per (owner, metric, resource), the day's cost against its median
 * over `baselineDays` (each an array of that day's rows; a key without rows on a day counts 0),
 * sorted by |delta| descending (then by owner, metric, resource). Keys with a zero delta are left
 * out; `limit` keeps the first ones.
 */
export function topMovers(
  day: readonly MoverRow[],
  baselineDays: ReadonlyArray<readonly MoverRow[]>,
  opts: { limit?: number } = {},
): Mover[] {
  const keys = new Map<string, { ownerId: string; metric: string; resourceId: string }>();
  const totals = (rows: readonly MoverRow[]) => {
    const m = new Map<string, Decimal>();
    for (const r of rows) {
      const k = keyOf(r);
      if (!keys.has(k)) keys.set(k, { ownerId: r.ownerId, metric: r.metric, resourceId: r.resourceId });
      m.set(k, (m.get(k) ?? ZERO).plus(dec(r.cost)));
    }
    return m;
  };
  const today = totals(day);
  const base = baselineDays.map(totals);
  const out: Array<Mover & { abs: Decimal; d: Decimal }> = [];
  for (const [k, id] of keys) {
    const cost = today.get(k) ?? ZERO;
    const baseline = median(base.map((b) => b.get(k) ?? ZERO));
    const d = cost.minus(baseline);
    if (d.isZero()) continue;
    out.push({ ...id, cost: fmt4(cost), baseline: fmt4(baseline), delta: fmt4(d), abs: d.abs(), d });
  }
  out.sort((a, b) => b.abs.comparedTo(a.abs) || cmp(a.ownerId, b.ownerId) || cmp(a.metric, b.metric) || cmp(a.resourceId, b.resourceId));
  const limited = opts.limit === undefined ? out : out.slice(0, opts.limit);
  return limited.map(({ abs: _abs, d: _d, ...m }) => m);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Σ of the movers' deltas: how much of a flagged day's delta they explain (4 dp). */
export function moversDelta(movers: readonly Mover[]): string {
  return fmt4(sum(movers.map((m) => new Decimal(m.delta))));
}
