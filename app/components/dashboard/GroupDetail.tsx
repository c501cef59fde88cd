/** The team / cost-center / pseudo-team page body: trend, breakdowns, unallocated share, crosswalk. */
import { Link } from "@remix-run/react";
import Decimal from "decimal.js";
import { Badge, Card, cx, HeadRow, Money, Muted, Stat, Table, TableNote, TBody, td, tdNum, THead } from "~/components/ui";
import { validFromLabel } from "~/domain/crosswalk";
import { labelOf } from "~/domain/csv/labels";
import { formatPercent, formatUsd } from "~/lib/format";
import type { ResolvedFilters } from "~/lib/filters";
import type { Drilldown } from "../../../db/queries/drilldown";
import { periodLabel, TrendChart } from "./charts";
import { AmountsTable, BreakdownTable } from "./tables";

type D = Drilldown;

const UNALLOCATED_NUM = ["Bucket U", "Direct cost", "Weight", "Share"];

export function GroupDetail({ d, filters, isAdmin, search }: { d: D; filters: ResolvedFilters; isAdmin: boolean; search: string }) {
  const directTotal = d.rawDirect;
  const isUnmapped = d.key === "unmapped";
  const isUnallocated = d.key === "unallocated";
  return (
    <>
      {isUnmapped ? (
        <div className="mb-6 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" role="status">
          These costs come from owners (service accounts, users, resources) that have no crosswalk entry at the bucket&apos;s date.{" "}
          <Link to="/crosswalk/unmapped" className="font-medium underline">
            Open the unmapped queue
          </Link>{" "}
          to map them to teams; the figures update on the next recompute.
        </div>
      ) : null}
      {isUnallocated ? (
        <div className="mb-6 rounded-lg border border-slate-200 bg-slate-50 px-4 py-3 text-sm text-slate-700" role="status">
          The unallocated row of the export (credits, refunds, org-level cost) stays here when the organization&apos;s policy is{" "}
          <code>none</code>, or when no team had positive direct cost in the bucket.
        </div>
      ) : null}

      <div className="mb-6 grid grid-cols-1 gap-4 md:grid-cols-3">
        <Stat size="lg" testId="kpi-total" label="Total" value={formatUsd(d.totals.total)} hint={<span>{filters.label}</span>} />
        <Stat
          size="lg"
          testId="kpi-direct"
          label="Direct cost"
          value={formatUsd(d.totals.direct)}
          hint={<span>from the rows its owners generated</span>}
        />
        <Stat
          size="lg"
          testId="kpi-share"
          label="Share of unallocated"
          value={<Money value={d.totals.unallocatedShare} />}
          hint={
            <span>
              {d.unallocated.totalRows} bucket share{d.unallocated.totalRows === 1 ? "" : "s"} (see below)
            </span>
          }
        />
      </div>

      <div className="mb-6 grid grid-cols-1 gap-6 xl:grid-cols-3">
        <Card title="Trend" description="Direct cost and share of unallocated per period" className="xl:col-span-2">
          {d.trend.length ? (
            <TrendChart trend={d.trend} gran={filters.gran} label={`Bar chart of ${d.key}'s cost per period`} />
          ) : (
            <Muted>No cost in this range.</Muted>
          )}
        </Card>
        <Card title="Per period" padded={false}>
          <div className="max-h-72 overflow-y-auto">
            <AmountsTable
              caption="Cost per period (chart data)"
              testId="trend-table"
              cols={["Period", "Direct", "Unalloc.", "Total"]}
              rows={d.trend}
              rowKey={(t) => t.period}
              name={(t) => periodLabel(t.period, filters.gran)}
              totalClassName="font-medium"
              stickyHead
            />
          </div>
        </Card>
      </div>

      <div className="mb-6 grid grid-cols-1 gap-6 xl:grid-cols-2">
        <Card title="By product and metric" description="Direct cost" padded={false}>
          <BreakdownTable
            testId="by-metric"
            caption="Direct cost by product and metric"
            columns={["Product", "Metric", "Unit"]}
            total={directTotal}
            rows={d.byProductMetric.map((r) => ({
              key: `${r.product}|${r.metric}|${r.unit}`,
              cells: [
                <span key="p" className="font-medium">
                  {labelOf(r.product)}
                </span>,
                labelOf(r.metric),
                <span key="u" className="text-slate-400">
                  {labelOf(r.unit)}
                </span>,
              ],
              amount: r.direct,
            }))}
          />
        </Card>
        <Card title="Top principals" description="Owners whose usage is billed here (display names where known)" padded={false}>
          <BreakdownTable
            testId="principals"
            caption="Direct cost by principal"
            columns={["Owner", "Org", ...(d.kind === "cost_center" ? ["Team"] : [])]}
            total={directTotal}
            rows={d.principals.map((r) => ({
              key: `${r.orgId}|${r.ownerId}|${r.team}`,
              cells: [
                <span key="o" title={r.ownerId}>
                  {r.displayName ? (
                    <>
                      <span className="font-medium text-slate-800">{r.displayName}</span>{" "}
                      <span className="text-xs text-slate-400">{r.ownerId}</span>
                    </>
                  ) : (
                    <span className="font-mono text-xs">{r.ownerId}</span>
                  )}
                </span>,
                r.orgId,
                ...(d.kind === "cost_center" ? [r.team ?? "unmapped"] : []),
              ],
              amount: r.direct,
            }))}
          />
        </Card>
      </div>

      <Card title="By organization, environment and resource" description="Direct cost" padded={false} className="mb-6">
        <BreakdownTable
          testId="by-resource"
          caption="Direct cost by organization, environment and resource"
          columns={["Organization", "Environment", "Resource"]}
          total={directTotal}
          limit={15}
          rows={d.byOrgEnvResource.map((r) => ({
            key: `${r.orgId}|${r.environmentId}|${r.resourceId}`,
            cells: [
              r.orgId,
              r.environmentId || <span className="text-slate-400">org-level</span>,
              r.resourceId ? <span className="font-mono text-xs">{r.resourceId}</span> : <span className="text-slate-400">—</span>,
            ],
            amount: r.direct,
          }))}
        />
      </Card>

      <Card
        title="The unallocated share, explained"
        description={
          <>
            Each bucket&apos;s unallocated amount U (often credits) is spread by the org&apos;s policy; here are the buckets that gave{" "}
            {d.kind === "team" ? "this team" : "this group"} a share. Total: {formatUsd(d.unallocated.shareTotal, { decimals: 4 })}.
          </>
        }
        padded={false}
        className="mb-6"
      >
        {d.unallocated.rows.length === 0 ? (
          <p className="px-5 py-6 text-sm text-slate-500">No share of unallocated cost in this range.</p>
        ) : (
          <Table caption="Unallocated share per bucket" testId="unallocated-explained">
            <THead>
              <HeadRow cols={["Bucket", "Org", d.kind === "cost_center" && "Team", "Policy", ...UNALLOCATED_NUM]} num={UNALLOCATED_NUM} />
            </THead>
            <TBody>
              {d.unallocated.rows.map((r) => (
                <tr key={`${r.orgId}|${r.granularity}|${r.bucket}|${r.team}`}>
                  <td className={td}>
                    {r.bucket} <span className="text-xs text-slate-400">{r.granularity}</span>
                  </td>
                  <td className={td}>{r.orgId}</td>
                  {d.kind === "cost_center" ? <td className={td}>{r.team}</td> : null}
                  <td className={td}>
                    <Badge>{r.policy}</Badge>
                  </td>
                  <td className={tdNum}>
                    <Money value={r.bucketU} />
                  </td>
                  <td className={tdNum}>
                    <Money value={r.teamDirect} />
                  </td>
                  <td className={tdNum}>{r.weight === null ? "—" : formatPercent(r.weight, 2)}</td>
                  <td className={cx(tdNum, "font-medium")}>{formatUsd(r.share, { decimals: 4 })}</td>
                </tr>
              ))}
            </TBody>
            {d.unallocated.totalRows > d.unallocated.rows.length ? (
              <tfoot>
                <tr>
                  <td colSpan={8} className={cx(td, "text-xs text-slate-400")}>
                    Showing the {d.unallocated.rows.length} largest of {d.unallocated.totalRows} buckets.
                  </td>
                </tr>
              </tfoot>
            ) : null}
          </Table>
        )}
      </Card>

      {!isUnmapped && !isUnallocated && !d.crosswalkHidden ? (
        <Card
          title="Crosswalk entries routing cost here"
          description="(org, owner) → team, effective [valid from, valid to)"
          padded={false}
          actions={
            isAdmin ? (
              <Link
                to={`/crosswalk?team=${encodeURIComponent(d.kind === "team" ? d.key : "")}`}
                className="text-sm text-indigo-700 hover:underline"
              >
                Edit in the crosswalk →
              </Link>
            ) : null
          }
        >
          {d.crosswalk.length === 0 ? (
            <Muted className="px-5 py-6">No crosswalk entry routes cost to {d.key} for these organizations.</Muted>
          ) : (
            <>
              <Table caption="Crosswalk entries" testId="crosswalk-entries">
                <THead>
                  <HeadRow cols={["Org", "Owner", "Team", "Valid from", "Valid to", "Note"]} />
                </THead>
                <TBody>
                  {d.crosswalk.map((c) => (
                    <tr key={c.id}>
                      <td className={td}>{c.orgId}</td>
                      <td className={td}>
                        <span className="font-mono text-xs">{c.ownerId}</span>
                        {c.displayName ? <span className="ml-2 text-slate-500">{c.displayName}</span> : null}
                      </td>
                      <td className={td}>
                        <Link to={`/teams/${encodeURIComponent(c.team)}${search}`} className="text-indigo-700 hover:underline">
                          {c.team}
                        </Link>
                      </td>
                      <td className={cx(td, "tabular-nums")}>{validFromLabel(c.validFrom)}</td>
                      <td className={cx(td, "tabular-nums")}>{c.validTo ?? <span className="text-slate-400">open</span>}</td>
                      <td className={cx(td, "text-slate-500")}>{c.note}</td>
                    </tr>
                  ))}
                </TBody>
              </Table>
              {d.crosswalkTotal > d.crosswalk.length ? (
                <TableNote testId="crosswalk-more">
                  Showing {d.crosswalk.length} of {d.crosswalkTotal} entries
                  {isAdmin && d.kind === "team" ? (
                    <>
                      {" "}
                      ·{" "}
                      <Link to={`/crosswalk?team=${encodeURIComponent(d.key)}`} className="text-indigo-700 hover:underline">
                        all of them in the crosswalk
                      </Link>
                    </>
                  ) : (
                    "."
                  )}
                </TableNote>
              ) : null}
            </>
          )}
        </Card>
      ) : null}
    </>
  );
}

export function directMatches(d: D): boolean {
  return new Decimal(d.rawDirect).eq(new Decimal(d.totals.direct));
}
