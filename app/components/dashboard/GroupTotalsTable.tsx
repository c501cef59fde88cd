/** The list of groups (teams, cost centers) with their totals, share of the whole and change: /teams and /cost-centers. */
import type { ReactNode } from "react";
import { cx, HeadRow, Money, Table, TBody, td, tdNum, THead } from "~/components/ui";
import { Change } from "./parts";
import { AmountCells, ShareBar } from "./tables";

const AMOUNT_COLS = ["Direct cost", "Share of unallocated", "Total", "Share", "Change"];

export interface GroupTotals {
  direct: string;
  unallocatedShare: string;
  total: string;
  change: string;
}

export function GroupTotalsTable<T extends GroupTotals>({
  caption,
  testId,
  rowTestId,
  headers,
  rows,
  rowKey,
  name,
  detail,
  total,
  comparison,
}: {
  caption: string;
  testId: string;
  rowTestId: string;
  /** the first two columns: the group, and what it is made of */
  headers: [string, string];
  rows: T[];
  rowKey: (r: T) => string;
  name: (r: T) => ReactNode;
  detail: (r: T) => ReactNode;
  /** Σ total of the rows */
  total: string;
  /** the coverage of the earlier range (filters.comparison): n/a when incomplete */
  comparison?: { complete: boolean; coverage: string };
}) {
  return (
    <Table caption={caption} testId={testId}>
      <THead>
        <HeadRow cols={[...headers, ...AMOUNT_COLS]} num={AMOUNT_COLS} />
      </THead>
      <TBody>
        {rows.map((r) => (
          <tr key={rowKey(r)} className="hover:bg-slate-50" data-testid={rowTestId}>
            <th scope="row" className={cx(td, "text-left font-normal")}>
              {name(r)}
            </th>
            <td className={cx(td, "max-w-xs")}>{detail(r)}</td>
            <AmountCells amounts={r} totalClassName="font-semibold text-slate-900" />
            <td className={cx(tdNum, "w-32")}>
              <ShareBar part={r.total} total={total} />
            </td>
            <td className={tdNum}>
              <Change change={r.change} pct={null} compact comparison={comparison} />
            </td>
          </tr>
        ))}
      </TBody>
      <tfoot className="border-t-2 border-slate-200 bg-slate-50">
        <tr>
          <th scope="row" className={cx(td, "text-left font-semibold")} colSpan={4}>
            Total
          </th>
          <td className={cx(tdNum, "font-semibold")}>
            <Money value={total} />
          </td>
          <td colSpan={2} />
        </tr>
      </tfoot>
    </Table>
  );
}
