/**
 * At close, the month's finance exports are taken and stored (db/queries/close-snapshots.ts), so
 * that a closed month re-exports identically whatever changes afterwards (a restatement shows as
 * FOCUS Correction rows; docs/focus-mapping.md, docs/journal.md).
 */
import type { Db } from "../../db/client";
import { putCloseSnapshot } from "../../db/queries/close-snapshots";
import { focusOrgRows } from "./finance-exports";
import { journalOrgRows } from "./journal";

/** Takes the FOCUS and journal lines of (org, month) from the current data and stores them. Inside the close's transaction. */
export async function snapshotCloseExports(db: Db, orgId: string, month: string): Promise<void> {
  await putCloseSnapshot(db, { orgId, month, kind: "focus", rows: await focusOrgRows(db, orgId, month) });
  await putCloseSnapshot(db, { orgId, month, kind: "journal", rows: await journalOrgRows(db, orgId, month) });
}
