import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  chooseSources,
  dayDiff,
  daysInRange,
  fromDayNumber,
  isoWeekday,
  isPeriodStart,
  isValidDate,
  monthOf,
  monthRange,
  periodEnd,
  periodStart,
  startOfMonth,
  startOfWeek,
  toDayNumber,
  type Granularity,
  type StoredBucket,
} from "./periods";

describe("day arithmetic", () => {
  it("converts to and from day numbers", () => {
    expect(toDayNumber("1970-01-01")).toBe(0);
    expect(toDayNumber("2000-03-01")).toBe(11017);
    expect(fromDayNumber(-1)).toBe("1969-12-31");
    expect(fromDayNumber(20543)).toBe("2026-03-31");
  });

  it("agrees with Date.UTC on random days (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -25000, max: 60000 }), (n) => {
        const iso = new Date(n * 86_400_000).toISOString().slice(0, 10);
        expect(fromDayNumber(n)).toBe(iso);
        expect(toDayNumber(iso)).toBe(n);
        expect(isoWeekday(iso)).toBe(((new Date(n * 86_400_000).getUTCDay() + 6) % 7) + 1);
      }),
    );
  });

  it("adds days across months, years and leap days", () => {
    expect(addDays("2026-01-31", 1)).toBe("2026-02-01");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(dayDiff("2026-04-01", "2026-05-01")).toBe(30);
    expect(dayDiff("2026-05-01", "2026-04-01")).toBe(-30);
  });

  it("validates dates", () => {
    expect(isValidDate("2024-02-29")).toBe(true);
    expect(isValidDate("2026-02-29")).toBe(false);
    expect(isValidDate("1900-02-29")).toBe(false);
    expect(isValidDate("2000-02-29")).toBe(true);
    expect(isValidDate("2026-4-1")).toBe(false);
    expect(isValidDate("2026-04-31")).toBe(false);
    expect(() => addDays("2026-13-01", 1)).toThrow(/invalid date/);
  });
});

describe("periods", () => {
  it("startOfWeek is the ISO Monday", () => {
    expect(startOfWeek("2026-04-01")).toBe("2026-03-30"); // Wednesday → Monday before
    expect(startOfWeek("2026-03-30")).toBe("2026-03-30"); // Monday
    expect(startOfWeek("2026-04-05")).toBe("2026-03-30"); // Sunday belongs to the week before
    expect(startOfWeek("2027-01-01")).toBe("2026-12-28"); // across a year
    expect(isoWeekday("2026-03-30")).toBe(1);
    expect(isoWeekday("2026-04-05")).toBe(7);
  });

  it("periodStart / periodEnd (exclusive)", () => {
    const cases: Array<[string, Granularity, string, string]> = [
      ["2026-04-17", "daily", "2026-04-17", "2026-04-18"],
      ["2026-04-17", "weekly", "2026-04-13", "2026-04-20"],
      ["2026-04-17", "monthly", "2026-04-01", "2026-05-01"],
      ["2026-12-31", "monthly", "2026-12-01", "2027-01-01"],
      ["2024-02-10", "monthly", "2024-02-01", "2024-03-01"],
    ];
    for (const [d, g, s, end] of cases) {
      expect(periodStart(d, g), `${d} ${g}`).toBe(s);
      expect(periodEnd(d, g), `${d} ${g}`).toBe(end);
    }
    expect(startOfMonth("2026-04-17")).toBe("2026-04-01");
    expect(isPeriodStart("2026-04-13", "weekly")).toBe(true);
    expect(isPeriodStart("2026-04-14", "weekly")).toBe(false);
    expect(isPeriodStart("2026-04-01", "monthly")).toBe(true);
  });

  it("months and day ranges", () => {
    expect(monthOf("2026-04-17")).toBe("2026-04");
    expect(monthRange("2026-02")).toEqual({ from: "2026-02-01", to: "2026-03-01" });
    expect(monthRange("2026-12")).toEqual({ from: "2026-12-01", to: "2027-01-01" });
    expect(() => monthRange("2026-13")).toThrow();
    expect(() => monthRange("2026-4")).toThrow();
    expect(daysInRange("2024-02-27", "2024-03-02")).toEqual(["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]);
    expect(daysInRange("2026-04-01", "2026-04-01")).toEqual([]);
    expect(daysInRange(...(Object.values(monthRange("2026-04")) as [string, string]))).toHaveLength(30);
  });
});

describe("chooseSources", () => {
  const days = (orgId: string, from: string, to: string): StoredBucket[] =>
    daysInRange(from, to).map((bucketStart) => ({ orgId, granularity: "daily", bucketStart }));
  const available: StoredBucket[] = [
    // org-a: monthly April AND daily April (monthly wins for a monthly view); daily May only.
    { orgId: "org-a", granularity: "monthly", bucketStart: "2026-04-01" },
    ...days("org-a", "2026-04-01", "2026-05-01"),
    ...days("org-a", "2026-05-01", "2026-05-04"),
    // org-b: weekly only (weeks of 2026-03-30 and 2026-04-06), plus daily for 2026-04-06..08
    { orgId: "org-b", granularity: "weekly", bucketStart: "2026-03-30" },
    { orgId: "org-b", granularity: "weekly", bucketStart: "2026-04-06" },
    ...days("org-b", "2026-04-06", "2026-04-09"),
    { orgId: "org-b", granularity: "daily", bucketStart: "2026-04-14" },
  ];

  it("monthly view: monthly import if present, else daily; weekly never rolls into monthly", () => {
    const plan = chooseSources(available, "monthly");
    expect(plan.choices).toEqual([
      { orgId: "org-a", periodStart: "2026-04-01", source: "monthly" },
      { orgId: "org-a", periodStart: "2026-05-01", source: "daily" },
      { orgId: "org-b", periodStart: "2026-04-01", source: "daily" },
    ]);
    expect(plan.uncovered).toEqual([{ orgId: "org-b", periodStart: "2026-03-01", granularities: ["weekly"] }]);
    expect(plan.includes({ orgId: "org-a", granularity: "daily", bucketStart: "2026-04-10" })).toBe(false);
    expect(plan.includes({ orgId: "org-a", granularity: "monthly", bucketStart: "2026-04-01" })).toBe(true);
    expect(plan.includes({ orgId: "org-a", granularity: "daily", bucketStart: "2026-05-02" })).toBe(true);
    expect(plan.includes({ orgId: "org-b", granularity: "weekly", bucketStart: "2026-04-06" })).toBe(false);
    expect(plan.sourceFor("org-b", "2026-03-01")).toBeNull();
    // nothing is counted twice: each kept bucket belongs to exactly one chosen (org, period) with one granularity
    const kept = available.filter(plan.includes);
    expect(kept.filter((b) => b.orgId === "org-a" && b.bucketStart < "2026-05-01")).toEqual([available[0]]);
    expect(kept).toHaveLength(1 + 3 + 3 + 1);
  });

  it("weekly view: weekly buckets if present, else daily rolled up", () => {
    const plan = chooseSources(available, "weekly");
    const b = plan.choices.filter((c) => c.orgId === "org-b");
    expect(b).toEqual([
      { orgId: "org-b", periodStart: "2026-03-30", source: "weekly" },
      { orgId: "org-b", periodStart: "2026-04-06", source: "weekly" },
      { orgId: "org-b", periodStart: "2026-04-13", source: "daily" },
    ]);
    expect(plan.includes({ orgId: "org-b", granularity: "daily", bucketStart: "2026-04-07" })).toBe(false);
    expect(plan.includes({ orgId: "org-b", granularity: "daily", bucketStart: "2026-04-14" })).toBe(true);
    // monthly rows never feed a weekly view
    expect(plan.includes({ orgId: "org-a", granularity: "monthly", bucketStart: "2026-04-01" })).toBe(false);
    expect(plan.choices.filter((c) => c.orgId === "org-a").every((c) => c.source === "daily")).toBe(true);
    expect(plan.viewPeriodOf("2026-04-01")).toBe("2026-03-30");
  });

  it("daily view uses daily only", () => {
    const plan = chooseSources(available, "daily");
    expect(plan.choices.every((c) => c.source === "daily")).toBe(true);
    expect(plan.choices).toHaveLength(30 + 3 + 3 + 1);
    expect(plan.includes({ orgId: "org-a", granularity: "monthly", bucketStart: "2026-04-01" })).toBe(false);
    expect(plan.uncovered.map((u) => `${u.orgId} ${u.periodStart}`)).toEqual(["org-b 2026-03-30"]); // 04-06 has daily data
  });

  it("accepts ISO instants as bucket starts", () => {
    const plan = chooseSources([{ orgId: "o", granularity: "monthly", bucketStart: "2026-04-01T00:00:00Z" }], "monthly");
    expect(plan.choices).toEqual([{ orgId: "o", periodStart: "2026-04-01", source: "monthly" }]);
  });
});
