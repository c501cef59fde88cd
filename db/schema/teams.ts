import { boolean, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { costCenters } from "./cost-centers";

/** A team belongs to at most one cost center (none = `unassigned` in reports). */
export const teams = pgTable("teams", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  costCenter: text("cost_center").references(() => costCenters.code),
  archived: boolean("archived").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
