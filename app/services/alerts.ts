/**
 * Alert delivery (docs/alerts.md), shared by `npm run alerts` and whatever evaluates alerts
 * (after an ingest, on demand): subscriptions (validated, audited), the delivery queue (one row
 * per event and subscription, so an event is never delivered twice to the same subscriber) and
 * the sending itself, by email over SMTP (nodemailer) or by webhook (Slack-compatible, or JSON
 * signed with HMAC-SHA256), retried with exponential backoff until sent or dead.
 *
 * The clock and the transport are parameters: tests drive retries with a fake clock and real
 * local SMTP and HTTP servers.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import { z } from "zod";
import { InputError } from "../domain/errors";
import {
  alertEventSchema,
  DELIVERY_HEADER,
  emailMessage,
  EVENT_HEADER,
  jsonBody,
  nextAttemptAt,
  RETRY_DELAYS_MS,
  redactUrl,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  signedPayload,
  slackBody,
  TIMESTAMP_HEADER,
  WEBHOOK_FORMATS,
  webhookUrlProblem,
  type AlertChannel,
  type AlertEvent,
  type AlertKind,
  type WebhookFormat,
} from "../domain/alerts";
import type { Db } from "../../db/client";
import { anomalyAlertEvents, budgetAlertEvents } from "./alert-events";
import {
  claimDueDeliveries,
  findActiveAlertSubscription,
  getAlertSubscription,
  insertAlertSubscription,
  insertEventDeliveries,
  listAlertSubscriptions,
  markDeliveryFailed,
  markDeliverySent,
  removeAlertSubscription,
  type AlertSubscriptionRow,
  type ClaimedDelivery,
} from "../../db/queries/alerts";
import { writeAudit } from "../../db/queries/audit";
import { getCostCenter } from "../../db/queries/cost-centers";
import { getTeamByName } from "../../db/queries/teams";
import { emailSchema } from "./users";

// ---------------------------------------------------------------- configuration

const optional = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() ? s.trim() : undefined));

const smtpEnvSchema = z
  .object({
    SHOWBACK_SMTP_URL: optional.pipe(
      z
        .string()
        .regex(/^smtps?:\/\/[^/\s]+/, "SHOWBACK_SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://…")
        .optional(),
    ),
    SHOWBACK_SMTP_HOST: optional,
    SHOWBACK_SMTP_PORT: optional.pipe(z.coerce.number<string | undefined>().int().min(1).max(65535).optional()),
    SHOWBACK_SMTP_SECURE: optional.pipe(z.enum(["true", "false", "1", "0"]).optional()),
    SHOWBACK_SMTP_USER: optional,
    SHOWBACK_SMTP_PASS: optional,
    SHOWBACK_SMTP_FROM: optional.pipe(emailSchema.optional()),
    SHOWBACK_WEBHOOK_TIMEOUT_MS: optional.pipe(z.coerce.number<string | undefined>().int().min(100).max(120_000).optional()),
  })
  .superRefine((e, ctx) => {
    const smtp = e.SHOWBACK_SMTP_URL || e.SHOWBACK_SMTP_HOST;
    if (e.SHOWBACK_SMTP_URL && e.SHOWBACK_SMTP_HOST)
      ctx.addIssue({ code: "custom", message: "set SHOWBACK_SMTP_URL or SHOWBACK_SMTP_HOST, not both" });
    if (smtp && !e.SHOWBACK_SMTP_FROM)
      ctx.addIssue({ code: "custom", message: "SHOWBACK_SMTP_FROM (the sender address) is required when SMTP is configured" });
    if (!e.SHOWBACK_SMTP_USER !== !e.SHOWBACK_SMTP_PASS)
      ctx.addIssue({ code: "custom", message: "SHOWBACK_SMTP_USER and SHOWBACK_SMTP_PASS go together" });
  });

export interface SmtpConfig {
  /** smtp:// or smtps:// URL, or host/port/secure/auth. */
  url?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  auth?: { user: string; pass: string };
  from: string;
}

export interface AlertsConfig {
  /** null: email deliveries fail (and are retried) with "SMTP is not configured". */
  smtp: SmtpConfig | null;
  webhookTimeoutMs: number;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * The delivery settings from the environment (docs/alerts.md): SHOWBACK_SMTP_URL, or
 * SHOWBACK_SMTP_HOST/PORT/SECURE/USER/PASS; SHOWBACK_SMTP_FROM; SHOWBACK_WEBHOOK_TIMEOUT_MS.
 * An InputError listing every problem otherwise.
 */
export function alertsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AlertsConfig {
  const r = smtpEnvSchema.safeParse(env);
  if (!r.success) throw new InputError(`alert settings: ${r.error.issues.map((i) => i.message).join("; ")}`);
  const e = r.data;
  const auth = e.SHOWBACK_SMTP_USER && e.SHOWBACK_SMTP_PASS ? { user: e.SHOWBACK_SMTP_USER, pass: e.SHOWBACK_SMTP_PASS } : undefined;
  const secure = e.SHOWBACK_SMTP_SECURE === undefined ? undefined : e.SHOWBACK_SMTP_SECURE === "true" || e.SHOWBACK_SMTP_SECURE === "1";
  const smtp: SmtpConfig | null = e.SHOWBACK_SMTP_URL
    ? { url: e.SHOWBACK_SMTP_URL, auth, from: e.SHOWBACK_SMTP_FROM! }
    : e.SHOWBACK_SMTP_HOST
      ? {
          host: e.SHOWBACK_SMTP_HOST,
          port: e.SHOWBACK_SMTP_PORT ?? (secure ? 465 : 587),
          secure: secure ?? e.SHOWBACK_SMTP_PORT === 465,
          auth,
          from: e.SHOWBACK_SMTP_FROM!,
        }
      : null;
  return { smtp, webhookTimeoutMs: e.SHOWBACK_WEBHOOK_TIMEOUT_MS ?? DEFAULT_WEBHOOK_TIMEOUT_MS };
}

// ---------------------------------------------------------------- transport

export interface AlertEmail {
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A failed send: the message is stored as the delivery's last_error; `statusCode` for HTTP answers. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null = null,
  ) {
    super(message);
  }
}

/** How deliveries leave: injectable (tests), `createAlertTransport` for the real one. Throw DeliveryError on failure. */
export interface AlertTransport {
  sendEmail(m: AlertEmail): Promise<void>;
  /** Resolves with the HTTP status of a 2xx answer; anything else is a DeliveryError. */
  postWebhook(r: WebhookRequest): Promise<{ status: number }>;
  close?(): void;
}

const errorText = (e: unknown): string => {
  const err = e as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const cause = err?.cause?.code ?? err?.cause?.message;
  return `${err?.message ?? String(e)}${cause && !String(err?.message).includes(cause) ? ` (${cause})` : ""}`.slice(0, 500);
};

/**
 * The real transport: SMTP through one nodemailer transporter (created on first use, closed by
 * `close`), webhooks through fetch with a timeout, no redirects followed and the URL checked
 * again (https, or http to this machine).
 */
export function createAlertTransport(config: AlertsConfig): AlertTransport {
  let mailer: Transporter | undefined;
  const smtp = config.smtp;
  return {
    async sendEmail(m) {
      if (!smtp) throw new DeliveryError("SMTP is not configured (set SHOWBACK_SMTP_URL or SHOWBACK_SMTP_HOST and SHOWBACK_SMTP_FROM)");
      mailer ??= nodemailer.createTransport(
        smtp.url
          ? { url: smtp.url, auth: smtp.auth, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 }
          : {
              host: smtp.host,
              port: smtp.port,
              secure: smtp.secure,
              auth: smtp.auth,
              connectionTimeout: 15_000,
              greetingTimeout: 15_000,
              socketTimeout: 30_000,
            },
      );
      try {
        const info = await mailer.sendMail({ from: smtp.from, to: m.to, subject: m.subject, text: m.text, headers: m.headers });
        if (info.rejected?.length) throw new DeliveryError(`SMTP rejected ${m.to}: ${info.response ?? ""}`.trim());
      } catch (e) {
        if (e instanceof DeliveryError) throw e;
        throw new DeliveryError(`SMTP: ${errorText(e)}`);
      }
    },
    async postWebhook(r) {
      const problem = webhookUrlProblem(r.url);
      if (problem) throw new DeliveryError(`webhook URL ${problem}`);
      let res: Response;
      try {
        res = await fetch(r.url, {
          method: "POST",
          headers: r.headers,
          body: r.body,
          redirect: "manual",
          signal: AbortSignal.timeout(config.webhookTimeoutMs),
        });
      } catch (e) {
        const name = (e as { name?: string })?.name;
        if (name === "TimeoutError" || name === "AbortError")
          throw new DeliveryError(`webhook timed out after ${config.webhookTimeoutMs} ms`);
        throw new DeliveryError(`webhook: ${errorText(e)}`);
      }
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { status: res.status };
      if (res.status >= 300 && res.status < 400) throw new DeliveryError(`HTTP ${res.status} (redirects are not followed)`, res.status);
      throw new DeliveryError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`, res.status);
    },
    close() {
      mailer?.close();
      mailer = undefined;
    },
  };
}

// ---------------------------------------------------------------- signing

/** `sha256=<hex>`: HMAC-SHA256 with the subscription's secret over `<timestamp>.<raw body>`. */
export function signWebhookBody(secret: string, timestampSeconds: number, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(signedPayload(timestampSeconds, rawBody)).digest("hex")}`;
}

/**
 * What a receiver does (docs/alerts.md): the signature matches (constant-time) and the
 * timestamp is within `toleranceSeconds` of `now`.
 */
export function verifyWebhookSignature(
  secret: string,
  h: { signature: string | undefined; timestamp: string | undefined },
  rawBody: string,
  opts: { now?: Date; toleranceSeconds?: number } = {},
): boolean {
  if (!h.signature || !h.timestamp || !/^\d{1,12}$/.test(h.timestamp)) return false;
  const ts = Number(h.timestamp);
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - ts) > (opts.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) return false;
  const want = Buffer.from(signWebhookBody(secret, ts, rawBody));
  const got = Buffer.from(h.signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

// ---------------------------------------------------------------- subscriptions

export interface SubscribeInput {
  team?: unknown;
  costCenter?: unknown;
  email?: unknown;
  webhook?: unknown;
  /** Webhooks: slack (default) or json. */
  format?: unknown;
}

/** A subscription as shown and audited: the webhook URL without its path and query (they often hold a token). */
export interface AlertSubscriptionView {
  id: number;
  scope: "team" | "cost_center";
  name: string;
  channel: AlertChannel;
  target: string;
  format: WebhookFormat | null;
  created_by: string;
  created_at: string;
  removed_at: string | null;
}

export const subscriptionView = (s: AlertSubscriptionRow): AlertSubscriptionView => ({
  id: s.id,
  scope: s.scope,
  name: s.name,
  channel: s.channel,
  target: s.channel === "webhook" ? redactUrl(s.target) : s.target,
  format: s.format,
  created_by: s.created_by,
  created_at: s.created_at,
  removed_at: s.removed_at,
});

const given = (v: unknown) => v !== undefined && v !== null && v !== "";
const nameSchema = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .trim()
    .min(1, `${what} is required`)
    .max(200, `${what} is too long`);

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(r.error.issues.map((i) => i.message).join("; "), { field });
  return r.data;
}

/**
 * Subscribes an email address or a webhook to the alerts of one team or cost center (both must
 * exist), audited. A `json` webhook gets a new signing secret, returned here once and never
 * shown again.
 */
export async function subscribe(
  db: Db,
  actor: string,
  input: SubscribeInput,
): Promise<{ subscription: AlertSubscriptionView; secret: string | null }> {
  if (given(input.team) === given(input.costCenter)) throw new InputError("name exactly one of a team or a cost center", { field: "team" });
  if (given(input.email) === given(input.webhook))
    throw new InputError("name exactly one of an email address or a webhook URL", { field: "email" });
  const channel: AlertChannel = given(input.email) ? "email" : "webhook";
  let target: string;
  let format: WebhookFormat | null = null;
  if (channel === "email") {
    if (given(input.format)) throw new InputError("format is for webhooks (an email is plain text)", { field: "format" });
    target = parse(emailSchema, input.email, "email");
  } else {
    target = parse(z.string({ error: "webhook must be a URL" }).trim().max(2000, "webhook URL is too long"), input.webhook, "webhook");
    const problem = webhookUrlProblem(target);
    if (problem) throw new InputError(`webhook URL ${problem}`, { field: "webhook" });
    format = given(input.format)
      ? parse(z.enum(WEBHOOK_FORMATS, { error: "format must be slack or json" }), input.format, "format")
      : "slack";
  }
  const secret = format === "json" ? `whsec_${randomBytes(32).toString("base64url")}` : null;
  return db.transaction(async (tx) => {
    let teamId: number | null = null;
    let costCenter: string | null = null;
    if (given(input.team)) {
      const name = parse(nameSchema("team"), input.team, "team");
      const team = await getTeamByName(tx, name);
      if (!team) throw new InputError(`no team named ${JSON.stringify(name)} (npm run teams -- list shows them)`, { field: "team" });
      teamId = team.id;
    } else {
      const code = parse(nameSchema("cost center"), input.costCenter, "cost_center");
      const cc = await getCostCenter(tx, code);
      if (!cc) throw new InputError(`no cost center ${JSON.stringify(code)}`, { field: "cost_center" });
      costCenter = cc.code;
    }
    const key = { scope: teamId !== null ? ("team" as const) : ("cost_center" as const), teamId, costCenter, channel, target, format };
    const row = await insertAlertSubscription(tx, { ...key, secret, createdBy: actor });
    if (!row) {
      const existing = await findActiveAlertSubscription(tx, key);
      throw new InputError(`already subscribed${existing ? ` (subscription ${existing.id})` : ""}`, { field: channel });
    }
    const view = subscriptionView(row);
    await writeAudit(tx, { actor, action: "create", entity: "alert_subscription", entityId: String(row.id), after: view });
    return { subscription: view, secret };
  });
}

/** Removes a subscription (audited); its deliveries not yet sent are given up. */
export async function unsubscribe(
  db: Db,
  actor: string,
  idInput: unknown,
  opts: { now?: Date } = {},
): Promise<AlertSubscriptionView & { dropped_deliveries: number }> {
  const id = parse(
    z.coerce.number({ error: "id must be a number" }).int("id must be a whole number").positive("id must be positive"),
    idInput,
    "id",
  );
  return db.transaction(async (tx) => {
    const before = await getAlertSubscription(tx, id);
    if (!before || before.removed_at)
      throw new InputError(`no active subscription ${id} (npm run alerts -- list shows them)`, { field: "id" });
    const dropped = (await removeAlertSubscription(tx, id, actor, (opts.now ?? new Date()).toISOString())) ?? 0;
    const after = (await getAlertSubscription(tx, id))!;
    await writeAudit(tx, {
      actor,
      action: "delete",
      entity: "alert_subscription",
      entityId: String(id),
      before: subscriptionView(before),
      after: { removed_at: after.removed_at, dropped_deliveries: dropped },
    });
    return { ...subscriptionView(after), dropped_deliveries: dropped };
  });
}

/** The active subscriptions (all, with `includeRemoved`), webhook URLs shortened. */
export async function listSubscriptions(db: Db, opts: { includeRemoved?: boolean } = {}): Promise<AlertSubscriptionView[]> {
  return (await listAlertSubscriptions(db, opts)).map(subscriptionView);
}

// ---------------------------------------------------------------- events and deliveries

/**
 * Where the evaluators plug in: the alert events that hold now (budget thresholds crossed,
 * new anomalies), each with a stable key. `npm run alerts -- evaluate` and the post-ingest hook
 * call it, then enqueue and deliver what it returns; raising the same event again is harmless.
 * The evaluators are in app/services/alert-events.ts.
 */
export async function collectAlertEvents(db: Db, opts: { now?: Date; thresholds?: number[] } = {}): Promise<AlertEvent[]> {
  return [...(await budgetAlertEvents(db, opts)), ...(await anomalyAlertEvents(db, opts))];
}

/**
 * Queues one delivery of each event for every subscription that receives it (docs/alerts.md).
 * Events are validated first (an InputError naming the first bad one, nothing queued). An
 * (event key, subscription) pair already queued is skipped, also under concurrent calls.
 */
export async function enqueueEvents(db: Db, events: readonly unknown[]): Promise<{ events: number; deliveries: number[] }> {
  const parsed = events.map((e, i) => {
    const r = alertEventSchema.safeParse(e);
    if (!r.success) {
      throw new InputError(`alert event ${i + 1}: ${r.error.issues.map((x) => `${x.path.join(".") || "event"}: ${x.message}`).join("; ")}`);
    }
    return r.data;
  });
  const deliveries: number[] = [];
  for (const e of parsed) deliveries.push(...(await insertEventDeliveries(db, e)));
  return { events: parsed.length, deliveries };
}

/** One delivery attempt as `evaluate` prints it (a JSON line). */
export interface DeliveryRecord {
  delivery: number;
  event: string;
  kind: AlertKind;
  subscription: number;
  channel: AlertChannel;
  /** The email address, or the webhook URL shortened. */
  target: string;
  format: WebhookFormat | null;
  status: "sent" | "failed";
  attempt: number;
  /** failed only: no attempt follows (the delivery is dead). */
  dead: boolean;
  /** failed and not dead: when the next attempt is due. */
  next_attempt_at: string | null;
  http_status: number | null;
  error: string | null;
}

export interface DeliverOptions {
  /** The clock (tests pass a fake one). */
  now: Date;
  transport: AlertTransport;
  /** Waits after each failed attempt (default 1 min, 5 min, 30 min, 2 h); one more attempt than waits. */
  delaysMs?: readonly number[];
  /** How long a claimed delivery is held before another run may retry it (default 10 min). */
  leaseMs?: number;
  /** Deliveries claimed at a time (default 20). */
  batch?: number;
  /** Audit actor of sent and dead deliveries (default system:alerts). */
  actor?: string;
}

function render(d: ClaimedDelivery, event: AlertEvent, now: Date): { email?: AlertEmail; webhook?: WebhookRequest } {
  if (d.channel === "email") {
    const m = emailMessage(event);
    return {
      email: {
        to: d.target,
        subject: m.subject,
        text: m.text,
        headers: { [EVENT_HEADER]: event.kind, "X-Showback-Event-Key": event.key, [DELIVERY_HEADER]: String(d.id) },
      },
    };
  }
  const body = JSON.stringify(d.format === "json" ? jsonBody(event, { id: d.id, attempt: d.attempts }) : slackBody(event));
  const ts = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": "Showback-Alerts/1",
    [EVENT_HEADER]: event.kind,
    [DELIVERY_HEADER]: String(d.id),
    [TIMESTAMP_HEADER]: String(ts),
  };
  if (d.format === "json") headers[SIGNATURE_HEADER] = signWebhookBody(d.secret!, ts, body);
  return { webhook: { url: d.target, headers, body } };
}

/**
 * Sends every delivery that is due at `now`: pending ones, failed ones whose next attempt has
 * come, and claims left by a run that died. Each attempt is recorded on its row: sent, failed
 * with the next attempt per the backoff, or dead after the last. Sent and dead deliveries are
 * audited. Returns one record per attempt, in the order made.
 */
export async function deliverDue(db: Db, opts: DeliverOptions): Promise<DeliveryRecord[]> {
  const delays = opts.delaysMs ?? RETRY_DELAYS_MS;
  const actor = opts.actor ?? "system:alerts";
  const nowIso = opts.now.toISOString();
  const lease = new Date(opts.now.getTime() + (opts.leaseMs ?? 10 * 60_000)).toISOString();
  const out: DeliveryRecord[] = [];
  const seen = new Set<number>();
  for (;;) {
    const batch = (await claimDueDeliveries(db, nowIso, lease, opts.batch ?? 20)).filter((d) => !seen.has(d.id));
    if (!batch.length) break;
    for (const d of batch) {
      seen.add(d.id);
      out.push(await attempt(db, d, { ...opts, delays, actor, nowIso }));
    }
  }
  return out;
}

async function attempt(
  db: Db,
  d: ClaimedDelivery,
  o: DeliverOptions & { delays: readonly number[]; actor: string; nowIso: string },
): Promise<DeliveryRecord> {
  const record = {
    delivery: d.id,
    event: d.event_key,
    kind: ((d.event as { kind?: AlertKind })?.kind ?? "anomaly") as AlertKind,
    subscription: d.subscription_id,
    channel: d.channel,
    target: d.channel === "webhook" ? redactUrl(d.target) : d.target,
    format: d.format,
    attempt: d.attempts,
  };
  let statusCode: number | null = null;
  let error: string;
  try {
    const event = alertEventSchema.parse(d.event);
    const msg = render(d, event, o.now);
    if (msg.email) await o.transport.sendEmail(msg.email);
    else statusCode = (await o.transport.postWebhook(msg.webhook!)).status;
    await db.transaction(async (tx) => {
      await markDeliverySent(tx, d.id, o.nowIso, statusCode);
      await writeAudit(tx, {
        actor: o.actor,
        action: "deliver",
        entity: "alert_delivery",
        entityId: String(d.id),
        after: { event: d.event_key, subscription: d.subscription_id, channel: d.channel, attempt: d.attempts, http_status: statusCode },
      });
    });
    return { ...record, status: "sent", dead: false, next_attempt_at: null, http_status: statusCode, error: null };
  } catch (e) {
    error = e instanceof DeliveryError ? e.message : errorText(e);
    if (e instanceof DeliveryError) statusCode = e.statusCode;
  }
  const next = nextAttemptAt(o.now, d.attempts, o.delays);
  const nextIso = next?.toISOString() ?? null;
  await db.transaction(async (tx) => {
    await markDeliveryFailed(tx, d.id, { error, statusCode, nextAttemptIso: nextIso });
    if (!next) {
      await writeAudit(tx, {
        actor: o.actor,
        action: "dead",
        entity: "alert_delivery",
        entityId: String(d.id),
        after: { event: d.event_key, subscription: d.subscription_id, channel: d.channel, attempts: d.attempts, error },
      });
    }
  });
  return { ...record, status: "failed", dead: !next, next_attempt_at: nextIso, http_status: statusCode, error };
}

/** Enqueues `events` (deduplicated) and sends whatever is due: what `evaluate` does after collecting. */
/**
 * The post-ingest evaluation: with at least one active subscription, collect the events, queue
 * and deliver what is due. A failure (bad SMTP settings, a database error) is logged on stderr
 * and never fails the ingest; `npm run alerts -- evaluate` reports it instead.
 */
export async function alertsAfterIngest(db: Db, opts: { now?: Date; env?: NodeJS.ProcessEnv } = {}): Promise<DeliveryRecord[]> {
  let transport: AlertTransport | undefined;
  try {
    if ((await listAlertSubscriptions(db)).length === 0) return [];
    transport = createAlertTransport(alertsConfigFromEnv(opts.env ?? process.env));
    const now = opts.now ?? new Date();
    return await runAlerts(db, await collectAlertEvents(db, { now }), { now, transport });
  } catch (e) {
    console.error(`alerts after ingest: ${e instanceof Error ? e.message : String(e)} (run npm run alerts -- evaluate)`);
    return [];
  } finally {
    transport?.close?.();
  }
}

export async function runAlerts(db: Db, events: readonly unknown[], opts: DeliverOptions): Promise<DeliveryRecord[]> {
  await enqueueEvents(db, events);
  return deliverDue(db, opts);
}
