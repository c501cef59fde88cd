/**
 * Monthly budgets (issue 16, docs/forecasting.md "Budgets"): the budget CSV, which budget is in
 * force for a month, and the status and threshold crossings of spend against it. Pure: no clock,
 * no I/O; every amount is an exact Decimal (./money.ts).
 *
 * A budget is a USD amount per month for a team or a cost center (`scope`), for the total of
 * every organization (`orgId` null) or for one organization's spend (`orgId` set), in force from
 * `fromMonth` until a later row for the same (scope, name, org) replaces it.
 *
 * The CSV (the Contract of issue 16, `npm run budgets -- import FILE.csv`):
 *
 * ```
 * scope,name,amount,from_month,org_id
 * team,payments,12000,2026-01,
 * team,payments,15000.50,2026-07,
 * cost_center,CC-4102,4000,2026-01,org-prod
 * ```
 *
 * - Header: exactly the columns `scope`, `name`, `amount`, `from_month` and the optional
 *   `org_id`, by name, case-insensitive, in any order (./csv/header.ts). Any other column is an
 *   error (a misspelt `org_id` silently dropped would turn an org's budget into the total's).
 * - `scope`: `team` or `cost_center`; `name`: the team or the cost center code (a team may not be
 *   a pseudo-team); with `refs`, it must be known.
 * - `amount`: a plain decimal ≥ 0 with at most 4 decimals (no sign, exponent or thousands
 *   separator; ./money.ts `parseNonNegativeDecimal`).
 * - `from_month`: YYYY-MM; `org_id`: empty = every organization.
 * - A (scope, name, from_month, org_id) appears once per file. Cells are trimmed, blank lines
 *   skipped, one leading apostrophe of a writer's formula protection taken off (./csv/rules.ts).
 *
 * All-or-nothing: every row, or every bad cell by line (the header is line 1), column, value and
 * rule. The caller reads the CSV text into records with `readCsvRecords` (app/services/csv.ts),
 * as for every other import file.
 */
import { z } from "zod";
import { dec, Decimal, parseNonNegativeDecimal, ZERO } from "./money";
import { isMonth } from "./periods";
import { costCenterProblem, teamNameProblem } from "./teams";
import type { CsvRecord } from "./csv/crosswalk";
import { issueWithOwnRules, issuesByLine, matchFixedHeader } from "./csv/fixed-columns";
import { checkFieldCount, type ColumnSpec } from "./csv/header";
import { IssueList, type ValidationIssue } from "./csv/issues";
import { unprotectCell } from "./csv/rules";

export const BUDGET_SCOPES = ["team", "cost_center"] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** Most decimals an amount may carry (0.0001 USD, the app's smallest unit). */
export const BUDGET_AMOUNT_SCALE = 4;
/** Longest organization id (as the dashboard filters accept). */
const MAX_ORG_ID = 200;

/** One budget: a monthly USD amount (decimal string) in force from `fromMonth` (YYYY-MM). */
export interface Budget {
  scope: BudgetScope;
  name: string;
  /** null: the budget of the total of every organization */
  orgId: string | null;
  fromMonth: string;
  amount: string;
}

// ---------------------------------------------------------------------------------------------
// The fields: one zod schema per cell, shared by the CSV, the admin form and the service
// ---------------------------------------------------------------------------------------------

/** Why `name` cannot be the name of a budget of `scope` (a team, not a pseudo-team; a cost center code), or null. */
export function budgetNameProblem(scope: BudgetScope, name: string): string | null {
  if (name === "") return null; // the required-value rule says it
  const p = scope === "team" ? teamNameProblem(name) : costCenterProblem(name);
  return p ? `is not a ${scope === "team" ? "team" : "cost center"} name: ${p}` : null;
}

const amountSchema = z.string().transform((s, ctx) => {
  const p = parseNonNegativeDecimal(s);
  if (!p.ok) {
    ctx.addIssue({ code: "custom", message: p.reason });
    return z.NEVER;
  }
  if (dec(p.value).decimalPlaces() > BUDGET_AMOUNT_SCALE) {
    ctx.addIssue({ code: "custom", message: `has more than ${BUDGET_AMOUNT_SCALE} decimals` });
    return z.NEVER;
  }
  return p.value;
});

/** The cells of one CSV row (trimmed strings), each with its own schema; `org_id` "" = every org. */
export const budgetCsvSchema = z
  .object({
    scope: z.enum(BUDGET_SCOPES, { message: "is not a scope: expected team or cost_center" }),
    name: z.string().min(1, "is empty: expected a team or a cost center code"),
    amount: amountSchema,
    from_month: z.string().refine(isMonth, "is not a month YYYY-MM"),
    org_id: z.string().max(MAX_ORG_ID, `is longer than ${MAX_ORG_ID} characters`),
  })
  .superRefine((r, ctx) => {
    const p = budgetNameProblem(r.scope, r.name);
    if (p) ctx.addIssue({ code: "custom", path: ["name"], message: p });
  })
  .transform((r): Budget => ({
    scope: r.scope,
    name: r.name,
    orgId: r.org_id === "" ? null : r.org_id,
    fromMonth: r.from_month,
    amount: r.amount,
  }));

/** A budget as the admin form or a service gives it (same rules as a CSV row). */
export const budgetSchema = z
  .object({
    scope: z.enum(BUDGET_SCOPES),
    name: z.string().trim(),
    amount: z.string().trim(),
    fromMonth: z.string().trim(),
    orgId: z.string().trim().nullable().optional(),
  })
  .transform((b) => ({ scope: b.scope, name: b.name, amount: b.amount, from_month: b.fromMonth, org_id: b.orgId ?? "" }))
  .pipe(budgetCsvSchema);

// ---------------------------------------------------------------------------------------------
// The CSV
// ---------------------------------------------------------------------------------------------

export const BUDGET_CSV_COLUMNS = [
  { name: "scope", aliases: [], required: true },
  { name: "name", aliases: [], required: true },
  { name: "amount", aliases: [], required: true },
  { name: "from_month", aliases: [], required: true },
  { name: "org_id", aliases: [], required: false },
] as const satisfies readonly ColumnSpec[];

export type BudgetCsvColumn = (typeof BUDGET_CSV_COLUMNS)[number]["name"];

/** The canonical header, as the export writes it. */
export const BUDGET_CSV_HEADER: readonly BudgetCsvColumn[] = BUDGET_CSV_COLUMNS.map((c) => c.name);

/** Rule id of each column's cell problems, and the rule ids with their text. */
const CELL_RULE: Record<BudgetCsvColumn, string> = {
  scope: "budget-scope",
  name: "budget-name",
  amount: "budget-amount",
  from_month: "budget-month",
  org_id: "budget-org",
};

export const BUDGET_CSV_RULES: Readonly<Record<string, string>> = {
  "unknown-column": "the columns are scope, name, amount, from_month and optionally org_id",
  "budget-scope": "scope is team or cost_center",
  "budget-name": "name is a team (not a pseudo-team) or a cost center code, known when checked against the teams",
  "budget-amount": `amount is a plain decimal ≥ 0 with at most ${BUDGET_AMOUNT_SCALE} decimals (no sign, exponent or thousands separator)`,
  "budget-month": "from_month is a month YYYY-MM",
  "budget-org": "org_id is empty (every organization) or a known organization",
  "duplicate-entry": "a (scope, name, from_month, org_id) appears once per file",
};

const issue = issueWithOwnRules((rule) => BUDGET_CSV_RULES[rule]);

/** Known names to check against (each optional: unchecked when absent). */
export interface BudgetRefs {
  teams?: ReadonlySet<string>;
  costCenters?: ReadonlySet<string>;
  orgs?: ReadonlySet<string>;
}

export type BudgetCsvResult =
  { ok: true; rows: Array<Budget & { line: number }> } | { ok: false; errors: ValidationIssue[]; errorCount: number };

/**
 * Parses the budget CSV (header and records as `readCsvRecords` gives them): every row in file
 * order, or every problem by line, column, value and rule (`maxErrors`, default 50, listed; all
 * counted).
 */
export function parseBudgetCsv(
  header: string[],
  records: readonly CsvRecord[],
  opts: { refs?: BudgetRefs; headerLine?: number; maxErrors?: number } = {},
): BudgetCsvResult {
  const headerLine = opts.headerLine ?? 1;
  const all = new IssueList(Number.MAX_SAFE_INTEGER);
  const fail = (): BudgetCsvResult => ({ ok: false, ...issuesByLine(all, opts.maxErrors ?? 50) });
  const match = matchFixedHeader(header, BUDGET_CSV_COLUMNS, headerLine, all, {
    issue,
    expected: BUDGET_CSV_HEADER.join(","),
    unknownText: (field) =>
      `(field ${field}) is not a budget column (an org_id ignored would make an organization's budget the total's); the header is ${BUDGET_CSV_HEADER.join(",")}`,
  });
  if (!match) return fail();

  const refs = opts.refs ?? {};
  const out: Array<Budget & { line: number }> = [];
  const seen = new Map<string, number>();
  for (const { fields, line } of records) {
    if (fields.every((f) => f.trim() === "")) continue;
    if (!checkFieldCount(fields, match.fieldCount, line, all)) continue;
    const raw = (c: BudgetCsvColumn) => {
      const i = match.index.get(c);
      return i === undefined ? "" : fields[i].trim();
    };
    const cells = Object.fromEntries(BUDGET_CSV_HEADER.map((c) => [c, unprotectCell(raw(c))])) as Record<BudgetCsvColumn, string>;
    const parsed = budgetCsvSchema.safeParse(cells);
    if (!parsed.success) {
      const done = new Set<string>();
      for (const i of parsed.error.issues) {
        const col = String(i.path[0]) as BudgetCsvColumn;
        if (done.has(col)) continue; // one issue per cell
        done.add(col);
        all.add(issue(line, col, raw(col), CELL_RULE[col], i.message));
      }
      // zod skips the object's refinement when a cell failed: the name rule is checked here then
      const scope = BUDGET_SCOPES.find((s) => s === cells.scope);
      const p = scope && !done.has("name") ? budgetNameProblem(scope, cells.name) : null;
      if (p) all.add(issue(line, "name", raw("name"), "budget-name", p));
      continue;
    }
    const b = parsed.data;
    let bad = false;
    const known = b.scope === "team" ? refs.teams : refs.costCenters;
    if (known && !known.has(b.name)) {
      const what = b.scope === "team" ? "team" : "cost center";
      all.add(
        issue(line, "name", raw("name"), "budget-name", `is not a known ${what}: add it on the Teams page first, or check the spelling`),
      );
      bad = true;
    }
    if (b.orgId !== null && refs.orgs && !refs.orgs.has(b.orgId)) {
      all.add(issue(line, "org_id", raw("org_id"), "budget-org", "is not a known organization"));
      bad = true;
    }
    if (bad) continue;
    const key = budgetKey(b);
    const dup = seen.get(key);
    if (dup !== undefined) {
      all.add(
        issue(
          line,
          "from_month",
          raw("from_month"),
          "duplicate-entry",
          `repeats the budget of line ${dup} (scope ${b.scope}, name ${b.name}, org_id ${b.orgId ?? "empty"}): keep one line`,
        ),
      );
      continue;
    }
    seen.set(key, line);
    out.push({ ...b, line });
  }
  if (all.count > 0) return fail();
  return { ok: true, rows: out };
}

/** The identity of a budget row: (scope, name, org, from_month). */
export function budgetKey(b: Pick<Budget, "scope" | "name" | "orgId" | "fromMonth">): string {
  return [b.scope, b.name, b.orgId ?? "", b.fromMonth].join("\u0000");
}

/** The identity of a budget row as text for people and the audit log: `team/payments//2026-05` (scope/name/org/from_month). */
export function budgetPath(b: Pick<Budget, "scope" | "name" | "orgId" | "fromMonth">): string {
  return [b.scope, b.name, b.orgId ?? "", b.fromMonth].join("/");
}

/** The canonical CSV (header and cells) of `budgets`, sorted by scope, name, org (all orgs first), month. */
export function formatBudgetCsv(budgets: readonly Budget[]): { header: string[]; rows: string[][] } {
  const sorted = [...budgets].sort(
    (a, b) => cmp(a.scope, b.scope) || cmp(a.name, b.name) || cmp(a.orgId ?? "", b.orgId ?? "") || cmp(a.fromMonth, b.fromMonth),
  );
  return { header: [...BUDGET_CSV_HEADER], rows: sorted.map((b) => [b.scope, b.name, b.amount, b.fromMonth, b.orgId ?? ""]) };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// Which budget is in force
// ---------------------------------------------------------------------------------------------

/**
 * The budget in force for `month` (YYYY-MM): among the rows of the same scope, name and org, the
 * one with the latest `fromMonth` ≤ `month`; null when none has started yet.
 *
 * The org is matched exactly, with no fall-back: an org-specific budget (`orgId` set) is the
 * budget of that organization's spend; the all-orgs one (`orgId` null or absent) is the budget
 * of the total. Asking for an org without a budget of its own gives null, never the total's.
 */
export function effectiveBudget(
  budgets: readonly Budget[],
  q: { scope: BudgetScope; name: string; month: string; orgId?: string | null },
): Budget | null {
  if (!isMonth(q.month)) throw new Error(`invalid month ${JSON.stringify(q.month)}: expected YYYY-MM`);
  const org = q.orgId ?? null;
  let best: Budget | null = null;
  for (const b of budgets) {
    if (b.scope !== q.scope || b.name !== q.name || (b.orgId ?? null) !== org) continue;
    if (b.fromMonth > q.month) continue;
    if (!best || b.fromMonth >= best.fromMonth) best = b;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Status and thresholds
// ---------------------------------------------------------------------------------------------

export const BUDGET_STATUSES = ["on_track", "at_risk", "over"] as const;
export type BudgetStatus = (typeof BUDGET_STATUSES)[number];

/** At risk from this share of the budget (percent), by forecast or by actual spend. */
export const AT_RISK_PERCENT = 90;
/** The default alert thresholds, percent of the budget. */
export const DEFAULT_THRESHOLDS: readonly number[] = [80, 100];

type Amount = Decimal | string;

const pctOf = (budget: Decimal, pct: number | string): Decimal => budget.times(new Decimal(pct)).div(100);

/**
 * The status of a month's spend against its budget (amounts exact):
 *
 * - `over`: the actual spend is above the budget (`spent > budget`; exactly the budget is not over);
 * - `at_risk`: not over, and the forecast or the actual spend reaches 90 % of the budget
 *   (`forecast ≥ 0.9 × budget` or `spent ≥ 0.9 × budget`; a forecast above the budget is at risk, not over);
 * - `on_track`: otherwise.
 *
 * A budget of 0: any spend above 0 is over, any forecast above 0 at risk, nothing at all on track.
 */
export function budgetStatus(x: { spent: Amount; forecast: Amount; budget: Amount }): BudgetStatus {
  const spent = dec(x.spent);
  const forecast = dec(x.forecast);
  const budget = dec(x.budget);
  if (budget.isNegative()) throw new Error(`budget must be ≥ 0, got ${budget.toFixed()}`);
  if (spent.greaterThan(budget)) return "over";
  if (budget.isZero()) return forecast.greaterThan(ZERO) ? "at_risk" : "on_track";
  const risk = pctOf(budget, AT_RISK_PERCENT);
  if (forecast.greaterThanOrEqualTo(risk) || spent.greaterThanOrEqualTo(risk)) return "at_risk";
  return "on_track";
}

export interface ThresholdCrossing {
  /** percent of the budget */
  threshold: number;
  /** `actual`: the spend so far reaches it; `forecast`: only the month-end forecast does */
  basis: "actual" | "forecast";
}

/**
 * The thresholds (percent of the budget, default 80 and 100) that the month has reached, for the
 * alerts: one entry per threshold reached, ascending; basis `actual` when the spend so far
 * reaches it (`spent ≥ t % × budget`), else `forecast` when the forecast does. A threshold is
 * reached at exactly its amount. With a budget of 0 every threshold is reached by any amount
 * above 0, none by 0.
 */
export function thresholdCrossings(x: {
  spent: Amount;
  forecast: Amount;
  budget: Amount;
  thresholds?: readonly number[];
}): ThresholdCrossing[] {
  const spent = dec(x.spent);
  const forecast = dec(x.forecast);
  const budget = dec(x.budget);
  if (budget.isNegative()) throw new Error(`budget must be ≥ 0, got ${budget.toFixed()}`);
  const thresholds = [...new Set(x.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b);
  const out: ThresholdCrossing[] = [];
  for (const t of thresholds) {
    if (!Number.isFinite(t) || t <= 0) throw new Error(`a threshold is a percentage > 0, got ${t}`);
    const reaches = (v: Decimal) => (budget.isZero() ? v.greaterThan(ZERO) : v.greaterThanOrEqualTo(pctOf(budget, t)));
    if (reaches(spent)) out.push({ threshold: t, basis: "actual" });
    else if (reaches(forecast)) out.push({ threshold: t, basis: "forecast" });
  }
  return out;
}
