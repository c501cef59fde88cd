/**
 * The close pack of a month (docs/reconciliation.md#close-pack): everything finance files with a
 * month-end close, for every organization, as plain data (money as exact decimal strings) for the
 * printable page /reconciliation/close-pack. Read-only.
 *
 * - the reconciliation table and its checks, per org and rolled up (db/queries/reconcile.ts);
 * - coverage (in the reconciliation results);
 * - totals per cost center against the previous month (db/queries/close-pack.ts); a closed
 *   month's stored allocation is its frozen figure, so closed months show what was closed;
 * - the restatements recorded for the closed month (db/queries/closes.ts);
 * - who closed each org's month, when, and why (month_closes).
 */
import { assertMonth } from "../domain/month-end";
import { Decimal, dec, sum } from "../domain/money";
import { addDays, monthOf } from "../domain/periods";
import type { ReconcileResult } from "../domain/reconcile";
import { UNALLOCATED, UNASSIGNED, UNMAPPED } from "../domain/vocabulary";
import type { Db } from "../../db/client";
import { closedMonthRestatementInstants, costCenterMonthTotals, listClosePackCloses } from "../../db/queries/close-pack";
import { listClosedMonthRestatements, type ClosedMonthRestatement } from "../../db/queries/closes";
import { listOrgs } from "../../db/queries/orgs";
import { ingestDueAt, reconcileMonth, type OrgMonthReconciliation } from "../../db/queries/reconcile";

export interface ClosePackClose {
  status: "closed" | "reopened";
  closedBy: string;
  /** ISO-8601 UTC */
  closedAt: string;
  reason: string | null;
  /** the reconciliation status, export total, invoice subtotal and variance when it was closed */
  statusAtClose: string | null;
  exportTotalAtClose: string | null;
  invoiceSubtotalAtClose: string | null;
  varianceAtClose: string | null;
}

export interface ClosePackOrg extends OrgMonthReconciliation {
  displayName: string | null;
  close: ClosePackClose | null;
}

export interface ClosePackAmounts {
  total: string;
  previousTotal: string;
  /** total − previousTotal */
  change: string;
  /** change / previousTotal × 100 with 2 decimals (e.g. "-12.50"); null when the previous total is 0 */
  changePct: string | null;
}

export interface ClosePackCostCenter extends ClosePackAmounts {
  code: string;
  name: string | null;
  /** unassigned, unmapped, unallocated */
  pseudo: boolean;
}

export interface ClosePackRestatement extends ClosedMonthRestatement {
  /** ISO-8601 UTC instant it was recorded */
  recordedAt: string;
  /** Σ of its per-team deltas */
  netDelta: string;
}

export interface ClosePack {
  month: string;
  previousMonth: string;
  /** month end + 48 h (ISO) */
  dueAt: string;
  orgs: ClosePackOrg[];
  /** the roll-up across organizations (orgId "ALL"); null without organizations */
  total: ReconcileResult | null;
  /** cost centers with a total this month or last (all organizations): real ones by code, then the pseudo groups */
  costCenters: ClosePackCostCenter[];
  costCenterTotal: ClosePackAmounts;
  /** newest first */
  restatements: ClosePackRestatement[];
}

const PSEUDO_ORDER = [UNASSIGNED, UNMAPPED, UNALLOCATED];

/** change / previous × 100, 2 decimals half-up; null when previous is 0. */
export function changePercent(change: Decimal, previous: Decimal): string | null {
  if (previous.isZero()) return null;
  const s = change.div(previous.abs()).times(100).toFixed(2, Decimal.ROUND_HALF_UP);
  return s === "-0.00" ? "0.00" : s;
}

function amounts(total: Decimal, previousTotal: Decimal): ClosePackAmounts {
  const change = total.minus(previousTotal);
  return {
    total: total.toFixed(),
    previousTotal: previousTotal.toFixed(),
    change: change.toFixed(),
    changePct: changePercent(change, previousTotal),
  };
}

/** The month before `month` (YYYY-MM). */
export function previousMonthOf(month: string): string {
  return monthOf(addDays(`${assertMonth(month)}-01`, -1));
}

/** The close pack of `month` (YYYY-MM; InputError otherwise). `now` (ISO) is the instant the checks look at. */
export async function getClosePack(db: Db, month: string, opts: { now?: string } = {}): Promise<ClosePack> {
  assertMonth(month);
  const now = opts.now ?? new Date().toISOString();
  const previousMonth = previousMonthOf(month);

  const names = new Map((await listOrgs(db)).map((o) => [o.org_id, o.display_name]));
  const { orgs, total } = await reconcileMonth(db, month, { now, orgIds: [...names.keys()] });
  const closes = new Map((await listClosePackCloses(db, month)).map((c) => [c.org_id, c]));

  const centers = (await costCenterMonthTotals(db, month, previousMonth))
    .filter((c) => !dec(c.total).isZero() || !dec(c.previousTotal).isZero())
    .map((c): ClosePackCostCenter => ({ code: c.code, name: c.name, pseudo: c.pseudo, ...amounts(dec(c.total), dec(c.previousTotal)) }))
    .sort((a, b) => {
      const pa = a.pseudo ? PSEUDO_ORDER.indexOf(a.code) + 1 : 0;
      const pb = b.pseudo ? PSEUDO_ORDER.indexOf(b.code) + 1 : 0;
      return pa - pb || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
    });

  const at = await closedMonthRestatementInstants(db, month);
  const restatements = (await listClosedMonthRestatements(db, { month })).map((r): ClosePackRestatement => ({
    ...r,
    recordedAt: at.get(Number(r.id)) ?? r.createdAt,
    netDelta: sum(r.deltas.map((d) => dec(d.delta))).toFixed(),
  }));

  return {
    month,
    previousMonth,
    dueAt: ingestDueAt(month),
    orgs: orgs.map((r): ClosePackOrg => {
      const c = closes.get(r.orgId);
      return {
        ...r,
        displayName: names.get(r.orgId) ?? null,
        close: c
          ? {
              status: c.status,
              closedBy: c.closed_by,
              closedAt: c.closed_at,
              reason: c.reason,
              statusAtClose: c.frozen_status,
              exportTotalAtClose: c.frozen_export_total,
              invoiceSubtotalAtClose: c.frozen_invoice_subtotal,
              varianceAtClose: c.frozen_variance,
            }
          : null,
      };
    }),
    total,
    costCenters: centers,
    costCenterTotal: amounts(sum(centers.map((c) => dec(c.total))), sum(centers.map((c) => dec(c.previousTotal)))),
    restatements,
  };
}
