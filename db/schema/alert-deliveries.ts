import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, serial, text, timestamp, unique } from "drizzle-orm/pg-core";
import { alertSubscriptions } from "./alert-subscriptions";

/**
 * One row per (alert event, subscription) (docs/alerts.md): the unique key is what makes an
 * event be delivered once to each subscriber however often it is raised. The row is the
 * delivery log: status, attempts, the next attempt (exponential backoff) and the last error.
 *
 * pending: never tried (due now) · sending: claimed by a run until `next_attempt_at` (a run
 * that died is retried after that) · failed: retried at `next_attempt_at` · sent · dead: gave up.
 */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: serial("id").primaryKey(),
    eventKey: text("event_key").notNull(),
    subscriptionId: integer("subscription_id")
      .notNull()
      .references(() => alertSubscriptions.id, { onDelete: "cascade" }),
    /** The event as raised (app/domain/alerts.ts AlertEvent), rendered again on each attempt. */
    event: jsonb("event").notNull(),
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    lastError: text("last_error"),
    /** HTTP status of the last webhook attempt. */
    lastStatusCode: integer("last_status_code"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("alert_deliveries_event_subscription_key").on(t.eventKey, t.subscriptionId),
    check("alert_deliveries_status_check", sql`${t.status} in ('pending', 'sending', 'sent', 'failed', 'dead')`),
    index("alert_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("alert_deliveries_subscription_idx").on(t.subscriptionId),
  ],
);
