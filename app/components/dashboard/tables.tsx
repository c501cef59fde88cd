/** Accessible tables (the text equivalents of the charts, and the breakdowns). */
import type { PeriodStatusKind } from "~/domain/period-status";
import Decimal from "decimal.js";
import type { ReactNode } from "react";
import { formatPercent } from "~/lib/format";
import { cx, HeadRow, Money, Table, TBody, td, tdNum, THead } from "~/components/ui";
import { periodLabel } from "./charts";
import { PeriodBadge } from "./parts";

/** Per-period figures behind the stacked chart. */
export function PeriodTable({
  periods,
  series,
  gran,
  statuses,
  caption,
}: {
  periods: Array<{ period: string; total: string; values: Record<string, string> }>;
  series: string[];
  gran: string;
  statuses: Array<{ period: string; status: PeriodStatusKind; reasons: string[] }>;
  caption: string;
}) {
  const st = new Map(statuses.map((s) => [s.period, s]));
  return (
    <Table caption={caption} testId="period-table">
      <THead>
        <HeadRow cols={["Period", "Status", ...series, "Total"]} num={[...series, "Total"]} />
      </THead>
      <TBody>
        {periods.map((p) => {
          const s = st.get(p.period);
          return (
            <tr key={p.period}>
              <th scope="row" className={cx(td, "font-medium")}>
                {periodLabel(p.period, gran)} <span className="text-xs font-normal text-slate-400">{p.period}</span>
              </th>
              <td className={td}>{s ? <PeriodBadge status={s.status} reasons={s.reasons} /> : null}</td>
              {series.map((g) => (
                <td key={g} className={tdNum}>
                  <Money value={p.values[g]} />
                </td>
              ))}
              <td className={cx(tdNum, "font-semibold")}>
                <Money value={p.total} />
              </td>
            </tr>
          );
        })}
      </TBody>
    </Table>
  );
}

/** A simple "label columns + direct cost" breakdown table with a bar showing the share. */
export function BreakdownTable({
  caption,
  columns,
  rows,
  total,
  limit = 12,
  testId,
}: {
  caption: string;
  columns: string[];
  rows: Array<{ cells: ReactNode[]; amount: string; key: string }>;
  total: string;
  limit?: number;
  testId?: string;
}) {
  const shown = rows.slice(0, limit);
  return (
    <Table caption={caption} testId={testId}>
      <THead>
        <HeadRow cols={[...columns, "Direct cost", "Share"]} num={["Direct cost", "Share"]} />
      </THead>
      <TBody>
        {shown.map((r) => (
          <tr key={r.key}>
            {r.cells.map((c, i) => (
              <td key={i} className={cx(td, "max-w-[16rem] truncate")}>
                {c}
              </td>
            ))}
            <td className={tdNum}>
              <Money value={r.amount} />
            </td>
            <td className={cx(tdNum, "w-28")}>
              <ShareBar part={r.amount} total={total} />
            </td>
          </tr>
        ))}
        {rows.length === 0 ? (
          <tr>
            <td className={cx(td, "text-slate-400")} colSpan={columns.length + 2}>
              No cost in this range.
            </td>
          </tr>
        ) : null}
      </TBody>
      {rows.length > limit ? (
        <tfoot>
          <tr>
            <td className={cx(td, "text-xs text-slate-400")} colSpan={columns.length + 2}>
              Showing the {limit} largest of {rows.length}.
            </td>
          </tr>
        </tfoot>
      ) : null}
    </Table>
  );
}

export function ShareBar({ part, total }: { part: string; total: string }) {
  const t = new Decimal(total);
  if (t.lte(0)) return <span className="text-slate-400">—</span>;
  const r = new Decimal(part).div(t);
  const w = Decimal.max(0, Decimal.min(1, r)).times(100).toDecimalPlaces(1).toString();
  return (
    <span className="flex items-center justify-end gap-2">
      <span className="text-xs text-slate-500">{formatPercent(r.toFixed())}</span>
      <span aria-hidden className="hidden h-1.5 w-12 rounded-full bg-slate-100 sm:block">
        <span className="block h-1.5 rounded-full bg-indigo-400" style={{ width: `${w}%` }} />
      </span>
    </span>
  );
}

/** The three money cells every chargeback table repeats: direct cost, share of unallocated, total. */
export function AmountCells({
  amounts,
  totalClassName = "font-semibold",
}: {
  amounts: { direct: string; unallocatedShare: string; total: string };
  totalClassName?: string;
}) {
  return (
    <>
      <td className={tdNum}>
        <Money value={amounts.direct} />
      </td>
      <td className={tdNum}>
        <Money value={amounts.unallocatedShare} />
      </td>
      <td className={cx(tdNum, totalClassName)}>
        <Money value={amounts.total} />
      </td>
    </>
  );
}

export interface Amounts {
  direct: string;
  unallocatedShare: string;
  total: string;
}

/** A row label and the three chargeback amounts per row: the per-period trend of a group, the groups of an organization. */
export function AmountsTable<T extends Amounts>({
  caption,
  testId,
  cols,
  rows,
  rowKey,
  name,
  totalClassName,
  stickyHead,
}: {
  caption: string;
  testId: string;
  /** the row label's heading, then direct, share of unallocated and total */
  cols: [string, string, string, string];
  rows: T[];
  rowKey: (r: T) => string;
  name: (r: T) => ReactNode;
  totalClassName?: string;
  stickyHead?: boolean;
}) {
  return (
    <Table caption={caption} testId={testId}>
      <THead className={stickyHead ? "sticky top-0" : undefined}>
        <HeadRow cols={cols} num={cols.slice(1)} />
      </THead>
      <TBody>
        {rows.map((r) => (
          <tr key={rowKey(r)}>
            <th scope="row" className={cx(td, "text-left font-normal")}>
              {name(r)}
            </th>
            <AmountCells amounts={r} totalClassName={totalClassName} />
          </tr>
        ))}
      </TBody>
    </Table>
  );
}
