import { check, index, numeric, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

/**
 * Monthly budgets (issue 16, docs/budgets.md): a USD amount per month for a team or a cost
 * center, for every org (`org_id` null: the budget of its total spend) or for one org, in force
 * from `from_month` until a later row for the same (scope, name, org) replaces it. Set on
 * /admin/budgets or imported as CSV (app/services/budgets.ts), audited.
 */
export const budgets = pgTable(
  "budgets",
  {
    id: serial("id").primaryKey(),
    scope: text("scope").notNull(),
    name: text("name").notNull(),
    orgId: text("org_id"),
    fromMonth: text("from_month").notNull(),
    amount: numeric("amount").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("budgets_scope", sql`${t.scope} in ('team', 'cost_center')`),
    check("budgets_from_month", sql`${t.fromMonth} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check("budgets_amount", sql`${t.amount} >= 0`),
    uniqueIndex("budgets_key").on(t.scope, t.name, sql`coalesce(${t.orgId}, '')`, t.fromMonth),
    index("budgets_name_idx").on(t.scope, t.name),
  ],
);
