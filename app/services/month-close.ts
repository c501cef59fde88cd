/**
 * Month close and reopen (docs/reconciliation.md), shared by the reconcile CLI and the
 * reconciliation page: validation, the change in one transaction, and its audit entry.
 *
 * The freeze itself is enforced by `recomputeAllocation` (db/queries/allocation.ts): buckets
 * of a closed month are never rewritten, a `closed_month` restatement is recorded instead.
 */
import { InputError } from "../domain/errors";
import { assertMonth } from "../domain/month-end";
import { monthRange } from "../domain/periods";
import type { Db } from "../../db/client";
import { recomputeOrgRange } from "./allocation";
import { snapshotCloseExports } from "./close-snapshots";
import { writeAudit } from "../../db/queries/audit";
import {
  getMonthClose,
  markMonthReopened,
  monthTeamResults,
  upsertMonthClose,
  type FrozenFigures,
  type FrozenTeam,
  type MonthCloseRow,
} from "../../db/queries/closes";
import { getOrg, lockOrg } from "../../db/queries/orgs";
import { reconcileOrgMonth } from "../../db/queries/reconcile";

export interface CloseParams {
  orgId: string;
  month: string;
  reason?: string | null;
  now?: string;
}

/**
 * Closes (org, month): refused when there is no data or it is already closed; a
 * `mismatch` or `no_invoice` month needs a typed reason. Freezes the per-team results. Audited.
 */
export async function closeMonth(db: Db, actor: string, p: CloseParams): Promise<MonthCloseRow> {
  const month = assertMonth(p.month);
  const reason = (p.reason ?? "").trim() || null;
  return db.transaction(async (tx) => {
    if (!(await getOrg(tx, p.orgId))) throw new InputError(`unknown organization ${p.orgId}`, { field: "org_id" });
    await lockOrg(tx, p.orgId);
    const existing = await getMonthClose(tx, p.orgId, month);
    if (existing?.status === "closed") throw new InputError(`${p.orgId} ${month} is already closed (by ${existing.closed_by})`);
    const rec = await reconcileOrgMonth(tx, p.orgId, month, p.now);
    if (rec.status === "no_data") throw new InputError(`${p.orgId} ${month} has no data to close`);
    if ((rec.status === "mismatch" || rec.status === "no_invoice") && !reason)
      throw new InputError(
        `${p.orgId} ${month} is ${rec.status === "mismatch" ? `a mismatch (variance ${rec.variance})` : "without an invoice figure"}: closing it needs a reason`,
        { field: "reason" },
      );
    const results = await monthTeamResults(tx, p.orgId, month);
    const frozen: FrozenFigures = {
      granularity: results.granularity,
      teams: results.teams,
      export_total: rec.exportTotal,
      invoice_subtotal: rec.invoiceSubtotal,
      variance: rec.variance,
      status: rec.status,
    };
    const row = await upsertMonthClose(tx, { orgId: p.orgId, month, reason, frozen, closedBy: actor });
    await snapshotCloseExports(tx, p.orgId, month);
    await writeAudit(tx, {
      actor,
      action: "close",
      entity: "month",
      entityId: `${p.orgId}:${month}`,
      before: existing ? { status: existing.status, reason: existing.reason } : null,
      after: { status: "closed", reason, reconcile_status: rec.status, variance: rec.variance, frozen },
    });
    return row;
  });
}

/** Reopens a closed (org, month) and recomputes its allocation from the current data. Audited. */
export async function reopenMonth(
  db: Db,
  actor: string,
  p: { orgId: string; month: string; reason?: string | null },
): Promise<{ close: MonthCloseRow; before: FrozenTeam[]; after: FrozenTeam[] }> {
  const month = assertMonth(p.month);
  const reason = (p.reason ?? "").trim() || null;
  return db.transaction(async (tx) => {
    await lockOrg(tx, p.orgId);
    const existing = await getMonthClose(tx, p.orgId, month);
    if (existing?.status !== "closed") throw new InputError(`${p.orgId} ${month} is not closed`);
    const before = await monthTeamResults(tx, p.orgId, month);
    const row = await markMonthReopened(tx, p.orgId, month);
    const { from, to } = monthRange(month);
    await recomputeOrgRange(tx, p.orgId, from, to);
    const after = await monthTeamResults(tx, p.orgId, month);
    await writeAudit(tx, {
      actor,
      action: "reopen",
      entity: "month",
      entityId: `${p.orgId}:${month}`,
      before: { status: "closed", closed_by: existing.closed_by, closed_at: existing.closed_at, teams: before.teams },
      after: { status: "reopened", reason, teams: after.teams },
    });
    return { close: row, before: before.teams, after: after.teams };
  });
}
