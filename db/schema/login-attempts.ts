import { boolean, index, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

/** Sign-in attempts, for the lockout after repeated failures. */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: serial("id").primaryKey(),
    email: text("email").notNull(),
    success: boolean("success").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("login_attempts_email_at_idx").on(t.email, t.at)],
);
