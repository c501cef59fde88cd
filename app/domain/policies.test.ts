import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocateBucket } from "./allocation";
import { Decimal, dec, sum } from "./money";
import {
  explainPolicy,
  formatPolicy,
  fromStoredPolicy,
  parsePolicy,
  policyFraction,
  POLICY_KINDS,
  POLICY_REGISTRY,
  toStoredPolicy,
  type Policy,
} from "./policies";

const directMap = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, dec(v)]));
const show = (rs: ReturnType<typeof allocateBucket>) =>
  rs.map((r) => [r.team, r.direct.toFixed(), r.unallocatedShare.toFixed(), r.total.toFixed()]);

describe("registry", () => {
  it("has one entry per kind, each with its text form round-tripping", () => {
    expect(POLICY_KINDS).toEqual(["proportional", "even", "shared", "none", "fixed"]);
    for (const s of [
      "proportional",
      "even",
      "none",
      "shared:platform",
      "fixed:payments=60,search=40",
      "fixed:a=33.3333,b=33.3333,c=33.3334",
    ])
      expect(formatPolicy(parsePolicy(s))).toBe(s);
    for (const k of POLICY_KINDS) expect(POLICY_REGISTRY[k].label.length).toBeGreaterThan(0);
  });

  it("stored form references teams by id and round-trips through names", () => {
    const ids = new Map([
      ["payments", 7],
      ["search", 9],
      ["platform", 3],
    ]);
    const names = new Map([...ids].map(([n, i]) => [i, n]));
    const idOf = (n: string) => ids.get(n)!;
    const nameOf = (i: number) => names.get(i)!;
    expect(toStoredPolicy(parsePolicy("shared:platform"), idOf)).toEqual({ kind: "shared", teamId: 3 });
    expect(toStoredPolicy(parsePolicy("fixed:search=40,payments=60"), idOf)).toEqual({
      kind: "fixed",
      shares: [
        { teamId: 7, pct: "60" },
        { teamId: 9, pct: "40" },
      ],
    });
    for (const s of ["proportional", "even", "none", "shared:platform", "fixed:payments=60,search=40"]) {
      const p = parsePolicy(s);
      expect(fromStoredPolicy(JSON.parse(JSON.stringify(toStoredPolicy(p, idOf))), nameOf)).toEqual(p);
    }
    // a renamed team: same id, new name
    expect(formatPolicy(fromStoredPolicy({ kind: "shared", teamId: 3 }, (i) => (i === 3 ? "streaming-platform" : "?")))).toBe(
      "shared:streaming-platform",
    );
    expect(() => fromStoredPolicy({ kind: "shared", team: "platform" }, nameOf)).toThrow(/stored allocation policy .* is invalid/);
    expect(() => fromStoredPolicy({ kind: "weird" }, nameOf)).toThrow(/unknown kind/);
    expect(() => fromStoredPolicy({ kind: "fixed", shares: [{ teamId: 7, pct: 60 }] }, nameOf)).toThrow(/invalid/); // pct is never a JS number
  });

  it("explains each policy in one line", () => {
    expect(explainPolicy(parsePolicy("shared:platform"))).toBe("All of U goes to the team platform.");
    expect(explainPolicy(parsePolicy("fixed:payments=60,search=40"))).toBe(
      "U is split by fixed percentages: 60% to payments, 40% to search.",
    );
    for (const k of ["proportional", "even", "none"]) expect(explainPolicy(parsePolicy(k))).not.toMatch(/\n/);
  });

  it("policyFraction gives each team's fraction of U before rounding", () => {
    const d = directMap({ a: "3", b: "1", c: "-2" });
    expect(policyFraction(parsePolicy("proportional"), d, "a")?.toFixed()).toBe("0.75");
    expect(policyFraction(parsePolicy("proportional"), d, "c")?.toFixed()).toBe("0");
    expect(policyFraction(parsePolicy("even"), d, "b")?.toFixed()).toBe("0.5");
    expect(policyFraction(parsePolicy("shared:x"), d, "x")?.toFixed()).toBe("1");
    expect(policyFraction(parsePolicy("fixed:a=12.5,x=87.5"), d, "a")?.toFixed()).toBe("0.125");
    expect(policyFraction(parsePolicy("none"), d, "a")).toBeNull();
    expect(policyFraction(parsePolicy("proportional"), directMap({ a: "0" }), "a")).toBeNull();
  });
});

describe("fixed: parsing and validation", () => {
  it("accepts spaces around pairs, normalises percentages, sorts teams by name", () => {
    expect(parsePolicy("fixed: search = 40.50 , payments=59.5")).toEqual({
      kind: "fixed",
      shares: [
        { team: "payments", pct: "59.5" },
        { team: "search", pct: "40.5" },
      ],
    });
    expect(formatPolicy(parsePolicy("fixed:team with spaces=100"))).toBe("fixed:team with spaces=100");
  });

  it.each([
    ["fixed:a=60,b=30", /sum to 90, not 100/],
    ["fixed:a=60,b=40.0001", /sum to 100.0001, not 100/],
    ["fixed:a=60,a=40", /team "a" is listed twice/],
    ["fixed:a=50,unallocated=50", /pseudo-team/],
    ["fixed:unmapped=100", /pseudo-team/],
    ["fixed:a=33.33333,b=66.66667", /at most 4 decimals/],
    ["fixed:a=-10,b=110", /decimal number|more than 0 and at most 100/],
    ["fixed:a=0,b=100", /more than 0 and at most 100/],
    ["fixed:a=1e2", /decimal number/],
    ["fixed:a", /pair 1 "a" is not team=percent/],
    ["fixed:=100", /needs a team name/],
    ["fixed:", /needs team=percent pairs/],
    ["fixed", /needs team=percent pairs/],
  ])("%s is refused with a clear message", (s, re) => {
    expect(() => parsePolicy(s)).toThrow(/^invalid allocation policy "fixed/);
    expect(() => parsePolicy(s)).toThrow(re);
  });

  it("parameterless kinds refuse a parameter", () => {
    expect(() => parsePolicy("even:x")).toThrow(/"even" takes no parameter/);
  });
});

describe("fixed: allocation", () => {
  it("splits U by the percentages, teams without direct cost included, exact to the unit", () => {
    // U = -5.50: payments 60% = -3.30, search 40% = -2.20; platform (direct 6.19) gets nothing
    const r = allocateBucket(directMap({ payments: "6.7", platform: "6.19" }), dec("-5.5"), parsePolicy("fixed:payments=60,search=40"));
    expect(show(r)).toEqual([
      ["payments", "6.7", "-3.3", "3.4"],
      ["platform", "6.19", "0", "6.19"],
      ["search", "0", "-2.2", "-2.2"],
    ]);
    // thirds of 1.00: 0.3333 ×2 + 0.3334 for the largest remainder (c has the largest fraction)
    const t = allocateBucket(new Map(), dec("1"), parsePolicy("fixed:a=33.3333,b=33.3333,c=33.3334"));
    expect(show(t)).toEqual([
      ["a", "0", "0.3333", "0.3333"],
      ["b", "0", "0.3333", "0.3333"],
      ["c", "0", "0.3334", "0.3334"],
    ]);
  });

  // percentages with up to 4 decimals summing to exactly 100: integer units of 0.0001 %, split of 1,000,000
  const pcts = fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 6 }).map((cuts) => {
    const points = [...new Set(cuts.map((c) => c % 1_000_000))].filter((c) => c > 0).sort((a, b) => a - b);
    const edges = [0, ...points, 1_000_000];
    return edges.slice(1).map((e, i) => new Decimal(e - edges[i]!).div(10_000).toFixed());
  });
  const amount = fc
    .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9][0-9]{0,9})$/), fc.option(fc.stringMatching(/^[0-9]{1,8}$/), { nil: undefined }))
    .map(([neg, i, f]) => dec(`${neg ? "-" : ""}${i}${f ? `.${f}` : ""}`));
  const direct = fc.dictionary(fc.constantFrom("t0", "t3", "x", "y"), amount, { maxKeys: 4 });

  it("Σ shares = U exactly and each share is within one rounding unit of U × pct / 100 (property)", () => {
    fc.assert(
      fc.property(pcts, amount, direct, (ps, U, d) => {
        const policy = parsePolicy(`fixed:${ps.map((p, i) => `t${i}=${p}`).join(",")}`);
        expect(policy.kind).toBe("fixed");
        const rs = allocateBucket(new Map(Object.entries(d).map(([k, v]) => [k, v])), U, policy);
        expect(sum(rs.map((r) => r.unallocatedShare)).eq(U)).toBe(true);
        expect(sum(rs.map((r) => r.total)).eq(sum(Object.values(d)).plus(U))).toBe(true);
        const scale = Math.max(4, U.decimalPlaces());
        const unit = new Decimal(1).div(new Decimal(10).pow(scale));
        for (const [i, p] of ps.entries()) {
          const share = rs.find((r) => r.team === `t${i}`)?.unallocatedShare ?? dec("0");
          const exact = U.times(p).div(100);
          expect(share.minus(exact).abs().lt(unit), `t${i} ${p}% of ${U}: ${share}`).toBe(true);
          expect(share.decimalPlaces()).toBeLessThanOrEqual(scale);
        }
        for (const r of rs) if (!/^t\d$/.test(r.team)) expect(r.unallocatedShare.isZero()).toBe(true);
        expect(rs.some((r) => r.team === "unallocated")).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("every kind goes through the registry", () => {
  it("allocateBucket uses the entry's weights", () => {
    const d = directMap({ a: "3", b: "1" });
    const byKind: Record<string, Policy> = {
      proportional: parsePolicy("proportional"),
      even: parsePolicy("even"),
      shared: parsePolicy("shared:b"),
      none: parsePolicy("none"),
      fixed: parsePolicy("fixed:a=10,b=90"),
    };
    const shareOf = (p: Policy) => Object.fromEntries(allocateBucket(d, dec("1"), p).map((r) => [r.team, r.unallocatedShare.toFixed()]));
    expect(shareOf(byKind.proportional!)).toEqual({ a: "0.75", b: "0.25" });
    expect(shareOf(byKind.even!)).toEqual({ a: "0.5", b: "0.5" });
    expect(shareOf(byKind.shared!)).toEqual({ a: "0", b: "1" });
    expect(shareOf(byKind.none!)).toEqual({ a: "0", b: "0", unallocated: "1" });
    expect(shareOf(byKind.fixed!)).toEqual({ a: "0.1", b: "0.9" });
  });
});
