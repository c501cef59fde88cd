// Month-end (docs/reconciliation.md): invoice reconciliation per org + rollup, checks, close/reopen, restatements, finance exports.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getMonthClose, listClosedMonthRestatements } from "../../db/queries/closes";
import { ingestDueAt, listInvoiceHistory, productTotals, reconcileMonth } from "../../db/queries/reconcile";
import { isMonth } from "~/domain/periods";
import { isReconciliationIntent, monthTargetSchema, reconciliationIntents } from "~/forms/reconciliation";
import { setInvoice } from "~/services/invoices";
import { closeMonth, reopenMonth } from "~/services/month-close";
import { CheckList, ClosedBadge, ReconcileStatusBadge, type ReconcileStatus } from "~/components/month/badges";
import {
  Alert,
  Badge,
  buttonClass,
  Card,
  cx,
  EmptyState,
  HeadRow,
  inputClass,
  labelClass,
  numCell,
  PageHeader,
  RowForm,
  Table,
  TBody,
  td,
  tdNum,
  THead,
} from "~/components/ui";
import { hasRole, requireMutation } from "~/lib/auth.server";
import { requireFullReader } from "~/lib/scope.server";
import { getDb } from "~/lib/db.server";
import { handleInput, parseForm } from "~/lib/forms.server";
import { dashboardReads, utcDay } from "~/lib/dashboard-reads.server";
import { formatPercent, formatUsd } from "~/lib/format";
import { labelOf } from "~/domain/csv/labels";

export const meta: MetaFunction = () => [{ title: "Reconciliation · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireFullReader(request);
  const db = await getDb();
  const reads = dashboardReads(request, db); // cached per data version (docs/decisions/0005-read-cache.md)
  const url = new URL(request.url);
  const asked = url.searchParams.get("month");
  const now = new Date();
  const months = await reads.monthsWithData();
  const month = isMonth(asked) ? asked : await reads.latestMonthWithData(now.toISOString().slice(0, 7));
  const isAdmin = hasRole(user, "finance_admin");
  if (!month) return { month: null, months, isAdmin, orgs: [], total: null, restatements: [], dueAt: null };
  // the same for every user until the data changes (the checks look at the clock by UTC day)
  const { detailed, total, restatements } = await reads.cached("reconciliationMonth", { month, day: utcDay(now) }, async () => {
    const { orgs, total } = await reconcileMonth(db, month, { now: now.toISOString() });
    const detailed = [];
    for (const r of orgs) {
      const close = await getMonthClose(db, r.orgId, month);
      detailed.push({
        ...r,
        close: close ? { status: close.status, reason: close.reason, closedBy: close.closed_by, closedAt: close.closed_at } : null,
        products: r.status === "mismatch" ? await productTotals(db, r.orgId, month) : [],
        invoices: (await listInvoiceHistory(db, { orgId: r.orgId, month })).map((i) => ({
          id: i.id,
          amount: i.amount,
          by: i.entered_by,
          at: i.entered_at,
        })),
      });
    }
    return { detailed, total, restatements: await listClosedMonthRestatements(db, { month }) };
  });
  return {
    month,
    months: months.includes(month) ? months : [month, ...months],
    isAdmin,
    orgs: detailed,
    total,
    restatements,
    dueAt: ingestDueAt(month),
  };
}

type ActionData =
  { ok: true; message: string; orgId: string } | { ok: false; error: string; field?: string; orgId: string; intent: string };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "finance_admin");
  const db = await getDb();
  const intent = String(form.get("intent") ?? "");
  const orgId = String(form.get("org_id") ?? "");
  return handleInput(
    async () => {
      if (!isReconciliationIntent(intent)) {
        parseForm(form, monthTargetSchema); // the month and org are answered first
        return json<ActionData>({ ok: false, orgId, intent, error: "Unknown action." }, { status: 400 });
      }
      switch (intent) {
        case "invoice": {
          const f = parseForm(form, reconciliationIntents.invoice);
          const row = await setInvoice(db, user.email, { orgId: f.org_id, month: f.month, amount: f.amount });
          return json<ActionData>({
            ok: true,
            orgId,
            message: `Invoice usage subtotal of ${orgId} for ${f.month} set to ${formatUsd(row.amount)}.`,
          });
        }
        case "close": {
          const f = parseForm(form, reconciliationIntents.close);
          await closeMonth(db, user.email, { orgId: f.org_id, month: f.month, reason: f.reason ?? null });
          return json<ActionData>({ ok: true, orgId, message: `${orgId} ${f.month} is closed: its per-team figures are frozen.` });
        }
        case "reopen": {
          const f = parseForm(form, reconciliationIntents.reopen);
          await reopenMonth(db, user.email, { orgId: f.org_id, month: f.month, reason: f.reason ?? null });
          return json<ActionData>({ ok: true, orgId, message: `${orgId} ${f.month} was reopened and recomputed from the current data.` });
        }
      }
    },
    { orgId, intent },
  );
}

const RESTATEMENT_NUM = ["Frozen", "Current data", "Delta"];

/** The month's finance files (docs/reconciliation.md#finance-exports), each for all organizations or one. */
const DOWNLOADS = [
  {
    label: "FOCUS 1.2 (CSV)",
    path: "/finance/focus.csv",
    about: "FOCUS 1.2 cost and usage, for FinOps tools. Values exactly as they are.",
  },
  {
    label: "FOCUS 1.2 (Parquet)",
    path: "/finance/focus.parquet",
    about: "The same FOCUS 1.2 rows as Parquet (FinOps tools, DuckDB). Values exactly as they are.",
  },
  {
    label: "FOCUS metadata (JSON)",
    path: "/finance/focus-metadata.json",
    about: "Describes the FOCUS files: FOCUS version, data generator, schema.",
  },
  {
    label: "GL journal (CSV)",
    path: "/finance/journal.csv",
    about: "Double-entry journal for the general ledger, one line per posting. Formula-safe.",
  },
] as const;

const fileHref = (path: string, month: string, orgId?: string) =>
  `${path}?month=${encodeURIComponent(month)}${orgId ? `&org=${encodeURIComponent(orgId)}` : ""}`;

function Downloads({ month, orgIds }: { month: string; orgIds: string[] }) {
  return (
    <div id="downloads" data-testid="downloads">
      <Card title={`Downloads · ${month}`} description="Each file for all organizations, or for one." padded={false}>
        <Table caption={`Finance files of ${month}`}>
          <THead>
            <HeadRow cols={["File", "What it is", "One organization"]} />
          </THead>
          <TBody>
            {DOWNLOADS.map((f) => (
              <tr key={f.path} data-download={f.path}>
                <td className={cx(td, "whitespace-nowrap font-medium")}>
                  <a className="text-indigo-700 hover:underline" href={fileHref(f.path, month)} download>
                    {f.label}
                  </a>
                  <span className="block text-xs font-normal text-slate-500">all organizations</span>
                </td>
                <td className={cx(td, "text-xs")}>{f.about}</td>
                <td className={cx(td, "text-xs")}>
                  <span className="flex flex-wrap gap-x-3 gap-y-1">
                    {orgIds.map((o) => (
                      <a
                        key={o}
                        className="text-indigo-700 hover:underline"
                        href={fileHref(f.path, month, o)}
                        aria-label={`${f.label} for ${o}`}
                        download
                      >
                        {o}
                      </a>
                    ))}
                  </span>
                </td>
              </tr>
            ))}
          </TBody>
        </Table>
        <p className="border-t border-slate-100 px-5 py-3 text-xs text-slate-600" data-testid="downloads-note">
          <strong>FOCUS files</strong> keep every value exactly as it is, with no spreadsheet formula guard: they are for FinOps tools,
          which must read the original values. The <strong>GL journal</strong> and the other spreadsheet CSVs (report and dashboard
          downloads) neutralise cells that would start a formula (a leading <code>&apos;</code> before <code>=</code>, <code>+</code>,{" "}
          <code>-</code> or <code>@</code>; see docs/security.md). Open FOCUS files in a spreadsheet with care.
        </p>
      </Card>
    </div>
  );
}

export default function Reconciliation() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = nav.state !== "idle";
  const { month } = data;

  return (
    <div>
      <PageHeader
        title="Reconciliation"
        description="Export totals against the invoice usage subtotal, per organization and month (no tax, no marketplace pass-through)."
        actions={
          <Form method="get" className="flex items-end gap-2">
            <label className="text-sm">
              <span className={labelClass}>Month</span>
              <select name="month" defaultValue={month ?? ""} className={inputClass} aria-label="Month">
                {data.months.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className={buttonClass.secondary}>
              Show
            </button>
          </Form>
        }
      />

      {actionData ? (
        <div className="mb-4">
          <Alert tone={actionData.ok ? "success" : "danger"}>{actionData.ok ? actionData.message : actionData.error}</Alert>
        </div>
      ) : null}

      {!month || data.orgs.length === 0 ? (
        <EmptyState title="Nothing to reconcile yet">Ingest a monthly (or daily) export first; its months appear here.</EmptyState>
      ) : (
        <div className="space-y-6">
          <Card
            title={`Month ${month}`}
            description={`Export data is complete 48 h after month end (${data.dueAt}). Variance = export total − invoice subtotal.`}
            actions={
              <div className="flex gap-2">
                <Link className={buttonClass.secondary} to={`/reconciliation/close-pack?month=${month}`} data-testid="close-pack-link">
                  Close pack
                </Link>
                <a className={buttonClass.secondary} href="#downloads">
                  Downloads
                </a>
              </div>
            }
            padded={false}
          >
            <Table testId="reconciliation-table">
              <THead>
                <HeadRow
                  cols={["Organization", "Export total", "Invoice subtotal", "Variance", "Status", "Checks"]}
                  num={["Export total", "Invoice subtotal", "Variance"]}
                />
              </THead>
              <TBody>
                {data.orgs.map((r) => (
                  <tr key={r.orgId} data-org={r.orgId}>
                    <td className={cx(td, "font-medium")}>
                      <a href={`#org-${r.orgId}`}>{r.orgId}</a>
                      {r.close?.status === "closed" ? (
                        <span className="ml-2">
                          <ClosedBadge testId={`closed-${r.orgId}`} />
                        </span>
                      ) : null}
                    </td>
                    <td className={tdNum}>{formatUsd(r.exportTotal)}</td>
                    <td className={tdNum}>{formatUsd(r.invoiceSubtotal)}</td>
                    <td className={tdNum} data-testid={`variance-${r.orgId}`}>
                      {r.variance === null ? "—" : formatUsd(r.variance, { decimals: 4, signed: true })}
                    </td>
                    <td className={td}>
                      <ReconcileStatusBadge status={r.status as ReconcileStatus} testId={`status-${r.orgId}`} />
                    </td>
                    <td className={td}>
                      <CheckList checks={r.checks} />
                    </td>
                  </tr>
                ))}
                {data.total ? (
                  <tr className="bg-slate-50 font-semibold" data-org="ALL">
                    <td className={td}>All organizations</td>
                    <td className={tdNum}>{formatUsd(data.total.exportTotal)}</td>
                    <td className={tdNum}>{formatUsd(data.total.invoiceSubtotal)}</td>
                    <td className={tdNum} data-testid="variance-ALL">
                      {data.total.variance === null ? "—" : formatUsd(data.total.variance, { decimals: 4, signed: true })}
                    </td>
                    <td className={td}>
                      <ReconcileStatusBadge status={data.total.status as ReconcileStatus} testId="status-ALL" />
                    </td>
                    <td className={cx(td, "font-normal")}>
                      <CheckList checks={data.total!.checks} />
                    </td>
                  </tr>
                ) : null}
              </TBody>
            </Table>
          </Card>

          <Downloads month={month} orgIds={data.orgs.map((r) => r.orgId)} />

          {data.restatements.length > 0 ? (
            <Card
              title="Restatements of closed months"
              description="Later imports or crosswalk changes that would change frozen figures. The frozen figures stay until the month is reopened."
              padded={false}
            >
              <Table testId="restatements">
                <THead>
                  <HeadRow cols={["Organization", "Recorded", "Cause", "Team", ...RESTATEMENT_NUM]} num={RESTATEMENT_NUM} />
                </THead>
                <TBody>
                  {data.restatements.flatMap((r) =>
                    r.deltas.map((d) => (
                      <tr key={`${r.id}-${d.team}`} className={r.pending ? "" : "text-slate-400"}>
                        <td className={td}>{r.orgId}</td>
                        <td className={td}>
                          {r.createdAt.slice(0, 16)} {r.pending ? <Badge tone="warning">pending</Badge> : <Badge>superseded</Badge>}
                        </td>
                        <td className={td}>
                          {r.importId ? `import #${r.importId}` : "crosswalk or policy change"} ({r.granularity})
                        </td>
                        <td className={td}>{d.team}</td>
                        <td className={tdNum}>{formatUsd(d.old, { decimals: 4 })}</td>
                        <td className={tdNum}>{formatUsd(d.new, { decimals: 4 })}</td>
                        <td className={tdNum}>{formatUsd(d.delta, { decimals: 4, signed: true })}</td>
                      </tr>
                    )),
                  )}
                </TBody>
              </Table>
            </Card>
          ) : null}

          {data.orgs.map((r) => {
            const closed = r.close?.status === "closed";
            const needsReason = r.status === "mismatch" || r.status === "no_invoice";
            return (
              <div key={r.orgId} id={`org-${r.orgId}`}>
                <Card
                  title={
                    <span className="flex items-center gap-2">
                      {r.orgId} · {month} <ReconcileStatusBadge status={r.status as ReconcileStatus} />
                      {closed ? <ClosedBadge /> : r.close?.status === "reopened" ? <Badge>reopened</Badge> : null}
                    </span>
                  }
                  description={
                    r.source === "weekly_only"
                      ? "Only weekly data: weekly buckets straddle months and cannot reconcile a month. Ingest a monthly or daily export."
                      : r.coverage !== null
                        ? `Source: ${r.source} export · coverage ${formatPercent(r.coverage)}`
                        : `Source: ${r.source}`
                  }
                >
                  <div className="grid gap-6 md:grid-cols-2">
                    <div className="space-y-4">
                      {r.status === "mismatch" ? (
                        <div data-testid={`next-steps-${r.orgId}`}>
                          <Alert tone="warning">
                            <p className="font-medium">
                              The export and the invoice differ by {formatUsd(r.variance, { decimals: 4, signed: true })} (tolerance{" "}
                              {formatUsd(r.tolerance)}). Next steps:
                            </p>
                            <ol className="mt-1 list-decimal pl-5">
                              <li>
                                Re-run the monthly export in Confluent Cloud after another 24 hours (late-arriving usage) and ingest it.
                              </li>
                              <li>
                                Look at the <code>unallocated</code> row: credits and refunds land there ; make sure invoice tax,
                                marketplace pass-through and prior-period adjustments are excluded from the subtotal.
                              </li>
                              <li>
                                Compare per product with the invoice's usage lines (below). If they still disagree, contact Confluent
                                Support with both files.
                              </li>
                            </ol>
                          </Alert>
                          <table className="mt-3 min-w-full text-sm" data-testid={`products-${r.orgId}`}>
                            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                              <tr>
                                <th className="py-1">Product</th>
                                <th className="py-1 text-right">Export total</th>
                                <th className="py-1 text-right">Rows</th>
                              </tr>
                            </thead>
                            <tbody>
                              {r.products.map((p) => (
                                <tr key={p.product}>
                                  <td className="py-0.5">{labelOf(p.product)}</td>
                                  <td className={`py-0.5 ${numCell}`}>{formatUsd(p.total, { decimals: 4 })}</td>
                                  <td className={`py-0.5 ${numCell}`}>{p.rows}</td>
                                </tr>
                              ))}
                            </tbody>
                          </table>
                        </div>
                      ) : null}
                      {r.missingBuckets.length > 0 ? (
                        <p className="text-sm text-rose-700" data-testid={`missing-${r.orgId}`}>
                          Missing buckets: {r.missingBuckets.join(", ")}
                        </p>
                      ) : null}
                      <div>
                        <h3 className={labelClass}>Invoice history</h3>
                        {r.invoices.length === 0 ? (
                          <p className="text-sm text-slate-500">No invoice figure entered.</p>
                        ) : (
                          <ul className="mt-1 text-sm">
                            {r.invoices.map((i, idx) => (
                              <li key={i.id} className={idx === 0 ? "" : "text-slate-400"}>
                                {formatUsd(i.amount)} · {i.by} · {i.at.slice(0, 16)}
                                {idx === 0 ? " (current)" : ""}
                              </li>
                            ))}
                          </ul>
                        )}
                      </div>
                      {r.close ? (
                        <p className="text-sm text-slate-600">
                          {r.close.status === "closed" ? "Closed" : "Last closed"} by {r.close.closedBy} at {r.close.closedAt.slice(0, 16)}
                          {r.close.reason ? ` · reason: ${r.close.reason}` : ""}
                        </p>
                      ) : null}
                    </div>

                    {data.isAdmin ? (
                      <div className="space-y-4">
                        {!closed ? (
                          <RowForm
                            intent="invoice"
                            fields={{ org_id: r.orgId, month }}
                            className="flex items-end gap-2"
                            testId={`invoice-form-${r.orgId}`}
                          >
                            <label className="flex-1 text-sm">
                              <span className={labelClass}>Invoice usage subtotal (USD)</span>
                              <input
                                name="amount"
                                inputMode="decimal"
                                required
                                placeholder="e.g. 12345.67"
                                className={inputClass}
                                aria-label={`Invoice usage subtotal for ${r.orgId}`}
                              />
                            </label>
                            <button type="submit" className={buttonClass.primary} disabled={busy}>
                              Save invoice
                            </button>
                          </RowForm>
                        ) : null}
                        {!closed && r.status !== "no_data" ? (
                          <RowForm
                            intent="close"
                            fields={{ org_id: r.orgId, month }}
                            className="space-y-2"
                            testId={`close-form-${r.orgId}`}
                          >
                            <label className="block text-sm">
                              <span className={labelClass}>
                                Reason {needsReason ? "(required: the month is not matched)" : "(optional)"}
                              </span>
                              <input
                                name="reason"
                                required={needsReason}
                                className={inputClass}
                                aria-label={`Close reason for ${r.orgId}`}
                              />
                            </label>
                            <button type="submit" className={buttonClass.primary} disabled={busy}>
                              Close {month}
                            </button>
                          </RowForm>
                        ) : null}
                        {closed ? (
                          <RowForm
                            intent="reopen"
                            fields={{ org_id: r.orgId, month }}
                            className="space-y-2"
                            testId={`reopen-form-${r.orgId}`}
                          >
                            <label className="block text-sm">
                              <span className={labelClass}>Reason for reopening</span>
                              <input name="reason" className={inputClass} aria-label={`Reopen reason for ${r.orgId}`} />
                            </label>
                            <button type="submit" className={buttonClass.danger} disabled={busy}>
                              Reopen and recompute
                            </button>
                          </RowForm>
                        ) : null}
                      </div>
                    ) : (
                      <p className="text-sm text-slate-500">Finance admins enter invoices and close months.</p>
                    )}
                  </div>
                </Card>
              </div>
            );
          })}
          <p className="text-xs text-slate-500">
            <Link to="/" className="underline">
              Back to the overview
            </Link>
          </p>
        </div>
      )}
    </div>
  );
}
