/**
 * Invoice figures (docs/reconciliation.md): the usage subtotal of an (org, month) as typed by
 * a finance admin, from the reconcile CLI or the reconciliation page. History is kept.
 */
import { InputError } from "../domain/errors";
import { assertMonth, parseInvoiceAmount } from "../domain/month-end";
import type { Db } from "../../db/client";
import { writeAudit } from "../../db/queries/audit";
import { getOrg, lockOrg } from "../../db/queries/orgs";
import { getInvoice, insertInvoice, type InvoiceRow } from "../../db/queries/reconcile";

/** Records the invoice usage subtotal of (org, month); the previous figure is kept as history. Audited. */
export async function setInvoice(db: Db, actor: string, p: { orgId: string; month: string; amount: string }): Promise<InvoiceRow> {
  const month = assertMonth(p.month);
  const amount = parseInvoiceAmount(p.amount);
  return db.transaction(async (tx) => {
    if (!(await getOrg(tx, p.orgId))) throw new InputError(`unknown organization ${p.orgId}`, { field: "org_id" });
    await lockOrg(tx, p.orgId);
    const before = await getInvoice(tx, p.orgId, month);
    const row = await insertInvoice(tx, { orgId: p.orgId, month, amount, enteredBy: actor });
    await writeAudit(tx, {
      actor,
      action: before ? "update" : "create",
      entity: "invoice",
      entityId: `${p.orgId}:${month}`,
      before: before ? { amount: before.amount, entered_by: before.entered_by, entered_at: before.entered_at } : null,
      after: { amount: row.amount },
    });
    return row;
  });
}
