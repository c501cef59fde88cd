/**
 * The general-ledger journal of a month (docs/journal.md), for the finance-export CLI and the
 * /finance/journal.csv download: per org, a balanced double-entry journal built by
 * app/domain/journal.ts from the stored per-team figures, the teams' cost centers and the GL
 * account mapping. A closed month reads the lines taken at close, so it re-exports identically
 * whatever changes afterwards (accounts, cost centers, a restatement).
 */
import { InputError } from "../domain/errors";
import {
  buildJournal,
  JOURNAL_HEADER,
  journalCsvRow,
  postingDateFor,
  summarizeJournal,
  withPostingDate,
  type JournalSummary,
} from "../domain/journal";
import { addDays, isMonth, monthRange } from "../domain/periods";
import type { Db } from "../../db/client";
import { getCloseSnapshot } from "../../db/queries/close-snapshots";
import { glAccountInputs } from "../../db/queries/gl-accounts";
import { monthImportIds } from "../../db/queries/journal";
import { listOrgs } from "../../db/queries/orgs";
import { getTeamPeriods } from "../../db/queries/report";
import { costCenterMap } from "../../db/queries/teams";
import { toSafeCsv } from "./csv";

export interface JournalParams {
  month: string;
  /** One organization; every organization when absent. */
  orgId?: string;
  /** YYYY-MM-DD on or after the month's first day; default the month's last day (what a close stores). */
  postingDate?: string | null;
}

/** The journal lines of one (org, month) from the current data, posted on the month's last day (what a close stores). */
export async function journalOrgRows(db: Db, orgId: string, month: string): Promise<string[][]> {
  const { from, to } = monthRange(month);
  // one after the other: inside the close's transaction
  const rows = await getTeamPeriods(db, { granularity: "monthly", from, to: addDays(to, -1), orgIds: [orgId] });
  const cc = await costCenterMap(db);
  const accounts = await glAccountInputs(db);
  const importIds = rows.length ? await monthImportIds(db, orgId, month) : [];
  return buildJournal({
    orgId,
    month,
    teams: rows.filter((r) => r.org_id === orgId).map((r) => ({ team: r.team, total: r.total })),
    costCenterOf: (team) => cc.get(team),
    accounts,
    importIds,
  }).map(journalCsvRow);
}

/**
 * The journal lines of a month: per org (by id), the lines taken at close when the month is
 * closed, else from the current data. `postingDate` replaces the posting date of every line.
 */
export async function journalCsvRows(db: Db, p: JournalParams): Promise<string[][]> {
  const postingDate = p.postingDate ? postingDateFor(p.month, p.postingDate) : null;
  const orgIds = p.orgId ? [p.orgId] : (await listOrgs(db)).map((o) => o.org_id);
  const out: string[][] = [];
  for (const orgId of orgIds) {
    const frozen = await getCloseSnapshot(db, orgId, p.month, "journal");
    // lines stored in another column set (taken before the journal had its GL form) are rebuilt: from the month's
    // stored figures (frozen while it is closed) with the current cost centers and accounts
    const rows =
      frozen && frozen.every((r) => r.length === JOURNAL_HEADER.length)
        ? frozen.map((r) => r.map((c) => c ?? ""))
        : await journalOrgRows(db, orgId, p.month);
    out.push(...(postingDate ? withPostingDate(rows, postingDate) : rows));
  }
  return out;
}

/** The journal as CSV (docs/journal.md: JOURNAL_HEADER, one line per posting). */
export async function journalCsv(db: Db, p: JournalParams): Promise<string> {
  if (p.postingDate) postingDateFor(p.month, p.postingDate); // InputError before any read
  return toSafeCsv([...JOURNAL_HEADER], await journalCsvRows(db, p));
}

/**
 * Per org with a journal this month: its lines, Σ debits and credits, total, suspense amount and
 * the cost centers posted to suspense for want of an account (what the reconciliation page
 * and the close pack show; a closed month's from its frozen lines).
 */
export async function journalSummaries(db: Db, p: Omit<JournalParams, "postingDate">): Promise<JournalSummary[]> {
  if (!isMonth(p.month)) throw new InputError(`invalid month ${JSON.stringify(p.month)}: expected YYYY-MM`, { field: "month" });
  return summarizeJournal(await journalCsvRows(db, p));
}
