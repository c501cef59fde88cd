/**
 * The FOCUS cost-and-usage export of a month (docs/focus-mapping.md), for the finance-export
 * CLI and the /finance/focus.* downloads: reads the month's stored figures and builds the lines
 * (app/domain/finance-export.ts). A closed month reads the lines taken at close.
 */
import { FOCUS_HEADER, focusDirectLine, focusShareLine, type FocusPeriod } from "../domain/finance-export";
import { addDays, monthRange, startOfNextMonth } from "../domain/periods";
import type { Db } from "../../db/client";
import { getCloseSnapshot } from "../../db/queries/close-snapshots";
import { directCostRows, unallocatedShares } from "../../db/queries/finance-export";
import { getOrg, listOrgs } from "../../db/queries/orgs";
import { monthSource } from "../../db/queries/reconcile";
import { costCenterMap } from "../../db/queries/teams";
import { toSafeCsv } from "./csv";

export interface FinanceExportParams {
  month: string;
  /** One organization; every organization when absent. */
  orgId?: string;
}

async function orgIdsFor(db: Db, orgId?: string): Promise<string[]> {
  return orgId ? [orgId] : (await listOrgs(db)).map((o) => o.org_id);
}

/** The FOCUS lines of one (org, month) from the current data (what a close stores). */
export async function focusOrgRows(db: Db, orgId: string, month: string): Promise<string[][]> {
  const { from, to } = monthRange(month);
  const cc = await costCenterMap(db);
  const costCenterOf = (team: string) => cc.get(team);
  const out: string[][] = [];
  const source = await monthSource(db, orgId, month);
  if (source !== "monthly" && source !== "daily") return out;
  const org = await getOrg(db, orgId);
  const period = (bucket: string): FocusPeriod => ({
    orgId,
    billingStart: from,
    billingEnd: to,
    chargeStart: bucket,
    chargeEnd: source === "monthly" ? startOfNextMonth(bucket) : addDays(bucket, 1),
  });
  for (const r of await directCostRows(db, { orgId, granularity: source, from, to }))
    out.push(focusDirectLine(period(r.bucket_start), r, r.team, costCenterOf));
  const policy = org?.policy ?? "proportional";
  for (const s of await unallocatedShares(db, { orgId, granularity: source, from, to }))
    out.push(focusShareLine(period(s.bucket_start), s, policy, costCenterOf));
  return out;
}

/** FOCUS rows of the month: per org, the lines taken at close when the month is closed. */
export async function focusCsvRows(db: Db, p: FinanceExportParams): Promise<string[][]> {
  const out: string[][] = [];
  for (const orgId of await orgIdsFor(db, p.orgId)) {
    const frozen = await getCloseSnapshot(db, orgId, p.month, "focus");
    out.push(...(frozen ? frozen.map((r) => r.map((c) => c ?? "")) : await focusOrgRows(db, orgId, p.month)));
  }
  return out;
}

/** The FOCUS cost-and-usage file as CSV. */
export async function focusCsv(db: Db, p: FinanceExportParams): Promise<string> {
  return toSafeCsv(FOCUS_HEADER, await focusCsvRows(db, p));
}
