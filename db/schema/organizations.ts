import { jsonb, numeric, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One Confluent Cloud organization. `policy_spec` is the unallocated policy as data
 * (docs/allocation.md): the JSON of its registry entry (app/domain/policies.ts), teams by id
 * in fields named `teamId`, e.g. {"kind":"proportional"} or {"kind":"shared","teamId":3}.
 */
export const organizations = pgTable("organizations", {
  orgId: text("org_id").primaryKey(),
  displayName: text("display_name"),
  policySpec: jsonb("policy_spec").notNull().default({ kind: "proportional" }),
  tolerance: numeric("tolerance").notNull().default("0.01"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
