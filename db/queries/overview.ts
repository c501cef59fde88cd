/**
 * The overview read model (docs/allocation.md): the CLI report's figures for the filters
 * (`getReport`) grouped by team or cost center, against the previous equal range, with the
 * KPIs and the chart series. Amounts are decimal strings throughout.
 */
import { UNALLOCATED, UNMAPPED, type GroupBy } from "../../app/domain/vocabulary";
import { Decimal, dec, ZERO } from "../../app/domain/money";
import type { Db } from "../client";
import { getReport, type ReportRow } from "./report";
import { acc0, cmp, fmt as s, sumBy, type ViewParams } from "./view";

export interface GroupTotal {
  group: string;
  direct: string;
  unallocatedShare: string;
  total: string;
}

export interface OverviewRow extends GroupTotal {
  /** share of the grand total (ratio string), null when the grand total is 0 */
  pctOfTotal: string | null;
  previousTotal: string;
  /** total − previous total */
  change: string;
  /** change / |previous total|, null when previous is 0 */
  changePct: string | null;
}

export interface Overview {
  rows: OverviewRow[];
  kpi: {
    total: string;
    previousTotal: string;
    change: string;
    changePct: string | null;
    direct: string;
    unmapped: string;
    /** 1 − unmapped/total (ratio string), null when total ≤ 0 */
    coverage: string | null;
    unmappedShare: string | null;
    /** Σ of the buckets' unallocated amounts U in range (negative = credits) */
    netUnallocated: string;
    /** part of U that stayed on the pseudo-team `unallocated` */
    unallocatedKept: string;
  };
  /** chart series: top 8 groups by total, the rest as "Other" */
  series: string[];
  /** one entry per view period: total per series (decimal strings) */
  periods: Array<{ period: string; total: string; values: Record<string, string> }>;
  /** report rows (for tests and the period table) */
  report: ReportRow[];
}

export const OTHER = "Other";
export const TOP_N = 8;

/** The overview of the CLI report for these filters and the previous equal range. */
export async function getOverview(db: Db, p: ViewParams & { by: GroupBy; previous: { from: string; to: string } }): Promise<Overview> {
  const report = await getReport(db, {
    granularity: p.granularity,
    from: p.from,
    to: p.to,
    orgIds: p.orgIds,
    by: p.by,
    visible: p.visible,
  });
  const prev = await getReport(db, {
    granularity: p.granularity,
    from: p.previous.from,
    to: p.previous.to,
    orgIds: p.orgIds,
    by: p.by,
    visible: p.visible,
  });
  const cur = sumBy(report, (r) => r.group);
  const before = sumBy(prev, (r) => r.group);
  const grand = [...cur.values()].reduce((a, x) => a.plus(x.total), ZERO);
  const grandPrev = [...before.values()].reduce((a, x) => a.plus(x.total), ZERO);
  const direct = [...cur.values()].reduce((a, x) => a.plus(x.direct), ZERO);
  const netU = [...cur.values()].reduce((a, x) => a.plus(x.share), ZERO);

  const groups = new Set([...cur.keys(), ...before.keys()]);
  const rows: OverviewRow[] = [...groups].map((g) => {
    const a = cur.get(g) ?? acc0();
    const b = before.get(g)?.total ?? ZERO;
    const change = a.total.minus(b);
    return {
      group: g,
      direct: s(a.direct),
      unallocatedShare: s(a.share),
      total: s(a.total),
      pctOfTotal: grand.isZero() ? null : a.total.div(grand).toFixed(),
      previousTotal: s(b),
      change: s(change),
      changePct: b.isZero() ? null : change.div(b.abs()).toFixed(),
    };
  });
  rows.sort((x, y) => dec(y.total).cmp(dec(x.total)) || cmp(x.group, y.group));

  const unmapped = cur.get(UNMAPPED)?.total ?? ZERO;
  const kept = cur.get(UNALLOCATED)?.total ?? ZERO;
  const totalChange = grand.minus(grandPrev);

  const ranked = rows.filter((r) => cur.has(r.group)).map((r) => r.group);
  const top = ranked.slice(0, TOP_N);
  const hasOther = ranked.length > TOP_N;
  const series = hasOther ? [...top, OTHER] : top;
  const topSet = new Set(top);
  const perPeriod = new Map<string, Map<string, Decimal>>();
  for (const r of report) {
    let m = perPeriod.get(r.periodStart);
    if (!m) perPeriod.set(r.periodStart, (m = new Map()));
    const k = topSet.has(r.group) ? r.group : OTHER;
    m.set(k, (m.get(k) ?? ZERO).plus(dec(r.total)));
  }
  const periods = [...perPeriod.keys()].sort().map((period) => {
    const m = perPeriod.get(period)!;
    const values: Record<string, string> = {};
    let t = ZERO;
    for (const g of series) {
      const v = m.get(g) ?? ZERO;
      values[g] = s(v);
      t = t.plus(v);
    }
    return { period, total: s(t), values };
  });

  return {
    rows,
    kpi: {
      total: s(grand),
      previousTotal: s(grandPrev),
      change: s(totalChange),
      changePct: grandPrev.isZero() ? null : totalChange.div(grandPrev.abs()).toFixed(),
      direct: s(direct),
      unmapped: s(unmapped),
      coverage: grand.gt(0) ? ZERO.plus(1).minus(unmapped.div(grand)).toFixed() : null,
      unmappedShare: grand.gt(0) ? unmapped.div(grand).toFixed() : null,
      netUnallocated: s(netU),
      unallocatedKept: s(kept),
    },
    series,
    periods,
    report,
  };
}

/** Sort for the overview table (server side: the sort lives in the URL). */
export function sortOverviewRows(
  rows: OverviewRow[],
  key: "group" | "direct" | "share" | "total" | "pct" | "change",
  dir: "asc" | "desc",
): OverviewRow[] {
  const val = (r: OverviewRow): Decimal | string => {
    switch (key) {
      case "group":
        return r.group;
      case "direct":
        return dec(r.direct);
      case "share":
        return dec(r.unallocatedShare);
      case "total":
      case "pct":
        return dec(r.total);
      case "change":
        return dec(r.change);
    }
  };
  const sign = dir === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    const c = typeof x === "string" ? cmp(x, y as string) : x.cmp(y as Decimal);
    return sign * c || cmp(a.group, b.group);
  });
}
