/**
 * Trust signals of a view (docs/reconciliation.md): the status of each view period
 * (incomplete / complete / closed, and why: app/domain/period-status.ts) and, for the pages other than the overview, the unmapped
 * share of the scope with those statuses.
 */
import { UNMAPPED, type ImportStatus } from "../../app/domain/vocabulary";
import { dec, ZERO } from "../../app/domain/money";
import { periodStatus, VENDOR_WINDOW_MS, type DaySpan, type PeriodStatusKind } from "../../app/domain/period-status";
import { periodEnd, startOfMonth, startOfNextMonth, type Granularity } from "../../app/domain/periods";
import type { Db } from "../client";
import { getReport, type ReportRow } from "./report";
import { fmt as s, isoUtc, orgsParam, type ViewGranularity, type ViewParams } from "./view";

/** The imports whose data counts (the others were superseded by a re-ingest). */
const ACTIVE_IMPORT: ImportStatus = "active";

export interface PeriodStatus {
  period: string;
  status: PeriodStatusKind;
  reasons: string[];
}

const dayMs = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));

/**
 * For each view period its status (app/domain/period-status.ts): "closed" when every org with
 * data in it has closed every month the period touches; "incomplete" while the period or the
 * vendor's 48 h window after it runs, when its data was ingested inside that window, or when
 * an org with data in it lacks some of its days; "complete" otherwise.
 */
export async function periodStatuses(
  db: Db,
  p: { granularity: ViewGranularity; periods: string[]; orgIds?: string[]; now: Date; report: ReportRow[] },
): Promise<PeriodStatus[]> {
  if (p.periods.length === 0) return [];
  const closes = await db.query<{ org_id: string; month: string }>(
    `select org_id, month from month_closes where status = 'closed' and ($1::text[] is null or org_id = any($1::text[]))`,
    [orgsParam(p.orgIds)],
  );
  const closed = new Set(closes.map((c) => `${c.org_id}|${c.month}`));
  const imps = await db.query<{ org_id: string; granularity: Granularity; first_bucket: string; last_bucket: string; at: string }>(
    `select org_id, granularity, first_bucket::text, last_bucket::text, ${isoUtc("created_at")} as at from imports
      where status = '${ACTIVE_IMPORT}' and ($1::text[] is null or org_id = any($1::text[]))`,
    [orgsParam(p.orgIds)],
  );
  const spansOf = new Map<string, DaySpan[]>();
  for (const i of imps) {
    let l = spansOf.get(i.org_id);
    if (!l) spansOf.set(i.org_id, (l = []));
    l.push({ from: i.first_bucket, to: periodEnd(i.last_bucket, i.granularity) });
  }
  const orgsIn = new Map<string, Set<string>>();
  for (const r of p.report) {
    let m = orgsIn.get(r.periodStart);
    if (!m) orgsIn.set(r.periodStart, (m = new Set()));
    m.add(r.orgId);
  }
  const nowMs = p.now.getTime();
  return p.periods.map((ps) => {
    const pe = periodEnd(ps, p.granularity);
    const orgs = [...(orgsIn.get(ps) ?? [])];
    const months: string[] = [];
    for (let m = startOfMonth(ps); m < pe; m = startOfNextMonth(m)) months.push(m.slice(0, 7));
    const ingestedInWindow = imps.some((i) => {
      if (!orgs.includes(i.org_id)) return false;
      const dataEnd = periodEnd(i.last_bucket, i.granularity);
      if (!(i.first_bucket < pe && dataEnd > ps)) return false;
      const coveredEnd = dataEnd < pe ? dataEnd : pe;
      return Date.parse(i.at) < dayMs(coveredEnd) + VENDOR_WINDOW_MS;
    });
    const r = periodStatus({
      start: ps,
      end: pe,
      nowMs,
      closed: orgs.length > 0 && orgs.every((o) => months.every((m) => closed.has(`${o}|${m}`))),
      coverage: orgs.map((o) => ({ orgId: o, spans: spansOf.get(o) ?? [] })),
      ingestedInWindow,
    });
    return { period: ps, ...r };
  });
}

/** Trust signals for pages other than the overview: unmapped share of the scope and period statuses. */
export async function groupTrust(
  db: Db,
  p: {
    view: ViewParams;
    now: Date;
    freshness: Array<{ orgId: string; lastImportAt: string | null; dataThrough: string | null }>;
    /** getReport for the same view by team, when the caller has it */
    report?: ReportRow[];
  },
) {
  const report = p.report ?? (await getReport(db, { ...p.view, by: "team" }));
  let total = ZERO;
  let unmapped = ZERO;
  for (const r of report) {
    total = total.plus(dec(r.total));
    if (r.group === UNMAPPED) unmapped = unmapped.plus(dec(r.total));
  }
  const periods = [...new Set(report.map((r) => r.periodStart))].sort();
  return {
    nowMs: p.now.getTime(),
    freshness: p.freshness,
    // a scoped viewer: the unmapped cost is part of "other teams", not its to see
    unmapped: (p.view.visible ?? null) !== null ? null : { amount: s(unmapped), share: total.gt(0) ? unmapped.div(total).toFixed() : null },
    periods: await periodStatuses(db, { granularity: p.view.granularity, periods, orgIds: p.view.orgIds, now: p.now, report }),
    gran: p.view.granularity,
  };
}
