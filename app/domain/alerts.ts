/**
 * Alerts (docs/alerts.md): the event an evaluator raises, the subscriptions that receive it,
 * the bodies each channel sends and the retry schedule of a delivery. Pure: no clock, no I/O.
 *
 * An event is identified by its `key`: every (event key, subscription) pair is delivered at
 * most once, however often the evaluators raise the same event.
 */
import { z } from "zod";

export const ALERT_KINDS = ["budget_threshold", "anomaly"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SCOPES = ["team", "cost_center"] as const;
export type AlertScope = (typeof ALERT_SCOPES)[number];

export const ALERT_CHANNELS = ["email", "webhook"] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

/** The body a webhook receives: Slack's incoming-webhook shape, or generic JSON signed with HMAC. */
export const WEBHOOK_FORMATS = ["slack", "json"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const DELIVERY_STATUSES = ["pending", "sending", "sent", "failed", "dead"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const alertEventSchema = z.object({
  /** Dedup key, stable for the same condition, e.g. `budget:team:payments:2026-04:100:forecast`. */
  key: z
    .string()
    .min(1, "key is required")
    .max(300, "key is at most 300 characters")
    .regex(/^[\x21-\x7e]+$/, "key is printable ASCII without spaces"),
  kind: z.enum(ALERT_KINDS),
  subject: z.object({ scope: z.enum(ALERT_SCOPES), name: z.string().min(1).max(200) }),
  title: z.string().min(1).max(300),
  text: z.string().max(10_000),
  /** Machine-readable details; amounts as decimal strings (never floats). */
  data: z.record(z.string(), z.unknown()),
  /** ISO 8601 instant the condition was observed. */
  occurredAt: z.iso.datetime({ offset: true }),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

/**
 * Wait before the next attempt after the Nth failed attempt (index N-1): 1 min, 5 min, 30 min, 2 h.
 * The attempt after the last wait is the final one: when it fails too the delivery is `dead`.
 */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** When to try again after `attempts` failed attempts, or null: give up (dead). */
export function nextAttemptAt(now: Date, attempts: number, delays: readonly number[] = RETRY_DELAYS_MS): Date | null {
  if (attempts < 1 || attempts > delays.length) return null;
  return new Date(now.getTime() + delays[attempts - 1]!);
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** Why `url` cannot be a webhook target (https only; plain http only to this machine), or null. */
export function webhookUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "is not a valid URL";
  }
  if (u.username || u.password) return "must not carry a user name or password";
  if (u.protocol === "https:") return null;
  if (u.protocol === "http:") {
    return LOOPBACK_HOSTS.has(u.hostname) || /^127\.\d+\.\d+\.\d+$/.test(u.hostname)
      ? null
      : "must use https (plain http only to 127.0.0.1, ::1 or localhost)";
  }
  return "must use https";
}

/** A webhook URL for lists, logs and the audit: scheme, host and the first path segment (the rest and the query often hold a token). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const segments = u.pathname.split("/").filter(Boolean);
    const path = `/${segments[0] ?? ""}${segments.length > 1 ? "/…" : ""}${u.search ? "?…" : ""}`;
    return `${u.protocol}//${u.host}${path}`;
  } catch {
    return "(invalid URL)";
  }
}

const dataLines = (data: Record<string, unknown>) =>
  Object.entries(data)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== "object")
    .map(([k, v]) => `${k}: ${String(v)}`);

const subjectText = (e: AlertEvent) => `${e.subject.scope === "team" ? "team" : "cost center"} ${e.subject.name}`;

/** Slack-compatible incoming-webhook body: `text` (the fallback every client shows) and blocks. */
export function slackBody(e: AlertEvent): { text: string; blocks: unknown[] } {
  const text = `${e.title} (${subjectText(e)})${e.text ? `\n${e.text}` : ""}`;
  const facts = dataLines(e.data);
  return {
    text,
    blocks: [
      { type: "header", text: { type: "plain_text", text: e.title.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: `*${subjectText(e)}*${e.text ? `\n${e.text}` : ""}`.slice(0, 3000) } },
      ...(facts.length ? [{ type: "section", text: { type: "mrkdwn", text: facts.join("\n").slice(0, 3000) } }] : []),
      { type: "context", elements: [{ type: "mrkdwn", text: `Showback · ${e.kind} · ${e.occurredAt} · ${e.key}`.slice(0, 3000) }] },
    ],
  };
}

/** The generic JSON body (schema version 1, docs/alerts.md); `delivery` lets a receiver drop repeats. */
export function jsonBody(e: AlertEvent, delivery: { id: number; attempt: number }) {
  return {
    version: 1 as const,
    delivery: delivery.id,
    attempt: delivery.attempt,
    event: {
      key: e.key,
      kind: e.kind,
      subject: e.subject,
      title: e.title,
      text: e.text,
      data: e.data,
      occurred_at: e.occurredAt,
    },
  };
}

export const webhookJsonBodySchema = z.object({
  version: z.literal(1),
  delivery: z.number().int(),
  attempt: z.number().int().min(1),
  event: z.object({
    key: z.string(),
    kind: z.enum(ALERT_KINDS),
    subject: z.object({ scope: z.enum(ALERT_SCOPES), name: z.string() }),
    title: z.string(),
    text: z.string(),
    data: z.record(z.string(), z.unknown()),
    occurred_at: z.string(),
  }),
});

/** Headers of a signed JSON delivery (all lower-case on the wire in HTTP/2; names are case-insensitive). */
export const SIGNATURE_HEADER = "X-Showback-Signature";
export const TIMESTAMP_HEADER = "X-Showback-Timestamp";
export const EVENT_HEADER = "X-Showback-Event";
export const DELIVERY_HEADER = "X-Showback-Delivery";
/** A receiver should refuse a signed delivery whose timestamp is further than this from its clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The bytes the HMAC covers: `<unix seconds>.<raw body>` (so a replay cannot carry a new timestamp). */
export const signedPayload = (timestampSeconds: number, rawBody: string) => `${timestampSeconds}.${rawBody}`;

/** The email for an event: subject and plain-text body. */
export function emailMessage(e: AlertEvent): { subject: string; text: string } {
  const facts = dataLines(e.data);
  return {
    subject: `[Showback] ${e.title} (${subjectText(e)})`.replace(/[\r\n]+/g, " ").slice(0, 250),
    text: [
      e.title,
      "",
      `${subjectText(e)[0]!.toUpperCase()}${subjectText(e).slice(1)}`,
      ...(e.text ? ["", e.text] : []),
      ...(facts.length ? ["", ...facts] : []),
      "",
      `Event: ${e.kind} · ${e.key}`,
      `Observed: ${e.occurredAt}`,
      "",
      "You receive this because of a Showback alert subscription (npm run alerts -- list).",
    ].join("\n"),
  };
}
