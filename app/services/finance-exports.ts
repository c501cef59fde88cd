/**
 * The FOCUS 1.2 cost and usage export of a month (docs/focus-mapping.md), for the finance-export
 * CLI and the /finance/focus.* downloads. Per org: the rows from the stored figures
 * (app/domain/focus.ts builds them) or, for a closed month, the rows taken at close followed by
 * one Correction row per team whose figures changed since. CSV (values exactly as they are),
 * Parquet (app/services/parquet.ts) and the FOCUS metadata file.
 */
import { UNMAPPED, groupKey } from "../domain/allocation";
import {
  FOCUS_HEADER,
  focusCells,
  focusCorrectionRow,
  focusDirectRow,
  focusMetadata,
  focusShareRow,
  mergeIdenticalRows,
  SHOWBACK_VERSION,
  type FocusRow,
  type FocusScope,
} from "../domain/focus";
import { addDays, monthRange, startOfNextMonth } from "../domain/periods";
import { diffSnapshots, monthTeamTotals } from "../domain/restatements";
import type { Db } from "../../db/client";
import { closedMonthTotals } from "../../db/queries/allocation";
import { getCloseSnapshot } from "../../db/queries/close-snapshots";
import { getMonthClose, listClosedMonthRestatements } from "../../db/queries/closes";
import { directCostRows, unallocatedShares } from "../../db/queries/finance-export";
import { getOrg, listOrgs } from "../../db/queries/orgs";
import { monthSource } from "../../db/queries/reconcile";
import { costCenterMap } from "../../db/queries/teams";
import { computeAllocation } from "./allocation";
import { toCsv } from "./csv";
import { decimalScaleOf, writeFocusParquet } from "./parquet";

export interface FinanceExportParams {
  month: string;
  /** One organization; every organization when absent. */
  orgId?: string;
}

export type FocusCells = Array<string | null>;

async function orgIdsFor(db: Db, orgId?: string): Promise<string[]> {
  return orgId ? [orgId] : (await listOrgs(db)).map((o) => o.org_id);
}

async function scopeOf(db: Db, orgId: string, month: string, granularity: string): Promise<FocusScope> {
  const { from, to } = monthRange(month);
  const org = await getOrg(db, orgId);
  return { orgId, orgName: org?.display_name ?? null, billingStart: from, billingEnd: to, granularity };
}

/**
 * The FOCUS rows of one (org, month) from the current data (what a close stores): the month's
 * source rows (the monthly import, else the daily rows; weekly data cannot make a month).
 */
export async function focusOrgRows(db: Db, orgId: string, month: string): Promise<FocusCells[]> {
  const source = await monthSource(db, orgId, month);
  if (source !== "monthly" && source !== "daily") return [];
  const { from, to } = monthRange(month);
  const scope = await scopeOf(db, orgId, month, source);
  const org = await getOrg(db, orgId);
  const cc = await costCenterMap(db);
  const costCenterOf = (team: string) => groupKey(team, "cost_center", (t) => cc.get(t));
  const chargeEnd = (bucket: string) => (source === "monthly" ? startOfNextMonth(bucket) : addDays(bucket, 1));
  const rows: FocusRow[] = [];
  for (const r of await directCostRows(db, { orgId, granularity: source, from, to }))
    rows.push(
      focusDirectRow(
        scope,
        {
          chargeStart: r.bucket_start,
          chargeEnd: chargeEnd(r.bucket_start),
          ownerId: r.owner_id,
          environmentId: r.environment_id,
          environmentName: r.environment_name,
          resourceId: r.resource_id,
          resourceName: r.resource_name,
          product: r.product,
          metric: r.metric,
          unit: r.unit,
          cost: r.chargeback_cost,
          team: r.team,
          costCenter: costCenterOf(r.team ?? UNMAPPED),
          mappedBy: r.mapped_by,
          splitPct: r.split_pct,
        },
        UNMAPPED,
      ),
    );
  const policy = org?.policy ?? "proportional";
  for (const s of await unallocatedShares(db, { orgId, granularity: source, from, to }))
    rows.push(
      focusShareRow(scope, {
        chargeStart: s.bucket_start,
        chargeEnd: chargeEnd(s.bucket_start),
        team: s.team,
        costCenter: costCenterOf(s.team),
        share: s.share,
        product: s.product,
        metric: s.metric,
        unit: s.unit,
        policy,
        ownerId: s.owner_id,
      }),
    );
  return mergeIdenticalRows(rows).map(focusCells);
}

/**
 * The Correction rows of a closed (org, month): per team, what the current data gives minus the
 * frozen figures (a restatement after close: a changed export, or a crosswalk or policy change
 * reaching into the month). None while nothing changed.
 */
export async function focusCorrectionRows(db: Db, orgId: string, month: string): Promise<FocusCells[]> {
  const close = await getMonthClose(db, orgId, month);
  if (close?.status !== "closed") return [];
  const granularity = (close.frozen as { granularity?: string | null } | null)?.granularity ?? (await monthSource(db, orgId, month));
  if (granularity !== "monthly" && granularity !== "daily") return [];
  const { from, to } = monthRange(month);
  const last = addDays(to, -1);
  const months = new Set([month]);
  const range = { orgId, granularity, from, to: last };
  const deltas = diffSnapshots(
    await closedMonthTotals(db, range, months),
    monthTeamTotals(await computeAllocation(db, orgId, granularity, from, last), months),
  );
  if (deltas.length === 0) return [];
  const latest = (await listClosedMonthRestatements(db, { orgId, month })).find((r) => r.pending);
  const scope = await scopeOf(db, orgId, month, granularity);
  const cc = await costCenterMap(db);
  return deltas.map((d) =>
    focusCells(
      focusCorrectionRow(scope, {
        team: d.team,
        costCenter: groupKey(d.team, "cost_center", (t) => cc.get(t)),
        old: d.old,
        new: d.new,
        delta: d.delta,
        restatementId: latest?.id ?? null,
      }),
    ),
  );
}

/** FOCUS rows of the month: per org, the rows taken at close plus its Correction rows when the month is closed. */
export async function focusRows(db: Db, p: FinanceExportParams): Promise<FocusCells[]> {
  const out: FocusCells[] = [];
  for (const orgId of await orgIdsFor(db, p.orgId)) {
    const frozen = await getCloseSnapshot(db, orgId, p.month, "focus");
    if (frozen) out.push(...frozen, ...(await focusCorrectionRows(db, orgId, p.month)));
    else out.push(...(await focusOrgRows(db, orgId, p.month)));
  }
  return out;
}

/** The FOCUS cost-and-usage file as CSV: values exactly as they are (null = empty cell); no formula guard. */
export async function focusCsv(db: Db, p: FinanceExportParams): Promise<string> {
  return toCsv(
    FOCUS_HEADER,
    (await focusRows(db, p)).map((r) => r.map((c) => c ?? "")),
  );
}

/** The FOCUS cost-and-usage file as Parquet. */
export async function focusParquet(db: Db, p: FinanceExportParams): Promise<Uint8Array> {
  return writeFocusParquet(await focusRows(db, p));
}

/** The FOCUS metadata of the month's dataset (JSON). */
export async function focusMetadataJson(db: Db, p: FinanceExportParams): Promise<string> {
  const rows = await focusRows(db, p);
  return JSON.stringify(focusMetadata({ generatorVersion: SHOWBACK_VERSION, costScale: decimalScaleOf(rows) }), null, 2) + "\n";
}
