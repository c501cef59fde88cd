/**
 * Spent, forecast and budget of a team or a cost center for the data's current month (issue 16,
 * docs/budgets.md), read by the overview, team and cost-center pages and by the alert evaluation.
 *
 * - **month**: the month of the last day with data for the chosen orgs (the dashboards' anchor),
 *   `asOf` that day;
 * - **spent**: the report's total for the month (every granularity the report reads, closed
 *   months frozen as everywhere);
 * - **forecast**: spent plus what the daily data projects for the rest of the month
 *   (app/domain/forecast.ts: trailing run rate with a day-of-week profile, and a range); a month
 *   that is over, closed for every org with data, or has no daily data forecasts its spent;
 * - **budget**: the one in force for the month (app/domain/budgets.ts#effectiveBudget): the
 *   all-organizations budget when no org is chosen, that org's own with exactly one chosen,
 *   none for a subset of several orgs (a total's budget does not apply to part of it);
 * - **status**: on track / at risk / over (app/domain/budgets.ts#budgetStatus).
 */
import type { Db } from "../../db/client";
import { getTeamDaily } from "../../db/queries/budgets";
import { dataSpan } from "../../db/queries/freshness";
import { getReport, type ReportRow } from "../../db/queries/report";
import { costCenterMap } from "../../db/queries/teams";
import { budgetStatus, effectiveBudget, type BudgetScope, type BudgetStatus } from "../domain/budgets";
import { forecastMonth, type ForecastMethod } from "../domain/forecast";
import { dec, ZERO } from "../domain/money";
import { addDays, monthRange, startOfMonth } from "../domain/periods";
import type { Visible } from "../domain/scope";
import { getBudgets } from "./budgets";

export interface BudgetStatusView {
  scope: BudgetScope;
  name: string;
  /** YYYY-MM */
  month: string;
  /** the last day with data */
  asOf: string;
  /** the month is over and complete in the data, or closed */
  monthOver: boolean;
  spent: string;
  forecast: string;
  low: string;
  high: string;
  method: ForecastMethod;
  budget: string | null;
  budgetFrom: string | null;
  /** the org whose own budget applies (null: the all-organizations budget) */
  budgetOrg: string | null;
  status: BudgetStatus | null;
  /** forecast ÷ budget (4 dp), null without a budget or with a budget of 0 */
  forecastShare: string | null;
}

const m2 = (d: ReturnType<typeof dec>) => d.toFixed(2);

export interface StatusQuery {
  scope: BudgetScope;
  name: string;
  orgIds?: string[];
  /** a team_viewer's visible teams (null: every team) */
  visible?: Visible;
}

/** Spent, forecast, budget and status of one subject for the data's current month; null without data. */
export async function getBudgetStatus(db: Db, q: StatusQuery): Promise<BudgetStatusView | null> {
  const orgIds = q.orgIds?.length ? q.orgIds : undefined;
  const span = await dataSpan(db, orgIds);
  if (!span) return null;
  const budgets = await getBudgets(db);
  return statusAt(db, q, await monthContext(db, { orgIds, asOf: span.last, budgets, visible: q.visible ?? null }));
}

/** What every subject of one view shares: the month's report, the teams' cost centers, the close. */
interface MonthContext {
  orgIds?: string[];
  asOf: string;
  budgets: Awaited<ReturnType<typeof getBudgets>>;
  report: ReportRow[];
  costCenters: Map<string, string | null>;
  /** every org with data in the month has closed it */
  closed: boolean;
}

async function monthContext(
  db: Db,
  p: { orgIds?: string[]; asOf: string; budgets: MonthContext["budgets"]; visible: Visible },
): Promise<MonthContext> {
  const month = p.asOf.slice(0, 7);
  const { from, to } = monthRange(month);
  const report = await getReport(db, { granularity: "monthly", from, to: addDays(to, -1), orgIds: p.orgIds, visible: p.visible });
  const orgsWithData = [...new Set(report.map((r) => r.orgId))];
  const closed = orgsWithData.length > 0 && (await allClosed(db, orgsWithData, month));
  return { orgIds: p.orgIds, asOf: p.asOf, budgets: p.budgets, report, costCenters: await costCenterMap(db), closed };
}

async function statusAt(db: Db, q: StatusQuery, ctx: MonthContext): Promise<BudgetStatusView> {
  const visible = q.visible ?? null;
  const month = ctx.asOf.slice(0, 7);
  const { from, to } = monthRange(month);
  // the teams the subject covers now (a cost center: its teams), as far as the reader sees
  const covered = q.scope === "team" ? [q.name] : [...ctx.costCenters].filter(([, cc]) => cc === q.name).map(([t]) => t);
  const teams = visible === null ? covered : covered.filter((t) => visible.includes(t));
  const spent = ctx.report.filter((r) => teams.includes(r.group)).reduce((a, r) => a.plus(dec(r.total)), ZERO);
  const closed = teams.length > 0 && ctx.closed;

  let projected = ZERO;
  let low = ZERO;
  let high = ZERO;
  let method: ForecastMethod = "actual";
  const monthOver = closed || addDays(ctx.asOf, 1) >= to;
  if (!monthOver && teams.length) {
    const rows = await getTeamDaily(db, { from: addDays(startOfMonth(ctx.asOf), -62), to: ctx.asOf, orgIds: ctx.orgIds, teams });
    const byDay = new Map<string, ReturnType<typeof dec>>();
    for (const r of rows) byDay.set(r.day, (byDay.get(r.day) ?? ZERO).plus(dec(r.total)));
    const daily = [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, c]) => ({ date, cost: c.toFixed() }));
    if (daily.some((d) => d.date >= from)) {
      const f = forecastMonth({ daily, month, asOf: ctx.asOf });
      // the rest of the month as the daily data projects it, on top of the report's spent
      projected = dec(f.forecast).minus(dec(f.spent));
      low = dec(f.low).minus(dec(f.spent));
      high = dec(f.high).minus(dec(f.spent));
      method = f.method;
    } else method = "no_data";
  }
  const forecast = spent.plus(projected);
  const budgetOrg = ctx.orgIds?.length === 1 ? ctx.orgIds[0]! : null;
  const several = (ctx.orgIds?.length ?? 0) > 1;
  const b = several ? null : effectiveBudget(ctx.budgets, { scope: q.scope, name: q.name, month, orgId: budgetOrg });
  return {
    scope: q.scope,
    name: q.name,
    month,
    asOf: ctx.asOf,
    monthOver,
    spent: m2(spent),
    forecast: m2(forecast),
    low: m2(spent.plus(low)),
    high: m2(spent.plus(high)),
    method,
    budget: b ? b.amount : null,
    budgetFrom: b ? b.fromMonth : null,
    budgetOrg: b ? budgetOrg : null,
    status: b ? budgetStatus({ spent: m2(spent), forecast: m2(forecast), budget: b.amount }) : null,
    forecastShare: b && dec(b.amount).gt(0) ? forecast.div(dec(b.amount)).toFixed(4) : null,
  };
}

async function allClosed(db: Db, orgIds: string[], month: string): Promise<boolean> {
  const rows = await db.query<{ n: number }>(
    `select count(distinct org_id)::int as n from month_closes where status = 'closed' and month = $1 and org_id = any($2::text[])`,
    [month, orgIds],
  );
  return (rows[0]?.n ?? 0) === orgIds.length;
}

/**
 * Every subject with a budget in force for the data's current month (the overview's list and the
 * alert evaluation), worst status first. A team_viewer sees only its visible teams' budgets.
 */
export async function listBudgetStatuses(db: Db, p: { orgIds?: string[]; visible?: Visible } = {}): Promise<BudgetStatusView[]> {
  const orgIds = p.orgIds?.length ? p.orgIds : undefined;
  const budgets = await getBudgets(db);
  if (budgets.length === 0) return [];
  const span = await dataSpan(db, orgIds);
  if (!span) return [];
  const visible = p.visible ?? null;
  const subjects = new Map<string, { scope: BudgetScope; name: string }>();
  for (const b of budgets) {
    if (visible !== null && (b.scope !== "team" || !visible.includes(b.name))) continue;
    subjects.set(`${b.scope}\u0000${b.name}`, { scope: b.scope, name: b.name });
  }
  const ctx = await monthContext(db, { orgIds, asOf: span.last, budgets, visible });
  const out: BudgetStatusView[] = [];
  for (const s of subjects.values()) {
    const v = await statusAt(db, { ...s, visible }, ctx);
    if (v.budget !== null) out.push(v);
  }
  const rank: Record<BudgetStatus, number> = { over: 0, at_risk: 1, on_track: 2 };
  return out.sort(
    (a, b) =>
      rank[a.status!] - rank[b.status!] ||
      dec(b.forecastShare ?? "0").comparedTo(dec(a.forecastShare ?? "0")) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
