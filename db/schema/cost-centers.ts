import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** A finance code such as CC-4102. */
export const costCenters = pgTable("cost_centers", {
  code: text("code").primaryKey(),
  name: text("name"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
