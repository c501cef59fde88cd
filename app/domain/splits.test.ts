import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "./errors";
import { dec, Decimal, sum } from "./money";
import {
  formatSplitObject,
  formatSplitText,
  parseSplitObject,
  parseSplitText,
  requireSplitText,
  sameSplit,
  splitAmount,
  validateSplit,
  type Split,
  type SplitResult,
} from "./splits";

const ok = (r: SplitResult): Split => {
  if (!r.ok) throw new Error(`expected a valid split, got ${JSON.stringify(r.errors)}`);
  return r.split;
};
const messages = (r: SplitResult): string[] => (r.ok ? [] : r.errors.map((e) => e.message));

describe("parseSplitText", () => {
  it("parses team:pct parts in order, normalising percentages", () => {
    expect(ok(parseSplitText("payments:60;search:40"))).toEqual([
      { team: "payments", pct: "60" },
      { team: "search", pct: "40" },
    ]);
    expect(ok(parseSplitText(" search : 40.00 ; payments:60 "))).toEqual([
      { team: "search", pct: "40" },
      { team: "payments", pct: "60" },
    ]);
    expect(ok(parseSplitText("a:33.3333;b:33.3333;c:33.3334")).map((s) => s.pct)).toEqual(["33.3333", "33.3333", "33.3334"]);
    expect(ok(parseSplitText("solo:100"))).toEqual([{ team: "solo", pct: "100" }]);
  });

  it("splits team and percentage at the last colon", () => {
    expect(ok(parseSplitText("ns:payments:50;search:50"))[0]).toEqual({ team: "ns:payments", pct: "50" });
  });

  it("refuses malformed text with precise messages", () => {
    expect(messages(parseSplitText(""))).toEqual(["split is empty, expected team:percent parts such as payments:60;search:40"]);
    const emptyPart = (n: number) => `part ${n} of the split is empty (parts are team:percent separated by ";")`;
    expect(messages(parseSplitText("payments:60;;search:40"))).toEqual([emptyPart(2)]);
    expect(messages(parseSplitText("payments:60;search:40;"))).toEqual([emptyPart(3)]);
    expect(messages(parseSplitText("payments=60;search:40"))).toEqual(['part 1 "payments=60" is not team:percent']);
  });

  it("refuses bad percentages, bad teams and a wrong sum", () => {
    expect(messages(parseSplitText("a:60;b:30"))).toEqual(["the percentages sum to 90, not 100"]);
    expect(messages(parseSplitText("a:60.00001;b:39.99999"))).toEqual([
      'percentage 60.00001 has more than 4 decimals (team "a")',
      'percentage 39.99999 has more than 4 decimals (team "b")',
    ]);
    expect(messages(parseSplitText("a:100;b:0"))).toEqual(['percentage 0 must be more than 0 (team "b")']);
    expect(messages(parseSplitText("a:-10;b:110"))).toEqual(['percentage "-10" is not a decimal number such as 60 or 12.5 (team "a")']);
    expect(messages(parseSplitText("a:1e2"))).toEqual(['percentage "1e2" is not a decimal number such as 60 or 12.5 (team "a")']);
    expect(messages(parseSplitText("a:50;a:50"))).toEqual(['team "a" is listed twice (parts 1 and 2)']);
    expect(messages(parseSplitText(":50;b:50"))).toEqual(["team name is empty"]);
    expect(messages(parseSplitText("unmapped:50;b:50"))).toEqual([
      'team "unmapped" is a pseudo-team (unmapped, unallocated, other teams): no entry, rule or split can name it',
    ]);
  });

  it("locates each problem by part and team", () => {
    const r = parseSplitText("a:50;a:40;c:x");
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.map((e) => `${e.part}:${e.team}`)).toEqual(["2:a", "3:c"]);
  });

  it("requireSplitText throws one InputError with every problem", () => {
    expect(() => requireSplitText("a:50;a:40")).toThrow(InputError);
    try {
      requireSplitText("a:50;a:40", "team");
    } catch (e) {
      expect((e as InputError).field).toBe("team");
      expect((e as InputError).message).toBe('team "a" is listed twice (parts 1 and 2); the percentages sum to 90, not 100');
    }
  });
});

describe("parseSplitObject", () => {
  it("parses team → decimal string in key order", () => {
    expect(ok(parseSplitObject({ payments: "60", search: "40" }))).toEqual([
      { team: "payments", pct: "60" },
      { team: "search", pct: "40" },
    ]);
  });

  it("refuses numbers, non-objects and bad shares", () => {
    expect(messages(parseSplitObject({ payments: 60, search: "40" }))).toEqual([
      'percentage of team "payments" must be a decimal string such as "60" or "12.5", not the number 60',
    ]);
    const notObject = 'a split is an object of team → percentage, e.g. { "payments": "60", "search": "40" }';
    expect(messages(parseSplitObject(["a", "b"]))).toEqual([notObject]);
    expect(messages(parseSplitObject({}))).toEqual(["a split needs at least one team with a percentage"]);
    expect(messages(parseSplitObject({ " a": "50", b: "50" }))).toEqual(['team name " a" must not start or end with spaces']);
  });
});

describe("formatting", () => {
  it("round-trips text and object forms", () => {
    for (const t of ["payments:60;search:40", "a:33.3333;b:33.3333;c:33.3334", "x:12.5;y:87.5", "solo:100"]) {
      const s = ok(parseSplitText(t));
      expect(formatSplitText(s)).toBe(t);
      expect(sameSplit(ok(parseSplitObject(formatSplitObject(s))), s)).toBe(true);
    }
  });

  it("refuses to write a team containing ';' as text", () => {
    const s = ok(parseSplitObject({ "a;b": "50", c: "50" }));
    expect(() => formatSplitText(s)).toThrow(/contains ";"/);
  });
});

/** A valid split of 1–6 teams: positive 4-decimal integers of 0.0001 % summing to 100 %. */
function toSplit(ws: number[]): Split {
  // scale the weights to units of 0.0001 % that sum to exactly 1_000_000 (= 100 %)
  const total = ws.reduce((a, b) => a + b, 0);
  const units = ws.map((w) => Math.max(1, Math.floor((w * 1_000_000) / total)));
  let diff = 1_000_000 - units.reduce((a, b) => a + b, 0);
  for (let i = 0; diff !== 0; i = (i + 1) % units.length) {
    const step = diff > 0 ? 1 : units[i] > 1 ? -1 : 0;
    units[i] += step;
    diff -= step;
  }
  const team = (i: number) => `team-${String.fromCharCode(97 + ((i * 7) % 26))}${i}`;
  return ok(validateSplit(units.map((u, i) => ({ team: team(i), pct: new Decimal(u).div(10_000).toFixed() }))));
}
const splitArb: fc.Arbitrary<Split> = fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 6 }).map(toSplit);

const amountArb = fc
  .tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 8 }))
  .map(([units, scale]) => new Decimal(`${units}e-${scale}`));

describe("splitAmount", () => {
  it("splits 1 by thirds as 0.3333/0.3333/0.3334 and 100 by 60/40 exactly", () => {
    const thirds = ok(parseSplitText("a:33.3333;b:33.3333;c:33.3334"));
    expect(splitAmount(dec("1"), thirds).map((p) => p.amount.toFixed())).toEqual(["0.3333", "0.3333", "0.3334"]);
    expect(splitAmount(dec("100"), thirds).map((p) => p.amount.toFixed())).toEqual(["33.3333", "33.3333", "33.3334"]);
    expect(splitAmount(dec("-1"), thirds).map((p) => p.amount.toFixed())).toEqual(["-0.3333", "-0.3333", "-0.3334"]);
    const sixty = ok(parseSplitText("payments:60;search:40"));
    expect(splitAmount(dec("100"), sixty)).toEqual([
      { team: "payments", amount: dec("60") },
      { team: "search", amount: dec("40") },
    ]);
    expect(splitAmount(dec("0.0001"), sixty).map((p) => p.amount.toFixed())).toEqual(["0.0001", "0"]);
  });

  it("conserves the amount exactly and keeps each part within one unit of amount × pct / 100", () => {
    fc.assert(
      fc.property(amountArb, splitArb, (amount, split) => {
        const parts = splitAmount(amount, split);
        expect(parts.map((p) => p.team)).toEqual(split.map((s) => s.team));
        expect(sum(parts.map((p) => p.amount)).eq(amount)).toBe(true);
        const unit = new Decimal(1).div(new Decimal(10).pow(Math.max(4, amount.decimalPlaces())));
        parts.forEach((p, i) => {
          const exact = amount.times(dec(split[i].pct)).div(100);
          expect(p.amount.minus(exact).abs().lt(unit)).toBe(true);
          expect(p.amount.decimalPlaces()).toBeLessThanOrEqual(Math.max(4, amount.decimalPlaces()));
        });
      }),
      { numRuns: 300 },
    );
  });
});
