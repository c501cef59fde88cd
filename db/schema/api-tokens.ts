import { sql } from "drizzle-orm";
import { check, date, index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Read-only API tokens (docs/api.md, docs/auth.md "API tokens"). A token belongs either to a
 * user (`user_id`: its scope is the user's role, looked up on every request) or to a named
 * service client (`client_name` with its own `role`). Only the SHA-256 of the random secret is
 * stored; `hint` is the first characters of the token, to recognise it in lists.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: serial("id").primaryKey(),
    /** base64url SHA-256 of the whole token string. */
    tokenHash: text("token_hash").notNull().unique(),
    hint: text("hint").notNull(),
    name: text("name").notNull(),
    userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
    clientName: text("client_name"),
    /** Service clients only: their role (a user's token takes the user's role at request time). */
    role: text("role"),
    /** Service clients with role `team_viewer`: their scope (a user's token takes the user's scope). */
    scopeTeams: text("scope_teams").array().notNull().default([]),
    scopeCostCenters: text("scope_cost_centers").array().notNull().default([]),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: text("revoked_by"),
    /** Touched at most once a minute. */
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    /** UTC day of the last audited use (the first use of each day is audited). */
    lastUsedDay: date("last_used_day"),
  },
  (t) => [
    index("api_tokens_user_idx").on(t.userId),
    check(
      "api_tokens_principal_check",
      sql`(${t.userId} is not null and ${t.clientName} is null and ${t.role} is null) or (${t.userId} is null and ${t.clientName} is not null and ${t.role} is not null)`,
    ),
  ],
);
