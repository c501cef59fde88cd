/**
 * Reads of the close pack (docs/reconciliation.md#close-pack), beside the reconciliation reads it
 * reuses (db/queries/reconcile.ts, closes.ts): the month's closes and restatement instants as
 * ISO-8601 UTC text, and the cost-center totals of a month against the month before.
 *
 * Closed months need nothing special here: the stored allocation of a closed month IS its frozen
 * figure (db/queries/closes.ts), so the totals of a closed month are the ones taken at close.
 */
import { addDays, monthRange } from "../../app/domain/periods";
import type { Db } from "../client";
import { listCostCenterTotals, type CostCenterListRow } from "./team-totals";
import { isoUtc } from "./view";

export interface ClosePackCloseRow {
  org_id: string;
  status: "closed" | "reopened";
  reason: string | null;
  closed_by: string;
  /** ISO-8601 UTC, e.g. 2026-05-03T09:12:44Z */
  closed_at: string;
  /** what the reconciliation said when the month was closed (month_closes.frozen) */
  frozen_status: string | null;
  frozen_export_total: string | null;
  frozen_invoice_subtotal: string | null;
  frozen_variance: string | null;
}

/** The month's close records (closed or reopened), by org. */
export async function listClosePackCloses(db: Db, month: string): Promise<ClosePackCloseRow[]> {
  return db.query<ClosePackCloseRow>(
    `select org_id, status, reason, closed_by, ${isoUtc("closed_at")} as closed_at,
            frozen->>'status' as frozen_status, frozen->>'export_total' as frozen_export_total,
            frozen->>'invoice_subtotal' as frozen_invoice_subtotal, frozen->>'variance' as frozen_variance
       from month_closes where month = $1 order by org_id`,
    [month],
  );
}

/** When each `closed_month` restatement of the month was recorded (id → ISO-8601 UTC). */
export async function closedMonthRestatementInstants(db: Db, month: string): Promise<Map<number, string>> {
  const rows = await db.query<{ id: number; at: string }>(
    `select id, ${isoUtc("created_at")} as at from restatements where kind = 'closed_month' and month = $1`,
    [month],
  );
  return new Map(rows.map((r) => [Number(r.id), r.at]));
}

/**
 * Every cost center (and the unassigned / unmapped / unallocated groups) with its total of `month`
 * and of `previousMonth`, all organizations, from the same report the /cost-centers page reads
 * (monthly view: an org's monthly import, else its daily rows rolled up).
 */
export async function costCenterMonthTotals(db: Db, month: string, previousMonth: string): Promise<CostCenterListRow[]> {
  const cur = monthRange(month);
  const prev = monthRange(previousMonth);
  return listCostCenterTotals(db, {
    granularity: "monthly",
    from: cur.from,
    to: addDays(cur.to, -1),
    previous: { from: prev.from, to: addDays(prev.to, -1) },
  });
}
