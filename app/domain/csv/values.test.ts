import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  bucketEnd,
  dayDiff,
  isFirstOfMonth,
  isMonday,
  isoWeekday,
  parseBucketTimestamp,
  parseDate,
  parseDecimal,
  startOfMonth,
  startOfWeek,
} from "./values";

describe("parseDecimal", () => {
  it.each([
    ["0", "0"],
    ["12.50", "12.5"],
    ["1.", "1"],
    ["-0.50", "-0.5"],
    [".5", "0.5"],
    ["-.5", "-0.5"],
    ["-0", "0"],
    ["  3.25 ", "3.25"],
    ["000123.4500", "123.45"],
    ["0.000000000000000000000000000001", "0.000000000000000000000000000001"],
    ["123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"],
  ])("accepts %j as %j", (input, value) => {
    expect(parseDecimal(input)).toEqual({ ok: true, value });
  });

  it.each([
    "1,000.00",
    "12,50",
    "1e3",
    "1E-2",
    "+1",
    "",
    "   ",
    "-",
    ".",
    "-.",
    "1.2.3",
    "abc",
    "NaN",
    "Infinity",
    "$1",
    "1 000",
    "--1",
    "0x10",
  ])("rejects %j", (input) => {
    const r = parseDecimal(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/decimal|empty/);
  });

  it("property: value equals Decimal's normalization and round-trips exactly", () => {
    const digits = (min: number, max: number) =>
      fc.array(fc.constantFrom(..."0123456789".split("")), { minLength: min, maxLength: max }).map((a) => a.join(""));
    const decimalString = fc
      .tuple(fc.boolean(), digits(0, 30), fc.boolean(), digits(0, 30))
      .filter(([, i, dot, f]) => i.length > 0 || (dot && f.length > 0))
      .map(([neg, i, dot, f]) => `${neg ? "-" : ""}${i}${dot ? `.${f}` : ""}`);
    fc.assert(
      fc.property(decimalString, (s) => {
        const r = parseDecimal(s);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value).toBe(new Decimal(s).toFixed());
        // the normalized value is itself accepted, is a fixed point, and equals the input exactly
        const again = parseDecimal(r.value);
        expect(again).toEqual({ ok: true, value: r.value });
        expect(new Decimal(r.value).eq(new Decimal(s))).toBe(true);
        expect(r.value).not.toMatch(/e/i);
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseBucketTimestamp", () => {
  it.each([
    ["2026-04-01", "2026-04-01"],
    ["2026-04-01T00:00:00Z", "2026-04-01"],
    ["2026-04-01T00:00:00.000Z", "2026-04-01"],
    ["2026-04-01T00:00:00.000000000Z", "2026-04-01"],
    ["2026-04-01 00:00:00+00:00", "2026-04-01"],
    ["2026-04-01 00:00:00+0000", "2026-04-01"],
    ["2026-04-01 00:00:00+00", "2026-04-01"],
    ["2026-04-01T00:00:00", "2026-04-01"],
    ["2026-04-01 00:00:00.0-00:00", "2026-04-01"],
    [" 2026-04-01T00:00:00Z ", "2026-04-01"],
    // offsets are converted to UTC
    ["2026-04-01T02:00:00+02:00", "2026-04-01"],
    ["2026-03-31T22:00:00-02:00", "2026-04-01"],
    ["2026-03-31T19:30:00-0430", "2026-04-01"],
    ["2027-01-01T05:00:00+05", "2027-01-01"],
    ["2026-12-31T20:00:00-04:00", "2027-01-01"],
    ["2024-02-29", "2024-02-29"],
  ])("accepts %j as %s", (input, value) => {
    expect(parseBucketTimestamp(input)).toEqual({ ok: true, value });
  });

  it.each([
    ["2026-04-01T01:00:00Z", /00:00:00 UTC/],
    ["2026-04-01T00:00:01Z", /00:00:00 UTC/],
    ["2026-04-01T00:00:00.001Z", /00:00:00 UTC/],
    ["2026-04-01T00:00:00+02:00", /00:00:00 UTC/],
    ["2026-04-01 00:30:00+00:00", /00:00:00 UTC/],
    ["2026-02-30", /calendar/],
    ["2025-02-29", /calendar/],
    ["2026-13-01", /calendar/],
    ["2026-04-31T00:00:00Z", /calendar/],
    ["April 1", /not a timestamp/],
    ["2026/04/01", /not a timestamp/],
    ["20260401", /not a timestamp/],
    ["2026-4-1", /not a timestamp/],
    ["", /not a timestamp/],
    ["2026-04-01T24:00:00Z", /time of day/],
    ["2026-04-01T00:00:00+25:00", /offset/],
    ["2026-04-01T00:00Z", /not a timestamp/],
    ["2026-04-01T00:00:00 UTC", /not a timestamp/],
  ])("rejects %j", (input, reason) => {
    const r = parseBucketTimestamp(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe("parseDate", () => {
  it("accepts calendar dates only", () => {
    expect(parseDate("2026-04-01")).toEqual({ ok: true, value: "2026-04-01" });
    expect(parseDate("2024-02-29")).toEqual({ ok: true, value: "2024-02-29" });
    expect(parseDate("2026-02-29").ok).toBe(false);
    expect(parseDate("2026-04-01T00:00:00Z").ok).toBe(false);
    expect(parseDate("01/04/2026").ok).toBe(false);
    expect(parseDate("").ok).toBe(false);
  });
});

describe("date helpers", () => {
  it("addDays crosses months, years and leap days", () => {
    expect(addDays("2026-04-30", 1)).toBe("2026-05-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2000-02-28", 1)).toBe("2000-02-29");
    expect(addDays("1900-02-28", 1)).toBe("1900-03-01");
    expect(addDays("2026-04-01", 365)).toBe("2027-04-01");
  });

  it("weekday, Monday and 1st", () => {
    expect(isoWeekday("1970-01-01")).toBe(4);
    expect(isoWeekday("2026-04-06")).toBe(1);
    expect(isMonday("2026-04-06")).toBe(true);
    expect(isMonday("2026-04-01")).toBe(false);
    expect(isMonday("1969-12-29")).toBe(true);
    expect(isFirstOfMonth("2026-04-01")).toBe(true);
    expect(isFirstOfMonth("2026-04-02")).toBe(false);
  });

  it("dayDiff, startOfWeek, startOfMonth", () => {
    expect(dayDiff("2026-04-01", "2026-04-08")).toBe(7);
    expect(dayDiff("2026-04-08", "2026-04-01")).toBe(-7);
    expect(dayDiff("2026-02-01", "2026-03-01")).toBe(28);
    expect(startOfWeek("2026-04-01")).toBe("2026-03-30");
    expect(startOfWeek("2026-04-05")).toBe("2026-03-30");
    expect(startOfWeek("2026-04-06")).toBe("2026-04-06");
    expect(startOfMonth("2026-04-17")).toBe("2026-04-01");
  });

  it("bucketEnd is exclusive", () => {
    expect(bucketEnd("2026-04-30", "daily")).toBe("2026-05-01");
    expect(bucketEnd("2026-03-30", "weekly")).toBe("2026-04-06");
    expect(bucketEnd("2026-04-01", "monthly")).toBe("2026-05-01");
    expect(bucketEnd("2026-12-01", "monthly")).toBe("2027-01-01");
  });

  it("property: addDays agrees with Date.UTC arithmetic and weekday with getUTCDay", () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 2_500_000 }), fc.integer({ min: -1000, max: 1000 }), (day, n) => {
        const iso = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
        const d = iso(day);
        expect(addDays(d, n)).toBe(iso(day + n));
        expect(dayDiff(d, iso(day + n))).toBe(n);
        expect(isoWeekday(d) % 7).toBe(new Date(day * 86_400_000).getUTCDay());
      }),
    );
  });
});
