/**
 * The dashboard read models (db/queries/overview.ts, drilldown.ts, team-totals.ts,
 * org-summaries.ts, period-status.ts, freshness.ts, report.ts, reconcile.ts, closes.ts,
 * orgs.ts) behind the read cache (app/lib/read-cache.server.ts): same arguments, same
 * answers, computed once per data version and shared (deep-frozen: never mutate them).
 *
 *   const reads = dashboardReads(request, db);
 *   const ov = await reads.getOverview({ ...view, by, previous });
 *
 * What depends on the clock is keyed by the UTC day of `now` (every "period not over
 * yet" / "48 h after the month end" test in those modules compares against a UTC
 * midnight), and `nowMs` is put back per request. Nothing per user is ever cached.
 * docs/decisions/0005-read-cache.md
 */
import type { GroupBy } from "../domain/vocabulary";
import type { Db } from "../../db/client";
import { getMonthClose, listClosedMonthRestatements } from "../../db/queries/closes";
import { getDrilldown, type GroupKind } from "../../db/queries/drilldown";
import { dataSpan, orgFreshness } from "../../db/queries/freshness";
import { monthClosesOf, orgSummaries, recentImports } from "../../db/queries/org-summaries";
import { getOverview } from "../../db/queries/overview";
import { groupTrust, periodStatuses } from "../../db/queries/period-status";
import { listCostCenterTotals, listTeamTotals } from "../../db/queries/team-totals";
import type { ViewParams } from "../../db/queries/view";
import { listOrgs } from "../../db/queries/orgs";
import { getReport, type ReportParams, type ReportRow } from "../../db/queries/report";
import { latestMonthWithData, monthsWithData } from "../../db/queries/reconcile";
import { readerFor, type CachedRead } from "./read-cache.server";

/** orgIds as a key: a sorted set; none or empty = every org (as the queries read it). */
const orgKey = (orgIds?: readonly string[] | null) => (orgIds && orgIds.length ? [...new Set(orgIds)].sort() : null);
const viewKey = (v: ViewParams) => ({
  granularity: v.granularity,
  from: v.from,
  to: v.to,
  orgIds: orgKey(v.orgIds),
  // a scoped viewer's visible teams (sorted by app/domain/scope.ts): the same scope shares answers
  visible: v.visible ?? null,
});
/** The UTC day of an instant: the only grain at which the read models look at the clock. */
export const utcDay = (now: Date) => now.toISOString().slice(0, 10);

type Previous = { previous: { from: string; to: string } };
type Freshness = Array<{ orgId: string; lastImportAt: string | null; dataThrough: string | null }>;

export function dashboardReads(request: Request, db: Db) {
  const cached: CachedRead = readerFor(request, db);
  return {
    cached,
    listOrgs: () => cached("listOrgs", null, () => listOrgs(db)),
    /** the days the data covers (first bucket, last covered day): the anchor of relative periods */
    dataSpan: (orgIds?: string[]) => cached("dataSpan", orgKey(orgIds), () => dataSpan(db, orgIds)),
    /** A fresh Map per call around shared (frozen) values. */
    orgFreshness: async (orgIds?: string[]) =>
      new Map(await cached("orgFreshness", orgKey(orgIds), async () => [...(await orgFreshness(db, orgIds)).entries()])),
    getReport: (p: ReportParams) => cached("getReport", { ...viewKey(p), by: p.by ?? "team" }, () => getReport(db, p)),
    getOverview: (p: ViewParams & { by: GroupBy } & Previous) =>
      cached("getOverview", { ...viewKey(p), by: p.by, previous: { from: p.previous.from, to: p.previous.to } }, () => getOverview(db, p)),
    /** `scope`: the view the periods and report come from (part of the key). */
    periodStatuses: (p: Parameters<typeof periodStatuses>[1], scope: ViewParams & { by?: GroupBy }) =>
      cached(
        "periodStatuses",
        {
          ...viewKey(scope),
          by: scope.by ?? "team",
          granularity: p.granularity,
          periods: p.periods,
          orgIds: orgKey(p.orgIds),
          day: utcDay(p.now),
        },
        () => periodStatuses(db, p),
      ),
    /** `report`, when given, must be getReport of the same view by team (as groupTrust expects). */
    groupTrust: async (p: { view: ViewParams; now: Date; freshness: Freshness; report?: ReportRow[] }) => {
      const t = await cached("groupTrust", { ...viewKey(p.view), day: utcDay(p.now) }, () => groupTrust(db, { ...p, freshness: [] }));
      return { ...t, nowMs: p.now.getTime(), freshness: p.freshness };
    },
    listTeamTotals: (p: ViewParams & Previous) =>
      cached("listTeamTotals", { ...viewKey(p), previous: { from: p.previous.from, to: p.previous.to } }, () => listTeamTotals(db, p)),
    listCostCenterTotals: (p: ViewParams & Previous) =>
      cached("listCostCenterTotals", { ...viewKey(p), previous: { from: p.previous.from, to: p.previous.to } }, () =>
        listCostCenterTotals(db, p),
      ),
    /** `opts.report`, when given, must be getReport of the same view by `kind`. */
    getDrilldown: (kind: GroupKind, key: string, p: ViewParams, opts: { report?: ReportRow[] } = {}) =>
      cached("getDrilldown", { kind, key, ...viewKey(p) }, () => getDrilldown(db, kind, key, p, opts)),
    orgSummaries: (p: ViewParams) => cached("orgSummaries", viewKey(p), () => orgSummaries(db, p)),
    recentImports: (orgId: string, limit = 10) => cached("recentImports", { orgId, limit }, () => recentImports(db, orgId, limit)),
    monthClosesOf: (orgIds?: string[]) => cached("monthClosesOf", orgKey(orgIds), () => monthClosesOf(db, orgIds)),
    listClosedMonthRestatements: (f: { orgId?: string; month?: string; team?: string } = {}) =>
      cached("listClosedMonthRestatements", { orgId: f.orgId, month: f.month, team: f.team }, () => listClosedMonthRestatements(db, f)),
    getMonthClose: (orgId: string, month: string) => cached("getMonthClose", { orgId, month }, () => getMonthClose(db, orgId, month)),
    monthsWithData: () => cached("monthsWithData", null, () => monthsWithData(db)),
    latestMonthWithData: (currentMonth?: string) =>
      cached("latestMonthWithData", { currentMonth }, () => latestMonthWithData(db, currentMonth)),
  };
}

export type DashboardReads = ReturnType<typeof dashboardReads>;
