import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { costCenters } from "./cost-centers";
import { teams } from "./teams";

/**
 * Alert subscriptions (docs/alerts.md): who receives the alerts about one team or one cost
 * center, by email or by webhook. A team is referenced by id (a rename keeps the subscription);
 * a cost-center subscription also receives the alerts of the teams in that cost center.
 * `secret` signs `json` webhooks (HMAC-SHA256); it is shown once on creation and never listed.
 * Unsubscribing sets `removed_at` (the delivery history stays).
 */
export const alertSubscriptions = pgTable(
  "alert_subscriptions",
  {
    id: serial("id").primaryKey(),
    scope: text("scope").notNull(),
    teamId: integer("team_id").references(() => teams.id, { onDelete: "cascade" }),
    costCenter: text("cost_center").references(() => costCenters.code, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    /** An email address (channel email) or an https URL (channel webhook). */
    target: text("target").notNull(),
    /** Webhooks only: `slack` or `json`. */
    format: text("format"),
    secret: text("secret"),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
    removedBy: text("removed_by"),
  },
  (t) => [
    check(
      "alert_subscriptions_scope_check",
      sql`(${t.scope} = 'team' and ${t.teamId} is not null and ${t.costCenter} is null) or (${t.scope} = 'cost_center' and ${t.costCenter} is not null and ${t.teamId} is null)`,
    ),
    check(
      "alert_subscriptions_channel_check",
      sql`(${t.channel} = 'email' and ${t.format} is null and ${t.secret} is null) or (${t.channel} = 'webhook' and ((${t.format} = 'slack' and ${t.secret} is null) or (${t.format} = 'json' and ${t.secret} is not null)))`,
    ),
    // one active subscription per (subject, channel, target, format): a second would send twice
    uniqueIndex("alert_subscriptions_active_key")
      .on(
        sql`${t.scope}`,
        sql`coalesce(${t.teamId}, 0)`,
        sql`coalesce(${t.costCenter}, '')`,
        t.channel,
        t.target,
        sql`coalesce(${t.format}, '')`,
      )
      .where(sql`${t.removedAt} is null`),
    index("alert_subscriptions_team_idx").on(t.teamId),
    index("alert_subscriptions_cost_center_idx").on(t.costCenter),
  ],
);
