import { boolean, index, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Sign-in attempts, for the throttle by (client address, email) (docs/auth.md).
 * A row is written BEFORE the password is verified (success false until proven),
 * so parallel guesses each count. `throttled`: refused by the throttle without a
 * password check (does not lengthen the delay). `audited`: this attempt wrote the
 * (rate-limited) audit entry covering the failures before it.
 */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: serial("id").primaryKey(),
    email: text("email").notNull(),
    client: text("client").notNull().default(""),
    success: boolean("success").notNull(),
    throttled: boolean("throttled").notNull().default(false),
    audited: boolean("audited").notNull().default(false),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("login_attempts_email_client_at_idx").on(t.email, t.client, t.at),
    // the spraying throttle counts one client's recent failures across emails
    index("login_attempts_client_at_idx").on(t.client, t.at),
  ],
);
