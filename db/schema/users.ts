import { boolean, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

/** Accounts: role is `viewer` or `finance_admin` (docs/auth.md). */
export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  email: text("email").notNull().unique(),
  passwordHash: text("password_hash"),
  role: text("role").notNull().default("viewer"),
  disabled: boolean("disabled").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
