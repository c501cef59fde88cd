import { jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/** Close state of an (org, month); `frozen` holds the per-team results at close time. */
export const monthCloses = pgTable(
  "month_closes",
  {
    orgId: text("org_id").notNull(),
    month: text("month").notNull(),
    status: text("status").notNull(),
    reason: text("reason"),
    frozen: jsonb("frozen").notNull().default([]),
    closedBy: text("closed_by").notNull(),
    closedAt: timestamp("closed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.month] })],
);
