/** /teams — every team with its totals for the filters (and the pseudo-teams). */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { FilterBar } from "~/components/dashboard/FilterBar";
import { Table, td, tdNum, th, thNum, ShareBar, AmountCells } from "~/components/dashboard/tables";
import { TrustBar } from "~/components/dashboard/TrustBar";
import { Change, cx, Usd } from "~/components/dashboard/ui";
import { Badge, buttonClass, Card, EmptyState, PageHeader } from "~/components/ui";
import { filtersToSearch } from "~/lib/filters";
import { dashboardBase, timing } from "~/lib/filters.server";
import { groupTrust, listTeamTotals } from "../../db/queries/dashboard";
import Decimal from "decimal.js";

export const meta: MetaFunction = () => [{ title: "Teams · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const base = await dashboardBase(request);
  const { db, filters, view } = base;
  const teams = await listTeamTotals(db, { ...view, previous: filters.previous });
  const trust = await groupTrust(db, { view, now: base.now, freshness: base.freshness });
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
          <Table caption="Teams and their totals" testId="teams-table">
            <thead className="bg-slate-50">
              <tr>
                <th scope="col" className={th}>
                  Team
                </th>
                <th scope="col" className={th}>
                  Cost center
                </th>
                <th scope="col" className={thNum}>
                  Direct cost
                </th>
                <th scope="col" className={thNum}>
                  Share of unallocated
                </th>
                <th scope="col" className={thNum}>
                  Total
                </th>
                <th scope="col" className={thNum}>
                  Share
                </th>
                <th scope="col" className={thNum}>
                  Change
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 bg-white">
              {teams.map((t) => (
                <tr key={t.team} className="hover:bg-slate-50" data-testid="team-row">
                  <th scope="row" className={cx(td, "text-left font-normal")}>
                    <Link
                      to={`/teams/${encodeURIComponent(t.team)}${search}`}
                      className={cx("font-medium hover:underline", t.pseudo ? "italic text-slate-600" : "text-indigo-700")}
                    >
                      {t.team}
                    </Link>
                    {t.pseudo ? (
                      <span className="ml-2">
                        <Badge tone="warning">pseudo-team</Badge>
                      </span>
                    ) : null}
                  </th>
                  <td className={td}>
                    {t.pseudo ? (
                      <span className="text-slate-400">—</span>
                    ) : t.costCenter ? (
                      <Link to={`/cost-centers/${encodeURIComponent(t.costCenter)}${ccSearch}`} className="text-indigo-700 hover:underline">
                        {t.costCenter}
                      </Link>
                    ) : (
                      <Link to={`/cost-centers/unassigned${ccSearch}`} className="text-slate-500 hover:underline">
                        unassigned
                      </Link>
                    )}
                  </td>
                  <AmountCells amounts={t} totalClassName="font-semibold text-slate-900" />
                  <td className={cx(tdNum, "w-32")}>
                    <ShareBar part={t.total} total={total} />
                  </td>
                  <td className={tdNum}>
                    <Change change={t.change} pct={null} compact />
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot className="border-t-2 border-slate-200 bg-slate-50">
              <tr>
                <th scope="row" className={cx(td, "text-left font-semibold")} colSpan={4}>
                  Total
                </th>
                <td className={cx(tdNum, "font-semibold")}>
                  <Usd value={total} />
                </td>
                <td colSpan={2} />
              </tr>
            </tfoot>
          </Table>
        </Card>
      )}
    </>
  );
}
