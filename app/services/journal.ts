/**
 * The general-ledger journal of a month (docs/journal.md), for the finance-export CLI and the
 * /finance/journal.csv download. A closed month reads the lines taken at close.
 */
import { JOURNAL_HEADER, buildJournal, journalCsvRow } from "../domain/finance-export";
import { addDays, monthRange } from "../domain/periods";
import type { Db } from "../../db/client";
import { getCloseSnapshot } from "../../db/queries/close-snapshots";
import { listOrgs } from "../../db/queries/orgs";
import { getTeamPeriods } from "../../db/queries/report";
import { costCenterMap } from "../../db/queries/teams";
import { toSafeCsv } from "./csv";

export interface JournalParams {
  month: string;
  /** One organization; every organization when absent. */
  orgId?: string;
}

/** The journal lines of one (org, month) from the current data (what a close stores). */
export async function journalOrgRows(db: Db, orgId: string, month: string): Promise<string[][]> {
  const { from, to } = monthRange(month);
  const rows = await getTeamPeriods(db, { granularity: "monthly", from, to: addDays(to, -1), orgIds: [orgId] });
  const cc = await costCenterMap(db);
  return buildJournal(month, [orgId], rows, (team) => cc.get(team)).map(journalCsvRow);
}

/** The journal lines of a month: per org, the lines taken at close when the month is closed. */
export async function journalCsvRows(db: Db, p: JournalParams): Promise<string[][]> {
  const orgIds = p.orgId ? [p.orgId] : (await listOrgs(db)).map((o) => o.org_id);
  const out: string[][] = [];
  for (const orgId of orgIds) {
    const frozen = await getCloseSnapshot(db, orgId, p.month, "journal");
    out.push(...(frozen ? frozen.map((r) => r.map((c) => c ?? "")) : await journalOrgRows(db, orgId, p.month)));
  }
  return out;
}

/** The journal as CSV. */
export async function journalCsv(db: Db, p: JournalParams): Promise<string> {
  return toSafeCsv(JOURNAL_HEADER, await journalCsvRows(db, p));
}
