/**
 * Alert subscriptions and deliveries (docs/alerts.md): the rows the alert service
 * (app/services/alerts.ts) composes. Validation, rendering, sending and audit are the service's.
 *
 * Every instant is passed in as an ISO string (the service's clock, injectable in tests) and
 * read back as ISO 8601 UTC text, the same on both engines.
 */
import type { Db } from "../client";
import type { AlertChannel, AlertEvent, AlertScope, DeliveryStatus, WebhookFormat } from "../../app/domain/alerts";

const iso = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface AlertSubscriptionRow {
  id: number;
  scope: AlertScope;
  /** The team's current name (scope team) or the cost center's code (scope cost_center). */
  name: string;
  channel: AlertChannel;
  target: string;
  format: WebhookFormat | null;
  created_by: string;
  created_at: string;
  removed_at: string | null;
  removed_by: string | null;
}

const SUB_COLS = `s.id, s.scope, coalesce(t.name, s.cost_center) as name, s.channel, s.target, s.format, s.created_by,
  ${iso("s.created_at")} as created_at, ${iso("s.removed_at")} as removed_at, s.removed_by`;
const SUB_FROM = `alert_subscriptions s left join teams t on t.id = s.team_id`;

/** Inserts a subscription; null when an active one for the same subject, channel, target and format exists. */
export async function insertAlertSubscription(
  db: Db,
  s: {
    scope: AlertScope;
    teamId: number | null;
    costCenter: string | null;
    channel: AlertChannel;
    target: string;
    format: WebhookFormat | null;
    secret: string | null;
    createdBy: string;
  },
): Promise<AlertSubscriptionRow | null> {
  const [row] = await db.query<{ id: number }>(
    `insert into alert_subscriptions (scope, team_id, cost_center, channel, target, format, secret, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing returning id`,
    [s.scope, s.teamId, s.costCenter, s.channel, s.target, s.format, s.secret, s.createdBy],
  );
  return row ? getAlertSubscription(db, row.id) : null;
}

/** The active subscription with the same subject, channel, target and format, if any. */
export async function findActiveAlertSubscription(
  db: Db,
  s: {
    scope: AlertScope;
    teamId: number | null;
    costCenter: string | null;
    channel: AlertChannel;
    target: string;
    format: WebhookFormat | null;
  },
): Promise<AlertSubscriptionRow | null> {
  const [row] = await db.query<AlertSubscriptionRow>(
    `select ${SUB_COLS} from ${SUB_FROM}
      where s.removed_at is null and s.scope = $1 and coalesce(s.team_id, 0) = coalesce($2::int, 0)
        and coalesce(s.cost_center, '') = coalesce($3::text, '') and s.channel = $4 and s.target = $5
        and coalesce(s.format, '') = coalesce($6::text, '')`,
    [s.scope, s.teamId, s.costCenter, s.channel, s.target, s.format],
  );
  return row ?? null;
}

export async function getAlertSubscription(db: Db, id: number): Promise<AlertSubscriptionRow | null> {
  const [row] = await db.query<AlertSubscriptionRow>(`select ${SUB_COLS} from ${SUB_FROM} where s.id = $1`, [id]);
  return row ?? null;
}

/** Subscriptions by subject then id; the removed ones only when asked. */
export async function listAlertSubscriptions(db: Db, f: { includeRemoved?: boolean } = {}): Promise<AlertSubscriptionRow[]> {
  return db.query<AlertSubscriptionRow>(
    `select ${SUB_COLS} from ${SUB_FROM} where ($1 or s.removed_at is null) order by s.scope desc, name, s.id`,
    [f.includeRemoved ?? false],
  );
}

/**
 * Marks the subscription removed and gives up its deliveries not yet sent (status dead, the
 * reason in last_error). Returns how many deliveries were given up; null when it was not active.
 */
export async function removeAlertSubscription(db: Db, id: number, actor: string, nowIso: string): Promise<number | null> {
  const done = await db.query(
    `update alert_subscriptions set removed_at = $3::timestamptz, removed_by = $2 where id = $1 and removed_at is null returning id`,
    [id, actor, nowIso],
  );
  if (!done.length) return null;
  const dropped = await db.query(
    `update alert_deliveries set status = 'dead', next_attempt_at = null, last_error = 'subscription removed'
      where subscription_id = $1 and status in ('pending', 'sending', 'failed') returning id`,
    [id],
  );
  return dropped.length;
}

/**
 * One pending delivery of `event` for every active subscription that receives it: subscriptions
 * to the event's team or cost center, and cost-center subscriptions for an event about a team
 * in that cost center. Existing (event key, subscription) pairs are left alone, also under
 * concurrent calls (the unique key). Returns the new deliveries' ids.
 */
export async function insertEventDeliveries(db: Db, event: AlertEvent): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `insert into alert_deliveries (event_key, subscription_id, event)
     select $1, s.id, $2::jsonb
       from alert_subscriptions s left join teams t on t.id = s.team_id
      where s.removed_at is null
        and (($3 = 'team' and s.scope = 'team' and t.name = $4)
          or ($3 = 'cost_center' and s.scope = 'cost_center' and s.cost_center = $4)
          or ($3 = 'team' and s.scope = 'cost_center' and s.cost_center = (select cost_center from teams where name = $4)))
      order by s.id
     on conflict (event_key, subscription_id) do nothing
     returning id`,
    [event.key, JSON.stringify(event), event.subject.scope, event.subject.name],
  );
  return rows.map((r) => r.id);
}

/** A delivery claimed for one attempt, with what sending it needs. */
export interface ClaimedDelivery {
  id: number;
  event_key: string;
  event: unknown;
  /** This attempt's number (1 for the first). */
  attempts: number;
  subscription_id: number;
  channel: AlertChannel;
  target: string;
  format: WebhookFormat | null;
  secret: string | null;
}

/**
 * Claims up to `limit` due deliveries of active subscriptions (pending; failed whose next
 * attempt has come; sending whose claim has run out) for one attempt: status sending, attempts
 * + 1, claimed until `leaseUntilIso`. Rows another run holds are skipped, so two runs never
 * send the same attempt.
 */
export async function claimDueDeliveries(db: Db, nowIso: string, leaseUntilIso: string, limit: number): Promise<ClaimedDelivery[]> {
  return db.query<ClaimedDelivery>(
    `with due as (
       select d.id from alert_deliveries d join alert_subscriptions s on s.id = d.subscription_id
        where s.removed_at is null
          and (d.status = 'pending' or (d.status in ('failed', 'sending') and d.next_attempt_at <= $1::timestamptz))
        order by d.id limit $3
        for update of d skip locked)
     update alert_deliveries d
        set status = 'sending', attempts = d.attempts + 1, next_attempt_at = $2::timestamptz, last_attempt_at = $1::timestamptz
       from due, alert_subscriptions s
      where d.id = due.id and s.id = d.subscription_id
     returning d.id, d.event_key, d.event, d.attempts, s.id as subscription_id, s.channel, s.target, s.format, s.secret`,
    [nowIso, leaseUntilIso, limit],
  );
}

export async function markDeliverySent(db: Db, id: number, nowIso: string, statusCode: number | null): Promise<void> {
  await db.query(
    `update alert_deliveries set status = 'sent', sent_at = $2::timestamptz, next_attempt_at = null, last_error = null,
            last_status_code = $3 where id = $1`,
    [id, nowIso, statusCode],
  );
}

/** Records a failed attempt: failed with the next attempt at `nextAttemptIso`, or dead when that is null. */
export async function markDeliveryFailed(
  db: Db,
  id: number,
  f: { error: string; statusCode: number | null; nextAttemptIso: string | null },
): Promise<void> {
  await db.query(
    `update alert_deliveries set status = case when $2::timestamptz is null then 'dead' else 'failed' end,
            next_attempt_at = $2::timestamptz, last_error = $3, last_status_code = $4 where id = $1`,
    [id, f.nextAttemptIso, f.error, f.statusCode],
  );
}

export interface AlertDeliveryRow {
  id: number;
  event_key: string;
  kind: string;
  subscription_id: number;
  scope: AlertScope;
  name: string;
  channel: AlertChannel;
  target: string;
  format: WebhookFormat | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
  last_status_code: number | null;
  sent_at: string | null;
  created_at: string;
}

/** Deliveries, newest first (optionally of one subscription or in one status). */
export async function listAlertDeliveries(
  db: Db,
  f: { subscriptionId?: number; status?: DeliveryStatus; limit?: number } = {},
): Promise<AlertDeliveryRow[]> {
  return db.query<AlertDeliveryRow>(
    `select d.id, d.event_key, d.event->>'kind' as kind, d.subscription_id, s.scope, coalesce(t.name, s.cost_center) as name,
            s.channel, s.target, s.format, d.status, d.attempts, ${iso("d.next_attempt_at")} as next_attempt_at,
            ${iso("d.last_attempt_at")} as last_attempt_at, d.last_error, d.last_status_code, ${iso("d.sent_at")} as sent_at,
            ${iso("d.created_at")} as created_at
       from alert_deliveries d join alert_subscriptions s on s.id = d.subscription_id left join teams t on t.id = s.team_id
      where ($1::int is null or d.subscription_id = $1) and ($2::text is null or d.status = $2)
      order by d.id desc limit $3`,
    [f.subscriptionId ?? null, f.status ?? null, f.limit ?? 200],
  );
}
