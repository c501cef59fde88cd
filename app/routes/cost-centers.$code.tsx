/** /cost-centers/:code — a cost center (or unassigned / unmapped / unallocated): its teams, trend and drill-down. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { FilterBar } from "~/components/dashboard/FilterBar";
import { GroupDetail } from "~/components/dashboard/GroupDetail";
import { TrustBar } from "~/components/dashboard/TrustBar";
import { Badge, Breadcrumb, PageHeader, TitleWith } from "~/components/ui";
import { filtersToSearch } from "~/lib/filters";
import { dashboardBase, timing } from "~/lib/filters.server";
import { isDisplayPseudoGroup, UNASSIGNED } from "~/domain/vocabulary";
import { getCostCenter } from "../../db/queries/cost-centers";
import { BudgetCard } from "~/components/dashboard/BudgetCard";
import { getBudgetStatus } from "~/services/budget-status";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.d.key ?? "Cost center"} · Showback` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const base = await dashboardBase(request);
  const code = params.code ?? "";
  const { db, filters, view, reads } = base;
  const d = await reads.getDrilldown("cost_center", code, view);
  const cc = await reads.cached("costCenterInfo", { code }, () => getCostCenter(db, code));
  // a scoped viewer: only the cost centers of its visible teams (same answer as an unknown code)
  if (base.scoped && d.members.length === 0) throw json({ message: `No cost center “${code}” in your scope.` }, { status: 404 });
  if (!cc && d.members.length === 0 && !isDisplayPseudoGroup(code)) {
    throw json({ message: `No cost center “${code}”.` }, { status: 404 });
  }
  const trust = await reads.groupTrust({ view, now: base.now, freshness: base.freshness });
  // spent, forecast and budget of the month (a scoped viewer sees part of the cost center: none)
  const budget = cc && !base.scoped ? await getBudgetStatus(db, { scope: "cost_center", name: code, orgIds: view.orgIds }) : null;
  return json(
    {
      d,
      filters,
      orgOptions: base.orgOptions,
      isAdmin: base.isAdmin,
      search: filtersToSearch(filters, { by: "cost_center" }),
      name: cc?.name ?? null,
      trust,
      budget,
    },
    { headers: timing(base.started) },
  );
}

export default function CostCenterPage() {
  const { d, filters, orgOptions, isAdmin, search, name, trust, budget } = useLoaderData<typeof loader>();
  const teamSearch = search.replace("by=cost_center", "by=team");
  return (
    <>
      <Breadcrumb
        links={[
          { to: `/${search}`, label: "Overview" },
          { to: `/cost-centers${search}`, label: "cost centers" },
        ]}
        current={d.key}
      />
      <PageHeader
        title={
          <TitleWith title={d.key} aside={name}>
            {d.key === UNASSIGNED ? <Badge tone="warning">teams without a cost center</Badge> : null}
          </TitleWith>
        }
        description={
          d.members.length ? (
            <span>
              Teams:{" "}
              {d.members.map((m, i) => (
                <span key={m}>
                  {i ? ", " : ""}
                  <Link to={`/teams/${encodeURIComponent(m)}${teamSearch}`} className="text-indigo-700 hover:underline">
                    {m}
                  </Link>
                </span>
              ))}
            </span>
          ) : (
            "No team in this cost center yet."
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
      <GroupDetail d={d} filters={filters} isAdmin={isAdmin} search={teamSearch} />
    </>
  );
}
