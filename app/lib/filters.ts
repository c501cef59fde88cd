/**
 * Dashboard filters: ONE zod schema over the URL's query string (shareable links,
 * back button) and a PURE resolver that turns the chosen period into a bucket range
 * relative to a given `today` (the server's clock, passed in so tests can fix it).
 *
 *   ?org=org-a&org=org-b&period=last-3-months&gran=monthly&by=team&sort=total&dir=desc
 *   ?period=custom&from=2026-01-01&to=2026-03-31
 *
 * Relative periods are anchored on the DATA (the last day with data for the chosen orgs),
 * not on the calendar: with data through 28 November, "Last 6 months" is June–November
 * whatever today is. The default is the trend: the last 12 complete months and the data's
 * current month (partial when its last day is not in yet). A comparison whose earlier range
 * is not fully covered by data says so (`comparison.complete` false, with its coverage).
 *
 * Unknown or invalid values fall back to the defaults instead of failing the page.
 */
import { z } from "zod";
import { addDays, dayDiff, isValidDate, startOfMonth, startOfNextMonth } from "~/domain/periods";
import { GRANULARITIES, GROUP_BYS, type Granularity, type GroupBy } from "~/domain/vocabulary";

export const PERIODS = ["trend", "this-month", "last-month", "last-3-months", "last-6-months", "last-12-months", "custom"] as const;
export type PeriodKey = (typeof PERIODS)[number];
export const PERIOD_LABELS: Record<PeriodKey, string> = {
  trend: "Trend: 12 months + current",
  "this-month": "Latest month",
  "last-month": "Month before",
  "last-3-months": "Last 3 months",
  "last-6-months": "Last 6 months",
  "last-12-months": "Last 12 months",
  custom: "Custom range",
};

export const GRANS = GRANULARITIES;
export type ViewGranularity = Granularity;
export { GROUP_BYS, type GroupBy };
export const SORTS = ["group", "direct", "share", "total", "pct", "change"] as const;
export type SortKey = (typeof SORTS)[number];

const date = z.string().refine(isValidDate);
const orgId = z.string().trim().min(1).max(200);

/** The one schema for every dashboard URL. */
export const FiltersSchema = z.object({
  org: z.array(orgId).max(200).catch([]).default([]),
  period: z.enum(PERIODS).optional().catch(undefined),
  from: date.optional().catch(undefined),
  to: date.optional().catch(undefined),
  gran: z.enum(GRANS).catch("monthly").default("monthly"),
  by: z.enum(GROUP_BYS).catch("team").default("team"),
  sort: z.enum(SORTS).catch("total").default("total"),
  dir: z.enum(["asc", "desc"]).catch("desc").default("desc"),
});
export type RawFilters = z.infer<typeof FiltersSchema>;

/** Parses URLSearchParams (repeated `org` keys, or one comma-separated value) with FiltersSchema. */
export function parseFilters(params: URLSearchParams): RawFilters {
  const orgs = params
    .getAll("org")
    .flatMap((v) => v.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  const one = (k: string) => {
    const v = params.get(k);
    return v === null || v === "" ? undefined : v;
  };
  return FiltersSchema.parse({
    org: [...new Set(orgs)].sort(),
    period: one("period"),
    from: one("from"),
    to: one("to"),
    gran: one("gran"),
    by: one("by"),
    sort: one("sort"),
    dir: one("dir"),
  });
}

export interface Range {
  /** inclusive bucket-start range YYYY-MM-DD */
  from: string;
  to: string;
}

export interface ResolvedFilters {
  orgs: string[];
  period: PeriodKey;
  /** true when the period was not in the URL (the default: the trend) */
  defaulted: boolean;
  range: Range;
  /** the equal-length range just before `range` (same number of months for month periods) */
  previous: Range;
  /** how much of `previous` the data covers: a change against a partly empty range is not a change */
  comparison: Comparison;
  /** the first day of a month at the end of `range` whose data is not complete yet (null: none) */
  partialFrom: string | null;
  gran: ViewGranularity;
  by: GroupBy;
  sort: SortKey;
  dir: "asc" | "desc";
  label: string;
}

export interface Comparison {
  /** true when data covers every day of the earlier range */
  complete: boolean;
  /** the covered share of the earlier range's days, 0..1 (a decimal string, 4 places) */
  coverage: string;
}

/** The days with data: from the first bucket to the last covered day (null: no data). */
export interface DataSpan {
  first: string;
  last: string;
}

/** PURE: how much of `r` lies within the data span (by days). */
export function comparisonOf(r: Range, data: DataSpan | null): Comparison {
  const len = dayDiff(r.from, r.to) + 1;
  if (!data || len <= 0) return { complete: false, coverage: "0.0000" };
  const from = data.first > r.from ? data.first : r.from;
  const to = data.last < r.to ? data.last : r.to;
  const covered = to < from ? 0 : dayDiff(from, to) + 1;
  // a ratio of two day counts, rounded for display (not money)
  return { complete: covered === len, coverage: (Math.round((covered / len) * 10_000) / 10_000).toFixed(4) };
}

const monthIndex = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1;
const lastDayOfMonth = (d: string) => addDays(startOfNextMonth(d), -1);

function monthsBack(monthStart: string, n: number): string {
  let m = monthStart;
  for (let i = 0; i < n; i++) m = startOfMonth(addDays(m, -1));
  return m;
}

/** Whole months ending with the month of `lastMonthStart`, `n` months long, and the n months before. */
function monthSpan(lastMonthStart: string, n: number): { range: Range; previous: Range } {
  const first = monthsBack(lastMonthStart, n - 1);
  const prevLast = monthsBack(first, 1);
  return {
    range: { from: first, to: lastDayOfMonth(lastMonthStart) },
    previous: { from: monthsBack(prevLast, n - 1), to: addDays(first, -1) },
  };
}

const MONTHS: Record<Exclude<PeriodKey, "custom" | "trend">, number> = {
  "this-month": 1,
  "last-month": 1,
  "last-3-months": 3,
  "last-6-months": 6,
  "last-12-months": 12,
};

const fmtMonth = (d: string) => {
  const [y, m] = d.split("-");
  return `${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][Number(m) - 1]} ${y}`;
};

export function rangeLabel(r: Range): string {
  if (r.from === startOfMonth(r.from) && r.to === lastDayOfMonth(r.to)) {
    return r.from.slice(0, 7) === r.to.slice(0, 7) ? fmtMonth(r.from) : `${fmtMonth(r.from)} – ${fmtMonth(r.to)}`;
  }
  return `${r.from} – ${r.to}`;
}

/**
 * PURE: the bucket range of a period, anchored on the data: `data.last` (the last day with
 * data) when there is data, else `today` (YYYY-MM-DD, UTC).
 * - `trend` (the default): the 12 whole months before the anchor's month, and that month
 *   (partial unless its last day has data; when it is complete, the trend is the 12 months
 *   ending with it);
 * - `this-month`: the anchor's month; `last-month`: the month before it;
 * - `last-N-months`: the N whole months ending with the anchor's month.
 */
export function resolveFilters(raw: RawFilters, today: string, data: DataSpan | null = null): ResolvedFilters {
  let period: PeriodKey = raw.period ?? "trend";
  if (period === "custom" && !(raw.from && raw.to)) period = "trend";
  let range: Range;
  let previous: Range;
  const anchor = data?.last ?? today;
  const anchorMonth = startOfMonth(anchor);
  const anchorComplete = anchor === lastDayOfMonth(anchorMonth);

  if (period === "custom") {
    let from = raw.from!;
    let to = raw.to!;
    if (to < from) [from, to] = [to, from];
    range = { from, to };
    const len = dayDiff(from, to) + 1;
    if (from === startOfMonth(from) && to === lastDayOfMonth(to)) {
      const n = monthIndex(to) - monthIndex(from) + 1;
      previous = monthSpan(startOfMonth(addDays(from, -1)), Math.max(1, n)).range;
    } else {
      previous = { from: addDays(from, -len), to: addDays(from, -1) };
    }
  } else if (period === "trend") {
    ({ range, previous } = monthSpan(anchorMonth, anchorComplete ? 12 : 13));
  } else {
    const last = period === "last-month" ? monthsBack(anchorMonth, 1) : anchorMonth;
    ({ range, previous } = monthSpan(last, MONTHS[period]));
  }
  const lastMonth = startOfMonth(range.to);
  const partialFrom = data && range.to === lastDayOfMonth(lastMonth) && data.last >= lastMonth && data.last < range.to ? lastMonth : null;
  return {
    orgs: raw.org,
    period,
    defaulted: raw.period === undefined,
    range,
    previous,
    comparison: comparisonOf(previous, data),
    partialFrom,
    gran: raw.gran,
    by: raw.by,
    sort: raw.sort,
    dir: raw.dir,
    label: period === "trend" ? `${rangeLabel(range)} (trend)` : rangeLabel(range),
  };
}

/** The query string that reproduces `f` (with overrides), for links that keep the filters. */
export function filtersToSearch(
  f: ResolvedFilters,
  patch: Partial<Record<"sort" | "dir" | "gran" | "by" | "period", string>> = {},
): string {
  const p = new URLSearchParams();
  for (const o of f.orgs) p.append("org", o);
  const period = patch.period ?? f.period;
  p.set("period", period);
  if (period === "custom") {
    p.set("from", f.range.from);
    p.set("to", f.range.to);
  }
  p.set("gran", patch.gran ?? f.gran);
  p.set("by", patch.by ?? f.by);
  const sort = patch.sort ?? f.sort;
  const dir = patch.dir ?? f.dir;
  if (sort !== "total" || dir !== "desc") {
    p.set("sort", sort);
    p.set("dir", dir);
  }
  return `?${p.toString()}`;
}

/** Today's date (UTC) from a clock. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
