/**
 * Overview: KPIs, spend per period stacked by team or cost center (top 8 + Other),
 * the sortable group table and its CSV. Figures = the CLI report for the same filters.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import Decimal from "decimal.js";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { StackedSpendChart } from "~/components/dashboard/charts";
import { FilterBar } from "~/components/dashboard/FilterBar";
import {
  Badge,
  buttonClass,
  Card,
  cx,
  EmptyState,
  Money,
  Muted,
  PageHeader,
  Stat,
  Table,
  TBody,
  td,
  tdNum,
  th,
  THead,
  thNum,
} from "~/components/ui";
import { Change, coverageBand, CoverageMeter, GroupLink } from "~/components/dashboard/parts";
import { AmountCells, PeriodTable } from "~/components/dashboard/tables";
import { TrustBar } from "~/components/dashboard/TrustBar";
import { filtersToSearch, type SortKey } from "~/lib/filters";
import { dashboardBase, timing } from "~/lib/filters.server";
import { formatPercent, formatUsd } from "~/lib/format";
import { sortOverviewRows } from "../../db/queries/overview";
import { OTHER_TEAMS } from "~/domain/vocabulary";
import { BudgetTable } from "~/components/dashboard/BudgetCard";
import { listBudgetStatuses } from "~/services/budget-status";

export const meta: MetaFunction = () => [{ title: "Overview · Showback" }];

/** A scoped viewer's own teams: the total less the "other teams" line. */
function scopeTotal(rows: ReadonlyArray<{ group: string; total: string }>, total: string): string {
  const other = rows.find((r) => r.group === OTHER_TEAMS)?.total ?? "0";
  return new Decimal(total).minus(other).toFixed();
}

export async function loader({ request }: LoaderFunctionArgs) {
  const base = await dashboardBase(request);
  const { filters, view, reads } = base;
  const ov = await reads.getOverview({ ...view, by: filters.by, previous: filters.previous });
  const statuses = await reads.periodStatuses(
    {
      granularity: filters.gran,
      periods: ov.periods.map((p) => p.period),
      orgIds: view.orgIds,
      now: base.now,
      report: ov.report,
    },
    { ...view, by: filters.by },
  );
  // the teams and cost centers with a budget this month, worst first (a team viewer: its teams)
  const budgets = await listBudgetStatuses(base.db, { orgIds: view.orgIds, visible: view.visible });
  return json(
    {
      budgets,
      filters: base.filters,
      orgOptions: base.orgOptions,
      hasData: base.hasData,
      isAdmin: base.isAdmin,
      scoped: base.scoped,
      search: filtersToSearch(filters),
      kpi: ov.kpi,
      rows: sortOverviewRows(ov.rows, filters.sort, filters.dir),
      series: ov.series,
      periods: ov.periods,
      trust: {
        nowMs: base.now.getTime(),
        freshness: base.freshness,
        // a scoped viewer: unmapped cost is part of "other teams"
        unmapped: base.scoped ? null : { amount: ov.kpi.unmapped, share: ov.kpi.unmappedShare },
        periods: statuses,
        gran: filters.gran,
      },
    },
    { headers: timing(base.started) },
  );
}

export const headers = ({ loaderHeaders }: { loaderHeaders: Headers }) => ({
  "Server-Timing": loaderHeaders.get("Server-Timing") ?? "",
});

const COLS: Array<{ key: SortKey; label: string; num: boolean }> = [
  { key: "group", label: "Group", num: false },
  { key: "direct", label: "Direct cost", num: true },
  { key: "share", label: "Share of unallocated", num: true },
  { key: "total", label: "Total", num: true },
  { key: "pct", label: "% of total", num: true },
  { key: "change", label: "Change", num: true },
];

export default function Overview() {
  const d = useLoaderData<typeof loader>();
  const f = d.filters;
  const groupLabel = f.by === "team" ? "Team" : "Cost center";
  const band = coverageBand(d.kpi.coverage);
  const csvHref = `/export.csv${d.search}`;

  if (!d.hasData) {
    return (
      <>
        <PageHeader title="Overview" description="What each team spends on Confluent Cloud, how it moves, and why." />
        <EmptyState
          title="No cost data yet"
          action={
            d.isAdmin ? (
              <div className="flex justify-center gap-2">
                <Link to="/imports" className={buttonClass.primary}>
                  Ingest an export
                </Link>
                <Link to="/crosswalk" className={buttonClass.secondary}>
                  Map owners to teams
                </Link>
              </div>
            ) : null
          }
        >
          <p>
            Showback reads Confluent Cloud cost allocation exports.{" "}
            {d.isAdmin ? "Start by ingesting" : "A finance admin starts by ingesting"} one export per organization (
            <code className="rounded bg-slate-100 px-1">npm run ingest -- --org ORG file.csv</code> or the Imports page), then maps service
            accounts and resources to teams in the crosswalk.
          </p>
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Overview"
        description={
          <>
            Confluent Cloud spend by {groupLabel.toLowerCase()}, {f.label}· compared with {rangeText(f.previous)}
          </>
        }
        actions={
          <>
            <a href={csvHref} className={buttonClass.secondary} download data-testid="csv-download">
              Download CSV
            </a>
            <a
              href={`/export/rows.csv${d.search}`}
              className={buttonClass.secondary}
              download
              data-testid="rows-csv-download"
              title="One line per period, org and team over the range, at the chosen granularity"
            >
              Download rows
            </a>
          </>
        }
      />
      <FilterBar filters={f} orgOptions={d.orgOptions} />
      <TrustBar trust={d.trust} />

      <div className="mb-6 grid grid-cols-1 gap-4 md:grid-cols-3">
        <Stat
          size="lg"
          testId="kpi-total"
          label="Total spend"
          value={formatUsd(d.kpi.total)}
          hint={
            <>
              <Change change={d.kpi.change} pct={d.kpi.changePct} comparison={f.comparison} />{" "}
              {f.comparison.complete ? <span className="text-slate-400">vs {formatUsd(d.kpi.previousTotal)} before</span> : null}
            </>
          }
        />
        {d.scoped ? (
          <Stat
            size="lg"
            testId="kpi-scope"
            label="Your teams"
            value={formatUsd(scopeTotal(d.rows, d.kpi.total))}
            hint={
              <span>
                of {formatUsd(d.kpi.total)}; the rest is “{OTHER_TEAMS}”
              </span>
            }
          />
        ) : (
          <Stat
            size="lg"
            testId="kpi-coverage"
            label="Allocation coverage"
            value={d.kpi.coverage === null ? "—" : formatPercent(d.kpi.coverage)}
            badge={<Badge tone={band.tone}>{band.label}</Badge>}
            hint={
              <>
                <span>
                  {formatUsd(d.kpi.unmapped)} unmapped ·{" "}
                  <Link to="/crosswalk/unmapped" className="text-indigo-700 hover:underline">
                    unmapped queue
                  </Link>
                </span>
                <CoverageMeter coverage={d.kpi.coverage} />
              </>
            }
          />
        )}
        <Stat
          size="lg"
          testId="kpi-unallocated"
          label="Net unallocated"
          value={<Money value={d.kpi.netUnallocated} />}
          hint={
            <span>
              {new Decimal(d.kpi.netUnallocated).isNegative() ? "Credits and refunds" : "Org-level cost"} spread by each org&apos;s policy
              {new Decimal(d.kpi.unallocatedKept).isZero() ? "" : `; ${formatUsd(d.kpi.unallocatedKept)} left on “unallocated”`}
            </span>
          }
        />
      </div>

      {d.budgets.length ? (
        <Card
          title="Budgets this month"
          description={`${d.budgets[0]!.month}, data through ${d.budgets[0]!.asOf}: spent and month-end forecast against each budget, worst first`}
          padded={false}
          className="mb-6"
        >
          <BudgetTable rows={d.budgets} search={d.search} />
        </Card>
      ) : null}
      <Card
        title={`Spend per ${f.gran === "daily" ? "day" : f.gran === "weekly" ? "week" : "month"} by ${groupLabel.toLowerCase()}`}
        description={d.series.includes("Other") ? "Top 8 by total in range; the rest is grouped as Other." : undefined}
        className="mb-6"
      >
        {d.periods.length === 0 ? (
          <Muted>No spend in this range. Try a longer period or another organization.</Muted>
        ) : (
          <>
            <StackedSpendChart
              periods={d.periods}
              series={d.series}
              gran={f.gran}
              label={`Stacked bar chart of spend per period by ${groupLabel.toLowerCase()}, ${f.label}`}
            />
            <details className="mt-4 rounded border border-slate-100">
              <summary className="cursor-pointer px-3 py-2 text-sm text-indigo-700">Show the chart&apos;s data as a table</summary>
              <PeriodTable
                periods={d.periods}
                series={d.series}
                gran={f.gran}
                statuses={d.trust.periods}
                caption="Spend per period (chart data)"
              />
            </details>
          </>
        )}
      </Card>

      <Card
        title={`${groupLabel}s`}
        description={`Sorted by ${COLS.find((c) => c.key === f.sort)?.label.toLowerCase()}; click a column to sort.`}
        padded={false}
      >
        <Table caption={`Spend by ${groupLabel.toLowerCase()}`} testId="group-table">
          <THead>
            <tr>
              {COLS.map((c) => {
                const active = f.sort === c.key;
                const nextDir = active ? (f.dir === "desc" ? "asc" : "desc") : c.key === "group" ? "asc" : "desc";
                return (
                  <th
                    key={c.key}
                    scope="col"
                    className={c.num ? thNum : th}
                    aria-sort={active ? (f.dir === "asc" ? "ascending" : "descending") : "none"}
                  >
                    <Link
                      to={filtersToSearch(f, { sort: c.key, dir: nextDir })}
                      preventScrollReset
                      className={cx("inline-flex items-center gap-1 hover:text-slate-900", active && "text-slate-900")}
                    >
                      {c.key === "group" ? groupLabel : c.label}
                      <span aria-hidden className="text-[10px]">
                        {active ? (f.dir === "asc" ? "▲" : "▼") : "↕"}
                      </span>
                    </Link>
                  </th>
                );
              })}
            </tr>
          </THead>
          <TBody>
            {d.rows.map((r) => (
              <tr key={r.group} className="hover:bg-slate-50" data-testid="group-row">
                <th scope="row" className={cx(td, "text-left font-normal")}>
                  <GroupLink group={r.group} by={f.by} search={d.search} />
                </th>
                <AmountCells amounts={r} totalClassName="font-semibold text-slate-900" />
                <td className={tdNum}>{r.pctOfTotal === null ? "—" : formatPercent(r.pctOfTotal)}</td>
                <td className={tdNum}>
                  <Change change={r.change} pct={r.changePct} comparison={f.comparison} compact={!f.comparison.complete} />
                </td>
              </tr>
            ))}
          </TBody>
          <tfoot className="border-t-2 border-slate-200 bg-slate-50">
            <tr>
              <th scope="row" className={cx(td, "text-left font-semibold")}>
                Total
              </th>
              <td className={cx(tdNum, "font-semibold")}>
                <Money value={d.kpi.direct} />
              </td>
              <td className={cx(tdNum, "font-semibold")}>
                <Money value={d.kpi.netUnallocated} />
              </td>
              <td className={cx(tdNum, "font-semibold")} data-testid="table-total">
                <Money value={d.kpi.total} />
              </td>
              <td className={tdNum}>{d.kpi.total === "0" ? "—" : "100.0%"}</td>
              <td className={tdNum}>
                <Change change={d.kpi.change} pct={d.kpi.changePct} comparison={f.comparison} compact={!f.comparison.complete} />
              </td>
            </tr>
          </tfoot>
        </Table>
      </Card>
    </>
  );
}

function rangeText(r: { from: string; to: string }) {
  return `${r.from} – ${r.to}`;
}
