/**
 * Dashboard filters: ONE zod schema over the URL's query string (shareable links,
 * back button) and a PURE resolver that turns the chosen period into a bucket range
 * relative to a given `today` (the server's clock, passed in so tests can fix it).
 *
 *   ?org=org-a&org=org-b&period=last-3-months&gran=monthly&by=team&sort=total&dir=desc
 *   ?period=custom&from=2026-01-01&to=2026-03-31
 *
 * Unknown or invalid values fall back to the defaults instead of failing the page.
 */
import { z } from "zod";
import { addDays, dayDiff, isValidDate, startOfMonth, startOfNextMonth } from "~/domain/periods";
import { GRANULARITIES, GROUP_BYS, type Granularity, type GroupBy } from "~/domain/vocabulary";

export const PERIODS = ["this-month", "last-month", "last-3-months", "last-6-months", "last-12-months", "custom"] as const;
export type PeriodKey = (typeof PERIODS)[number];
export const PERIOD_LABELS: Record<PeriodKey, string> = {
  "this-month": "This month",
  "last-month": "Last month",
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
  /** true when the period was not in the URL and was defaulted to the latest month with data */
  defaulted: boolean;
  range: Range;
  /** the equal-length range just before `range` (same number of months for month periods) */
  previous: Range;
  gran: ViewGranularity;
  by: GroupBy;
  sort: SortKey;
  dir: "asc" | "desc";
  label: string;
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

const MONTHS: Record<Exclude<PeriodKey, "custom">, number> = {
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
 * PURE: the bucket range of a period relative to `today` (YYYY-MM-DD, UTC).
 * "Last N months" are the N whole months ending with the current month (the running month included).
 * When the URL names no period and `latestDataDay` (the latest bucket with data for these orgs)
 * lies before the default range, the default becomes the month of the latest data.
 */
export function resolveFilters(raw: RawFilters, today: string, latestDataDay: string | null = null): ResolvedFilters {
  let period: PeriodKey = raw.period ?? "this-month";
  if (period === "custom" && !(raw.from && raw.to)) period = "this-month";
  let range: Range;
  let previous: Range;
  let defaulted = false;
  const thisMonth = startOfMonth(today);

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
  } else {
    const last = period === "last-month" ? monthsBack(thisMonth, 1) : thisMonth;
    ({ range, previous } = monthSpan(last, MONTHS[period]));
    if (raw.period === undefined && latestDataDay !== null && latestDataDay < range.from) {
      // no data in the default range: show the latest month that has data
      const m = startOfMonth(latestDataDay);
      ({ range, previous } = monthSpan(m, 1));
      period = "custom";
      defaulted = true;
    }
  }
  return {
    orgs: raw.org,
    period,
    defaulted,
    range,
    previous,
    gran: raw.gran,
    by: raw.by,
    sort: raw.sort,
    dir: raw.dir,
    label: rangeLabel(range),
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
