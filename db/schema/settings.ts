import { pgTable, text } from "drizzle-orm/pg-core";

/** Small key/value store (e.g. the generated session secret of the embedded demo). */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
