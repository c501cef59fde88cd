import { describe, expect, it } from "vitest";
import { InputError } from "./errors";
import { assertMonth, parseInvoiceAmount } from "./month-end";

describe("assertMonth", () => {
  it("returns a YYYY-MM month", () => expect(assertMonth("2026-04")).toBe("2026-04"));
  it.each(["2026-4", "2026-13", "", null, 202604])("refuses %j with the month field", (m) => {
    expect(() => assertMonth(m)).toThrow(InputError);
    expect(() => assertMonth(m)).toThrow(`month must be YYYY-MM, got ${JSON.stringify(m)}`);
    try {
      assertMonth(m);
    } catch (e) {
      expect((e as InputError).field).toBe("month");
    }
  });
});

describe("parseInvoiceAmount", () => {
  it.each([
    ["1234.56", "1234.56"],
    [" $1,234.50 ", "1234.50"],
    ["+12", "12"],
    ["-5.5", "-5.5"],
    [".5", ".5"],
  ])("accepts %j as %j", (input, value) => expect(parseInvoiceAmount(input)).toBe(value));
  it.each(["", "   ", "1e3", "12,5", "$ 12", "+-5", "+", "abc", "1.2.3", "NaN"])("refuses %j", (input) => {
    expect(() => parseInvoiceAmount(input)).toThrow(`invoice amount must be a decimal number (e.g. 1234.56), got ${JSON.stringify(input)}`);
  });
  it("needs a string", () => expect(() => parseInvoiceAmount(undefined)).toThrow("invoice amount is required"));
});
