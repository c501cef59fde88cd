/**
 * Pure calendar math on "YYYY-MM-DD" strings (UTC days, proleptic Gregorian).
 * No `Date`, no clock: days are converted to/from an integer day number
 * (days since 1970-01-01) with Howard Hinnant's civil-date algorithms.
 */

import { GRANULARITIES, type Granularity } from "./vocabulary";

export { GRANULARITIES, type Granularity };

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A "YYYY-MM" month (01–12): the one month pattern of the app. */
export const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** True for a "YYYY-MM" month with a month number 01–12. */
export function isMonth(s: unknown): s is string {
  return typeof s === "string" && MONTH_RE.test(s);
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function parts(date: string): { y: number; m: number; d: number } {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`invalid date ${JSON.stringify(date)}: expected YYYY-MM-DD`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw new Error(`invalid date ${JSON.stringify(date)}: no such day`);
  return { y, m: mo, d };
}

/** True for a real calendar day written as YYYY-MM-DD. */
export function isValidDate(date: string): boolean {
  try {
    parts(date);
    return true;
  } catch {
    return false;
  }
}

/** Day number: days since 1970-01-01. */
export function toDayNumber(date: string): number {
  const { y: y0, m, d } = parts(date);
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, "0");
}

/** Inverse of `toDayNumber`. */
export function fromDayNumber(n: number): string {
  if (!Number.isInteger(n)) throw new Error(`day number must be an integer, got ${n}`);
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 0 || y > 9999) throw new Error(`date out of range (year ${y})`);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Days from `from` to `to` (positive when `to` is later). */
export function dayDiff(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  // 1970-01-01 was a Thursday (4).
  return ((((toDayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/** The Monday starting the ISO week containing `date`. */
export function startOfWeek(date: string): string {
  return addDays(date, 1 - isoWeekday(date));
}

export function startOfMonth(date: string): string {
  const { y, m } = parts(date);
  return `${pad(y, 4)}-${pad(m, 2)}-01`;
}

/** First day of the following month. */
export function startOfNextMonth(date: string): string {
  const { y, m } = parts(date);
  return m === 12 ? `${pad(y + 1, 4)}-01-01` : `${pad(y, 4)}-${pad(m + 1, 2)}-01`;
}

/** Start of the `granularity` period (day, ISO week, month) containing `date`. */
export function periodStart(date: string, granularity: Granularity): string {
  switch (granularity) {
    case "daily":
      parts(date);
      return date;
    case "weekly":
      return startOfWeek(date);
    case "monthly":
      return startOfMonth(date);
  }
}

/** Exclusive end of the `granularity` period containing `date`. */
export function periodEnd(date: string, granularity: Granularity): string {
  switch (granularity) {
    case "daily":
      return addDays(date, 1);
    case "weekly":
      return addDays(startOfWeek(date), 7);
    case "monthly":
      return startOfNextMonth(date);
  }
}

/** True when `date` is the start of a `granularity` bucket (any day; a Monday; the 1st). */
export function isPeriodStart(date: string, granularity: Granularity): boolean {
  return periodStart(date, granularity) === date;
}

/** "YYYY-MM" of a date. */
export function monthOf(date: string): string {
  parts(date);
  return date.slice(0, 7);
}

/** A "YYYY-MM" month as the half-open day range [from, to). */
export function monthRange(month: string): { from: string; to: string } {
  if (!isMonth(month)) throw new Error(`invalid month ${JSON.stringify(month)}: expected YYYY-MM`);
  const from = `${month}-01`;
  return { from, to: startOfNextMonth(from) };
}

/** Every day in [from, toExclusive), ascending; empty when toExclusive ≤ from. */
export function daysInRange(from: string, toExclusive: string): string[] {
  const a = toDayNumber(from);
  const b = toDayNumber(toExclusive);
  const out: string[] = [];
  for (let n = a; n < b; n++) out.push(fromDayNumber(n));
  return out;
}

// ---------------------------------------------------------------------------
// Choosing which stored granularity feeds a view (docs/allocation.md, "Views and roll-ups")
// ---------------------------------------------------------------------------

export interface StoredBucket {
  orgId: string;
  granularity: Granularity;
  /** Bucket start, YYYY-MM-DD (a longer ISO instant is accepted; only its date is used). */
  bucketStart: string;
}

export interface SourceChoice {
  orgId: string;
  /** Start of the view period (day, ISO Monday or 1st of month). */
  periodStart: string;
  /** The stored granularity whose buckets are summed into this view period. */
  source: Granularity;
}

export interface SourcePlan {
  view: Granularity;
  /** One entry per (org, view period) that has a usable source; sorted by orgId, periodStart. */
  choices: SourceChoice[];
  /** (org, view period) that have stored data but none usable for this view (e.g. only weekly buckets under a monthly view). */
  uncovered: Array<{ orgId: string; periodStart: string; granularities: Granularity[] }>;
  /** The chosen source of one (org, view period), or null. */
  sourceFor(orgId: string, periodStart: string): Granularity | null;
  /** Whether a stored row/bucket is counted in the view: its granularity is the one chosen for its (org, view period). */
  includes(bucket: StoredBucket): boolean;
  /** View period a stored bucket rolls into. */
  viewPeriodOf(bucketStart: string): string;
}

/** Which stored granularities may feed a view, in order of preference. */
const FEEDERS: Record<Granularity, readonly Granularity[]> = {
  daily: ["daily"],
  weekly: ["weekly", "daily"],
  monthly: ["monthly", "daily"], // weekly never rolls into monthly: weeks straddle months
};

/**
 * For each (org, view period) decide which stored granularity feeds it: the view's own granularity
 * when the org has it for that period, else daily buckets rolled up. A daily view uses daily only;
 * weekly buckets never feed a monthly view. Use `plan.includes(row)` to filter rows so that nothing is
 * counted twice.
 */
export function chooseSources(available: ReadonlyArray<StoredBucket>, view: Granularity): SourcePlan {
  const present = new Map<string, { orgId: string; periodStart: string; grans: Set<Granularity> }>();
  const keyOf = (orgId: string, ps: string) => `${orgId}\u0000${ps}`;
  for (const b of available) {
    const ps = periodStart(b.bucketStart.slice(0, 10), view);
    const k = keyOf(b.orgId, ps);
    let e = present.get(k);
    if (!e) present.set(k, (e = { orgId: b.orgId, periodStart: ps, grans: new Set() }));
    e.grans.add(b.granularity);
  }
  const chosen = new Map<string, Granularity>();
  const choices: SourceChoice[] = [];
  const uncovered: SourcePlan["uncovered"] = [];
  const sorted = [...present.values()].sort((a, b) =>
    a.orgId !== b.orgId ? (a.orgId < b.orgId ? -1 : 1) : a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0,
  );
  for (const e of sorted) {
    const source = FEEDERS[view].find((g) => e.grans.has(g));
    if (source) {
      chosen.set(keyOf(e.orgId, e.periodStart), source);
      choices.push({ orgId: e.orgId, periodStart: e.periodStart, source });
    } else {
      uncovered.push({ orgId: e.orgId, periodStart: e.periodStart, granularities: GRANULARITIES.filter((g) => e.grans.has(g)) });
    }
  }
  const viewPeriodOf = (bucketStart: string) => periodStart(bucketStart.slice(0, 10), view);
  return {
    view,
    choices,
    uncovered,
    sourceFor: (orgId, ps) => chosen.get(keyOf(orgId, ps)) ?? null,
    includes: (b) => chosen.get(keyOf(b.orgId, viewPeriodOf(b.bucketStart))) === b.granularity,
    viewPeriodOf,
  };
}
