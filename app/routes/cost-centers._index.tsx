/** /cost-centers — every cost center with its totals for the filters, its teams, and the unassigned / unmapped / unallocated groups. */
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

export const meta: MetaFunction = () => [{ title: "Cost centers · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const base = await dashboardBase(request);
  const { filters, view, reads } = base;
  const centers = await reads.listCostCenterTotals({ ...view, previous: filters.previous });
  const trust = await reads.groupTrust({ view, now: base.now, freshness: base.freshness });
  const total = centers.reduce((a, c) => a.plus(c.total), new Decimal(0)).toFixed();
  return json(
    {
      centers,
      total,
      filters,
      orgOptions: base.orgOptions,
      isAdmin: base.isAdmin,
      search: filtersToSearch(filters, { by: "cost_center" }),
      trust,
    },
    { headers: timing(base.started) },
  );
}

const PSEUDO_HINT: Record<string, string> = {
  unassigned: "teams without a cost center",
  unmapped: "owners without a crosswalk entry",
  unallocated: "unallocated amounts not spread to teams",
  [OTHER_TEAMS]: "every team outside your scope",
};

export default function CostCenters() {
  const { centers, total, filters, orgOptions, isAdmin, search, trust } = useLoaderData<typeof loader>();
  const teamSearch = search.replace("by=cost_center", "by=team");
  return (
    <>
      <PageHeader title="Cost centers" description={`Confluent Cloud cost per cost center, ${filters.label}`} />
      <FilterBar filters={filters} orgOptions={orgOptions} showGroupBy={false} />
      <TrustBar trust={trust} />
      {centers.length === 0 ? (
        <EmptyState
          title="No cost centers yet"
          action={
            isAdmin ? (
              <Link to="/admin/teams" className={buttonClass.primary}>
                Set up teams and cost centers
              </Link>
            ) : null
          }
        >
          Cost centers appear when teams are given one (Teams &amp; cost centers), or when cost is ingested.
        </EmptyState>
      ) : (
        <Card padded={false}>
          <GroupTotalsTable
            caption="Cost centers and their totals"
            testId="cost-centers-table"
            rowTestId="cost-center-row"
            headers={["Cost center", "Teams"]}
            rows={centers}
            rowKey={(c) => c.code}
            total={total}
            comparison={filters.comparison}
            name={(c) => (
              <>
                {c.code === OTHER_TEAMS ? (
                  <span className="font-medium italic text-slate-600">{c.code}</span>
                ) : (
                  <Link
                    to={`/cost-centers/${encodeURIComponent(c.code)}${search}`}
                    className={cx("font-medium hover:underline", c.pseudo ? "italic text-slate-600" : "text-indigo-700")}
                  >
                    {c.code}
                  </Link>
                )}
                {c.name ? <span className="ml-2 text-slate-500">{c.name}</span> : null}
                {c.pseudo ? (
                  <span className="ml-2" title={PSEUDO_HINT[c.code]}>
                    <Badge tone="warning">{c.code === "unassigned" ? "no cost center" : "pseudo-team"}</Badge>
                  </span>
                ) : null}
              </>
            )}
            detail={(c) =>
              c.teams.length === 0 ? (
                <span className="text-slate-400">—</span>
              ) : (
                c.teams.map((t, i) => (
                  <span key={t}>
                    {i > 0 ? ", " : null}
                    <Link to={`/teams/${encodeURIComponent(t)}${teamSearch}`} className="text-indigo-700 hover:underline">
                      {t}
                    </Link>
                  </span>
                ))
              )
            }
          />
        </Card>
      )}
    </>
  );
}
