import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeOwners, generateExportRecords } from "../../scripts/lib/generator";
import { detectAnomalies, mad, median, moversDelta, topMovers, type DailyPoint, type MoverRow } from "./anomalies";
import { Decimal } from "./money";
import { addDays, daysInRange, isoWeekday } from "./periods";

const D = (s: string | number) => new Decimal(s);
const series = (from: string, n: number, cost: (i: number, d: string) => string): DailyPoint[] =>
  Array.from({ length: n }, (_, i) => ({ date: addDays(from, i), cost: cost(i, addDays(from, i)) }));
/** A deterministic wiggle of ±5 around 100. */
const wiggle = (i: number) =>
  D(100)
    .plus(D((i * 37) % 11).minus(5))
    .toFixed();

describe("median and MAD", () => {
  it("odd, even and empty", () => {
    expect(median([D(3), D(1), D(2)]).toFixed()).toBe("2");
    expect(median([D(4), D(1), D(2), D(3)]).toFixed()).toBe("2.5");
    expect(median([]).toFixed()).toBe("0");
    expect(mad([D(1), D(1), D(2), D(2), D(4), D(6), D(9)]).toFixed()).toBe("1");
  });
  it("the median is robust: changing fewer than half the values moves it within the others' range", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 29 }),
        fc.integer({ min: 10 ** 6, max: 10 ** 9 }),
        (xs, big) => {
          const m = median(xs.map(D));
          const k = Math.floor((xs.length - 1) / 2);
          const spoiled = xs.map((x, i) => (i < k ? big : x));
          const m2 = median(spoiled.map(D));
          expect(m2.lessThanOrEqualTo(Math.max(...xs))).toBe(true);
          expect(m.lessThanOrEqualTo(Math.max(...xs))).toBe(true);
        },
      ),
    );
  });
});

describe("detectAnomalies", () => {
  it("flags an injected spike and an injected drop, with baseline, MAD and score", () => {
    const s = series("2026-03-01", 50, (i) => (i === 40 ? "300" : i === 45 ? "20" : wiggle(i)));
    const a = detectAnomalies(s);
    expect(a.map((x) => [x.date, x.direction])).toEqual([
      [addDays("2026-03-01", 40), "spike"],
      [addDays("2026-03-01", 45), "drop"],
    ]);
    expect(a[0]).toMatchObject({ cost: "300.0000", baseline: "100.0000" });
    const sigma = D(a[0].mad).times("1.4826");
    expect(a[0].score).toBe(Number(D(200).div(sigma).toDecimalPlaces(2).toFixed(2)));
    expect(a[0].score).toBeGreaterThanOrEqual(4);
  });

  it("a steady noisy series is not flagged", () => {
    expect(detectAnomalies(series("2026-01-01", 120, (i) => wiggle(i)))).toEqual([]);
  });

  it("needs 14 days of history in the trailing 28", () => {
    const s = series("2026-03-01", 20, (i) => (i === 10 ? "1000" : i === 16 ? "1000" : "100"));
    expect(detectAnomalies(s).map((x) => x.date)).toEqual([addDays("2026-03-01", 16)]);
    // days without a row are no history
    const gappy = s.filter((_, i) => i % 2 === 0 || i === 16);
    expect(detectAnomalies(gappy)).toEqual([]);
    // only the trailing 28 days count
    const old = [...series("2026-01-01", 20, () => "100"), ...series("2026-02-20", 1, () => "1000")];
    expect(detectAnomalies(old)).toEqual([]);
  });

  it("minimum deltas keep flat and near-zero series quiet; a MAD of 0 still gives a finite score", () => {
    expect(detectAnomalies(series("2026-03-01", 40, (i) => (i === 30 ? "0.09" : "0.02")))).toEqual([]);
    expect(detectAnomalies(series("2026-03-01", 40, (i) => (i === 30 ? "115" : "100")))).toEqual([]); // < 20 % of the median
    expect(detectAnomalies(series("2026-03-01", 40, (i) => (i === 30 ? "5.5" : "5")))).toEqual([]); // < $1
    const steady = detectAnomalies(series("2026-03-01", 40, (i) => (i === 30 ? "130" : "100")));
    expect(steady).toHaveLength(1);
    expect(steady[0]).toMatchObject({ mad: "0.0000", direction: "spike", score: 30 }); // σ floored at 1 % of the median
    expect(Number.isFinite(steady[0].score)).toBe(true);
  });

  it("options: threshold, minimum deltas, window, and the weekday baseline", () => {
    const s = series("2026-03-01", 40, (i) => (i === 35 ? "112" : wiggle(i)));
    expect(detectAnomalies(s)).toEqual([]);
    expect(detectAnomalies(s, { minDeltaPct: 5, threshold: 2 }).map((x) => x.date)).toEqual([addDays("2026-03-01", 35)]);
    // weekends at half: plain medians see Saturdays as drops of a weekday baseline only when the MAD is narrow
    const weekly = series("2026-03-02", 70, (i, d) => (isoWeekday(d) >= 6 ? D(wiggle(i)).div(2).toFixed() : wiggle(i)));
    expect(detectAnomalies(weekly, { seasonality: "weekday" })).toEqual([]);
    const spikeOnSaturday = weekly.map((p) => (p.date === "2026-04-25" ? { ...p, cost: "100" } : p));
    expect(detectAnomalies(spikeOnSaturday, { seasonality: "weekday" }).map((x) => [x.date, x.direction])).toEqual([
      ["2026-04-25", "spike"],
    ]);
    expect(() => detectAnomalies(s, { threshold: 0 })).toThrow(/threshold/);
  });

  it("sums rows of one day, validates input", () => {
    const s = [...series("2026-03-01", 30, () => "50"), ...series("2026-03-01", 30, () => "50")];
    expect(detectAnomalies(s)).toEqual([]);
    expect(() => detectAnomalies([{ date: "2026-02-30", cost: "1" }])).toThrow(/date/);
  });

  it("property: scaling every cost by k > 0 scales baseline and MAD, and keeps the flagged days when the deltas stay above the minimum", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1000, max: 5000 }), { minLength: 30, maxLength: 60 }),
        fc.integer({ min: 2, max: 9 }),
        (xs, k) => {
          const s = xs.map((x, i) => ({ date: addDays("2026-01-01", i), cost: String(x) }));
          const sk = xs.map((x, i) => ({ date: addDays("2026-01-01", i), cost: String(x * k) }));
          const a = detectAnomalies(s);
          const b = detectAnomalies(sk);
          expect(b.map((x) => x.date)).toEqual(a.map((x) => x.date));
          a.forEach((x, i) => expect(D(b[i].baseline).eq(D(x.baseline).times(k))).toBe(true));
        },
      ),
    );
  });
});

describe("topMovers", () => {
  const row = (ownerId: string, metric: string, resourceId: string, cost: string): MoverRow => ({ ownerId, metric, resourceId, cost });

  it("compares each (owner, metric, resource) with its median over the baseline days, by |delta|", () => {
    const base = [
      [row("sa-1", "KafkaNetworkRead", "lkc-1", "10"), row("sa-2", "KafkaStorage", "lkc-1", "5")],
      [row("sa-1", "KafkaNetworkRead", "lkc-1", "12"), row("sa-2", "KafkaStorage", "lkc-1", "5"), row("sa-3", "Flink", "lfcp-1", "7")],
      [row("sa-1", "KafkaNetworkRead", "lkc-1", "11"), row("sa-2", "KafkaStorage", "lkc-1", "5")],
    ];
    const day = [
      row("sa-1", "KafkaNetworkRead", "lkc-1", "40"),
      row("sa-1", "KafkaNetworkRead", "lkc-1", "1"), // rows of one key are added up
      row("sa-2", "KafkaStorage", "lkc-1", "5"),
      row("sa-4", "KafkaNetworkWrite", "lkc-2", "-3"),
    ];
    expect(topMovers(day, base)).toEqual([
      { ownerId: "sa-1", metric: "KafkaNetworkRead", resourceId: "lkc-1", cost: "41.0000", baseline: "11.0000", delta: "30.0000" },
      { ownerId: "sa-4", metric: "KafkaNetworkWrite", resourceId: "lkc-2", cost: "-3.0000", baseline: "0.0000", delta: "-3.0000" },
    ]);
    // sa-3 was there one day in three: its median is 0, so its absence is no move
    expect(topMovers([], base)).toEqual([
      { ownerId: "sa-1", metric: "KafkaNetworkRead", resourceId: "lkc-1", cost: "0.0000", baseline: "11.0000", delta: "-11.0000" },
      { ownerId: "sa-2", metric: "KafkaStorage", resourceId: "lkc-1", cost: "0.0000", baseline: "5.0000", delta: "-5.0000" },
    ]);
    expect(topMovers(day, base, { limit: 1 })).toHaveLength(1);
    expect(moversDelta(topMovers(day, base))).toBe("27.0000");
  });
});

describe("an anomaly injected into generated data", () => {
  // ~2 months of one generated org, daily; each team's daily spend from the generator's suggested team per owner
  const opts = { org: "org-a", granularity: "daily" as const, from: "2026-03-01", to: "2026-04-30", seed: 7, principals: 14, clusters: 2 };
  const teamOf = new Map(describeOwners(opts).map((o) => [o.ownerId, o.suggestedTeam]));
  type Row = MoverRow & { date: string; team: string; cost: string };
  const rows: Row[] = [];
  for (const r of generateExportRecords({ ...opts, timestampFormat: "date" })) {
    const team = teamOf.get(r[1]);
    if (!team) continue; // the unallocated row
    rows.push({ date: r[0], team, ownerId: r[1], resourceId: r[3], metric: r[5], cost: r[7] });
  }
  const teamSeries = (rs: Row[], team: string): DailyPoint[] =>
    daysInRange(opts.from, addDays(opts.to, 1)).map((date) => ({
      date,
      cost: rs
        .filter((r) => r.team === team && r.date === date)
        .reduce((a, r) => a.plus(r.cost), D(0))
        .toFixed(),
    }));

  it("is flagged on its day, with the injected principal, metric and resource as the top mover", () => {
    const day = "2026-04-20";
    const team = "payments";
    const victim = rows.find((r) => r.team === team && r.date === day && r.metric.includes("Write"))!;
    expect(victim).toBeDefined();
    expect(detectAnomalies(teamSeries(rows, team))).toEqual([]); // quiet before the injection
    const injected = rows.map((r) => (r === victim ? { ...r, cost: D(r.cost).plus(150).toFixed() } : r));

    const flagged = detectAnomalies(teamSeries(injected, team));
    expect(flagged.map((a) => [a.date, a.direction])).toEqual([[day, "spike"]]);

    const ofTeam = (date: string) => injected.filter((r) => r.team === team && r.date === date);
    const baselineDays = Array.from({ length: 28 }, (_, i) => ofTeam(addDays(day, -28 + i)));
    const movers = topMovers(ofTeam(day), baselineDays);
    expect(movers[0]).toMatchObject({ ownerId: victim.ownerId, metric: victim.metric, resourceId: victim.resourceId });
    expect(D(movers[0].delta).greaterThan(140)).toBe(true);
    expect(D(movers[0].delta).abs().greaterThan(D(movers[1].delta).abs().times(5))).toBe(true);
  });
});
