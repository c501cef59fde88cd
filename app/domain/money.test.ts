import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate, Decimal, dec, fmt4, fmtExact, scaleOf, sum } from "./money";

/** Random decimal string: optional sign, up to 20 integer digits, up to 10 fraction digits. */
const decimalString = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant("0"), fc.stringMatching(/^[1-9][0-9]{0,19}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,10}$/), { nil: undefined }),
  )
  .map(([neg, int, frac]) => `${neg ? "-" : ""}${int}${frac ? `.${frac}` : ""}`);

const weightList = fc.uniqueArray(
  fc.record({
    key: fc.string({ minLength: 1, maxLength: 6 }),
    weight: fc.oneof(fc.constant("0"), decimalString, fc.stringMatching(/^[0-9]{1,4}(\.[0-9]{1,6})?$/)),
  }),
  { selector: (w) => w.key, minLength: 1, maxLength: 12 },
);

const toWeights = (ws: Array<{ key: string; weight: string }>) => ws.map((w) => ({ key: w.key, weight: dec(w.weight) }));
const totalWeight = (ws: Array<{ key: string; weight: string }>) => sum(ws.map((w) => Decimal.max(dec(w.weight), 0)));

describe("dec / sum / scaleOf / fmt4", () => {
  it("parses exact decimals and rejects everything else", () => {
    expect(dec("-562.29").toFixed(2)).toBe("-562.29");
    expect(dec("0.1").plus(dec("0.2")).eq(dec("0.3"))).toBe(true);
    expect(dec("123456789012345678901234567890.123456789").toFixed()).toBe("123456789012345678901234567890.123456789");
    for (const bad of ["", " 1", "1 ", "1,000", "1e3", "NaN", "Infinity", "abc", "1.2.3", "--1", "$5"]) {
      expect(() => dec(bad), bad).toThrow();
    }
    expect(dec(new Decimal("2.5")).eq(2.5)).toBe(true);
  });

  it("uses precision 50 and ROUND_HALF_UP", () => {
    expect(Decimal.precision).toBe(50);
    expect(Decimal.rounding).toBe(Decimal.ROUND_HALF_UP);
    expect(dec("1").div(3).toFixed()).toBe(`0.${"3".repeat(50)}`);
  });

  it("sum is exact and 0 for empty", () => {
    expect(sum([]).isZero()).toBe(true);
    expect(sum(["0.1", "0.2", "-0.3"].map(dec)).isZero()).toBe(true);
    expect(sum(["1.0001", "2.00009"].map(dec)).toFixed()).toBe("3.00019");
  });

  it("scaleOf counts fraction digits", () => {
    expect(scaleOf(dec("1"))).toBe(0);
    expect(scaleOf(dec("1.50"))).toBe(1);
    expect(scaleOf(dec("-0.0000000001"))).toBe(10);
  });

  it("fmt4 formats with 4 decimals, half up, never -0", () => {
    expect(fmt4(dec("-562.29"))).toBe("-562.2900");
    expect(fmt4(dec("0.00005"))).toBe("0.0001");
    expect(fmt4(dec("-0.00005"))).toBe("-0.0001");
    expect(fmt4(dec("-0.00001"))).toBe("0.0000");
    expect(fmt4(dec("12"))).toBe("12.0000");
    expect(fmtExact(dec("1.123456"))).toBe("1.123456");
    expect(fmtExact(dec("-3"))).toBe("-3.0000");
  });
});

describe("allocate: concrete cases", () => {
  const w = (pairs: Array<[string, string]>) => pairs.map(([key, weight]) => ({ key, weight: dec(weight) }));
  const asObj = (m: Map<string, Decimal> | null) => (m ? Object.fromEntries([...m].map(([k, v]) => [k, v.toFixed()])) : null);

  it("0.0001 split 1:1:1 → the single unit goes to the alphabetically first key", () => {
    // units = 1, exact share 1/3 each, floors 0, remainders all equal → tie → key ascending: "a".
    expect(
      asObj(
        allocate(
          dec("0.0001"),
          w([
            ["c", "1"],
            ["b", "1"],
            ["a", "1"],
          ]),
        ),
      ),
    ).toEqual({ c: "0", b: "0", a: "0.0001" });
    // 0.0002 → a and b.
    expect(
      asObj(
        allocate(
          dec("0.0002"),
          w([
            ["c", "1"],
            ["b", "1"],
            ["a", "1"],
          ]),
        ),
      ),
    ).toEqual({ c: "0", b: "0.0001", a: "0.0001" });
    // negative is symmetric
    expect(
      asObj(
        allocate(
          dec("-0.0001"),
          w([
            ["b", "1"],
            ["a", "1"],
            ["c", "1"],
          ]),
        ),
      ),
    ).toEqual({ b: "0", a: "-0.0001", c: "0" });
  });

  it("largest remainder beats key order", () => {
    // 1 split 1:2 at scale 4: exact 0.33333.., 0.66666.. → units 3333 r1 / 6666 r2 → "z" (larger remainder) gets the unit.
    expect(
      asObj(
        allocate(
          dec("1"),
          w([
            ["a", "1"],
            ["z", "2"],
          ]),
        ),
      ),
    ).toEqual({ a: "0.3333", z: "0.6667" });
  });

  it("ties use plain string compare (uppercase before lowercase)", () => {
    expect(
      asObj(
        allocate(
          dec("0.0001"),
          w([
            ["b", "1"],
            ["B", "1"],
          ]),
        ),
      ),
    ).toEqual({ b: "0", B: "0.0001" });
  });

  it("uses the amount's own scale when finer than 4", () => {
    // 0.000001 split 1:1 at scale 6: one unit, tie → "a".
    expect(
      asObj(
        allocate(
          dec("0.000001"),
          w([
            ["b", "1"],
            ["a", "1"],
          ]),
        ),
      ),
    ).toEqual({ b: "0", a: "0.000001" });
    expect(
      asObj(
        allocate(
          dec("10"),
          w([
            ["a", "1"],
            ["b", "1"],
            ["c", "1"],
          ]),
          { minScale: 2 },
        ),
      ),
    ).toEqual({ a: "3.34", b: "3.33", c: "3.33" });
  });

  it("weights ≤ 0 weigh nothing; zero total → null", () => {
    expect(
      asObj(
        allocate(
          dec("5"),
          w([
            ["a", "-3"],
            ["b", "1"],
            ["c", "0"],
          ]),
        ),
      ),
    ).toEqual({ a: "0", b: "5", c: "0" });
    expect(
      allocate(
        dec("5"),
        w([
          ["a", "-3"],
          ["c", "0"],
        ]),
      ),
    ).toBeNull();
    expect(allocate(dec("0"), w([["a", "0"]]))).toBeNull();
    expect(allocate(dec("5"), [])).toBeNull();
  });

  it("zero amount gives zero parts", () => {
    expect(
      asObj(
        allocate(
          dec("0"),
          w([
            ["a", "1"],
            ["b", "3"],
          ]),
        ),
      ),
    ).toEqual({ a: "0", b: "0" });
  });

  it("rejects duplicate keys", () => {
    expect(() =>
      allocate(
        dec("1"),
        w([
          ["a", "1"],
          ["a", "2"],
        ]),
      ),
    ).toThrow(/duplicate/);
  });

  it("is exact with weights needing more than 50 significant digits", () => {
    const big = "1" + "0".repeat(60) + ".000000001";
    const m = allocate(
      dec("100"),
      w([
        ["a", big],
        ["b", big],
      ]),
    )!;
    expect(m.get("a")!.toFixed()).toBe("50");
    expect(m.get("b")!.toFixed()).toBe("50");
  });
});

describe("allocate: properties", () => {
  it("parts sum exactly to the amount, are on the scale, and within one unit of the exact share", () => {
    fc.assert(
      fc.property(decimalString, weightList, (amountS, ws) => {
        const amount = dec(amountS);
        const W = totalWeight(ws);
        const parts = allocate(amount, toWeights(ws));
        if (W.isZero()) {
          expect(parts).toBeNull();
          return;
        }
        expect(parts).not.toBeNull();
        const scale = Math.max(4, scaleOf(amount));
        const unit = new Decimal(1).div(new Decimal(10).pow(scale));
        expect(sum(parts!.values()).eq(amount)).toBe(true);
        expect([...parts!.keys()]).toEqual(ws.map((x) => x.key));
        for (const x of ws) {
          const part = parts!.get(x.key)!;
          expect(scaleOf(part)).toBeLessThanOrEqual(scale);
          const wt = Decimal.max(dec(x.weight), 0);
          // |part − amount×w/W| < unit  ⇔  |part×W − amount×w| < unit×W (exact, no division)
          const err = part.times(W).minus(amount.times(wt)).abs();
          expect(err.lt(unit.times(W))).toBe(true);
          if (wt.isZero()) expect(part.isZero()).toBe(true);
          // sign follows the amount
          if (!part.isZero()) expect(part.isNegative()).toBe(amount.isNegative());
        }
      }),
      { numRuns: 500 },
    );
  });

  it("permuting the input changes no key's part", () => {
    fc.assert(
      fc.property(
        decimalString,
        weightList.chain((ws) => fc.tuple(fc.constant(ws), fc.shuffledSubarray(ws, { minLength: ws.length, maxLength: ws.length }))),
        (amountS, [ws, shuffled]) => {
          const a = allocate(dec(amountS), toWeights(ws));
          const b = allocate(dec(amountS), toWeights(shuffled));
          if (a === null || b === null) {
            expect(a).toBe(b);
            return;
          }
          for (const x of ws) expect(a.get(x.key)!.eq(b.get(x.key)!)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("negative amounts are the exact mirror of positive ones", () => {
    fc.assert(
      fc.property(decimalString, weightList, (amountS, ws) => {
        const amount = dec(amountS).abs();
        const pos = allocate(amount, toWeights(ws));
        const neg = allocate(amount.neg(), toWeights(ws));
        if (pos === null) {
          expect(neg).toBeNull();
          return;
        }
        for (const x of ws) expect(neg!.get(x.key)!.eq(pos.get(x.key)!.neg())).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("equal weights: parts differ by at most one unit and extra units go to the first keys", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{1,3}\.[0-9]{4}$/),
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 9 }),
        (amountS, keys) => {
          const parts = allocate(
            dec(amountS),
            keys.map((key) => ({ key, weight: dec("1") })),
          )!;
          const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          const vals = sorted.map((k) => parts.get(k)!);
          for (let i = 1; i < vals.length; i++) expect(vals[i - 1].gte(vals[i])).toBe(true);
          expect(vals[0].minus(vals[vals.length - 1]).lte("0.0001")).toBe(true);
        },
      ),
    );
  });
});
