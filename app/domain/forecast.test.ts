import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forecastMonth, type DailyCost } from "./forecast";
import { Decimal, sum } from "./money";
import { addDays, daysInRange, isoWeekday } from "./periods";

/** Daily rows for [from, to] inclusive, cost from a function of the day. */
const series = (from: string, to: string, cost: (d: string, i: number) => string): DailyCost[] =>
  daysInRange(from, addDays(to, 1)).map((date, i) => ({ date, cost: cost(date, i) }));
const total = (rows: DailyCost[], from: string, to: string) =>
  sum(rows.filter((r) => r.date >= from && r.date <= to).map((r) => new Decimal(r.cost))).toFixed(2);

describe("forecastMonth", () => {
  it("a constant spend forecasts exactly the month, with no range", () => {
    const daily = series("2026-03-01", "2026-04-14", () => "10");
    expect(forecastMonth({ daily, month: "2026-04", asOf: "2026-04-14" })).toEqual({
      spent: "140.00",
      forecast: "300.00",
      low: "300.00",
      high: "300.00",
      daysObserved: 14,
      daysRemaining: 16,
      method: "run_rate_dow",
    });
  });

  it("learns the weekday/weekend pattern: a pure weekly pattern is forecast exactly", () => {
    const weekly = (d: string) => (isoWeekday(d) >= 6 ? "20.10" : "100.35");
    const daily = series("2026-03-01", "2026-05-31", weekly);
    for (const asOf of ["2026-05-01", "2026-05-07", "2026-05-16", "2026-05-30"]) {
      const f = forecastMonth({ daily, month: "2026-05", asOf });
      expect(f.method).toBe("run_rate_dow");
      expect(f.forecast, asOf).toBe(total(daily, "2026-05-01", "2026-05-31"));
      expect(f.spent).toBe(total(daily, "2026-05-01", asOf));
    }
    // a flat run rate would be off on the same data (the month ends on a weekend)
    const flat = forecastMonth({ daily: daily.filter((r) => r.date >= "2026-05-01"), month: "2026-05", asOf: "2026-05-07" });
    expect(flat.method).toBe("run_rate_flat");
    expect(flat.forecast).not.toBe(total(daily, "2026-05-01", "2026-05-31"));
  });

  it("the run rate follows a level change within 14 days, and may use the month before", () => {
    const daily = series("2026-01-01", "2026-02-28", (d) => (d < "2026-02-01" ? "10" : "20"));
    // on Feb 3rd the 14-day window is 11 days at 10 and 3 at 20: between the two levels
    const early = forecastMonth({ daily, month: "2026-02", asOf: "2026-02-03" });
    expect(early.spent).toBe("60.00");
    expect(new Decimal(early.forecast).greaterThan(60 + 25 * 10)).toBe(true);
    expect(new Decimal(early.forecast).lessThan(60 + 25 * 20)).toBe(true);
    // on Feb 14th the window is two whole weeks at 20, and so are the 14 days left
    const later = forecastMonth({ daily, month: "2026-02", asOf: "2026-02-14" });
    expect(later.forecast).toBe("560.00");
  });

  it("falls back to a flat profile with less than 14 days of history", () => {
    const daily = series("2026-04-01", "2026-04-10", (d) => (isoWeekday(d) >= 6 ? "0" : "10"));
    const f = forecastMonth({ daily, month: "2026-04", asOf: "2026-04-10" });
    expect(f.method).toBe("run_rate_flat");
    expect(f.spent).toBe("80.00");
    expect(f.forecast).toBe(new Decimal(80).plus(new Decimal(8).times(20)).toFixed(2)); // 80 + 20 days × 8/day
  });

  it("a month that is over forecasts exactly its spent", () => {
    const daily = series("2026-04-01", "2026-04-30", (_d, i) => String(i * 1.25));
    for (const asOf of ["2026-04-30", "2026-05-02", "2027-01-01"]) {
      const f = forecastMonth({ daily, month: "2026-04", asOf });
      expect(f).toEqual({
        spent: total(daily, "2026-04-01", "2026-04-30"),
        forecast: total(daily, "2026-04-01", "2026-04-30"),
        low: total(daily, "2026-04-01", "2026-04-30"),
        high: total(daily, "2026-04-01", "2026-04-30"),
        daysObserved: 30,
        daysRemaining: 0,
        method: "actual",
      });
    }
  });

  it("no data: nothing spent, nothing forecast", () => {
    expect(forecastMonth({ daily: [], month: "2026-04", asOf: "2026-04-05" })).toEqual({
      spent: "0.00",
      forecast: "0.00",
      low: "0.00",
      high: "0.00",
      daysObserved: 5,
      daysRemaining: 25,
      method: "no_data",
    });
  });

  it("before the month starts: the whole month is forecast from the history", () => {
    const daily = series("2026-03-01", "2026-03-31", () => "2");
    const f = forecastMonth({ daily, month: "2026-04", asOf: "2026-03-31" });
    expect(f).toMatchObject({ spent: "0.00", forecast: "60.00", daysObserved: 0, daysRemaining: 30 });
  });

  it("adds up rows of one day, counts missing days as 0, ignores rows after asOf", () => {
    const daily: DailyCost[] = [
      ...series("2026-04-01", "2026-04-14", () => "5"),
      ...series("2026-04-01", "2026-04-14", () => "5"),
      { date: "2026-04-20", cost: "1000000" },
    ].filter((r) => r.date !== "2026-04-07");
    const f = forecastMonth({ daily, month: "2026-04", asOf: "2026-04-14" });
    expect(f.spent).toBe("130.00");
    expect(f.daysRemaining).toBe(16);
    expect(new Decimal(f.forecast).lessThan(500)).toBe(true);
  });

  it("the range widens with the noise and with the days remaining", () => {
    const noisy = series("2026-03-01", "2026-04-30", (_d, i) => (i % 3 === 0 ? "130" : i % 3 === 1 ? "70" : "100"));
    const width = (asOf: string) => {
      const f = forecastMonth({ daily: noisy, month: "2026-04", asOf });
      return new Decimal(f.high).minus(f.low);
    };
    expect(width("2026-04-05").greaterThan(width("2026-04-20"))).toBe(true);
    expect(width("2026-04-20").greaterThan(0)).toBe(true);
  });

  it("refuses invalid input", () => {
    expect(() => forecastMonth({ daily: [], month: "2026-4", asOf: "2026-04-01" })).toThrow(/month/);
    expect(() => forecastMonth({ daily: [], month: "2026-04", asOf: "2026-04-31" })).toThrow(/asOf/);
    expect(() => forecastMonth({ daily: [{ date: "2026-04-01", cost: "1e3" }], month: "2026-04", asOf: "2026-04-02" })).toThrow(/decimal/);
  });

  it("properties: never negative, low ≤ forecast ≤ high, spent ≤ low, days add up, cents", () => {
    const cost = fc.oneof(
      fc.constant("0"),
      fc.integer({ min: 0, max: 10_000_000 }).map((n) => new Decimal(n).div(10_000).toFixed()),
      fc.integer({ min: -50_000, max: 0 }).map((n) => new Decimal(n).div(100).toFixed()),
    );
    fc.assert(
      fc.property(
        fc.array(cost, { minLength: 0, maxLength: 90 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 40 }),
        (costs, startOffset, asOfOffset) => {
          const start = addDays("2026-02-01", -startOffset);
          const daily = costs.map((c, i) => ({ date: addDays(start, i), cost: c }));
          const asOf = addDays("2026-02-01", asOfOffset - 1);
          const f = forecastMonth({ daily, month: "2026-02", asOf });
          const [spent, fc_, low, high] = [f.spent, f.forecast, f.low, f.high].map((s) => {
            expect(s).toMatch(/^\d+\.\d{2}$/);
            return new Decimal(s);
          });
          expect(low.lessThanOrEqualTo(fc_)).toBe(true);
          expect(fc_.lessThanOrEqualTo(high)).toBe(true);
          expect(spent.lessThanOrEqualTo(low)).toBe(true);
          expect(f.daysObserved + f.daysRemaining).toBe(28);
          if (f.daysRemaining === 0) expect([f.forecast, f.low, f.high]).toEqual([f.spent, f.spent, f.spent]);
        },
      ),
    );
  });
});
