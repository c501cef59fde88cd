/** /orgs/:org — one organization: totals per team, policy, imports, closes, freshness. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import Decimal from "decimal.js";
import { OTHER_TEAMS } from "~/domain/vocabulary";
import { StackedSpendChart } from "~/components/dashboard/charts";
import { FilterBar } from "~/components/dashboard/FilterBar";
import {
  Badge,
  Breadcrumb,
  Card,
  cx,
  HeadRow,
  Money,
  Muted,
  PageHeader,
  Stat,
  Table,
  TBody,
  td,
  tdNum,
  THead,
  TitleWith,
} from "~/components/ui";
import { age, formatIsoUtc, GroupLink } from "~/components/dashboard/parts";
import { AmountsTable, PeriodTable } from "~/components/dashboard/tables";
import { TrustBar } from "~/components/dashboard/TrustBar";
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
      // a scoped viewer: imports are the whole org's files (not its to open)
      imports: base.scoped ? null : await reads.recentImports(orgId, 8),
      scoped: base.scoped,
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
      <Breadcrumb links={[{ to: "/orgs", label: "Organizations" }]} current={o.orgId} />
      <PageHeader
        title={<TitleWith title={o.displayName ?? o.orgId} aside={o.displayName ? o.orgId : null} />}
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
        <Stat size="lg" testId="kpi-total" label="Total" value={formatUsd(d.kpi.total)} hint={f.label} />
        {d.scoped ? (
          <Stat
            size="lg"
            label="Your teams"
            value={formatUsd(new Decimal(d.kpi.total).minus(d.rows.find((r) => r.group === OTHER_TEAMS)?.total ?? "0").toFixed())}
            hint={`the rest is “${OTHER_TEAMS}”`}
          />
        ) : (
          <Stat
            size="lg"
            label="Coverage"
            value={d.kpi.coverage === null ? "—" : formatPercent(d.kpi.coverage)}
            hint={`${formatUsd(d.kpi.unmapped)} unmapped`}
          />
        )}
        <Stat size="lg" label="Net unallocated" value={<Money value={d.kpi.netUnallocated} />} hint={`policy ${o.policy}`} />
        <Stat
          size="lg"
          label="Last import"
          value={<span className="text-lg">{o.lastImport ? age(o.lastImport.at, d.trust.nowMs) : "never"}</span>}
          hint={o.lastImport ? `${formatIsoUtc(o.lastImport.at)} · ${o.lastImport.fileName}` : undefined}
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
          <Muted className="py-10 text-center">No spend in this range.</Muted>
        )}
      </Card>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        <Card title={f.by === "team" ? "Teams" : "Cost centers"} padded={false}>
          <AmountsTable
            caption="Totals by group"
            testId="org-groups"
            cols={["Group", "Direct", "Unalloc. share", "Total"]}
            rows={d.rows}
            rowKey={(r) => r.group}
            name={(r) => <GroupLink group={r.group} by={f.by} search={d.search} />}
            totalClassName="font-semibold"
          />
        </Card>
        <div className="space-y-6">
          {d.imports ? (
            <Card title="Recent imports" padded={false}>
              <Table caption="Recent imports" testId="org-imports">
                <THead>
                  <HeadRow cols={["When", "File", "Buckets", "Status", "Total"]} num={["Total"]} />
                </THead>
                <TBody>
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
                        <Money value={i.total} />
                      </td>
                    </tr>
                  ))}
                </TBody>
              </Table>
            </Card>
          ) : null}
          <Card title="Month closes" padded={false}>
            {d.closes.length === 0 ? (
              <Muted className="px-5 py-4">No month closed yet: every figure can still change until its month is closed.</Muted>
            ) : (
              <Table caption="Month closes">
                <TBody>
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
                </TBody>
              </Table>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
