/**
 * Month-end finance exports (docs/focus-mapping.md), for the finance-export CLI and the
 * /finance/*.csv downloads: reads the month's stored figures and builds the lines
 * (app/domain/finance-export.ts), rendered formula-safe.
 */
import {
  FOCUS_HEADER,
  JOURNAL_HEADER,
  buildJournal,
  focusDirectLine,
  focusShareLine,
  journalCsvRow,
  type FocusPeriod,
  type JournalLine,
} from "../domain/finance-export";
import { addDays, monthRange, startOfNextMonth } from "../domain/periods";
import type { Db } from "../../db/client";
import { directCostRows, unallocatedShares } from "../../db/queries/finance-export";
import { getOrg, listOrgs } from "../../db/queries/orgs";
import { monthSource } from "../../db/queries/reconcile";
import { getTeamPeriods } from "../../db/queries/report";
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

/** The chargeback journal of a month (stored allocation: the frozen figures for a closed month). */
export async function journalLines(db: Db, p: FinanceExportParams): Promise<JournalLine[]> {
  const { from, to } = monthRange(p.month);
  const orgIds = await orgIdsFor(db, p.orgId);
  if (orgIds.length === 0) return [];
  const rows = await getTeamPeriods(db, { granularity: "monthly", from, to: addDays(to, -1), orgIds });
  const cc = await costCenterMap(db);
  return buildJournal(p.month, orgIds, rows, (team) => cc.get(team));
}

export async function journalCsvRows(db: Db, p: FinanceExportParams): Promise<string[][]> {
  return (await journalLines(db, p)).map(journalCsvRow);
}

/**
 * FOCUS rows of the month. Direct rows come from the export's rows (team from the crosswalk at
 * the bucket start); the unallocated amount appears as one row per (bucket, team) share from the
 * stored allocation, so Σ BilledCost = the export total (for an open month).
 */
export async function focusCsvRows(db: Db, p: FinanceExportParams): Promise<string[][]> {
  const { from, to } = monthRange(p.month);
  const cc = await costCenterMap(db);
  const costCenterOf = (team: string) => cc.get(team);
  const out: string[][] = [];
  for (const orgId of await orgIdsFor(db, p.orgId)) {
    const source = await monthSource(db, orgId, p.month);
    if (source !== "monthly" && source !== "daily") continue;
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
  }
  return out;
}

/** The journal as CSV (formula-safe). */
export async function journalCsv(db: Db, p: FinanceExportParams): Promise<string> {
  return toSafeCsv(JOURNAL_HEADER, await journalCsvRows(db, p));
}

/** The FOCUS cost-and-usage file as CSV (formula-safe). */
export async function focusCsv(db: Db, p: FinanceExportParams): Promise<string> {
  return toSafeCsv(FOCUS_HEADER, await focusCsvRows(db, p));
}
