import { index, numeric, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

/** Invoice usage subtotal per (org, month); history kept, latest wins (docs/reconciliation.md). */
export const invoices = pgTable(
  "invoices",
  {
    id: serial("id").primaryKey(),
    orgId: text("org_id").notNull(),
    month: text("month").notNull(),
    amount: numeric("amount").notNull(),
    enteredBy: text("entered_by").notNull(),
    enteredAt: timestamp("entered_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("invoices_org_month_idx").on(t.orgId, t.month)],
);
