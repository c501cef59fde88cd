/**
 * Replays past months of the generator's data through the month-end forecast
 * (app/domain/forecast.ts, docs/forecasting.md) and prints its error per team.
 *
 *   npm run forecast-eval -- [--months 12] [--end-month 2026-11] [--as-of-days 7,14,21]
 *
 * The data: the demo's three organizations (same principals, clusters and seeds as
 * scripts/lib/demo-data.ts), daily, for `--months` months ending with `--end-month`; each owner's
 * cost goes to the generator's suggested team (`describeOwners`), summed over the organizations
 * (the unallocated row is left out: the app spreads it by policy). The first month is history
 * only; for every later month and every as-of day (the last complete day), the forecast of the
 * month-end total is compared with the actual total.
 *
 * Output (key=value lines): `team=<name> mape_pct=<x>` per team, `as_of_day=<d> mape_pct=<x>`
 * per as-of day, `range_coverage_pct=<x>` (the share of actual totals inside [low, high]) and,
 * last, `forecast_mape=<x>`: the mean absolute percentage error over every (team, month, as-of
 * day), in percent with 1 decimal. A report, not a test: it exits 0 whatever the error.
 * Exit 2 on usage errors.
 */
import { z } from "zod";
import { forecastMonth, type DailyCost } from "../app/domain/forecast";
import { Decimal, sum } from "../app/domain/money";
import { addDays, daysInMonth, isMonth, monthRange } from "../app/domain/periods";
import { describeOwners, generateExportRecords, UNALLOCATED_OWNER, type GenerateOptions } from "./lib/generator";
import { parseCli, runCli, UsageError } from "./lib/cli";

const USAGE = `usage: npm run forecast-eval -- [--months N] [--end-month YYYY-MM] [--as-of-days D,D,…]

  --months       months of generated data, the first one history only (default 12, 2–36)
  --end-month    the last month replayed (default 2026-11)
  --as-of-days   days of the month the forecast is made on (default 7,14,21)`;

/** The demo's organizations (scripts/lib/demo-data.ts DEMO_ORGS), without its database side. */
const ORGS = [
  { org: "org-prod", principals: 14, clusters: 2, seed: 7 },
  { org: "org-analytics", principals: 8, clusters: 1, seed: 11 },
  { org: "org-sandbox", principals: 5, clusters: 1, seed: 13 },
] as const;

const Args = z.object({
  months: z.string().regex(/^\d+$/, "must be an integer").transform(Number).pipe(z.number().int().min(2).max(36)).default(12),
  "end-month": z.string().refine(isMonth, "must be YYYY-MM").default("2026-11"),
  "as-of-days": z
    .string()
    .regex(/^\d+(,\d+)*$/, "must be days of the month, comma-separated")
    .transform((s) => [...new Set(s.split(",").map(Number))].sort((a, b) => a - b))
    .pipe(z.array(z.number().int().min(1).max(27)))
    .default([7, 14, 21]),
});

const monthBefore = (m: string) => addDays(`${m}-01`, -1).slice(0, 7);
const pct = (d: Decimal) => d.times(100).toFixed(1, Decimal.ROUND_HALF_UP);
const mean = (xs: Decimal[]) => (xs.length ? sum(xs).div(xs.length) : new Decimal(0));

runCli(async () => {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const a = parseCli(
    USAGE,
    argv,
    { months: { type: "string" }, "end-month": { type: "string" }, "as-of-days": { type: "string" } },
    Args,
    (v, pos) => {
      if (pos.length) throw new UsageError(`unexpected argument ${JSON.stringify(pos[0])}\n\n${USAGE}`);
      return v;
    },
  );

  const months: string[] = [a["end-month"]];
  while (months.length < a.months) months.unshift(monthBefore(months[0]));
  const from = `${months[0]}-01`;
  const to = addDays(monthRange(a["end-month"]).to, -1);

  // daily cost per team, summed over the organizations
  const perTeam = new Map<string, Map<string, Decimal>>();
  for (const o of ORGS) {
    const opts: GenerateOptions = { ...o, granularity: "daily", from, to, timestampFormat: "date" };
    const teamOf = new Map(describeOwners(opts).map((d) => [d.ownerId, d.suggestedTeam]));
    for (const r of generateExportRecords(opts)) {
      const [day, owner] = [r[0], r[1]];
      if (owner === UNALLOCATED_OWNER) continue;
      const team = teamOf.get(owner) ?? "unmapped";
      let m = perTeam.get(team);
      if (!m) perTeam.set(team, (m = new Map()));
      m.set(day, (m.get(day) ?? new Decimal(0)).plus(r[7]));
    }
  }

  const all: Decimal[] = [];
  const byAsOf = new Map<number, Decimal[]>();
  let inRange = 0;
  const lines: string[] = [];
  for (const team of [...perTeam.keys()].sort()) {
    const days = perTeam.get(team)!;
    const daily: DailyCost[] = [...days].sort(([x], [y]) => (x < y ? -1 : 1)).map(([date, c]) => ({ date, cost: c.toFixed() }));
    const apes: Decimal[] = [];
    for (const month of months.slice(1)) {
      const { from: mFrom, to: mTo } = monthRange(month);
      const actual = sum(daily.filter((d) => d.date >= mFrom && d.date < mTo).map((d) => new Decimal(d.cost)));
      if (!actual.greaterThan(0)) continue;
      for (const day of a["as-of-days"]) {
        if (day >= daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)))) continue;
        const asOf = `${month}-${String(day).padStart(2, "0")}`;
        const f = forecastMonth({ daily, month, asOf });
        const ape = new Decimal(f.forecast).minus(actual).abs().div(actual);
        apes.push(ape);
        all.push(ape);
        byAsOf.set(day, [...(byAsOf.get(day) ?? []), ape]);
        if (actual.greaterThanOrEqualTo(f.low) && actual.lessThanOrEqualTo(f.high)) inRange++;
      }
    }
    if (apes.length) lines.push(`team=${team} mape_pct=${pct(mean(apes))}`);
  }
  for (const l of lines) console.log(l);
  for (const [day, apes] of [...byAsOf].sort(([x], [y]) => x - y)) console.log(`as_of_day=${day} mape_pct=${pct(mean(apes))}`);
  console.log(`range_coverage_pct=${all.length ? pct(new Decimal(inRange).div(all.length)) : "0.0"}`);
  console.log(`forecast_mape=${pct(mean(all))}`);
  return 0;
});
