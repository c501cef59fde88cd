/**
 * Month-end spend forecast from a month's daily data so far (issue 16, docs/forecasting.md).
 * Pure: no clock, the caller says which day is the last complete one (`asOf`).
 *
 * Method (`run_rate_dow`):
 *
 * 1. **Day-of-week profile** from the trailing 8 weeks (56 days) ending on `asOf`, or as much of
 *    them as there is data for: factor(w) = mean cost on weekday w ÷ the mean of the seven weekday
 *    means, so the factors average 1 and a whole week weighs 7. With fewer than 14 days of history
 *    (each weekday seen less than twice), or no positive spend, every factor is 1 (`run_rate_flat`).
 * 2. **Run rate** over the trailing 14 days ending on `asOf` (fewer when the history is shorter),
 *    de-seasonalised: rate = Σ cost ÷ Σ factor(weekday) over those days, so a window with more
 *    weekdays than weekends does not inflate the rate. The window may reach back before the
 *    month: on the 3rd of a month the rate is mostly the previous month's.
 * 3. **Forecast** = spent so far in the month + Σ over the remaining days of rate × factor(weekday).
 * 4. **Range** (nominally 90 %): two sources of error over the R remaining days. The day-to-day
 *    noise σ is the standard deviation of the residuals cost − weekday mean over the profile
 *    window; it adds R·σ². The level itself drifts (a team's spend moves from week to week):
 *    s_w, the standard deviation of the de-seasonalised weekly means of the profile window's
 *    whole weeks, is shared by every remaining day and adds (R·s_w)². So
 *    margin = z·√(R·σ² + R²·s_w²), z = 1.645; low = max(spent, forecast − margin),
 *    high = forecast + margin. With one week of history s_w is σ/√n (the error of an n-day mean);
 *    with fewer than 2 days both are the rate itself (a wide range). `npm run forecast-eval`
 *    measures how often the actual total falls inside.
 *
 * Days without a row between the first day of `daily` and `asOf` count as 0 (no spend); days
 * before the first row are no history. A month that is over (`asOf` on or after its last day)
 * forecasts exactly its spent, with an empty range. Nothing is negative: the projected rest of
 * the month is ≥ 0, and the figures are floored at 0 (a net-credit month forecasts 0).
 *
 * Money is Decimal throughout (the statistics too: means, σ and the square root are Decimal
 * operations); the outputs are decimal strings rounded to cents (ROUND_HALF_UP).
 */
import { dec, Decimal, sum, ZERO } from "./money";
import { addDays, dayDiff, isMonth, isoWeekday, isValidDate, monthRange } from "./periods";

export const FORECAST_METHODS = ["run_rate_dow", "run_rate_flat", "actual", "no_data"] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

/** Days of the run-rate window. */
export const RUN_RATE_DAYS = 14;
/** Weeks of the day-of-week profile window. */
export const PROFILE_WEEKS = 8;
/** History (days) the day-of-week profile needs; below it the profile is flat. */
export const MIN_PROFILE_DAYS = 14;
/** z of the range: 1.645 is a two-sided 90 % interval of a normal error. */
export const RANGE_Z = "1.645";

export interface DailyCost {
  /** YYYY-MM-DD */
  date: string;
  /** decimal string (USD) */
  cost: string;
}

export interface ForecastOptions {
  runRateDays?: number;
  profileWeeks?: number;
  /** z of the range, a decimal string (default 1.645) */
  z?: string;
}

export interface Forecast {
  /** spend of the month's days up to `asOf` (2 dp) */
  spent: string;
  /** month-end total (2 dp) */
  forecast: string;
  /** the range around it (2 dp); low ≥ spent */
  low: string;
  high: string;
  /** days of the month up to `asOf` */
  daysObserved: number;
  /** days of the month after `asOf` */
  daysRemaining: number;
  method: ForecastMethod;
}

const money = (d: Decimal) => {
  const s = (d.isNegative() ? ZERO : d).toFixed(2, Decimal.ROUND_HALF_UP);
  return s === "-0.00" ? "0.00" : s;
};
const max = (a: Decimal, b: Decimal) => (a.greaterThan(b) ? a : b);

/** The month-end forecast of `month` (YYYY-MM) from daily costs through `asOf` (the last complete day with data). */
export function forecastMonth(input: { daily: readonly DailyCost[]; month: string; asOf: string }, opts: ForecastOptions = {}): Forecast {
  const { daily, month, asOf } = input;
  if (!isMonth(month)) throw new Error(`invalid month ${JSON.stringify(month)}: expected YYYY-MM`);
  if (!isValidDate(asOf)) throw new Error(`invalid asOf ${JSON.stringify(asOf)}: expected YYYY-MM-DD`);
  const runRateDays = opts.runRateDays ?? RUN_RATE_DAYS;
  const profileDays = (opts.profileWeeks ?? PROFILE_WEEKS) * 7;
  if (!Number.isInteger(runRateDays) || runRateDays < 1) throw new Error(`runRateDays must be an integer ≥ 1, got ${runRateDays}`);
  if (!Number.isInteger(profileDays) || profileDays < 7) throw new Error(`profileWeeks must be an integer ≥ 1`);
  const z = dec(opts.z ?? RANGE_Z);

  const { from: monthStart, to: monthEnd } = monthRange(month);
  const lastDay = addDays(monthEnd, -1);

  // cost per day (rows of one day are added up), only what is known on asOf
  const byDay = new Map<string, Decimal>();
  let first: string | null = null;
  for (const r of daily) {
    if (!isValidDate(r.date)) throw new Error(`invalid date ${JSON.stringify(r.date)}: expected YYYY-MM-DD`);
    if (r.date > asOf) continue;
    byDay.set(r.date, (byDay.get(r.date) ?? ZERO).plus(dec(r.cost)));
    if (first === null || r.date < first) first = r.date;
  }
  const cost = (d: string) => byDay.get(d) ?? ZERO;

  const observedTo = asOf < lastDay ? asOf : lastDay;
  const daysObserved = observedTo < monthStart ? 0 : dayDiff(monthStart, observedTo) + 1;
  const daysRemaining = dayDiff(asOf < monthStart ? addDays(monthStart, -1) : observedTo, lastDay);
  let spent = ZERO;
  for (let i = 0; i < daysObserved; i++) spent = spent.plus(cost(addDays(monthStart, i)));

  const done = (method: ForecastMethod): Forecast => ({
    spent: money(spent),
    forecast: money(spent),
    low: money(spent),
    high: money(spent),
    daysObserved,
    daysRemaining,
    method,
  });
  if (daysRemaining === 0) return done("actual");
  if (first === null) return done("no_data");

  const historyDays = dayDiff(first, asOf) + 1;
  const days = (n: number) => {
    const len = Math.min(n, historyDays);
    return Array.from({ length: len }, (_, i) => addDays(asOf, i - len + 1));
  };

  // 1. day-of-week profile
  const profileWindow = days(profileDays);
  const weekdayMean = new Map<number, Decimal>();
  for (let w = 1; w <= 7; w++) {
    const ofW = profileWindow.filter((d) => isoWeekday(d) === w);
    weekdayMean.set(w, ofW.length ? sum(ofW.map(cost)).div(ofW.length) : ZERO);
  }
  const flat = historyDays < MIN_PROFILE_DAYS || !sum(weekdayMean.values()).greaterThan(ZERO);
  // the level: the mean of the weekday means (= the mean cost when every weekday is seen as often)
  const level = flat ? sum(profileWindow.map(cost)).div(profileWindow.length) : sum(weekdayMean.values()).div(7);
  const factor = new Map<number, Decimal>();
  for (let w = 1; w <= 7; w++) factor.set(w, flat ? new Decimal(1) : weekdayMean.get(w)!.div(level));
  const f = (d: string) => factor.get(isoWeekday(d))!;

  // 2. de-seasonalised run rate
  const rateWindow = days(runRateDays);
  const weight = sum(rateWindow.map(f));
  const rateRaw = weight.isZero() ? ZERO : sum(rateWindow.map(cost)).div(weight);
  const rate = max(rateRaw, ZERO);

  // 3. the rest of the month
  const remaining = Array.from({ length: daysRemaining }, (_, i) => addDays(monthEnd, i - daysRemaining));
  const rest = sum(remaining.map((d) => rate.times(f(d))));
  const forecast = spent.plus(rest);

  // 4. the range: day-to-day noise of the remaining days, and the drift of the level itself
  let sigma: Decimal;
  let levelSd: Decimal;
  const sd = (xs: Decimal[]) => {
    const m = sum(xs).div(xs.length);
    return sum(xs.map((x) => x.minus(m).pow(2)))
      .div(xs.length - 1)
      .sqrt();
  };
  if (profileWindow.length < 2) {
    sigma = rate;
    levelSd = rate;
  } else {
    sigma = sd(profileWindow.map((d) => cost(d).minus(level.times(f(d)))));
    // the de-seasonalised mean of each whole week of the profile window, newest first
    const weeks: Decimal[] = [];
    for (let end = profileWindow.length; end >= 7; end -= 7) {
      const week = profileWindow.slice(end - 7, end);
      weeks.push(sum(week.map(cost)).div(sum(week.map(f))));
    }
    levelSd = weeks.length >= 2 ? sd(weeks) : sigma.div(new Decimal(rateWindow.length).sqrt());
  }
  const R = new Decimal(daysRemaining);
  const margin = z.times(
    R.times(sigma.pow(2))
      .plus(R.pow(2).times(levelSd.pow(2)))
      .sqrt(),
  );
  const low = max(spent, forecast.minus(margin));
  const high = forecast.plus(margin);

  return {
    spent: money(spent),
    forecast: money(forecast),
    low: money(low),
    high: money(high),
    daysObserved,
    daysRemaining,
    method: flat ? "run_rate_flat" : "run_rate_dow",
  };
}
