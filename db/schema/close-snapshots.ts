import { sql } from "drizzle-orm";
import { check, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The finance exports of a closed (org, month) as they were at close (docs/focus-mapping.md,
 * docs/journal.md): `kind` 'focus' or 'journal', `rows` the lines as arrays of cells (null =
 * empty), so re-exporting a closed month gives the identical file. Replaced at the next close.
 */
export const closeSnapshots = pgTable(
  "close_snapshots",
  {
    orgId: text("org_id").notNull(),
    month: text("month").notNull(),
    kind: text("kind").notNull(),
    rows: jsonb("rows").notNull().default([]),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.month, t.kind] }), check("close_snapshots_kind_check", sql`${t.kind} in ('focus', 'journal')`)],
);
