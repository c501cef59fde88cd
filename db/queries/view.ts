/**
 * What every read model of a view (the report, the dashboards) shares: the view's
 * parameters, the period a bucket falls in, and the ONE choice of which stored granularity
 * a view reads (docs/allocation.md): the view granularity itself where the org has its own
 * import at that granularity for the period, else daily buckets rolled up; a period is never
 * counted from two granularities, and weekly buckets never roll into months.
 * Plus the amount accumulators the read models roll report rows up with.
 */
import { Decimal, dec, ZERO } from "../../app/domain/money";
import type { Visible } from "../../app/domain/scope";
import type { Granularity as ViewGranularity } from "../../app/domain/vocabulary";

export type { ViewGranularity };

export interface ViewParams {
  granularity: ViewGranularity;
  /** inclusive bucket-start range, YYYY-MM-DD */
  from: string;
  to: string;
  orgIds?: string[];
  /**
   * A scoped viewer's visible teams (app/domain/scope.ts): every other team, the pseudo-teams
   * included, is read as OTHER_TEAMS. Undefined or null: every team.
   */
  visible?: Visible;
}

/** orgIds as a query parameter: null = every org. */
export const orgsParam = (orgIds?: string[]) => (orgIds && orgIds.length ? orgIds : null);

/** SQL: the start of the view period (of granularity `view`, a text expression) that the date `day` falls in. */
export function viewPeriodStartSql(view: string, day: string): string {
  return `(case ${view} when 'monthly' then date_trunc('month', ${day})::date
                    when 'weekly' then date_trunc('week', ${day})::date else ${day} end)`;
}

/**
 * SQL predicate: the row `row` (a table with org_id and granularity; `day` its bucket-start
 * date column) is read by a view of granularity `view` (a text expression, e.g. `$1::text`):
 * it is at the view granularity, or it is a daily row of an (org, view period) without its own
 * import at the view granularity. Used on allocation_results, allocation_details and cost_rows.
 */
export function readByView(p: { view: string; row: string; day: string }): string {
  const { view, row } = p;
  return `(${row}.granularity = ${view}
    or (${row}.granularity = 'daily' and ${view} <> 'daily'
        and not exists (select 1 from allocation_results own
                         where own.org_id = ${row}.org_id and own.granularity = ${view}
                           and own.bucket_start = ${viewPeriodStartSql(view, p.day)})))`;
}

/** ISO-8601 UTC text of a timestamptz column. */
export const isoUtc = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

export const fmt = (d: Decimal) => d.toFixed();
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface AmountRow {
  direct: string;
  unallocatedShare: string;
  total: string;
}

export interface Acc {
  direct: Decimal;
  share: Decimal;
  total: Decimal;
}
export const acc0 = (): Acc => ({ direct: ZERO, share: ZERO, total: ZERO });
export const addTo = (a: Acc, r: AmountRow) => {
  a.direct = a.direct.plus(dec(r.direct));
  a.share = a.share.plus(dec(r.unallocatedShare));
  a.total = a.total.plus(dec(r.total));
};

export function sumBy<R extends AmountRow>(rows: R[], key: (r: R) => string): Map<string, Acc> {
  const m = new Map<string, Acc>();
  for (const r of rows) {
    const k = key(r);
    let a = m.get(k);
    if (!a) m.set(k, (a = acc0()));
    addTo(a, r);
  }
  return m;
}
