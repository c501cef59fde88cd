import { describe, expect, it } from "vitest";
import { formatNumber, formatPercent, formatUsd } from "./format";

describe("formatUsd", () => {
  it("groups thousands and rounds half-up from strings", () => {
    expect(formatUsd("1234567.891")).toBe("$1,234,567.89");
    expect(formatUsd("0.005")).toBe("$0.01");
    expect(formatUsd("999.995")).toBe("$1,000.00");
    expect(formatUsd("12")).toBe("$12.00");
  });
  it("keeps precision beyond float range", () => {
    expect(formatUsd("12345678901234567890.125")).toBe("$12,345,678,901,234,567,890.13");
    expect(formatUsd("0.1000000000000000055511151231257827", { decimals: 4 })).toBe("$0.1000");
  });
  it("handles negatives, zero and options", () => {
    expect(formatUsd("-12.5")).toBe("-$12.50");
    expect(formatUsd("-0.001")).toBe("$0.00");
    expect(formatUsd("-1234.5", { accounting: true })).toBe("($1,234.50)");
    expect(formatUsd("3", { signed: true })).toBe("+$3.00");
    expect(formatUsd("", {})).toBe("—");
    expect(formatUsd(null)).toBe("—");
  });
  it("formats plain numbers and percentages", () => {
    expect(formatNumber("1234.5678", 4)).toBe("1,234.5678");
    expect(formatPercent("0.8734")).toBe("87.3%");
    expect(formatPercent("1")).toBe("100.0%");
  });
});
