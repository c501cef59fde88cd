/**
 * The allocation per (period, org, team) as CSV, for downloads of any length
 * (`/export/rows.csv`, docs/dashboards.md): a year of daily rows of every org is tens of
 * thousands of lines, so the text is produced a month at a time, each month one read of
 * `allocation_results` (getTeamPeriods), and handed on as it is made: memory stays that of
 * one month's rows whatever the range. Amounts are the stored decimals, exactly; a scoped
 * viewer's other teams are one OTHER_TEAMS line per period and org (db/queries/report.ts).
 */
import type { Db } from "../../db/client";
import { getTeamPeriods, type ViewGranularity } from "../../db/queries/report";
import { costCenterMap } from "../../db/queries/teams";
import type { Visible } from "../domain/scope";
import { addDays } from "../domain/periods";
import { toSafeCsv } from "./csv";

export const PERIOD_ROWS_HEADER = [
  "period_start",
  "org_id",
  "team",
  "cost_center",
  "direct_cost",
  "unallocated_share",
  "total_cost",
  "granularity",
];

export interface PeriodRowsParams {
  granularity: ViewGranularity;
  from: string;
  to: string;
  orgIds?: string[];
  visible?: Visible;
}

const monthAfter = (day: string) => {
  const [y, m] = day.split("-").map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
};
/** The Monday (a week start, as date_trunc('week') has it) after `day`, at least 4 weeks on. */
const weeksAfter = (day: string) => {
  const d = addDays(day, 28);
  const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
  return addDays(d, (8 - dow) % 7);
};

/**
 * [from, to] cut where no period of the granularity straddles a cut: at month starts
 * (daily, monthly), at week starts about every 4 weeks (weekly).
 */
export function rangeSlices(from: string, to: string, granularity: ViewGranularity): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let start = from; start <= to;) {
    const next = granularity === "weekly" ? weeksAfter(start) : monthAfter(start);
    const end = addDays(next, -1) < to ? addDays(next, -1) : to;
    out.push([start, end]);
    start = next;
  }
  return out;
}

/** The CSV text, header first, then one chunk per slice of the range (rangeSlices: every period whole, once). */
export async function* periodRowsCsv(db: Db, p: PeriodRowsParams): AsyncGenerator<string> {
  yield toSafeCsv(PERIOD_ROWS_HEADER, []);
  const cc = await costCenterMap(db);
  for (const [from, to] of rangeSlices(p.from, p.to, p.granularity)) {
    const rows = await getTeamPeriods(db, { granularity: p.granularity, from, to, orgIds: p.orgIds, visible: p.visible });
    if (rows.length === 0) continue;
    const text = toSafeCsv(
      PERIOD_ROWS_HEADER,
      rows.map((r) => [r.period_start, r.org_id, r.team, cc.get(r.team) ?? "", r.direct_cost, r.unallocated_share, r.total, p.granularity]),
    );
    yield text.slice(text.indexOf("\n") + 1); // without its header line
  }
}
