/** /orgs/:org — one organization: totals per team, policy, imports, closes, freshness. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { StackedSpendChart } from "~/components/dashboard/charts";
import { FilterBar } from "~/components/dashboard/FilterBar";
import { PeriodTable, Table, td, tdNum, th, thNum, AmountCells } from "~/components/dashboard/tables";
import { TrustBar } from "~/components/dashboard/TrustBar";
import { age, cx, formatIsoUtc, GroupLink, Kpi, Usd } from "~/components/dashboard/ui";
import { Badge, Card, PageHeader } from "~/components/ui";
import { filtersToSearch } from "~/lib/filters";
import { dashboardBase, timing } from "~/lib/filters.server";
import { formatPercent, formatUsd } from "~/lib/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.org.orgId ?? "Organization"} · Showback` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const base = await dashboardBase(request);
  const orgId = params.org ?? "";
  if (!base.orgOptions.some((o) => o.id === orgId)) throw json({ message: `No organization “${orgId}”.` }, { status: 404 });
  const { filters, reads } = base;
  const view = { ...base.view, orgIds: [orgId] };
  const [org] = await reads.orgSummaries(view);
  const ov = await reads.getOverview({ ...view, by: filters.by, previous: filters.previous });
  const trust = await reads.groupTrust({
    view,
    now: base.now,
    freshness: base.freshness.filter((f) => f.orgId === orgId).length
      ? base.freshness.filter((f) => f.orgId === orgId)
      : [{ orgId, lastImportAt: org!.lastImport?.at ?? null, dataThrough: org!.dataThrough }],
  });
  return json(
    {
      org: org!,
      kpi: ov.kpi,
      rows: ov.rows,
      series: ov.series,
      periods: ov.periods,
      imports: await reads.recentImports(orgId, 8),
      closes: await reads.monthClosesOf([orgId]),
      filters: { ...filters, orgs: [orgId] },
      orgOptions: base.orgOptions,
      search: filtersToSearch({ ...filters, orgs: [orgId] }),
      trust,
    },
    { headers: timing(base.started) },
  );
}

export default function OrgPage() {
  const d = useLoaderData<typeof loader>();
  const o = d.org;
  const f = d.filters;
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link to="/orgs" className="hover:underline">
          Organizations
        </Link>{" "}
        / <span className="text-slate-700">{o.orgId}</span>
      </nav>
      <PageHeader
        title={
          <span className="flex items-center gap-2">
            {o.displayName ?? o.orgId}
            {o.displayName ? <span className="text-base font-normal text-slate-500">{o.orgId}</span> : null}
          </span>
        }
        description={
          <span>
            Unallocated policy <Badge tone="info">{o.policy}</Badge> · {o.importCount} import{o.importCount === 1 ? "" : "s"} · data through{" "}
            {o.dataThrough ?? "—"}
          </span>
        }
      />
      <FilterBar filters={f} orgOptions={d.orgOptions} showOrgs={false} />
      <TrustBar trust={d.trust} />
      <div className="mb-6 grid grid-cols-1 gap-4 md:grid-cols-4">
        <Kpi testId="kpi-total" label="Total" value={formatUsd(d.kpi.total)} sub={f.label} />
        <Kpi
          label="Coverage"
          value={d.kpi.coverage === null ? "—" : formatPercent(d.kpi.coverage)}
          sub={`${formatUsd(d.kpi.unmapped)} unmapped`}
        />
        <Kpi label="Net unallocated" value={<Usd value={d.kpi.netUnallocated} />} sub={`policy ${o.policy}`} />
        <Kpi
          label="Last import"
          value={<span className="text-lg">{o.lastImport ? age(o.lastImport.at, d.trust.nowMs) : "never"}</span>}
          sub={o.lastImport ? `${formatIsoUtc(o.lastImport.at)} · ${o.lastImport.fileName}` : undefined}
        />
      </div>
      <Card title={`Spend per period by ${f.by === "team" ? "team" : "cost center"}`} className="mb-6">
        {d.periods.length ? (
          <>
            <StackedSpendChart periods={d.periods} series={d.series} gran={f.gran} label={`Spend per period in ${o.orgId}`} />
            <details className="mt-4">
              <summary className="cursor-pointer text-sm text-indigo-700">Show the chart&apos;s data as a table</summary>
              <PeriodTable periods={d.periods} series={d.series} gran={f.gran} statuses={d.trust.periods} caption="Spend per period" />
            </details>
          </>
        ) : (
          <p className="py-10 text-center text-sm text-slate-500">No spend in this range.</p>
        )}
      </Card>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        <Card title={f.by === "team" ? "Teams" : "Cost centers"} padded={false}>
          <Table caption="Totals by group" testId="org-groups">
            <thead className="bg-slate-50">
              <tr>
                <th scope="col" className={th}>
                  Group
                </th>
                <th scope="col" className={thNum}>
                  Direct
                </th>
                <th scope="col" className={thNum}>
                  Unalloc. share
                </th>
                <th scope="col" className={thNum}>
                  Total
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {d.rows.map((r) => (
                <tr key={r.group}>
                  <th scope="row" className={cx(td, "text-left font-normal")}>
                    <GroupLink group={r.group} by={f.by} search={d.search} />
                  </th>
                  <AmountCells amounts={r} totalClassName="font-semibold" />
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
        <div className="space-y-6">
          <Card title="Recent imports" padded={false}>
            <Table caption="Recent imports" testId="org-imports">
              <thead className="bg-slate-50">
                <tr>
                  {["When", "File", "Buckets", "Status"].map((h) => (
                    <th key={h} scope="col" className={th}>
                      {h}
                    </th>
                  ))}
                  <th scope="col" className={thNum}>
                    Total
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {d.imports.map((i) => (
                  <tr key={i.id}>
                    <td className={cx(td, "whitespace-nowrap")}>{formatIsoUtc(i.at)}</td>
                    <td className={cx(td, "max-w-[9rem] truncate")} title={i.file_name}>
                      {i.file_name}
                    </td>
                    <td className={cx(td, "text-xs")}>
                      {i.granularity}
                      <br />
                      {i.first_bucket} → {i.last_bucket}
                    </td>
                    <td className={td}>
                      <Badge tone={i.status === "active" ? "success" : "neutral"}>{i.status}</Badge>
                      {i.warnings.length ? (
                        <span className="ml-1" title={i.warnings.join("\n")}>
                          <Badge tone="warning">
                            {i.warnings.length} warning{i.warnings.length === 1 ? "" : "s"}
                          </Badge>
                        </span>
                      ) : null}
                    </td>
                    <td className={tdNum}>
                      <Usd value={i.total} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </Card>
          <Card title="Month closes" padded={false}>
            {d.closes.length === 0 ? (
              <p className="px-5 py-4 text-sm text-slate-500">No month closed yet: every figure is provisional.</p>
            ) : (
              <Table caption="Month closes">
                <tbody className="divide-y divide-slate-100">
                  {d.closes.map((c) => (
                    <tr key={c.month}>
                      <td className={td}>{c.month}</td>
                      <td className={td}>
                        <Badge tone={c.status === "closed" ? "success" : "warning"}>{c.status}</Badge>
                      </td>
                      <td className={cx(td, "text-slate-500")}>
                        {c.closed_by} · {formatIsoUtc(c.closed_at)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
