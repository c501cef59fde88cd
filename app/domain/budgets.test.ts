import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsvRecords } from "../services/csv";
import {
  AT_RISK_PERCENT,
  budgetSchema,
  budgetStatus,
  effectiveBudget,
  formatBudgetCsv,
  parseBudgetCsv,
  thresholdCrossings,
  type Budget,
  type BudgetRefs,
} from "./budgets";
import { Decimal } from "./money";

const parse = (text: string, refs?: BudgetRefs) => {
  const r = readCsvRecords(text);
  return parseBudgetCsv(r.header, r.rows, { refs });
};
const errors = (text: string, refs?: BudgetRefs) => {
  const r = parse(text, refs);
  if (r.ok) throw new Error("expected errors");
  return r.errors.map((e) => ({ line: e.line, column: e.column, value: e.value, rule: e.rule }));
};

describe("parseBudgetCsv", () => {
  it("reads rows with and without org_id, in any column order, trimmed, blank lines skipped", () => {
    expect(
      parse(
        "scope,name,amount,from_month,org_id\nteam,payments,12000,2026-01,\nteam, payments ,15000.50,2026-07,org-prod\n\ncost_center,CC-4102,0,2026-03,\n",
      ),
    ).toEqual({
      ok: true,
      rows: [
        { scope: "team", name: "payments", amount: "12000", fromMonth: "2026-01", orgId: null, line: 2 },
        { scope: "team", name: "payments", amount: "15000.5", fromMonth: "2026-07", orgId: "org-prod", line: 3 },
        { scope: "cost_center", name: "CC-4102", amount: "0", fromMonth: "2026-03", orgId: null, line: 5 },
      ],
    });
    expect(parse("FROM_MONTH,Amount,name,scope\n2026-02,.5,search,team\n")).toEqual({
      ok: true,
      rows: [{ scope: "team", name: "search", amount: "0.5", fromMonth: "2026-02", orgId: null, line: 2 }],
    });
  });

  it("accepts up to 4 decimals; refuses negatives, exponents, thousands separators, signs and a 5th decimal", () => {
    const head = "scope,name,amount,from_month\n";
    expect(parse(`${head}team,a,1.2345,2026-01\n`).ok).toBe(true);
    for (const bad of ["-1", "-0", "1e3", "1,000", "+5", "1.23456", "", "abc", "$10", "NaN", "Infinity"]) {
      const cell = bad.includes(",") ? `"${bad}"` : bad;
      expect(errors(`${head}team,a,${cell},2026-01\n`), bad).toEqual([{ line: 2, column: "amount", value: bad, rule: "budget-amount" }]);
    }
  });

  it("lists every bad cell of every line (line 1 = the header), and nothing is returned", () => {
    expect(
      errors(
        [
          "scope,name,amount,from_month,org_id",
          "team,payments,100,2026-01,",
          "department,x,100,2026-01,",
          "team,unmapped,-3,2026-13,",
          "team,,abc,26-01,",
          "cost_center,CC-1,5,2026-02,org-zz",
          "team,payments,200,2026-01,",
          "team,payments,200,2026-01,org-prod",
          "team,payments,1",
        ].join("\n"),
        { orgs: new Set(["org-prod"]) },
      ),
    ).toEqual([
      { line: 3, column: "scope", value: "department", rule: "budget-scope" },
      { line: 4, column: "amount", value: "-3", rule: "budget-amount" },
      { line: 4, column: "from_month", value: "2026-13", rule: "budget-month" },
      { line: 4, column: "name", value: "unmapped", rule: "budget-name" },
      { line: 5, column: "name", value: "", rule: "budget-name" },
      { line: 5, column: "amount", value: "abc", rule: "budget-amount" },
      { line: 5, column: "from_month", value: "26-01", rule: "budget-month" },
      { line: 6, column: "org_id", value: "org-zz", rule: "budget-org" },
      { line: 7, column: "from_month", value: "2026-01", rule: "duplicate-entry" },
      { line: 9, column: null, value: null, rule: "field-count" },
    ]);
    const r = parse("scope,name,amount,from_month\nteam,a,1,2026-01\nteam,a,2,2026-01\n");
    expect(!r.ok && r.errors[0].message).toBe(
      'line 3, column "from_month": value "2026-01" repeats the budget of line 2 (scope team, name a, org_id empty): keep one line (rule: a (scope, name, from_month, org_id) appears once per file)',
    );
  });

  it("checks names against the known teams and cost centers when given", () => {
    const refs = { teams: new Set(["payments"]), costCenters: new Set(["CC-1"]) };
    expect(
      errors("scope,name,amount,from_month\nteam,paymnts,1,2026-01\ncost_center,CC-2,1,2026-01\nteam,payments,1,2026-01\n", refs),
    ).toEqual([
      { line: 2, column: "name", value: "paymnts", rule: "budget-name" },
      { line: 3, column: "name", value: "CC-2", rule: "budget-name" },
    ]);
  });

  it("refuses a header that is not scope,name,amount,from_month[,org_id]", () => {
    expect(errors("scope,name,amount,from_month,org\nteam,a,1,2026-01,x\n")).toEqual([
      { line: 1, column: null, value: "org", rule: "unknown-column" },
    ]);
    expect(errors("scope,name,amount\nteam,a,1\n").map((e) => e.rule)).toEqual(["missing-columns"]);
    expect(errors("").map((e) => e.rule)).toEqual(["not-empty"]);
  });

  it("round-trips through the formatter", () => {
    const budgets: Budget[] = [
      { scope: "team", name: "search", orgId: null, fromMonth: "2026-02", amount: "10.25" },
      { scope: "cost_center", name: "CC-1", orgId: "org-a", fromMonth: "2026-01", amount: "0" },
      { scope: "team", name: "search", orgId: null, fromMonth: "2026-01", amount: "9" },
    ];
    const { header, rows } = formatBudgetCsv(budgets);
    const text = [header, ...rows].map((r) => r.join(",")).join("\n");
    const back = parse(text);
    expect(back.ok && back.rows.map(({ line: _line, ...b }) => b)).toEqual([budgets[1], budgets[2], budgets[0]]);
  });

  it("budgetSchema: the same rules for a form or a service", () => {
    expect(budgetSchema.parse({ scope: "team", name: " a ", amount: "1.50", fromMonth: "2026-04", orgId: "" })).toEqual({
      scope: "team",
      name: "a",
      amount: "1.5",
      fromMonth: "2026-04",
      orgId: null,
    });
    expect(budgetSchema.safeParse({ scope: "team", name: "a", amount: "1e2", fromMonth: "2026-04" }).success).toBe(false);
  });
});

describe("effectiveBudget", () => {
  const budgets: Budget[] = [
    { scope: "team", name: "payments", orgId: null, fromMonth: "2026-01", amount: "1000" },
    { scope: "team", name: "payments", orgId: null, fromMonth: "2026-06", amount: "1500" },
    { scope: "team", name: "payments", orgId: "org-prod", fromMonth: "2026-03", amount: "700" },
    { scope: "cost_center", name: "payments", orgId: null, fromMonth: "2025-01", amount: "9" },
  ];
  const amount = (q: Parameters<typeof effectiveBudget>[1]) => effectiveBudget(budgets, q)?.amount ?? null;

  it("applies from its month until a later row for the same (scope, name, org) replaces it", () => {
    expect(amount({ scope: "team", name: "payments", month: "2025-12" })).toBeNull();
    expect(amount({ scope: "team", name: "payments", month: "2026-01" })).toBe("1000");
    expect(amount({ scope: "team", name: "payments", month: "2026-05" })).toBe("1000");
    expect(amount({ scope: "team", name: "payments", month: "2026-06" })).toBe("1500");
    expect(amount({ scope: "team", name: "payments", month: "2027-12" })).toBe("1500");
    expect(amount({ scope: "cost_center", name: "payments", month: "2026-01" })).toBe("9");
    expect(amount({ scope: "team", name: "search", month: "2026-06" })).toBeNull();
  });

  it("an org's budget is that org's; the all-orgs one is the total's, with no fall-back either way", () => {
    expect(amount({ scope: "team", name: "payments", month: "2026-02", orgId: "org-prod" })).toBeNull();
    expect(amount({ scope: "team", name: "payments", month: "2026-03", orgId: "org-prod" })).toBe("700");
    expect(amount({ scope: "team", name: "payments", month: "2026-03", orgId: null })).toBe("1000");
    expect(amount({ scope: "team", name: "payments", month: "2026-07", orgId: "org-other" })).toBeNull();
  });

  it("does not depend on the order of the rows", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(budgets, { minLength: budgets.length, maxLength: budgets.length }), (shuffled) => {
        for (const month of ["2026-01", "2026-04", "2026-08"]) {
          expect(effectiveBudget(shuffled, { scope: "team", name: "payments", month })).toEqual(
            effectiveBudget(budgets, { scope: "team", name: "payments", month }),
          );
        }
      }),
    );
  });
});

describe("budgetStatus: boundaries in exact decimals", () => {
  const s = (spent: string, forecast: string, budget = "1000") => budgetStatus({ spent, forecast, budget });

  it("at risk from exactly 90 % of the forecast, on track a hundredth of a cent under", () => {
    expect(AT_RISK_PERCENT).toBe(90);
    expect(s("100", "900")).toBe("at_risk");
    expect(s("100", "899.9999")).toBe("on_track");
    expect(s("100", "899.99999999999999999999")).toBe("on_track");
  });
  it("at risk when the actual spend alone reaches 90 %", () => {
    expect(s("900", "0")).toBe("at_risk");
    expect(s("899.9999", "899.9999")).toBe("on_track");
  });
  it("exactly 100 % spent is at risk, not over; a hundredth of a cent more is over", () => {
    expect(s("1000", "1000")).toBe("at_risk");
    expect(s("1000.0001", "1000.0001")).toBe("over");
    expect(s("1000.00000000000000000001", "1000")).toBe("over");
  });
  it("a forecast above the budget is at risk; only actual spend makes over", () => {
    expect(s("500", "5000")).toBe("at_risk");
  });
  it("a budget of 0: any spend is over, any forecast at risk, nothing on track", () => {
    expect(s("0.0001", "0.0001", "0")).toBe("over");
    expect(s("0", "0.01", "0")).toBe("at_risk");
    expect(s("0", "0", "0")).toBe("on_track");
  });
  it("thresholds in odd budgets are exact (90 % of 0.0003 is 0.00027)", () => {
    expect(s("0", "0.00027", "0.0003")).toBe("at_risk");
    expect(s("0", "0.00026999", "0.0003")).toBe("on_track");
  });
  it("is monotone: more spend or more forecast never improves the status", () => {
    const amt = fc.bigInt({ min: 0n, max: 10n ** 9n }).map((n) => new Decimal(n.toString()).div(10_000).toFixed());
    const rank = { on_track: 0, at_risk: 1, over: 2 } as const;
    fc.assert(
      fc.property(amt, amt, amt, amt, (spent, forecast, budget, extra) => {
        const a = rank[budgetStatus({ spent, forecast, budget })];
        const more = new Decimal(spent).plus(extra).toFixed();
        expect(rank[budgetStatus({ spent: more, forecast, budget })]).toBeGreaterThanOrEqual(a);
        expect(rank[budgetStatus({ spent, forecast: new Decimal(forecast).plus(extra).toFixed(), budget })]).toBeGreaterThanOrEqual(a);
      }),
    );
  });
});

describe("thresholdCrossings", () => {
  it("by actual when the spend reaches the threshold, else by forecast; ascending", () => {
    expect(thresholdCrossings({ spent: "500", forecast: "850", budget: "1000" })).toEqual([{ threshold: 80, basis: "forecast" }]);
    expect(thresholdCrossings({ spent: "800", forecast: "1000", budget: "1000" })).toEqual([
      { threshold: 80, basis: "actual" },
      { threshold: 100, basis: "forecast" },
    ]);
    expect(thresholdCrossings({ spent: "1000", forecast: "1000", budget: "1000" })).toEqual([
      { threshold: 80, basis: "actual" },
      { threshold: 100, basis: "actual" },
    ]);
    expect(thresholdCrossings({ spent: "799.9999", forecast: "999.9999", budget: "1000" })).toEqual([{ threshold: 80, basis: "forecast" }]);
    expect(thresholdCrossings({ spent: "1", forecast: "2", budget: "1000" })).toEqual([]);
  });
  it("custom thresholds, deduplicated and sorted; a budget of 0", () => {
    expect(thresholdCrossings({ spent: "600", forecast: "1300", budget: "1000", thresholds: [120, 50, 50] })).toEqual([
      { threshold: 50, basis: "actual" },
      { threshold: 120, basis: "forecast" },
    ]);
    expect(thresholdCrossings({ spent: "0", forecast: "0.01", budget: "0" })).toEqual([
      { threshold: 80, basis: "forecast" },
      { threshold: 100, basis: "forecast" },
    ]);
    expect(thresholdCrossings({ spent: "0", forecast: "0", budget: "0" })).toEqual([]);
    expect(() => thresholdCrossings({ spent: "0", forecast: "0", budget: "1", thresholds: [0] })).toThrow(/percentage/);
  });
  it("agrees with the status: over means 100 % reached by actual; at risk means 90 % reached", () => {
    const amt = fc.integer({ min: 0, max: 2_000_000 }).map((n) => new Decimal(n).div(100).toFixed());
    fc.assert(
      fc.property(
        amt,
        amt,
        fc.integer({ min: 1, max: 2_000_000 }).map((n) => new Decimal(n).div(100).toFixed()),
        (spent, forecast, budget) => {
          const status = budgetStatus({ spent, forecast, budget });
          const c = thresholdCrossings({ spent, forecast, budget, thresholds: [90, 100] });
          if (status === "over") expect(c).toContainEqual({ threshold: 100, basis: "actual" });
          expect(status === "on_track").toBe(c.length === 0);
        },
      ),
    );
  });
});
