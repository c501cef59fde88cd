/** /teams/:team — one team (or the pseudo-teams unmapped / unallocated): trend and drill-down. */
import { BudgetCard } from "~/components/dashboard/BudgetCard";
import { getBudgetStatus } from "~/services/budget-status";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { anomalyAnchor, FlaggedDaysContext } from "~/components/dashboard/charts";
import { FilterBar } from "~/components/dashboard/FilterBar";
import { GroupDetail } from "~/components/dashboard/GroupDetail";
import { TrustBar } from "~/components/dashboard/TrustBar";
import {
  Alert,
  Badge,
  Breadcrumb,
  Card,
  cx,
  HeadRow,
  Money,
  numCell,
  PageHeader,
  Table,
  TBody,
  td,
  tdNum,
  THead,
  TitleWith,
} from "~/components/ui";
import type { Drilldown } from "../../db/queries/drilldown";
import { filtersToSearch } from "~/lib/filters";
import { dashboardBase, timing } from "~/lib/filters.server";
import { requireVisibleTeam } from "~/lib/scope.server";
import { formatUsd } from "~/lib/format";
import { UNALLOCATED, UNMAPPED } from "~/domain/vocabulary";
import { getTeamInfo } from "../../db/queries/teams";
import { addDays } from "~/domain/periods";
import { ANOMALY_RANGE_MAX_DAYS, listAnomalies } from "~/services/anomalies";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.d.key ?? "Team"} · Showback` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const base = await dashboardBase(request);
  const team = params.team ?? "";
  requireVisibleTeam(base.visible, team);
  const { db, filters, view, reads } = base;
  const report = await reads.getReport({ ...view, by: "team" }); // one report for the drill-down and the trust bar
  const d = await reads.getDrilldown("team", team, view, { report });
  const info = await reads.cached("teamInfo", { team }, () => getTeamInfo(db, team));
  if (!info && d.trend.length === 0 && team !== UNMAPPED && team !== UNALLOCATED) {
    throw json({ message: `No team named “${team}”.` }, { status: 404 });
  }
  const trust = await reads.groupTrust({ view, now: base.now, freshness: base.freshness, report });
  // later imports into closed months: the frozen figures stand until the month is reopened
  const restatements = (await reads.listClosedMonthRestatements({ team }))
    .filter((r) => r.pending && (!view.orgIds?.length || view.orgIds.includes(r.orgId)))
    .flatMap((r) =>
      r.deltas.map((x) => ({ orgId: r.orgId, month: r.month, importId: r.importId, old: x.old, new: x.new, delta: x.delta })),
    );
  // daily trends mark the flagged days of the team (anomalies: not cached, acknowledgements change them)
  const minFrom = addDays(view.to, -(ANOMALY_RANGE_MAX_DAYS - 1));
  const flagged =
    filters.gran === "daily" && team !== UNMAPPED && team !== UNALLOCATED && d.trend.length > 0
      ? (
          await listAnomalies(db, {
            from: view.from < minFrom ? minFrom : view.from,
            to: view.to,
            orgIds: view.orgIds,
            visible: base.visible,
            teams: [team],
            movers: false,
          })
        )
          .map((a) => ({ day: a.date, direction: a.direction, cost: a.cost, baseline: a.baseline, acknowledged: a.ack !== null }))
          .sort((a, b) => (a.day < b.day ? -1 : 1))
      : [];
  // spent, forecast and budget of the data's current month
  const budget = info ? await getBudgetStatus(db, { scope: "team", name: team, orgIds: view.orgIds, visible: base.visible }) : null;
  return json(
    {
      d,
      budget,
      flagged,
      restatements,
      filters,
      orgOptions: base.orgOptions,
      isAdmin: base.isAdmin,
      search: filtersToSearch(filters),
      costCenter: info?.cost_center ?? null,
      archived: info?.archived ?? false,
      trust,
    },
    { headers: timing(base.started) },
  );
}

export default function TeamPage() {
  const { d, filters, orgOptions, isAdmin, search, costCenter, archived, trust, restatements, flagged, budget } =
    useLoaderData<typeof loader>();
  const pseudo = d.key === UNMAPPED || d.key === UNALLOCATED;
  return (
    <>
      <Breadcrumb links={[{ to: `/teams${search}`, label: "Teams" }]} current={d.key} />
      <PageHeader
        title={
          <TitleWith title={d.key}>
            {pseudo ? <Badge tone="warning">pseudo-team</Badge> : null}
            {archived ? <Badge>archived</Badge> : null}
          </TitleWith>
        }
        description={
          pseudo ? (
            d.key === UNMAPPED ? (
              "Cost whose owner has no crosswalk entry"
            ) : (
              "Unallocated amounts not spread to teams"
            )
          ) : costCenter ? (
            <>
              Cost center{" "}
              <Link to={`/cost-centers/${encodeURIComponent(costCenter)}${search}`} className="text-indigo-700 hover:underline">
                {costCenter}
              </Link>
            </>
          ) : (
            <>
              No cost center (reported as{" "}
              <Link to={`/cost-centers/unassigned${search}`} className="text-indigo-700 hover:underline">
                unassigned
              </Link>
              )
            </>
          )
        }
      />
      <FilterBar filters={filters} orgOptions={orgOptions} showGroupBy={false} />
      <TrustBar trust={trust} />
      {budget ? (
        <div className="mb-6">
          <BudgetCard s={budget} isAdmin={isAdmin} />
        </div>
      ) : null}
      {restatements.length > 0 ? (
        <div className="mb-4">
          <Alert tone="warning">
            <p className="font-medium">Restated after close: these closed months keep their frozen figures until reopened.</p>
            <table className="mt-2 text-sm">
              <thead>
                <tr className="text-left text-xs uppercase text-slate-500">
                  <th className="pr-4">Org</th>
                  <th className="pr-4">Month</th>
                  <th className="pr-4 text-right">Frozen</th>
                  <th className="pr-4 text-right">Current data</th>
                  <th className="text-right">Delta</th>
                </tr>
              </thead>
              <tbody>
                {restatements.map((r, i) => (
                  <tr key={i}>
                    <td className="pr-4">{r.orgId}</td>
                    <td className="pr-4">
                      <Link to={`/reconciliation?month=${r.month}`} className="text-indigo-700 hover:underline">
                        {r.month}
                      </Link>
                    </td>
                    <td className={`pr-4 ${numCell}`}>{formatUsd(r.old)}</td>
                    <td className={`pr-4 ${numCell}`}>{formatUsd(r.new)}</td>
                    <td className={numCell}>{formatUsd(r.delta, { signed: true })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Alert>
        </div>
      ) : null}
      <FlaggedDaysContext.Provider value={flagged.map((f) => f.day)}>
        <GroupDetail d={d} filters={filters} isAdmin={isAdmin} search={search} />
      </FlaggedDaysContext.Provider>
      {flagged.length > 0 ? <FlaggedDays team={d.key} flagged={flagged} from={filters.range.from} to={filters.range.to} /> : null}
      {pseudo ? null : <MappingSources principals={d.principals} />}
    </>
  );
}

/** The days of the daily trend flagged as anomalies (drawn in rose on the chart), each linking to /anomalies. */
function FlaggedDays({
  team,
  flagged,
  from,
  to,
}: {
  team: string;
  flagged: Array<{ day: string; direction: string; cost: string; baseline: string; acknowledged: boolean }>;
  from: string;
  to: string;
}) {
  const q = `?from=${from}&to=${to}`;
  return (
    <Card
      title="Flagged days"
      description="Daily spend far from the trailing 28-day median (rose on the chart); the movers are on the Anomalies page"
      className="mb-6"
    >
      <ul className="space-y-1 text-sm" data-testid="flagged-days">
        {flagged.map((f) => (
          <li key={f.day} data-day={f.day}>
            <Link to={`/anomalies${q}#${anomalyAnchor(team, f.day)}`} className="font-medium text-indigo-700 hover:underline">
              {f.day}
            </Link>{" "}
            <Badge tone={f.direction === "spike" ? "danger" : "info"}>{f.direction}</Badge>{" "}
            <span className="text-slate-600">
              {formatUsd(f.cost)} vs {formatUsd(f.baseline)}
            </span>
            {f.acknowledged ? (
              <>
                {" "}
                <Badge tone="success">acknowledged</Badge>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </Card>
  );
}

/**
 * Where each top principal's cost comes from: the crosswalk entry, the rule (and its position in
 * the rules list), or the share of a split rule; several sources in the range are comma-separated.
 */
function MappingSources({ principals }: { principals: Drilldown["principals"] }) {
  return (
    <Card
      title="Mapped by"
      description="Why each owner's cost lands on this team: a crosswalk entry, or the first rule that matches it"
      padded={false}
      className="mb-6 mt-6"
    >
      <Table caption="Mapping source of each principal" testId="principals-mapped-by">
        <THead>
          <HeadRow cols={["Owner", "Org", "Mapped by", "Direct cost"]} num={["Direct cost"]} />
        </THead>
        <TBody>
          {principals.map((r) => (
            <tr key={`${r.orgId}|${r.ownerId}|${r.team}`} data-testid={`mapped-${r.ownerId}`}>
              <td className={td} title={r.ownerId}>
                {r.displayName ? (
                  <>
                    <span className="font-medium text-slate-800">{r.displayName}</span>{" "}
                    <span className="text-xs text-slate-400">{r.ownerId}</span>
                  </>
                ) : (
                  <span className="font-mono text-xs">{r.ownerId}</span>
                )}
              </td>
              <td className={td}>{r.orgId}</td>
              <td className={cx(td, "text-slate-600")} data-testid="mapped-by">
                {r.mappedBy ?? <span className="text-slate-400">—</span>}
              </td>
              <td className={tdNum}>
                <Money value={r.direct} />
              </td>
            </tr>
          ))}
          {principals.length === 0 ? (
            <tr>
              <td className={cx(td, "text-slate-400")} colSpan={4}>
                No cost in this range.
              </td>
            </tr>
          ) : null}
        </TBody>
      </Table>
    </Card>
  );
}
