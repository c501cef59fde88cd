/**
 * The report (docs/allocation.md, docs/cli.md): persisted bucket allocations rolled up to the view's periods.
 * A view coarser than the stored granularity uses the org's own import at the view
 * granularity for a period when there is one, else rolls up daily buckets: a period
 * is never counted from two granularities. Weekly buckets never roll into months.
 * (That choice is `readByView` in db/queries/view.ts, shared with the drill-downs.)
 */
import { groupKey } from "../../app/domain/allocation";
import { Decimal, dec } from "../../app/domain/money";
import { OTHER_TEAMS, type Visible } from "../../app/domain/scope";
import type { Db } from "../client";
import { costCenterMap } from "./teams";
import { orgsParam, readByView, viewPeriodStartSql } from "./view";

export type { Granularity as ViewGranularity } from "../../app/domain/vocabulary";
import type { Granularity as ViewGranularity, GroupBy } from "../../app/domain/vocabulary";

export interface ReportParams {
  granularity: ViewGranularity;
  /** inclusive bucket-start range, YYYY-MM-DD */
  from: string;
  to: string;
  orgIds?: string[];
  by?: GroupBy;
  /** a scoped viewer's visible teams; the others are summed as OTHER_TEAMS (null/undefined: every team) */
  visible?: Visible;
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

/** The `visible` list as a query parameter: null = every team. */
export const visibleParam = (v: Visible | undefined): string[] | null => (v === null || v === undefined ? null : [...v]);

/**
 * Per (period, org, team) sums, source granularity chosen per (org, period) (`readByView`, db/queries/view.ts).
 * With `visible`, every team outside it is summed into OTHER_TEAMS in the query itself.
 */
export async function getTeamPeriods(db: Db, p: Omit<ReportParams, "by">): Promise<TeamPeriodRow[]> {
  return db.query<TeamPeriodRow>(
    `select ${viewPeriodStartSql("$1::text", "s.bucket_start")}::text as period_start, s.org_id,
            case when $5::text[] is null or s.team = any($5::text[]) then s.team else '${OTHER_TEAMS}' end as team,
            sum(s.direct_cost)::text as direct_cost, sum(s.unallocated_share)::text as unallocated_share, sum(s.total)::text as total
       from allocation_results s
      where s.bucket_start between $2::date and $3::date
        and ($4::text[] is null or s.org_id = any($4::text[]))
        and ${readByView({ view: "$1::text", row: "s", day: "s.bucket_start" })}
      group by 1, 2, 3
      order by 1, 2, 3`,
    [p.granularity, p.from, p.to, orgsParam(p.orgIds), visibleParam(p.visible)],
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
    .map((e) => ({
      periodStart: e.periodStart,
      orgId: e.orgId,
      group: e.group,
      direct: e.direct.toFixed(),
      unallocatedShare: e.share.toFixed(),
      total: e.total.toFixed(),
    }));
}
