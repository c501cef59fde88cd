/**
 * The what-if preview of a change (app/services/mapping.ts `whatIf`): per team the change of
 * its total in each of the two months compared, the cost moved, the per-org detail and the
 * closed months the change would not touch. Any page that previews a change shows it.
 */
import type { ReactNode } from "react";
import { dec, ZERO, type Decimal } from "~/domain/money";
import { Alert, Card, cx, Money, Table, TBody, td, tdNum, THead, th, thNum } from "~/components/ui";

/** The shape of `whatIf()`'s answer (money as decimal strings). */
export interface WhatIfResult {
  /** the months compared (YYYY-MM): the one before the latest month with data, and the latest */
  months: string[];
  deltas: Array<{ month: string; orgId: string; team: string; before: string; after: string; delta: string }>;
  byTeam: Array<{ month: string; team: string; delta: string }>;
  closedUntouched: Array<{ orgId: string; month: string }>;
}

/** Cost moved in a month: half the sum of the teams' absolute changes (what some teams lose, others gain). */
function moved(rows: ReadonlyArray<{ delta: string }>): Decimal {
  return rows.reduce((a, r) => a.plus(dec(r.delta).abs()), ZERO).div(2);
}

export function WhatIfPanel({
  result,
  title = "What if",
  description,
  children,
}: {
  result: WhatIfResult;
  title?: ReactNode;
  /** what the change is, in words */
  description?: ReactNode;
  /** under the figures: the Save and Cancel buttons */
  children?: ReactNode;
}) {
  const { months, byTeam, deltas, closedUntouched } = result;
  const teams = [...new Set(byTeam.map((b) => b.team))].sort();
  const deltaOf = (team: string, month: string) => byTeam.find((b) => b.team === team && b.month === month)?.delta ?? "0";
  const movedBy = months.map((m) => moved(byTeam.filter((b) => b.month === m)));
  const total = movedBy.reduce((a, m) => a.plus(m), ZERO);
  return (
    <Card
      title={title}
      description={
        <>
          {description ? <span className="block">{description}</span> : null}
          {months.length
            ? `Change of each team's total in ${months.join(" and ")}; nothing is saved until you press Save.`
            : "No cost data yet: there is no month to compare. Nothing is saved until you press Save."}
        </>
      }
      padded={false}
    >
      <div data-testid="what-if" data-months={months.join(",")}>
        {months.length === 0 ? null : teams.length === 0 ? (
          <p className="px-5 py-4 text-sm text-slate-600" data-testid="what-if-none">
            No team&apos;s total would change in {months.join(" or ")}.
          </p>
        ) : (
          <Table testId="what-if-table" caption="Change per team and month">
            <THead>
              <tr>
                <th scope="col" className={th}>
                  Team
                </th>
                {months.map((m) => (
                  <th key={m} scope="col" className={thNum}>
                    Δ {m}
                  </th>
                ))}
              </tr>
            </THead>
            <TBody>
              {teams.map((t) => (
                <tr key={t} data-testid="what-if-row" data-team={t}>
                  <td className={cx(td, "font-medium text-slate-900")}>{t}</td>
                  {months.map((m) => (
                    <td key={m} className={tdNum} data-month={m} data-delta={deltaOf(t, m)}>
                      <Money value={deltaOf(t, m)} signed decimals={4} />
                    </td>
                  ))}
                </tr>
              ))}
              <tr className="bg-slate-50" data-testid="what-if-moved" data-total={total.toFixed()}>
                <td className={cx(td, "font-semibold text-slate-900")}>Total moved</td>
                {movedBy.map((m, i) => (
                  <td key={months[i]} className={cx(tdNum, "font-semibold")} data-month={months[i]} data-moved={m.toFixed()}>
                    <Money value={m.toFixed()} decimals={4} />
                  </td>
                ))}
              </tr>
            </TBody>
          </Table>
        )}
        {deltas.length ? (
          <details className="border-t border-slate-100 px-5 py-3 text-sm">
            <summary className="cursor-pointer text-xs text-slate-500">By organization ({deltas.length})</summary>
            <table className="mt-2 w-full text-xs" data-testid="what-if-deltas">
              <thead>
                <tr className="text-left text-[10px] uppercase tracking-wider text-slate-400">
                  <th className="py-1 pr-2 font-semibold">Month</th>
                  <th className="py-1 pr-2 font-semibold">Organization</th>
                  <th className="py-1 pr-2 font-semibold">Team</th>
                  <th className="py-1 pr-2 text-right font-semibold">Before</th>
                  <th className="py-1 pr-2 text-right font-semibold">After</th>
                  <th className="py-1 text-right font-semibold">Δ</th>
                </tr>
              </thead>
              <tbody>
                {deltas.map((d) => (
                  <tr key={`${d.month}/${d.orgId}/${d.team}`}>
                    <td className="py-0.5 pr-2 tabular-nums">{d.month}</td>
                    <td className="py-0.5 pr-2 font-mono">{d.orgId}</td>
                    <td className="py-0.5 pr-2">{d.team}</td>
                    <td className="py-0.5 pr-2 text-right">
                      <Money value={d.before} decimals={4} />
                    </td>
                    <td className="py-0.5 pr-2 text-right">
                      <Money value={d.after} decimals={4} />
                    </td>
                    <td className="py-0.5 text-right">
                      <Money value={d.delta} signed decimals={4} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ) : null}
        {closedUntouched.length ? (
          <div className="border-t border-slate-100 px-5 py-3" data-testid="what-if-closed">
            <Alert tone="warning">
              <p className="font-medium">Closed months it will not touch: become restatements when reopened.</p>
              <ul className="mt-1 list-disc pl-5 text-xs">
                {closedUntouched.map((c) => (
                  <li key={`${c.orgId}/${c.month}`} data-testid="what-if-closed-month">
                    <span className="font-mono">{c.orgId}</span> {c.month}
                  </li>
                ))}
              </ul>
            </Alert>
          </div>
        ) : null}
        {children ? <div className="flex flex-wrap items-center gap-3 border-t border-slate-100 px-5 py-3">{children}</div> : null}
      </div>
    </Card>
  );
}
