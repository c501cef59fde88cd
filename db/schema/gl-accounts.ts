import { sql } from "drizzle-orm";
import { check, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * General-ledger account mapping for the journal (docs/journal.md). `scope` is one of
 * `cost_center` (key = cost center code), `org_default` (key = org id: the expense account of
 * that org's cost centers without their own), `clearing` (key = org id or `*`: the credit side)
 * and `suspense` (key = pseudo cost center `unmapped` / `unassigned` / `unallocated` or `*`).
 * `org_id` '' = every organization; a non-empty one narrows the mapping to that org and wins.
 */
export const glAccounts = pgTable(
  "gl_accounts",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    orgId: text("org_id").notNull().default(""),
    account: text("account").notNull(),
    updatedBy: text("updated_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key, t.orgId] }),
    check("gl_accounts_scope_check", sql`${t.scope} in ('cost_center', 'org_default', 'clearing', 'suspense')`),
  ],
);
