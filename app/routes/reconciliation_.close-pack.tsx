// GET /reconciliation/close-pack?month=YYYY-MM: the printable close pack of a month, all organizations
// (docs/reconciliation.md#close-pack). Read-only, any signed-in user. "reconciliation_" keeps it out of
// the /reconciliation page's layout (that page has no outlet and its loader is not needed here).
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { CheckList, CheckStatusBadge, ClosedBadge, ReconcileStatusBadge, type ReconcileStatus } from "~/components/month/badges";
import { Badge, buttonClass, Card, cx, EmptyState, HeadRow, Money, Table, TBody, td, tdNum, THead } from "~/components/ui";
import { dec } from "~/domain/money";
import { isMonth } from "~/domain/periods";
import { requireFullReader } from "~/lib/scope.server";
import { dashboardReads, utcDay } from "~/lib/dashboard-reads.server";
import { getDb } from "~/lib/db.server";
import { formatPercent } from "~/lib/format";
import { getClosePack } from "~/services/close-pack";

const PRODUCT_NAME = "Showback";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Close pack${data?.pack ? ` ${data.pack.month}` : ""} · ${PRODUCT_NAME}` },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireFullReader(request);
  const db = await getDb();
  const reads = dashboardReads(request, db); // cached per data version (docs/decisions/0005-read-cache.md)
  const asked = new URL(request.url).searchParams.get("month") || null;
  if (asked !== null && !isMonth(asked)) throw json({ message: `month must be YYYY-MM, got ${JSON.stringify(asked)}.` }, { status: 400 });
  const now = new Date();
  // the default month is the reconciliation page's: the latest month with data that has ended
  const month = asked ?? (await reads.latestMonthWithData(now.toISOString().slice(0, 7)));
  const generated = { generatedAt: now.toISOString(), generatedBy: user.email };
  if (!month) return { pack: null, ...generated };
  // the same for every user until the data changes (the checks look at the clock by UTC day)
  const pack = await reads.cached("closePack", { month, day: utcDay(now) }, () => getClosePack(db, month, { now: now.toISOString() }));
  return { pack, ...generated };
}

/**
 * Print rules. Inline (the CSP allows inline styles) so the page footer can name the month. The app
 * chrome (app/components/Layout.tsx: the sidebar <aside> and <main>'s left margin) is dropped in print
 * while this page is shown; this page's own controls carry `print:hidden`.
 */
function printCss(month: string): string {
  const label = `${PRODUCT_NAME} · close pack ${isMonth(month) ? month : ""}`;
  return `
@page {
  size: A4;
  margin: 14mm 12mm 16mm 12mm;
  @bottom-left { content: "${label}"; font: 8pt ui-sans-serif, system-ui, sans-serif; color: #64748b; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt ui-sans-serif, system-ui, sans-serif; color: #64748b; }
}
@media print {
  html, body, body > div:has(> main) { background: #fff !important; }
  aside { display: none !important; }
  main { margin-left: 0 !important; }
  main > div { max-width: none !important; padding: 0 !important; }
  .close-pack { font-size: 9pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .close-pack section { break-inside: avoid; box-shadow: none !important; }
  .close-pack h2 { break-after: avoid; }
  .close-pack tr { break-inside: avoid; }
  .close-pack thead { display: table-header-group; }
  .close-pack .overflow-x-auto { overflow: visible !important; }
  .close-pack a { color: inherit; text-decoration: none; }
}`;
}

/**
 * The decimals that show every one of `values` exactly: at least 4, more when a value has them
 * (nothing is rounded away). One per table, so the figures of a column line up.
 */
function exactPlaces(values: ReadonlyArray<string | null | undefined>): number {
  return Math.max(4, ...values.map((v) => (v ? dec(v).decimalPlaces() : 0)));
}

/** A number cell showing an amount exactly (Money at `places` decimals), with the figure as stored in `data-value`. */
function NumCell({ col, value, places, signed }: { col: string; value: string | null; places: number; signed?: boolean }) {
  return (
    <td className={tdNum} data-col={col} data-value={value ?? ""}>
      {value === null ? "—" : <Money value={value} signed={signed} decimals={places} />}
    </td>
  );
}

interface RecFigures {
  exportTotal: string | null;
  invoiceSubtotal: string | null;
  variance: string | null;
  status: string;
  checks: Record<string, { status: string; detail: string }>;
}

/** Export total, invoice subtotal, variance, status and checks: an org's row or the roll-up. */
function RecCells({ r, places, statusTestId }: { r: RecFigures; places: number; statusTestId: string }) {
  return (
    <>
      <NumCell places={places} col="export_total" value={r.exportTotal} />
      <NumCell places={places} col="invoice_subtotal" value={r.invoiceSubtotal} />
      <NumCell places={places} col="variance" value={r.variance} signed />
      <td className={td}>
        <ReconcileStatusBadge status={r.status as ReconcileStatus} testId={statusTestId} />
      </td>
      <td className={cx(td, "font-normal")}>
        <CheckList checks={r.checks} />
      </td>
    </>
  );
}

/** Export total, unmapped, coverage and its band: an org's row or the roll-up. */
function CoverageCells({ r, places }: { r: RecFigures & { unmappedTotal: string | null; coverage: string | null }; places: number }) {
  return (
    <>
      <NumCell places={places} col="export_total" value={r.exportTotal} />
      <NumCell places={places} col="unmapped" value={r.unmappedTotal} />
      <td className={tdNum} data-col="coverage" data-value={r.coverage ?? ""}>
        {formatPercent(r.coverage, 2)}
      </td>
      <td className={td}>
        <CheckStatusBadge status={r.checks.coverage.status} />
      </td>
    </>
  );
}

function Section({
  title,
  description,
  testId,
  children,
}: {
  title: string;
  description?: ReactNode;
  testId: string;
  children: ReactNode;
}) {
  return (
    <div data-testid={testId}>
      <Card title={title} description={description} padded={false} className="break-inside-avoid print:rounded-none">
        {children}
      </Card>
    </div>
  );
}

/** "12.50" → "+12.50 %", "-3.00" → "-3.00 %", null (no previous total) → "—". */
const fmtPct = (p: string | null) => (p === null ? "—" : `${p.startsWith("-") || p === "0.00" ? "" : "+"}${p} %`);

const fmtInstant = (iso: string) => iso.replace("T", " ").replace(/(\.\d+)?Z$/, " UTC");

function PrintButton() {
  return (
    <button type="button" className={buttonClass.primary} onClick={() => window.print()}>
      Print / Save as PDF
    </button>
  );
}

export default function ClosePack() {
  const { pack, generatedAt, generatedBy } = useLoaderData<typeof loader>();
  if (!pack) {
    return (
      <EmptyState title="No close pack yet">
        Ingest a monthly (or daily) export first; its months appear on{" "}
        <Link to="/reconciliation" className="underline">
          Reconciliation
        </Link>
        .
      </EmptyState>
    );
  }
  const { month, previousMonth } = pack;
  const allClosed = pack.orgs.length > 0 && pack.orgs.every((o) => o.close?.status === "closed");
  const recRows = [...pack.orgs, ...(pack.total ? [pack.total] : [])];
  const p = {
    rec: exactPlaces(recRows.flatMap((r) => [r.exportTotal, r.invoiceSubtotal, r.variance])),
    cov: exactPlaces(recRows.flatMap((r) => [r.exportTotal, r.unmappedTotal])),
    cc: exactPlaces([...pack.costCenters, pack.costCenterTotal].flatMap((c) => [c.total, c.previousTotal, c.change])),
    rs: exactPlaces(pack.restatements.flatMap((r) => r.deltas.flatMap((d) => [d.old, d.new, d.delta]))),
    closes: exactPlaces(pack.orgs.flatMap((r) => [r.close?.exportTotalAtClose, r.close?.varianceAtClose])),
  };

  return (
    <div className="close-pack mx-auto max-w-6xl space-y-5" data-testid="close-pack" data-month={month}>
      {/* as HTML: React would escape the quotes of text children, and <style> content is not unescaped */}
      <style dangerouslySetInnerHTML={{ __html: printCss(month) }} />

      <div className="flex flex-wrap items-center justify-between gap-2 print:hidden" data-testid="close-pack-toolbar">
        <Link to={`/reconciliation?month=${month}`} className={buttonClass.secondary}>
          ← Reconciliation {month}
        </Link>
        <PrintButton />
      </div>

      <header className="border-b-2 border-slate-900 pb-3" data-testid="close-pack-header">
        <p className="text-xs font-semibold uppercase tracking-wider text-slate-500">{PRODUCT_NAME} · Confluent Cloud chargeback</p>
        <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">Close pack · {month}</h1>
        <p className="mt-1 text-sm text-slate-600">
          All organizations ({pack.orgs.length}) · {allClosed ? "every organization closed" : "not every organization is closed"} · compared
          with {previousMonth}
        </p>
        <p className="mt-0.5 text-xs text-slate-500" data-testid="close-pack-generated">
          Generated {fmtInstant(generatedAt)} by {generatedBy}. Export data is complete 48 h after month end ({fmtInstant(pack.dueAt)}).
          Amounts in USD, exact.
        </p>
      </header>

      <Section
        title="1. Reconciliation"
        description="Export total against the invoice usage subtotal (no tax, no marketplace pass-through). Variance = export total − invoice subtotal."
        testId="cp-reconciliation"
      >
        <Table testId="cp-reconciliation-table" caption="Reconciliation per organization and roll-up">
          <THead>
            <HeadRow
              cols={["Organization", "Export total", "Invoice subtotal", "Variance", "Status", "Checks"]}
              num={["Export total", "Invoice subtotal", "Variance"]}
            />
          </THead>
          <TBody>
            {pack.orgs.map((r) => (
              <tr key={r.orgId} data-org={r.orgId}>
                <td className={cx(td, "font-medium")}>
                  {r.orgId}
                  {r.displayName ? <span className="block text-xs font-normal text-slate-500">{r.displayName}</span> : null}
                  {r.close?.status === "closed" ? (
                    <span className="mt-1 block">
                      <ClosedBadge testId={`cp-closed-${r.orgId}`} />
                    </span>
                  ) : null}
                </td>
                <RecCells r={r} places={p.rec} statusTestId={`cp-status-${r.orgId}`} />
              </tr>
            ))}
            {pack.total ? (
              <tr className="bg-slate-50 font-semibold" data-org="ALL">
                <td className={td}>All organizations</td>
                <RecCells r={pack.total} places={p.rec} statusTestId="cp-status-ALL" />
              </tr>
            ) : null}
          </TBody>
        </Table>
      </Section>

      <Section
        title="2. Coverage"
        description="Share of the export total mapped to teams: 1 − unmapped / export total (pass at ≥ 90 %, warning at ≥ 80 %)."
        testId="cp-coverage"
      >
        <Table testId="cp-coverage-table" caption="Coverage per organization and roll-up">
          <THead>
            <HeadRow
              cols={["Organization", "Source", "Export total", "Unmapped", "Coverage", "Band"]}
              num={["Export total", "Unmapped", "Coverage"]}
            />
          </THead>
          <TBody>
            {pack.orgs.map((r) => (
              <tr key={r.orgId} data-org={r.orgId}>
                <td className={cx(td, "font-medium")}>{r.orgId}</td>
                <td className={td}>{r.source === "weekly_only" ? "weekly only" : r.source}</td>
                <CoverageCells r={r} places={p.cov} />
              </tr>
            ))}
            {pack.total ? (
              <tr className="bg-slate-50 font-semibold" data-org="ALL">
                <td className={td}>All organizations</td>
                <td className={td} />
                <CoverageCells r={pack.total} places={p.cov} />
              </tr>
            ) : null}
          </TBody>
        </Table>
      </Section>

      <Section
        title={`3. Cost centers: ${month} against ${previousMonth}`}
        description="All organizations. Totals include each team's share of the unallocated amounts. A closed month shows its frozen figures. Cost centers with nothing in either month are left out."
        testId="cp-cost-centers"
      >
        {pack.costCenters.length === 0 ? (
          <p className="px-5 py-4 text-sm text-slate-500">
            No allocated cost in {month} or {previousMonth}.
          </p>
        ) : (
          <Table testId="cp-cost-centers-table" caption="Totals per cost center against the previous month">
            <THead>
              <HeadRow
                cols={["Cost center", month, previousMonth, "Change", "Change %"]}
                num={[month, previousMonth, "Change", "Change %"]}
              />
            </THead>
            <TBody>
              {pack.costCenters.map((c) => (
                <tr key={c.code} data-cost-center={c.code}>
                  <td className={cx(td, c.pseudo && "italic text-slate-500")}>
                    <span className="font-medium">{c.code}</span>
                    {c.name ? <span className="ml-2 text-slate-500">{c.name}</span> : null}
                  </td>
                  <NumCell places={p.cc} col="total" value={c.total} />
                  <NumCell places={p.cc} col="previous_total" value={c.previousTotal} />
                  <NumCell places={p.cc} col="change" value={c.change} signed />
                  <td className={tdNum} data-col="change_pct" data-value={c.changePct ?? ""}>
                    {fmtPct(c.changePct)}
                  </td>
                </tr>
              ))}
              <tr className="bg-slate-50 font-semibold" data-cost-center="ALL">
                <td className={td}>Total</td>
                <NumCell places={p.cc} col="total" value={pack.costCenterTotal.total} />
                <NumCell places={p.cc} col="previous_total" value={pack.costCenterTotal.previousTotal} />
                <NumCell places={p.cc} col="change" value={pack.costCenterTotal.change} signed />
                <td className={tdNum} data-col="change_pct" data-value={pack.costCenterTotal.changePct ?? ""}>
                  {fmtPct(pack.costCenterTotal.changePct)}
                </td>
              </tr>
            </TBody>
          </Table>
        )}
      </Section>

      <Section
        title="4. Restatements since close"
        description="Later imports or crosswalk changes that would change a closed month's frozen figures (Frozen → Current data). The frozen figures stay until the month is reopened; pending = recorded during the current close."
        testId="cp-restatements"
      >
        {pack.restatements.length === 0 ? (
          <p className="px-5 py-4 text-sm text-slate-500" data-testid="cp-no-restatements">
            No restatement recorded for {month}.
          </p>
        ) : (
          <Table testId="cp-restatements-table" caption="Restatements of the closed month">
            <THead>
              <HeadRow
                cols={["Organization", "Recorded", "Cause", "State", "Team", "Frozen", "Current data", "Delta"]}
                num={["Frozen", "Current data", "Delta"]}
              />
            </THead>
            <TBody>
              {pack.restatements.flatMap((r) =>
                r.deltas.map((d, i) => (
                  <tr key={`${r.id}-${d.team}`} data-restatement={r.id} data-team={d.team} className={r.pending ? "" : "text-slate-400"}>
                    {i === 0 ? (
                      <>
                        <td className={cx(td, "font-medium")} rowSpan={r.deltas.length}>
                          {r.orgId}
                        </td>
                        <td className={cx(td, "whitespace-nowrap")} rowSpan={r.deltas.length}>
                          {fmtInstant(r.recordedAt)}
                        </td>
                        <td className={td} rowSpan={r.deltas.length}>
                          {r.importId ? `import #${r.importId}` : "crosswalk or policy change"} ({r.granularity})
                        </td>
                        <td className={td} rowSpan={r.deltas.length}>
                          {r.pending ? <Badge tone="warning">pending</Badge> : <Badge>superseded</Badge>}
                        </td>
                      </>
                    ) : null}
                    <td className={td}>{d.team}</td>
                    <NumCell places={p.rs} col="old" value={d.old} />
                    <NumCell places={p.rs} col="new" value={d.new} />
                    <NumCell places={p.rs} col="delta" value={d.delta} signed />
                  </tr>
                )),
              )}
            </TBody>
          </Table>
        )}
      </Section>

      <Section
        title="5. Closes"
        description="Who closed each organization's month, when and why, and what the reconciliation said then."
        testId="cp-closes"
      >
        <Table testId="cp-closes-table" caption="Month closes per organization">
          <THead>
            <HeadRow
              cols={[
                "Organization",
                "State",
                "Closed by",
                "Closed at",
                "Reason",
                "Status at close",
                "Export total at close",
                "Variance at close",
              ]}
              num={["Export total at close", "Variance at close"]}
            />
          </THead>
          <TBody>
            {pack.orgs.map((r) => (
              <tr key={r.orgId} data-org={r.orgId}>
                <td className={cx(td, "font-medium")}>{r.orgId}</td>
                <td className={td} data-col="state">
                  {r.close === null ? <Badge>open</Badge> : r.close.status === "closed" ? <ClosedBadge /> : <Badge>reopened</Badge>}
                </td>
                <td className={td} data-col="closed_by">
                  {r.close?.closedBy ?? "—"}
                </td>
                <td className={cx(td, "whitespace-nowrap")} data-col="closed_at" data-value={r.close?.closedAt ?? ""}>
                  {r.close ? fmtInstant(r.close.closedAt) : "—"}
                </td>
                <td className={td} data-col="reason">
                  {r.close?.reason ?? "—"}
                </td>
                <td className={td} data-col="status_at_close">
                  {r.close?.statusAtClose ? <ReconcileStatusBadge status={r.close.statusAtClose as ReconcileStatus} /> : "—"}
                </td>
                <NumCell places={p.closes} col="export_total_at_close" value={r.close?.exportTotalAtClose ?? null} />
                <NumCell places={p.closes} col="variance_at_close" value={r.close?.varianceAtClose ?? null} signed />
              </tr>
            ))}
          </TBody>
        </Table>
        <p className="border-t border-slate-100 px-5 py-2 text-xs text-slate-500">
          A reopened month shows its last close; it is open again and its figures follow the current data.
        </p>
      </Section>

      <footer className="border-t border-slate-200 pt-2 text-xs text-slate-500" data-testid="close-pack-footer">
        {PRODUCT_NAME} close pack {month} · generated {fmtInstant(generatedAt)} · reconciliation rules: docs/reconciliation.md
      </footer>
    </div>
  );
}
