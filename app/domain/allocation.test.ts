import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocateBucket,
  allocateOwners,
  formatPolicy,
  groupKey,
  parsePolicy,
  rollup,
  UNALLOCATED,
  UNASSIGNED,
  UNMAPPED,
  type Policy,
  type TeamResult,
} from "./allocation";
import { Decimal, dec, sum } from "./money";

/** Results as plain strings for exact comparisons. */
const show = (rs: TeamResult[]) =>
  rs.map((r) => ({ team: r.team, direct: r.direct.toFixed(), share: r.unallocatedShare.toFixed(), total: r.total.toFixed() }));
const row = (team: string, direct: string, share: string, total: string) => ({ team, direct, share, total });
const directMap = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, dec(v)]));

describe("parsePolicy / formatPolicy", () => {
  it("round-trips the four policies", () => {
    for (const s of ["proportional", "even", "none", "shared:platform", "shared:team with spaces inside"]) {
      expect(formatPolicy(parsePolicy(s))).toBe(s);
    }
    expect(parsePolicy("shared:platform")).toEqual({ kind: "shared", team: "platform" });
    expect(parsePolicy("even")).toEqual({ kind: "even" });
  });

  it("rejects anything else with a clear message", () => {
    expect(() => parsePolicy("Proportional")).toThrow(/invalid allocation policy "Proportional": expected/);
    expect(() => parsePolicy("")).toThrow(/expected "proportional", "even", "shared:<team>", "none" or "fixed:<team>=<pct>,…"/);
    expect(() => parsePolicy("shared")).toThrow(/invalid allocation policy/);
    expect(() => parsePolicy("shared:")).toThrow(/needs a team name/);
    expect(() => parsePolicy("shared: platform")).toThrow(/spaces/);
    expect(() => parsePolicy("shared:unallocated")).toThrow(/pseudo-team/);
    expect(() => parsePolicy("shared:unmapped")).toThrow(/pseudo-team/);
  });
});

/*
 * The vendor's worked example ($33, one monthly bucket) + a promotional credit of −5.50 on the unallocated row.
 *
 * Per-owner split amounts chosen for the test (each metric sums to its vendor total):
 *   CKU $2        : sa-abc 0.30, sa-def 0.20, sa-ghi 0.90, sa-jkl 0.60          (= 2.00)
 *   write $6      : sa-abc 4.00, sa-def 2.00                                    (= 6.00)
 *   read $15      : sa-ghi 9.00, sa-jkl 6.00                                    (= 15.00)
 *   Connect $4    : lkc-123 4.00
 *   Flink $3      : env-xxx 3.00
 *   Cl. Link. $1  : lkc-123 1.00
 *   Schema Reg $1 : lkc-123 1.00
 *   Support $1    : ≈ proportional to the other 32: sa-abc 0.13, sa-def 0.07, sa-ghi 0.31, sa-jkl 0.21,
 *                   lkc-123 0.19, env-xxx 0.09                                  (= 1.00)
 * Owner totals: sa-abc 4.43, sa-def 2.27, sa-ghi 10.21, sa-jkl 6.81, lkc-123 6.19, env-xxx 3.09 (Σ 33.00)
 * Crosswalk: sa-abc, sa-def → payments; sa-ghi, sa-jkl → search; lkc-123 → platform; env-xxx → analytics.
 * Direct: payments 6.70, search 17.02, platform 6.19, analytics 3.09 (Σ 33.00). U = −5.50. Bucket Σ = 27.50.
 *
 * proportional: |U| = 5.50 = 55 000 units of 0.0001; Σw = 33.00 (integer weights 670, 1702, 619, 309; W = 3300)
 *   payments  55000×670/3300  = 11166 rem 2200 (11166.667)
 *   search    55000×1702/3300 = 28366 rem 2200 (28366.667)
 *   platform  55000×619/3300  = 10316 rem 2200 (10316.667)
 *   analytics 55000×309/3300  =  5150 rem 0
 *   floors Σ 54 998 → 2 units left; three-way tie on remainder 2200 → by name: payments, platform get +1.
 *   shares: analytics −0.5150, payments −1.1167, platform −1.0317, search −2.8366 (Σ −5.5000)
 *   totals: analytics 2.5750, payments 5.5833, platform 5.1583, search 14.1834 (Σ 27.5000)
 * even: 4 teams with direct > 0 → 5.50 / 4 = 1.375 exactly → −1.3750 each
 *   totals: analytics 1.7150, payments 5.3250, platform 4.8150, search 15.6450 (Σ 27.5000)
 * shared:platform: platform share −5.50 → total 0.69; others share 0.
 * none: shares 0; "unallocated" row direct 0, share −5.50, total −5.50.
 */
describe("vendor allocation example ($33) + −5.50 credit", () => {
  const rows: Array<[string, string]> = [
    ["sa-abc", "0.30"],
    ["sa-def", "0.20"],
    ["sa-ghi", "0.90"],
    ["sa-jkl", "0.60"], // CKU
    ["sa-abc", "4.00"],
    ["sa-def", "2.00"], // write
    ["sa-ghi", "9.00"],
    ["sa-jkl", "6.00"], // read
    ["lkc-123", "4.00"], // Connect
    ["env-xxx", "3.00"], // Flink
    ["lkc-123", "1.00"], // Cluster Linking
    ["lkc-123", "1.00"], // Schema Registry
    ["sa-abc", "0.13"],
    ["sa-def", "0.07"],
    ["sa-ghi", "0.31"],
    ["sa-jkl", "0.21"],
    ["lkc-123", "0.19"],
    ["env-xxx", "0.09"], // Support
  ];
  const ownerCosts = rows.map(([ownerId, cost]) => ({ ownerId, cost: dec(cost) }));
  const crosswalk: Record<string, string> = {
    "sa-abc": "payments",
    "sa-def": "payments",
    "sa-ghi": "search",
    "sa-jkl": "search",
    "lkc-123": "platform",
    "env-xxx": "analytics",
  };
  const resolve = (o: string) => crosswalk[o] ?? null;
  const U = dec("-5.50");

  it("the fixture sums to $33", () => {
    expect(sum(ownerCosts.map((r) => r.cost)).eq(33)).toBe(true);
  });

  it.each([
    [
      "proportional",
      [
        row("analytics", "3.09", "-0.515", "2.575"),
        row("payments", "6.7", "-1.1167", "5.5833"),
        row("platform", "6.19", "-1.0317", "5.1583"),
        row("search", "17.02", "-2.8366", "14.1834"),
      ],
    ],
    [
      "even",
      [
        row("analytics", "3.09", "-1.375", "1.715"),
        row("payments", "6.7", "-1.375", "5.325"),
        row("platform", "6.19", "-1.375", "4.815"),
        row("search", "17.02", "-1.375", "15.645"),
      ],
    ],
    [
      "shared:platform",
      [
        row("analytics", "3.09", "0", "3.09"),
        row("payments", "6.7", "0", "6.7"),
        row("platform", "6.19", "-5.5", "0.69"),
        row("search", "17.02", "0", "17.02"),
      ],
    ],
    [
      "none",
      [
        row("analytics", "3.09", "0", "3.09"),
        row("payments", "6.7", "0", "6.7"),
        row("platform", "6.19", "0", "6.19"),
        row("search", "17.02", "0", "17.02"),
        row("unallocated", "0", "-5.5", "-5.5"),
      ],
    ],
  ] as const)("%s", (policy, rows) => {
    expect(show(allocateOwners(ownerCosts, U, resolve, parsePolicy(policy)))).toEqual(rows);
  });

  it("an owner missing from the crosswalk lands on 'unmapped', which is weighted like a team", () => {
    // env-xxx unmapped: unmapped direct 3.09, same numbers as analytics above.
    const r = allocateOwners(ownerCosts, U, (o) => (o === "env-xxx" ? null : resolve(o)), parsePolicy("proportional"));
    expect(show(r)).toEqual([
      row("payments", "6.7", "-1.1167", "5.5833"),
      row("platform", "6.19", "-1.0317", "5.1583"),
      row("search", "17.02", "-2.8366", "14.1834"),
      row(UNMAPPED, "3.09", "-0.515", "2.575"),
    ]);
  });

  it("every policy keeps the bucket total at 27.50", () => {
    for (const p of ["proportional", "even", "shared:platform", "shared:finops", "none"]) {
      const r = allocateOwners(ownerCosts, U, resolve, parsePolicy(p));
      expect(sum(r.map((x) => x.total)).toFixed(), p).toBe("27.5");
    }
  });
});

describe("allocateBucket: edge cases", () => {
  it("all-zero or negative direct → U stays on 'unallocated' (proportional and even)", () => {
    for (const p of ["proportional", "even"]) {
      expect(show(allocateBucket(directMap({ a: "0", b: "-2" }), dec("3"), parsePolicy(p)))).toEqual([
        row("a", "0", "0", "0"),
        row("b", "-2", "0", "-2"),
        row(UNALLOCATED, "0", "3", "3"),
      ]);
    }
    expect(show(allocateBucket(new Map(), dec("-1.25"), parsePolicy("proportional")))).toEqual([row(UNALLOCATED, "0", "-1.25", "-1.25")]);
  });

  it("teams with direct ≤ 0 get no share under proportional/even", () => {
    expect(show(allocateBucket(directMap({ a: "-1", b: "3", c: "1", d: "0" }), dec("1"), parsePolicy("proportional")))).toEqual([
      row("a", "-1", "0", "-1"),
      row("b", "3", "0.75", "3.75"),
      row("c", "1", "0.25", "1.25"),
      row("d", "0", "0", "0"),
    ]);
    expect(show(allocateBucket(directMap({ a: "-1", b: "3", c: "1" }), dec("1"), parsePolicy("even")))).toEqual([
      row("a", "-1", "0", "-1"),
      row("b", "3", "0.5", "3.5"),
      row("c", "1", "0.5", "1.5"),
    ]);
  });

  it("shared to a team with no direct cost makes it appear", () => {
    expect(show(allocateBucket(directMap({ a: "2" }), dec("-0.5"), { kind: "shared", team: "finops" }))).toEqual([
      row("a", "2", "0", "2"),
      row("finops", "0", "-0.5", "-0.5"),
    ]);
    // with U = 0 there is nothing to show for it
    expect(show(allocateBucket(directMap({ a: "2" }), dec("0"), { kind: "shared", team: "finops" }))).toEqual([row("a", "2", "0", "2")]);
  });

  it("U = 0 never creates an 'unallocated' row", () => {
    for (const p of ["proportional", "even", "none", "shared:x"]) {
      expect(allocateBucket(directMap({ a: "0" }), dec("0"), parsePolicy(p)).map((r) => r.team)).toEqual(["a"]);
    }
  });

  it("U finer than 0.0001 keeps its own scale", () => {
    expect(show(allocateBucket(directMap({ a: "1", b: "1" }), dec("0.000003"), parsePolicy("even")))).toEqual([
      row("a", "1", "0.000002", "1.000002"),
      row("b", "1", "0.000001", "1.000001"),
    ]);
  });

  it("refuses direct cost on the 'unallocated' pseudo-team", () => {
    expect(() => allocateBucket(directMap({ unallocated: "1" }), dec("0"), parsePolicy("none"))).toThrow(/pseudo-team/);
  });
});

describe("allocateBucket: properties", () => {
  const amount = fc
    .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9][0-9]{0,9})$/), fc.option(fc.stringMatching(/^[0-9]{1,8}$/), { nil: undefined }))
    .map(([neg, i, f]) => dec(`${neg ? "-" : ""}${i}${f ? `.${f}` : ""}`));
  const teamName = fc.oneof(
    fc.constantFrom("payments", "search", "platform", UNMAPPED, "a", "B"),
    fc.string({ minLength: 1, maxLength: 5 }),
  );
  const direct = fc
    .uniqueArray(fc.tuple(teamName, amount), { selector: ([t]) => t, maxLength: 10 })
    .map((pairs) => pairs.filter(([t]) => t !== UNALLOCATED));
  const policy: fc.Arbitrary<Policy> = fc.oneof(
    fc.constant<Policy>({ kind: "proportional" }),
    fc.constant<Policy>({ kind: "even" }),
    fc.constant<Policy>({ kind: "none" }),
    teamName.filter((t) => t !== UNMAPPED && t !== UNALLOCATED).map((team): Policy => ({ kind: "shared", team })),
  );

  it("Σ total = Σ direct + U exactly, rows consistent and sorted, for every policy", () => {
    fc.assert(
      fc.property(direct, amount, policy, (pairs, U, p) => {
        const r = allocateBucket(new Map(pairs), U, p);
        const sumDirect = sum(pairs.map(([, d]) => d));
        expect(sum(r.map((x) => x.total)).eq(sumDirect.plus(U))).toBe(true);
        expect(sum(r.map((x) => x.unallocatedShare)).eq(U)).toBe(true);
        for (const x of r) expect(x.total.eq(x.direct.plus(x.unallocatedShare))).toBe(true);
        const names = r.map((x) => x.team);
        expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(new Set(names).size).toBe(names.length);
        for (const [t] of pairs) expect(names).toContain(t);
        // the unallocated pseudo-team only ever holds a non-zero, unspread U
        const un = r.find((x) => x.team === UNALLOCATED);
        if (un) {
          expect(un.total.eq(U) && !U.isZero()).toBe(true);
        }
        if (p.kind === "none" && !U.isZero()) expect(un).toBeDefined();
        if (p.kind === "shared" && !U.isZero()) expect(r.find((x) => x.team === p.team)!.unallocatedShare.eq(U)).toBe(true);
        // only teams with direct > 0 receive a share under proportional/even
        if (p.kind === "proportional" || p.kind === "even") {
          for (const x of r) if (x.team !== UNALLOCATED && !x.direct.gt(0)) expect(x.unallocatedShare.isZero()).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("is invariant under permutation of the input map", () => {
    fc.assert(
      fc.property(
        direct.chain((d) => fc.tuple(fc.constant(d), fc.shuffledSubarray(d, { minLength: d.length, maxLength: d.length }))),
        amount,
        policy,
        ([a, b], U, p) => {
          expect(show(allocateBucket(new Map(a), U, p))).toEqual(show(allocateBucket(new Map(b), U, p)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("groupKey", () => {
  const cc = (t: string) => ({ payments: "CC-4102", search: "CC-5000", blank: "" })[t] ?? null;
  it("groups by team or cost center", () => {
    expect(groupKey("payments", "team", cc)).toBe("payments");
    expect(groupKey("payments", "cost_center", cc)).toBe("CC-4102");
    expect(groupKey("nocc", "cost_center", cc)).toBe(UNASSIGNED);
    expect(groupKey("blank", "cost_center", cc)).toBe(UNASSIGNED);
    expect(groupKey(UNMAPPED, "cost_center", () => "CC-1")).toBe(UNMAPPED);
    expect(groupKey(UNALLOCATED, "cost_center", () => "CC-1")).toBe(UNALLOCATED);
  });
});

describe("rollup", () => {
  const r = (period: string, org: string, group: string, d: string, s: string) => ({
    period,
    org,
    group,
    direct: dec(d),
    unallocatedShare: dec(s),
    total: dec(d).plus(s),
  });
  it("sums by the key fields and sorts deterministically", () => {
    const rows = [
      r("2026-04-02", "org-b", "search", "1.5", "-0.1"),
      r("2026-04-01", "org-a", "search", "2", "0"),
      r("2026-04-02", "org-b", "search", "0.0001", "0.0002"),
      r("2026-04-01", "org-a", "payments", "3", "-0.25"),
      r("2026-04-01", "org-b", "payments", "1", "0"),
    ];
    const show2 = (xs: ReturnType<typeof rollup<"period" | "org" | "group">>) =>
      xs.map((x) => [x.period, x.org, x.group, x.direct.toFixed(), x.unallocatedShare.toFixed(), x.total.toFixed()]);
    expect(show2(rollup(rows, ["period", "org", "group"]))).toEqual([
      ["2026-04-01", "org-a", "payments", "3", "-0.25", "2.75"],
      ["2026-04-01", "org-a", "search", "2", "0", "2"],
      ["2026-04-01", "org-b", "payments", "1", "0", "1"],
      ["2026-04-02", "org-b", "search", "1.5001", "-0.0998", "1.4003"],
    ]);
    // coarser: month view by cost center
    const monthly = rows.map((x) => ({ ...x, period: x.period.slice(0, 7), group: groupKey(x.group, "cost_center", () => null) }));
    const m = rollup(monthly, ["period", "org", "group"]);
    expect(m.map((x) => [x.period, x.org, x.group, x.total.toFixed()])).toEqual([
      ["2026-04", "org-a", UNASSIGNED, "4.75"],
      ["2026-04", "org-b", UNASSIGNED, "2.4003"],
    ]);
    // inputs are not mutated
    expect(rows[0].direct.toFixed()).toBe("1.5");
    // total preserved
    expect(sum(m.map((x) => x.total)).eq(sum(rows.map((x) => x.total)))).toBe(true);
  });

  it("needs at least one key", () => {
    expect(() => rollup([], [])).toThrow();
    expect(rollup([], ["a"])).toEqual([]);
  });

  it("preserves totals for random rows (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("x", "y", "z"), fc.constantFrom("1", "2"), fc.stringMatching(/^-?[0-9]{1,4}\.[0-9]{1,4}$/))),
        (xs) => {
          const rows = xs.map(([g, o, a]) => ({ g, o, direct: dec(a), unallocatedShare: new Decimal(0), total: dec(a) }));
          const out = rollup(rows, ["o", "g"]);
          expect(sum(out.map((x) => x.total)).eq(sum(rows.map((x) => x.total)))).toBe(true);
          expect(new Set(out.map((x) => `${x.o}|${x.g}`)).size).toBe(out.length);
        },
      ),
    );
  });
});
