import { boolean, pgTable, serial, text, timestamp, unique } from "drizzle-orm/pg-core";

/**
 * Accounts (docs/auth.md): role is `viewer`, `team_viewer` or `finance_admin`.
 * A `team_viewer` sees the teams in `scope_teams` and the teams of the cost centers in
 * `scope_cost_centers` (team names and cost center codes; renames update them). Accounts
 * created by OIDC single sign-on carry the issuer and subject they were created for.
 */
export const users = pgTable(
  "users",
  {
    id: serial("id").primaryKey(),
    email: text("email").notNull().unique(),
    passwordHash: text("password_hash"),
    role: text("role").notNull().default("viewer"),
    disabled: boolean("disabled").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    scopeTeams: text("scope_teams").array().notNull().default([]),
    scopeCostCenters: text("scope_cost_centers").array().notNull().default([]),
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
  },
  (t) => [unique("users_oidc_identity_key").on(t.oidcIssuer, t.oidcSubject)],
);
