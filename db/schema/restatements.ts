import { index, integer, jsonb, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

/** A change to already-reported figures: per-team deltas caused by an import (docs/export-format.md, docs/reconciliation.md). */
export const restatements = pgTable(
  "restatements",
  {
    id: serial("id").primaryKey(),
    orgId: text("org_id").notNull(),
    month: text("month"),
    importId: integer("import_id"),
    kind: text("kind").notNull(),
    deltas: jsonb("deltas").notNull().default([]),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("restatements_org_month_idx").on(t.orgId, t.month)],
);
