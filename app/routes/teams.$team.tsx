/** /teams/:team — one team (or the pseudo-teams unmapped / unallocated): trend and drill-down. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
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
  return json(
    {
      d,
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
  const { d, filters, orgOptions, isAdmin, search, costCenter, archived, trust, restatements } = useLoaderData<typeof loader>();
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
      <GroupDetail d={d} filters={filters} isAdmin={isAdmin} search={search} />
      {pseudo ? null : <MappingSources principals={d.principals} />}
    </>
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
