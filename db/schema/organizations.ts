import { numeric, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** One Confluent Cloud organization. `policy` is the unallocated policy (docs/allocation.md). */
export const organizations = pgTable("organizations", {
  orgId: text("org_id").primaryKey(),
  displayName: text("display_name"),
  policy: text("policy").notNull().default("proportional"),
  tolerance: numeric("tolerance").notNull().default("0.01"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
