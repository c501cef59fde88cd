/**
 * Shared value parsers and date helpers for the CSV validators (docs/export-format.md, docs/crosswalk.md).
 * Pure: dates are "YYYY-MM-DD" strings handled with integer math, never the clock.
 */
import Decimal from "decimal.js";

import { parseDecimal, type Parsed } from "../money";
import {
  addDays,
  dayDiff,
  daysInMonth,
  fromDayNumber,
  GRANULARITIES,
  isoWeekday,
  startOfMonth,
  startOfNextMonth,
  startOfWeek,
  toDayNumber,
  type Granularity,
} from "../periods";

export { GRANULARITIES, type Granularity };
/** The decimal parser lives in ../money (one rule for the whole app); re-exported for the CSV validators. */
export { parseDecimal, type Parsed };

/**
 * A Decimal constructor whose arithmetic never rounds in practice (precision 1e9
 * significant digits), so sums of money strings stay exact.
 */
export const ExactDecimal = Decimal.clone({ precision: 1e9, toExpNeg: -9e15, toExpPos: 9e15 });

// ---------------------------------------------------------------- calendar math
// The calendar itself lives in ../periods (one implementation for the whole domain);
// this module adds the strict parsing the CSV validators need.

function validYmd(y: number, m: number, d: number): boolean {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** days since 1970-01-01 of a valid "YYYY-MM-DD" (throws RangeError otherwise) */
export function toEpochDay(d: string): number {
  const m = DATE_RE.exec(d);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(d)}`);
  if (!validYmd(Number(m[1]), Number(m[2]), Number(m[3]))) throw new RangeError(`not a calendar date: ${JSON.stringify(d)}`);
  return toDayNumber(d);
}

/** "YYYY-MM-DD" of a day count since 1970-01-01 */
export const fromEpochDay = fromDayNumber;

/** milliseconds since the epoch of 00:00:00 UTC on date d (for comparing with a caller's `now`) */
export function dateToEpochMs(d: string): number {
  return toEpochDay(d) * 86_400_000;
}

/** "YYYY-MM-DD" only, calendar-checked (e.g. crosswalk valid_from / valid_to) */
export function parseDate(s: string): Parsed<string> {
  const t = s.trim();
  const m = DATE_RE.exec(t);
  if (!m) return { ok: false, reason: "is not a YYYY-MM-DD date" };
  if (!validYmd(Number(m[1]), Number(m[2]), Number(m[3]))) {
    return { ok: false, reason: "is not a calendar date" };
  }
  return { ok: true, value: t };
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/**
 * A bucket start: `2026-04-01`, `2026-04-01T00:00:00Z`, `2026-04-01T00:00:00.000Z`,
 * `2026-04-01 00:00:00+00:00`, offsets `+00:00`/`+0000`/`+00`, any fraction digits;
 * no offset = UTC. Offsets are converted to UTC; the instant must be exactly
 * 00:00:00 UTC. The value is the UTC date "YYYY-MM-DD".
 */
export function parseBucketTimestamp(s: string): Parsed<string> {
  const t = s.trim();
  const m = TS_RE.exec(t);
  if (!m) {
    return {
      ok: false,
      reason: "is not a timestamp (expected e.g. 2026-04-01, 2026-04-01T00:00:00Z or 2026-04-01 00:00:00+00:00)",
    };
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (!validYmd(y, mo, d)) return { ok: false, reason: "is not a calendar date" };
  if (m[4] === undefined) return { ok: true, value: `${m[1]}-${m[2]}-${m[3]}` };
  const hh = Number(m[4]);
  const mi = Number(m[5]);
  const ss = Number(m[6]);
  if (hh > 23 || mi > 59 || ss > 59) return { ok: false, reason: "is not a valid time of day" };
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return { ok: false, reason: "has an invalid UTC offset" };
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const fractionZero = m[7] === undefined || /^0+$/.test(m[7]);
  // UTC = local − offset
  const utcMin = hh * 60 + mi - offsetMin;
  if (ss !== 0 || !fractionZero || ((utcMin % 1440) + 1440) % 1440 !== 0) {
    return { ok: false, reason: "is not at 00:00:00 UTC" };
  }
  const dayShift = Math.floor(utcMin / 1440);
  return { ok: true, value: fromEpochDay(toDayNumber(`${m[1]}-${m[2]}-${m[3]}`) + dayShift) };
}

// ---------------------------------------------------------------- date helpers

export { addDays, dayDiff, isoWeekday, startOfMonth, startOfNextMonth, startOfWeek };

export function isMonday(d: string): boolean {
  return isoWeekday(d) === 1;
}

export function isFirstOfMonth(d: string): boolean {
  toEpochDay(d); // validates
  return d.endsWith("-01");
}

/** exclusive end of the bucket starting at d: +1 day, +7 days, or next month's 1st */
export function bucketEnd(d: string, granularity: Granularity): string {
  switch (granularity) {
    case "daily":
      return addDays(d, 1);
    case "weekly":
      return addDays(d, 7);
    case "monthly":
      return startOfNextMonth(d);
  }
}

/** does d start a bucket of this granularity? */
export function fitsGranularity(d: string, granularity: Granularity): boolean {
  if (granularity === "weekly") return isMonday(d);
  if (granularity === "monthly") return isFirstOfMonth(d);
  return true;
}
