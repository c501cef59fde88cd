import { describe, expect, it } from "vitest";
import { INVOICE_AMOUNTS_ACCEPTED, INVOICE_AMOUNTS_REFUSED } from "../../tests/fixtures/invoice-amounts";
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
  it.each(INVOICE_AMOUNTS_ACCEPTED)("accepts %j as %j", (input, value) => expect(parseInvoiceAmount(input)).toBe(value));
  it.each(INVOICE_AMOUNTS_REFUSED)("refuses %j", (input) => {
    expect(() => parseInvoiceAmount(input)).toThrow(`invoice amount must be a decimal number (e.g. 1234.56), got ${JSON.stringify(input)}`);
  });
  it("needs a string", () => expect(() => parseInvoiceAmount(undefined)).toThrow("invoice amount is required"));
});
