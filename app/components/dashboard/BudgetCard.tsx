/** Spent, forecast and budget of the data's current month (app/services/budget-status.ts): a card for one subject, a table for many. */
import { Link } from "@remix-run/react";
import Decimal from "decimal.js";
import { Card, cx, Money, StatusBadge, Table, TBody, td, tdNum, THead, HeadRow } from "~/components/ui";
import type { BudgetStatus } from "~/domain/budgets";
import { formatPercent, formatUsd } from "~/lib/format";

export interface BudgetStatusData {
  scope: "team" | "cost_center";
  name: string;
  month: string;
  asOf: string;
  monthOver: boolean;
  spent: string;
  forecast: string;
  low: string;
  high: string;
  method: string;
  budget: string | null;
  budgetFrom: string | null;
  budgetOrg: string | null;
  status: BudgetStatus | null;
  forecastShare: string | null;
}

const TONES = { on_track: "success", at_risk: "warning", over: "danger" } as const;
const LABELS: Record<BudgetStatus, string> = { on_track: "On track", at_risk: "At risk", over: "Over budget" };

export function BudgetBadge({ status }: { status: BudgetStatus }) {
  return <StatusBadge status={status} tones={TONES} label={LABELS[status]} testId="budget-status" />;
}

const monthLabel = (m: string) =>
  new Date(`${m}-01T00:00:00Z`).toLocaleDateString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });

/** The bar: spent (solid) and forecast (light) against the budget (the 100 % line). */
function Bar({ spent, forecast, budget }: { spent: string; forecast: string; budget: string }) {
  const b = new Decimal(budget);
  const scale = Decimal.max(b, new Decimal(forecast), new Decimal(spent), 1);
  const pct = (v: string) => Decimal.max(0, new Decimal(v).div(scale).times(100)).toDecimalPlaces(1).toString();
  return (
    <div className="relative mt-3 h-2.5 w-full rounded-full bg-slate-100" aria-hidden>
      <div className="absolute inset-y-0 left-0 rounded-full bg-indigo-200" style={{ width: `${pct(forecast)}%` }} />
      <div className="absolute inset-y-0 left-0 rounded-full bg-indigo-600" style={{ width: `${pct(spent)}%` }} />
      <div className="absolute inset-y-[-4px] w-0.5 bg-slate-700" style={{ left: `${pct(budget)}%` }} title="budget" />
    </div>
  );
}

/** One subject's month: spent, forecast (with its range), budget and status. */
export function BudgetCard({ s, isAdmin }: { s: BudgetStatusData; isAdmin: boolean }) {
  const partial = !s.monthOver;
  return (
    <Card
      title={`Budget · ${monthLabel(s.month)}`}
      description={partial ? `month in progress, data through ${s.asOf}` : "month complete"}
      actions={s.status ? <BudgetBadge status={s.status} /> : null}
    >
      <div className="grid grid-cols-3 gap-4 text-sm" data-testid="budget-card">
        <div>
          <p className="text-[11px] font-medium uppercase tracking-wide text-slate-500">Spent</p>
          <p className="text-lg font-semibold tabular-nums" data-testid="budget-spent">
            {formatUsd(s.spent)}
          </p>
        </div>
        <div>
          <p className="text-[11px] font-medium uppercase tracking-wide text-slate-500">{partial ? "Forecast" : "Month total"}</p>
          <p className="text-lg font-semibold tabular-nums" data-testid="budget-forecast">
            {formatUsd(s.forecast)}
          </p>
          {partial && s.method !== "no_data" ? (
            <p className="text-xs text-slate-500" title="about 90 % of months end in this range">
              {formatUsd(s.low)} – {formatUsd(s.high)}
            </p>
          ) : null}
          {s.method === "no_data" ? <p className="text-xs text-slate-500">no daily data to forecast from</p> : null}
        </div>
        <div>
          <p className="text-[11px] font-medium uppercase tracking-wide text-slate-500">Budget</p>
          {s.budget !== null ? (
            <>
              <p className="text-lg font-semibold tabular-nums" data-testid="budget-amount">
                {formatUsd(s.budget)}
              </p>
              <p className="text-xs text-slate-500">
                from {s.budgetFrom}
                {s.budgetOrg ? ` · ${s.budgetOrg}` : " · all organizations"}
                {s.forecastShare !== null ? ` · forecast ${formatPercent(s.forecastShare, 0)}` : ""}
              </p>
            </>
          ) : (
            <p className="text-sm text-slate-500" data-testid="budget-none">
              No budget set.{" "}
              {isAdmin ? (
                <Link to="/admin/budgets" className="text-indigo-700 hover:underline">
                  Set one →
                </Link>
              ) : null}
            </p>
          )}
        </div>
      </div>
      {s.budget !== null ? <Bar spent={s.spent} forecast={s.forecast} budget={s.budget} /> : null}
    </Card>
  );
}

/** Every subject with a budget this month, worst first (the overview). */
export function BudgetTable({ rows, search }: { rows: BudgetStatusData[]; search: string }) {
  return (
    <Table caption="Budgets this month" testId="budget-table">
      <THead>
        <HeadRow
          cols={["Team or cost center", "Spent", "Forecast", "Budget", "Forecast / budget", "Status"]}
          num={["Spent", "Forecast", "Budget", "Forecast / budget"]}
        />
      </THead>
      <TBody>
        {rows.map((r) => (
          <tr key={`${r.scope}/${r.name}`} data-testid="budget-row">
            <th scope="row" className={cx(td, "text-left font-normal")}>
              <Link
                to={`/${r.scope === "team" ? "teams" : "cost-centers"}/${encodeURIComponent(r.name)}${search}`}
                className="text-indigo-700 hover:underline"
              >
                {r.name}
              </Link>
              {r.scope === "cost_center" ? <span className="ml-1 text-xs text-slate-400">cost center</span> : null}
            </th>
            <td className={tdNum}>
              <Money value={r.spent} />
            </td>
            <td className={tdNum}>
              <Money value={r.forecast} />
            </td>
            <td className={tdNum}>
              <Money value={r.budget ?? "0"} />
            </td>
            <td className={tdNum}>{r.forecastShare === null ? "—" : formatPercent(r.forecastShare, 0)}</td>
            <td className={td}>{r.status ? <BudgetBadge status={r.status} /> : null}</td>
          </tr>
        ))}
      </TBody>
    </Table>
  );
}
