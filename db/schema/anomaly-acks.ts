import { date, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Acknowledged anomalies (issue 16, docs/forecasting.md): a finance admin marks a flagged
 * (team, day) as seen, with a note. The anomalies themselves are computed from the data on
 * each read (app/domain/anomalies.ts), so only the acknowledgement is stored. Audited.
 */
export const anomalyAcks = pgTable(
  "anomaly_acks",
  {
    team: text("team").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    note: text("note"),
    ackedBy: text("acked_by").notNull(),
    ackedAt: timestamp("acked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.team, t.day] })],
);
