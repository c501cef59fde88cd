/** /orgs — totals per organization, its policy, last import and data freshness. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { FilterBar } from "~/components/dashboard/FilterBar";
import { Badge, buttonClass, Card, cx, EmptyState, HeadRow, Money, PageHeader, Table, TBody, td, tdNum, THead } from "~/components/ui";
import { age, formatIsoUtc } from "~/components/dashboard/parts";
import { TrustBar } from "~/components/dashboard/TrustBar";
import { filtersToSearch } from "~/lib/filters";
import { dashboardBase, timing } from "~/lib/filters.server";

export const meta: MetaFunction = () => [{ title: "Organizations · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const base = await dashboardBase(request);
  const { filters, view, reads } = base;
  const orgs = await reads.orgSummaries(view);
  const trust = await reads.groupTrust({ view, now: base.now, freshness: base.freshness });
  return json(
    { orgs, filters, orgOptions: base.orgOptions, isAdmin: base.isAdmin, scoped: base.scoped, search: filtersToSearch(filters), trust },
    { headers: timing(base.started) },
  );
}

const ORG_NUM = ["Direct cost", "Unmapped", "Total"];
/** a scoped viewer: no unmapped column (that cost is part of "other teams") */
const ORG_NUM_SCOPED = ["Direct cost", "Total"];

export default function Orgs() {
  const { orgs, filters, orgOptions, isAdmin, scoped, search, trust } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Organizations" description={`Confluent Cloud organizations, ${filters.label}`} />
      <FilterBar filters={filters} orgOptions={orgOptions} showGroupBy={false} />
      <TrustBar trust={trust} />
      {orgs.length === 0 ? (
        <EmptyState
          title="No organization yet"
          action={
            isAdmin ? (
              <Link to="/imports" className={buttonClass.primary}>
                Ingest an export
              </Link>
            ) : null
          }
        >
          An organization appears with its first ingested cost allocation export.
        </EmptyState>
      ) : (
        <Card padded={false}>
          <Table caption="Organizations" testId="orgs-table">
            <THead>
              <HeadRow
                cols={["Organization", "Policy", "Last import", "Data through", ...(scoped ? ORG_NUM_SCOPED : ORG_NUM)]}
                num={ORG_NUM}
              />
            </THead>
            <TBody>
              {orgs.map((o) => (
                <tr key={o.orgId} data-testid="org-row">
                  <th scope="row" className={cx(td, "text-left font-normal")}>
                    <Link to={`/orgs/${encodeURIComponent(o.orgId)}${search}`} className="font-medium text-indigo-700 hover:underline">
                      {o.orgId}
                    </Link>
                    {o.displayName ? <span className="ml-2 text-slate-500">{o.displayName}</span> : null}
                  </th>
                  <td className={td}>
                    <Badge tone="info">{o.policy}</Badge>
                  </td>
                  <td className={td}>
                    {o.lastImport ? (
                      <span title={formatIsoUtc(o.lastImport.at)}>
                        {age(o.lastImport.at, trust.nowMs)} <span className="text-xs text-slate-400">· {o.lastImport.granularity}</span>
                      </span>
                    ) : (
                      <span className="text-slate-400">never</span>
                    )}
                  </td>
                  <td className={cx(td, "tabular-nums")}>{o.dataThrough ?? "—"}</td>
                  <td className={tdNum}>
                    <Money value={o.direct} />
                  </td>
                  {scoped ? null : (
                    <td className={tdNum}>
                      <Money value={o.unmapped} />
                    </td>
                  )}
                  <td className={cx(tdNum, "font-semibold text-slate-900")}>
                    <Money value={o.total} />
                  </td>
                </tr>
              ))}
            </TBody>
          </Table>
        </Card>
      )}
    </>
  );
}
