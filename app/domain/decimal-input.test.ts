/**
 * The one decimal parser of the app (app/domain/money.ts): every decimal typed by a user goes
 * through `parseDecimal`; the org tolerance through `parseNonNegativeDecimal`, for the admin
 * page and `npm run orgs -- set --tolerance` alike (tests/integration/tolerance-parity.test.ts
 * checks both adapters end to end against this same table).
 */
import { describe, expect, it } from "vitest";
import { parseDecimal as csvParseDecimal } from "./csv/values";
import { TOLERANCE_CASES } from "../../tests/fixtures/tolerance-cases";
import { isDecimalString, parseDecimal, parseNonNegativeDecimal } from "./money";

describe("parseNonNegativeDecimal (the org tolerance)", () => {
  it.each(TOLERANCE_CASES)("%j → accepted %s", (input, ok, value) => {
    const r = parseNonNegativeDecimal(input);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.value).toBe(value);
    else expect(r.reason).toMatch(/decimal|empty|negative/);
  });

  it("refuses a negative amount with its own reason, and accepts what parseDecimal accepts otherwise", () => {
    const neg = parseNonNegativeDecimal("-0.01");
    expect(neg).toEqual({ ok: false, reason: "is negative, expected a decimal ≥ 0" });
    for (const [input] of TOLERANCE_CASES) {
      const p = parseDecimal(input);
      const t = parseNonNegativeDecimal(input);
      if (!input.trim().startsWith("-")) expect(t).toEqual(p);
      else expect(t.ok).toBe(false);
    }
  });
});

describe("one decimal rule", () => {
  it("the CSV validators use the very same parser (re-export, not a copy)", () => {
    expect(csvParseDecimal).toBe(parseDecimal);
  });

  it("isDecimalString (used by dec) is parseDecimal without trimming, plus an optional leading +", () => {
    const inputs = ["0.01", ".5", "1.", "-0.01", "-.5", "+1", "+.5", "1e-2", "0,01", " 0.01", "", "-", ".", "+", "+-1", "--1", "1.2.3"];
    for (const s of inputs) {
      const body = s.startsWith("+") ? s.slice(1) : s;
      const expected = body === body.trim() && parseDecimal(body).ok;
      expect(isDecimalString(s), JSON.stringify(s)).toBe(expected);
    }
  });
});
