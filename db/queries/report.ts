/**
 * The report (docs/allocation.md, docs/cli.md): persisted bucket allocations rolled up to the view's periods.
 * A view coarser than the stored granularity uses the org's own import at the view
 * granularity for a period when there is one, else rolls up daily buckets: a period
 * is never counted from two granularities. Weekly buckets never roll into months.
 */
import { groupKey } from "../../app/domain/allocation";
import { Decimal, dec } from "../../app/domain/money";
import type { Db } from "../client";
import { costCenterMap } from "./teams";

export type { Granularity as ViewGranularity } from "../../app/domain/vocabulary";
import type { Granularity as ViewGranularity, GroupBy } from "../../app/domain/vocabulary";

export interface ReportParams {
  granularity: ViewGranularity;
  /** inclusive bucket-start range, YYYY-MM-DD */
  from: string;
  to: string;
  orgIds?: string[];
  by?: GroupBy;
}

export interface ReportRow {
  periodStart: string;
  orgId: string;
  group: string;
  direct: string;
  unallocatedShare: string;
  total: string;
}

export interface TeamPeriodRow {
  period_start: string;
  org_id: string;
  team: string;
  direct_cost: string;
  unallocated_share: string;
  total: string;
}

/** Per (period, org, team) sums, source granularity chosen per (org, period). */
export async function getTeamPeriods(db: Db, p: Omit<ReportParams, "by">): Promise<TeamPeriodRow[]> {
  return db.query<TeamPeriodRow>(
    `with src as (
       select org_id, granularity, team, direct_cost, unallocated_share, total,
              case $1::text when 'monthly' then date_trunc('month', bucket_start)::date
                            when 'weekly' then date_trunc('week', bucket_start)::date
                            else bucket_start end as period_start
         from allocation_results
        where bucket_start between $2::date and $3::date
          and ($4::text[] is null or org_id = any($4::text[]))
          and (granularity = $1::text or (granularity = 'daily' and $1::text <> 'daily'))),
     -- (org, period) that have their own import at the view granularity: daily rows there are not counted
     own as (
       select distinct org_id, bucket_start from allocation_results
        where granularity = $1::text and $1::text <> 'daily'
          and bucket_start between (case $1::text when 'monthly' then date_trunc('month', $2::date)
                                                  else date_trunc('week', $2::date) end)::date and $3::date
          and ($4::text[] is null or org_id = any($4::text[])))
     select s.period_start::text as period_start, s.org_id, s.team, sum(s.direct_cost)::text as direct_cost,
            sum(s.unallocated_share)::text as unallocated_share, sum(s.total)::text as total
       from src s
       left join own o on s.granularity <> $1::text and o.org_id = s.org_id and o.bucket_start = s.period_start
      where s.granularity = $1::text or o.org_id is null
      group by 1, 2, 3
      order by 1, 2, 3`,
    [p.granularity, p.from, p.to, p.orgIds && p.orgIds.length ? p.orgIds : null],
  );
}

export async function getReport(db: Db, p: ReportParams): Promise<ReportRow[]> {
  const rows = await getTeamPeriods(db, p);
  const by = p.by ?? "team";
  const cc = by === "cost_center" ? await costCenterMap(db) : new Map<string, string | null>();
  const acc = new Map<string, { periodStart: string; orgId: string; group: string; direct: Decimal; share: Decimal; total: Decimal }>();
  for (const r of rows) {
    const group = groupKey(r.team, by, (t) => cc.get(t));
    const k = `${r.period_start}\u0000${r.org_id}\u0000${group}`;
    let e = acc.get(k);
    if (!e) {
      e = { periodStart: r.period_start, orgId: r.org_id, group, direct: dec("0"), share: dec("0"), total: dec("0") };
      acc.set(k, e);
    }
    e.direct = e.direct.plus(dec(r.direct_cost));
    e.share = e.share.plus(dec(r.unallocated_share));
    e.total = e.total.plus(dec(r.total));
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...acc.values()]
    .sort((a, b) => cmp(a.periodStart, b.periodStart) || cmp(a.orgId, b.orgId) || cmp(a.group, b.group))
    .map((e) => ({ periodStart: e.periodStart, orgId: e.orgId, group: e.group, direct: e.direct.toFixed(), unallocatedShare: e.share.toFixed(), total: e.total.toFixed() }));
}
