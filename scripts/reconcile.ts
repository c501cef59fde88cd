/**
 * npm run reconcile -- --month YYYY-MM [--org ORG_ID] [--invoice AMOUNT]
 *                      [--close [--reason TEXT] | --reopen [--reason TEXT]]
 *
 * Prints one JSON object for --org (org_id, month, export_total, invoice_subtotal,
 * variance, status, checks {name: {status, detail}}, …); without --org, a JSON array
 * of every org followed by the total across orgs (org_id "ALL"). Amounts are decimal
 * strings. --invoice records the invoice usage subtotal first (history kept, audited);
 * --close / --reopen close or reopen the month (needs --org). Exit 0/1/2 (docs/cli.md).
 */
import { z } from "zod";
import { reconcileFields } from "../app/domain/api-schemas";
import { parseInvoiceAmount } from "../app/domain/month-end";
import { isMonth } from "../app/domain/periods";
import type { ReconcileResult } from "../app/domain/reconcile";
import { setInvoice } from "../app/services/invoices";
import { closeMonth, reopenMonth } from "../app/services/month-close";
import { getMonthClose, listClosedMonthRestatements } from "../db/queries/closes";
import { reconcileMonth } from "../db/queries/reconcile";
import { UsageError, cliActor, parseCli, runCli, withDb } from "./lib/cli";

const USAGE = `npm run reconcile -- --month YYYY-MM [--org ORG_ID] [--invoice AMOUNT] [--close [--reason TEXT] | --reopen [--reason TEXT]]`;

const Args = z
  .object({
    org: z.string().min(1).optional(),
    month: z.string().refine(isMonth, "must be YYYY-MM"),
    invoice: z.string().optional(),
    close: z.boolean().default(false),
    reopen: z.boolean().default(false),
    reason: z.string().optional(),
  })
  .refine((a) => !(a.close && a.reopen), { message: "--close and --reopen cannot be combined", path: ["close"] })
  .refine((a) => a.org || (!a.invoice && !a.close && !a.reopen), { message: "--invoice, --close and --reopen need --org", path: ["org"] });

function out(r: ReconcileResult & { source?: string }, extra: Record<string, unknown> = {}) {
  return { ...reconcileFields(r), ...(r.source ? { source: r.source } : {}), ...extra };
}

runCli(async () => {
  const a = parseCli(
    USAGE,
    process.argv.slice(2),
    {
      org: { type: "string" },
      month: { type: "string" },
      invoice: { type: "string" },
      close: { type: "boolean" },
      reopen: { type: "boolean" },
      reason: { type: "string" },
    },
    Args,
    (v) => v,
  );
  if (a.invoice !== undefined) {
    try {
      parseInvoiceAmount(a.invoice);
    } catch (e) {
      throw new UsageError(`--invoice: ${(e as Error).message}\n\n${USAGE}`);
    }
  }
  const actor = cliActor();
  const result = await withDb(async (db) => {
    const actions: Record<string, unknown> = {};
    if (a.org && a.invoice !== undefined) {
      const inv = await setInvoice(db, actor, { orgId: a.org, month: a.month, amount: a.invoice });
      actions.invoice_recorded = { amount: inv.amount, entered_by: inv.entered_by, entered_at: inv.entered_at };
    }
    if (a.org && a.close) {
      const c = await closeMonth(db, actor, { orgId: a.org, month: a.month, reason: a.reason });
      actions.closed = { closed_by: c.closed_by, closed_at: c.closed_at, reason: c.reason };
    }
    if (a.org && a.reopen) {
      const r = await reopenMonth(db, actor, { orgId: a.org, month: a.month, reason: a.reason });
      actions.reopened = { before: r.before, after: r.after };
    }
    const { orgs, total } = await reconcileMonth(db, a.month, { orgIds: a.org ? [a.org] : undefined });
    const extra = async (orgId: string) => {
      const c = await getMonthClose(db, orgId, a.month);
      const restatements = await listClosedMonthRestatements(db, { orgId, month: a.month });
      return {
        close: c ? { status: c.status, reason: c.reason, closed_by: c.closed_by, closed_at: c.closed_at } : null,
        restatements: restatements.map((r) => ({
          id: r.id,
          import_id: r.importId,
          granularity: r.granularity,
          created_at: r.createdAt,
          pending: r.pending,
          deltas: r.deltas,
        })),
      };
    };
    if (a.org) return { ...out(orgs[0], await extra(a.org)), ...actions };
    const list = [];
    for (const o of orgs) list.push(out(o, await extra(o.orgId)));
    if (total) list.push(out(total));
    return list;
  });
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  return 0;
});
