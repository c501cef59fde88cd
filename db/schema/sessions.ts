import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Server-side sign-in sessions (docs/auth.md). The cookie carries a random 256-bit
 * id; only its SHA-256 is stored here, so a copy of this table cannot be replayed
 * as cookies, and a session cannot be minted from SESSION_SECRET alone.
 */
export const sessions = pgTable(
  "sessions",
  {
    /** base64url SHA-256 of the random session id in the cookie. */
    idHash: text("id_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Last activity; touched at most once a minute. Drives the idle timeout. */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** Absolute end (created_at + SHOWBACK_SESSION_MAX_DAYS at sign-in). */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Set by sign-out, password reset, disabling the account. */
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** How the session was opened: `password`, or `oidc` (single sign-on; shorter lifetime, docs/auth.md). */
    authMethod: text("auth_method").notNull().default("password"),
    userAgent: text("user_agent"),
    ip: text("ip"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);
