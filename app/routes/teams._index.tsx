/** /teams — every team with its totals for the filters (and the pseudo-teams). */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { FilterBar } from "~/components/dashboard/FilterBar";
import { GroupTotalsTable } from "~/components/dashboard/GroupTotalsTable";
import { TrustBar } from "~/components/dashboard/TrustBar";
import { Badge, buttonClass, Card, cx, EmptyState, PageHeader } from "~/components/ui";
import { filtersToSearch } from "~/lib/filters";
import { dashboardBase, timing } from "~/lib/filters.server";
import Decimal from "decimal.js";
import { OTHER_TEAMS } from "~/domain/vocabulary";

export const meta: MetaFunction = () => [{ title: "Teams · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const base = await dashboardBase(request);
  const { filters, view, reads } = base;
  const teams = await reads.listTeamTotals({ ...view, previous: filters.previous });
  const trust = await reads.groupTrust({ view, now: base.now, freshness: base.freshness });
  const total = teams.reduce((a, t) => a.plus(t.total), new Decimal(0)).toFixed();
  return json(
    { teams, total, filters, orgOptions: base.orgOptions, isAdmin: base.isAdmin, search: filtersToSearch(filters, { by: "team" }), trust },
    { headers: timing(base.started) },
  );
}

export default function Teams() {
  const { teams, total, filters, orgOptions, isAdmin, search, trust } = useLoaderData<typeof loader>();
  const ccSearch = search.replace("by=team", "by=cost_center");
  return (
    <>
      <PageHeader title="Teams" description={`Every team's Confluent Cloud cost, ${filters.label}`} />
      <FilterBar filters={filters} orgOptions={orgOptions} showGroupBy={false} />
      <TrustBar trust={trust} />
      {teams.length === 0 ? (
        <EmptyState
          title="No teams yet"
          action={
            isAdmin ? (
              <Link to="/crosswalk" className={buttonClass.primary}>
                Map owners to teams
              </Link>
            ) : null
          }
        >
          Teams appear when the crosswalk maps service accounts and resources to them (crosswalk import, or the Crosswalk page).
        </EmptyState>
      ) : (
        <Card padded={false}>
          <GroupTotalsTable
            caption="Teams and their totals"
            testId="teams-table"
            rowTestId="team-row"
            headers={["Team", "Cost center"]}
            rows={teams}
            rowKey={(t) => t.team}
            total={total}
            comparison={filters.comparison}
            name={(t) => (
              <>
                {t.team === OTHER_TEAMS ? (
                  <span className="font-medium italic text-slate-600">{t.team}</span>
                ) : (
                  <Link
                    to={`/teams/${encodeURIComponent(t.team)}${search}`}
                    className={cx("font-medium hover:underline", t.pseudo ? "italic text-slate-600" : "text-indigo-700")}
                  >
                    {t.team}
                  </Link>
                )}
                {t.pseudo ? (
                  <span className="ml-2">
                    <Badge tone="warning">pseudo-team</Badge>
                  </span>
                ) : null}
              </>
            )}
            detail={(t) =>
              t.pseudo ? (
                <span className="text-slate-400">—</span>
              ) : t.costCenter ? (
                <Link to={`/cost-centers/${encodeURIComponent(t.costCenter)}${ccSearch}`} className="text-indigo-700 hover:underline">
                  {t.costCenter}
                </Link>
              ) : (
                <Link to={`/cost-centers/unassigned${ccSearch}`} className="text-slate-500 hover:underline">
                  unassigned
                </Link>
              )
            }
          />
        </Card>
      )}
    </>
  );
}
