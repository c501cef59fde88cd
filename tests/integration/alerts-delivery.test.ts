/**
 * Alert delivery (issue 16, docs/alerts.md) on the engine chosen by TEST_DB, against a real SMTP
 * server (smtp-server) and a local HTTP receiver started here: email, Slack-compatible and
 * HMAC-signed JSON deliveries are received and parsed; an event is delivered once per
 * subscriber however often it is queued or run (also concurrently); failed attempts are
 * retried on the backoff schedule (fake clock), then dead; and the `npm run alerts` Contract
 * through the real CLI.
 */
import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { webhookJsonBodySchema, type AlertEvent } from "../../app/domain/alerts";
import {
  createAlertTransport,
  deliverDue,
  enqueueEvents,
  listSubscriptions,
  runAlerts,
  subscribe,
  unsubscribe,
  verifyWebhookSignature,
  type AlertTransport,
} from "../../app/services/alerts";
import { createTeam } from "../../app/services/teams";
import type { Db } from "../../db/client";
import { listAlertDeliveries } from "../../db/queries/alerts";
import { listAudit } from "../../db/queries/audit";
import { runScript, useCliEnv } from "../helpers/cli";
import { createTestDb, type TestDb } from "../helpers/db";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

const FROM = "showback@alerts.test";
const T0 = new Date("2026-04-20T08:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;

const budgetEvent = (over: Partial<AlertEvent> = {}): AlertEvent => ({
  key: "budget:team:payments:2026-04:100:forecast",
  kind: "budget_threshold",
  subject: { scope: "team", name: "payments" },
  title: "payments is forecast to exceed its April budget",
  text: "Forecast 10250.00 USD against a budget of 10000.00 USD (102.5 %).",
  data: { month: "2026-04", budget: "10000.00", forecast: "10250.00", threshold_pct: "100" },
  occurredAt: "2026-04-20T07:59:00.000Z",
  ...over,
});

const anomalyEvent = (team: string, day = "2026-04-19"): AlertEvent => ({
  key: `anomaly:team:${team}:${day}`,
  kind: "anomaly",
  subject: { scope: "team", name: team },
  title: `Unusual spend for ${team} on ${day}`,
  text: "Spend 812.40 USD against a baseline of 300.00 USD.",
  data: { day, spend: "812.40", baseline: "300.00" },
  occurredAt: `${day}T23:00:00.000Z`,
});

let smtp: TestSmtpServer;
let hook: WebhookReceiver;

beforeAll(async () => {
  smtp = await startSmtpServer();
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  await smtp?.close();
  await hook?.close();
});

describe("alert delivery (services)", () => {
  let t: TestDb;
  let db: Db;
  let transport: AlertTransport;

  beforeEach(async () => {
    t = await createTestDb();
    db = t.db;
    await createTeam(db, "seed", "payments", "CC-100");
    await createTeam(db, "seed", "search", "CC-200");
    smtp.messages.length = 0;
    hook.requests.length = 0;
    transport = createAlertTransport({ smtp: { url: smtp.url, from: FROM }, webhookTimeoutMs: 5_000 });
  });
  afterEach(async () => {
    transport.close?.();
    await t.cleanup();
  });

  it("delivers by email, Slack-compatible webhook and signed JSON webhook; receivers parse and verify them", async () => {
    await subscribe(db, "admin@x.test", { team: "payments", email: "Lead@Example.test" });
    await subscribe(db, "admin@x.test", { team: "payments", webhook: hook.url("/slack") });
    const { secret, subscription: jsonSub } = await subscribe(db, "admin@x.test", {
      costCenter: "CC-100",
      webhook: hook.url("/json"),
      format: "json",
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    // a subscription to another team receives nothing of payments
    await subscribe(db, "admin@x.test", { team: "search", webhook: hook.url("/search") });

    const event = budgetEvent();
    const records = await runAlerts(db, [event], { now: T0, transport });
    expect(records.map((r) => [r.channel, r.format, r.status])).toEqual([
      ["email", null, "sent"],
      ["webhook", "slack", "sent"],
      ["webhook", "json", "sent"],
    ]);
    expect(records.every((r) => r.event === event.key && r.attempt === 1 && r.error === null)).toBe(true);

    // email: a real SMTP session, parsed
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual(["lead@example.test"]);
    expect(mail!.from).toBe(FROM);
    expect(mail!.subject).toContain(event.title);
    expect(mail!.subject).toContain("team payments");
    expect(mail!.text).toContain(event.text);
    expect(mail!.text).toContain("forecast: 10250.00");
    expect(mail!.text).toContain(event.key);
    expect(mail!.headers.get("x-showback-event-key")).toBe(event.key);

    expect(hook.requests.map((r) => r.path)).toEqual(["/slack", "/json"]);
    // Slack-compatible body
    const slack = hook.requests[0]!;
    expect(slack.method).toBe("POST");
    expect(slack.headers["content-type"]).toBe("application/json");
    expect(slack.headers["x-showback-event"]).toBe("budget_threshold");
    const slackJson = JSON.parse(slack.body) as { text: string; blocks: unknown[] };
    expect(slackJson.text).toContain(event.title);
    expect(slackJson.text).toContain(event.text);
    expect(Array.isArray(slackJson.blocks)).toBe(true);
    expect(slack.headers["x-showback-signature"]).toBeUndefined();

    // generic JSON: validates, and its HMAC verifies with the secret shown once
    const json = hook.requests[1]!;
    const body = webhookJsonBodySchema.parse(JSON.parse(json.body));
    expect(body.event).toMatchObject({ key: event.key, kind: "budget_threshold", subject: event.subject, data: event.data });
    expect(body.delivery).toBe(records[2]!.delivery);
    const ts = json.headers["x-showback-timestamp"] as string;
    expect(ts).toBe(String(T0.getTime() / 1000));
    const sig = json.headers["x-showback-signature"] as string;
    const expected = "sha256=" + createHmac("sha256", secret!).update(`${ts}.${json.body}`).digest("hex");
    expect(sig).toBe(expected);
    expect(verifyWebhookSignature(secret!, { signature: sig, timestamp: ts }, json.body, { now: T0 })).toBe(true);
    expect(verifyWebhookSignature(secret!, { signature: sig, timestamp: ts }, json.body + " ", { now: T0 })).toBe(false);
    expect(verifyWebhookSignature("whsec_other", { signature: sig, timestamp: ts }, json.body, { now: T0 })).toBe(false);
    // a replay ten minutes later is refused by the timestamp check
    expect(verifyWebhookSignature(secret!, { signature: sig, timestamp: ts }, json.body, { now: at(10 * MIN) })).toBe(false);
    expect(json.headers["x-showback-delivery"]).toBe(String(records[2]!.delivery));
    expect(jsonSub.scope).toBe("cost_center");

    const rows = await listAlertDeliveries(db);
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent", "sent"]);
    expect(rows.every((r) => r.sent_at === T0.toISOString() && r.attempts === 1)).toBe(true);
    const audit = await listAudit(db, { entity: "alert_delivery" });
    expect(audit.map((a) => a.action)).toEqual(["deliver", "deliver", "deliver"]);
  });

  it("never duplicates: the same events queued twice, run twice or concurrently give one delivery each", async () => {
    await subscribe(db, "admin", { team: "payments", webhook: hook.url("/a") });
    await subscribe(db, "admin", { costCenter: "CC-100", email: "finance@example.test" });
    const events = [budgetEvent(), anomalyEvent("payments")];

    const first = await enqueueEvents(db, events);
    expect(first.deliveries).toHaveLength(4);
    expect((await enqueueEvents(db, events)).deliveries).toEqual([]);
    // concurrent enqueues of the same events (real concurrency on PostgreSQL)
    const concurrent = await Promise.all([enqueueEvents(db, events), enqueueEvents(db, events), enqueueEvents(db, events)]);
    expect(concurrent.flatMap((c) => c.deliveries)).toEqual([]);
    expect(await listAlertDeliveries(db)).toHaveLength(4);

    // two runs at once send each delivery once
    const [a, b] = await Promise.all([deliverDue(db, { now: T0, transport }), deliverDue(db, { now: T0, transport })]);
    expect([...a, ...b].filter((r) => r.status === "sent")).toHaveLength(4);
    expect(new Set([...a, ...b].map((r) => r.delivery)).size).toBe(4);
    await smtp.waitFor(2);
    expect(hook.requests).toHaveLength(2);

    // evaluating again later with the same events sends nothing
    expect(await runAlerts(db, events, { now: at(3 * 60 * MIN), transport })).toEqual([]);
    expect(hook.requests).toHaveLength(2);
    expect(smtp.messages).toHaveLength(2);

    // a new event for the same subject is a new delivery
    const next = await runAlerts(db, [anomalyEvent("payments", "2026-04-20")], { now: at(4 * 60 * MIN), transport });
    expect(next.map((r) => r.status)).toEqual(["sent", "sent"]);
  });

  it("retries a failed webhook on the backoff schedule: not before next_attempt_at, sent after it", async () => {
    await subscribe(db, "admin", { team: "payments", webhook: hook.url("/flaky") });
    hook.respondWith(500);
    const [first] = await runAlerts(db, [budgetEvent()], { now: T0, transport });
    expect(first).toMatchObject({
      status: "failed",
      attempt: 1,
      dead: false,
      http_status: 500,
      error: expect.stringContaining("HTTP 500"),
    });
    expect(first!.next_attempt_at).toBe(at(1 * MIN).toISOString());
    let [row] = await listAlertDeliveries(db);
    expect(row).toMatchObject({ status: "failed", attempts: 1, next_attempt_at: at(MIN).toISOString(), last_status_code: 500 });
    expect(row!.last_error).toContain("HTTP 500");

    // not before the next attempt is due, even when the events are raised again
    expect(await runAlerts(db, [budgetEvent()], { now: at(59_000), transport })).toEqual([]);
    expect(hook.requests).toHaveLength(1);

    const [second] = await deliverDue(db, { now: at(MIN), transport });
    expect(second).toMatchObject({ status: "sent", attempt: 2, http_status: 200, delivery: first!.delivery });
    expect(hook.requests.map((r) => r.status)).toEqual([500, 200]);
    // the retry carries the same event
    expect(hook.requests[1]!.body).toBe(hook.requests[0]!.body);
    [row] = await listAlertDeliveries(db);
    expect(row).toMatchObject({ status: "sent", attempts: 2, next_attempt_at: null, last_error: null, sent_at: at(MIN).toISOString() });
    expect(await deliverDue(db, { now: at(24 * 60 * MIN), transport })).toEqual([]);
  });

  it("retries an email the SMTP server refused, and fails (retrying) when SMTP is not configured", async () => {
    await subscribe(db, "admin", { team: "payments", email: "lead@example.test" });
    smtp.failNext(1);
    const [first] = await runAlerts(db, [budgetEvent()], { now: T0, transport });
    expect(first).toMatchObject({ status: "failed", channel: "email", next_attempt_at: at(MIN).toISOString() });
    expect(first!.error).toMatch(/451|try again/);
    expect(smtp.messages).toHaveLength(0);
    const [second] = await deliverDue(db, { now: at(2 * MIN), transport });
    expect(second).toMatchObject({ status: "sent", attempt: 2 });
    await smtp.waitFor(1);

    const unconfigured = createAlertTransport({ smtp: null, webhookTimeoutMs: 1000 });
    const [r] = await runAlerts(db, [anomalyEvent("payments")], { now: T0, transport: unconfigured });
    expect(r).toMatchObject({ status: "failed", dead: false });
    expect(r!.error).toContain("SMTP is not configured");
  });

  it("gives up after the last attempt (dead, audited) and does not follow redirects", async () => {
    await subscribe(db, "admin", { team: "payments", webhook: hook.url("/down") });
    hook.respondWith(503, 503, 503, 503, 503);
    const schedule = [0, 1, 5, 30, 120].map((m, i, a) => a.slice(0, i + 1).reduce((s, x) => s + x, 0) * MIN); // 0, 1, 6, 36, 156 min
    const seen = [];
    for (const ms of schedule) {
      // just before each retry is due: nothing
      if (ms > 0) expect(await deliverDue(db, { now: at(ms - 1000), transport })).toEqual([]);
      seen.push(...(await runAlerts(db, [budgetEvent()], { now: at(ms), transport })));
    }
    expect(seen.map((r) => [r.attempt, r.status, r.dead])).toEqual([
      [1, "failed", false],
      [2, "failed", false],
      [3, "failed", false],
      [4, "failed", false],
      [5, "failed", true],
    ]);
    expect(seen.map((r) => r.next_attempt_at)).toEqual([...schedule.slice(1).map((ms) => at(ms).toISOString()), null]);
    expect(await deliverDue(db, { now: at(30 * 24 * 60 * MIN), transport })).toEqual([]);
    expect(hook.requests).toHaveLength(5);
    const [row] = await listAlertDeliveries(db);
    expect(row).toMatchObject({ status: "dead", attempts: 5, next_attempt_at: null, last_status_code: 503 });
    const dead = await listAudit(db, { entity: "alert_delivery", action: "dead" });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.after).toMatchObject({ attempts: 5, event: budgetEvent().key });

    hook.requests.length = 0;
    await subscribe(db, "admin", { team: "search", webhook: hook.url("/moved") });
    hook.respondWith(302);
    const [redirected] = await runAlerts(db, [anomalyEvent("search")], { now: T0, transport });
    expect(redirected).toMatchObject({ status: "failed", http_status: 302 });
    expect(redirected!.error).toContain("redirects are not followed");
    expect(hook.requests.map((r) => r.path)).toEqual(["/moved"]);
  });

  it("validates and audits subscriptions; unsubscribing stops delivery", async () => {
    const refused = async (input: Parameters<typeof subscribe>[2]) => {
      try {
        await subscribe(db, "admin", input);
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(await refused({ team: "nope", email: "a@b.test" })).toContain('no team named "nope"');
    expect(await refused({ costCenter: "CC-999", email: "a@b.test" })).toContain('no cost center "CC-999"');
    expect(await refused({ team: "payments", email: "not-an-email" })).toContain("email is not a valid address");
    expect(await refused({ team: "payments", webhook: "http://hooks.example.test/x" })).toContain("must use https");
    expect(await refused({ team: "payments", webhook: "ftp://x.test/" })).toContain("must use https");
    expect(await refused({ team: "payments", webhook: "not a url" })).toContain("not a valid URL");
    expect(await refused({ team: "payments", email: "a@b.test", format: "json" })).toContain("format is for webhooks");
    expect(await refused({ team: "payments", webhook: "https://h.test/x", format: "xml" })).toContain("slack or json");
    expect(await refused({ team: "payments", costCenter: "CC-100", email: "a@b.test" })).toContain(
      "exactly one of a team or a cost center",
    );
    expect(await refused({ team: "payments" })).toContain("exactly one of an email address or a webhook URL");
    expect(await listSubscriptions(db)).toEqual([]);

    const { subscription: s, secret } = await subscribe(db, "admin", {
      team: "payments",
      webhook: "https://hooks.example.test/services/T000/B000/XXXXSECRET?token=abc",
    });
    expect(secret).toBeNull();
    expect(s.target).toBe("https://hooks.example.test/services/…?…");
    expect(await refused({ team: "payments", webhook: "https://hooks.example.test/services/T000/B000/XXXXSECRET?token=abc" })).toContain(
      `already subscribed (subscription ${s.id})`,
    );
    const created = await listAudit(db, { entity: "alert_subscription", action: "create" });
    expect(created).toHaveLength(1);
    expect(JSON.stringify(created[0]!.after)).not.toContain("XXXXSECRET");

    const local = await subscribe(db, "admin", { team: "payments", webhook: hook.url("/gone") });
    await enqueueEvents(db, [budgetEvent()]);
    const removed = await unsubscribe(db, "admin", String(local.subscription.id));
    expect(removed.removed_at).not.toBeNull();
    expect(removed.dropped_deliveries).toBe(1);
    expect(
      await deliverDue(db, {
        now: T0,
        transport: { ...transport, postWebhook: async (r) => (r.url.includes("/gone") ? { status: 599 } : { status: 200 }) },
      }),
    ).toHaveLength(1); // only the https one (answered by the stub)
    expect(hook.requests).toHaveLength(0);
    expect((await listSubscriptions(db)).map((x) => x.id)).toEqual([s.id]);
    await expect(unsubscribe(db, "admin", String(local.subscription.id))).rejects.toThrow(/no active subscription/);
    expect(await listAudit(db, { entity: "alert_subscription", action: "delete" })).toHaveLength(1);

    // events are validated before anything is queued
    await expect(enqueueEvents(db, [budgetEvent({ key: "" })])).rejects.toThrow(/alert event 1: key/);
    await expect(enqueueEvents(db, [{ ...budgetEvent(), kind: "other" }])).rejects.toThrow(/alert event 1: kind/);
  });
});

describe("npm run alerts (the Contract, through the real CLI)", () => {
  const cli = useCliEnv();
  const env = () => ({ ...cli.env, SHOWBACK_SMTP_URL: smtp.url, SHOWBACK_SMTP_FROM: FROM });
  const alerts = (...args: string[]) => runScript("alerts", args, env());

  it("subscribe, evaluate (nothing to send, then the queued events once), list, deliveries, unsubscribe", async () => {
    await cli.withDb(async (db) => {
      await createTeam(db, "seed", "payments", "CC-100");
    });
    smtp.messages.length = 0;
    hook.requests.length = 0;

    const sub = await alerts("subscribe", "--team", "payments", "--webhook", hook.url("/cli"));
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toMatch(/^subscription \d+: webhook http:\/\/127\.0\.0\.1:\d+\/cli \(slack\) receives the alerts of team payments/);
    const signed = await alerts("subscribe", "--cost-center", "CC-100", "--webhook", hook.url("/signed"), "--format", "json");
    expect(signed.code, signed.stderr).toBe(0);
    const secret = /signing secret \(shown once[^)]*\): (whsec_\S+)/.exec(signed.stdout)?.[1];
    expect(secret).toBeDefined();
    const mail = await alerts("subscribe", "--team", "payments", "--email", "lead@example.test");
    expect(mail.code, mail.stderr).toBe(0);

    const bad = await alerts("subscribe", "--team", "nope", "--email", "lead@example.test");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: no team named "nope"');
    const badUrl = await alerts("subscribe", "--team", "payments", "--webhook", "http://example.test/hook");
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toContain("must use https");
    const usage = await alerts("subscribe", "--team", "payments", "--email", "a@b.test", "--format", "xml");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--format: must be slack or json");
    expect((await alerts("frobnicate")).code).toBe(2);

    // nothing raised: nothing printed, exit 0
    const empty = await alerts("evaluate");
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toBe("");
    expect(hook.requests).toHaveLength(0);

    // events raised (as the evaluators will): delivered once, one JSON line each
    await cli.withDb((db) => enqueueEvents(db, [budgetEvent()]));
    const run1 = await alerts("evaluate");
    expect(run1.code, run1.stderr).toBe(0);
    const lines = run1.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.channel, l.status, l.event])).toEqual([
      ["webhook", "sent", budgetEvent().key],
      ["webhook", "sent", budgetEvent().key],
      ["email", "sent", budgetEvent().key],
    ]);
    expect(lines.every((l) => typeof l.subscription === "number")).toBe(true);
    expect(hook.requests.map((r) => r.path).sort()).toEqual(["/cli", "/signed"]);
    const signedReq = hook.requests.find((r) => r.path === "/signed")!;
    expect(
      verifyWebhookSignature(
        secret!,
        { signature: signedReq.headers["x-showback-signature"] as string, timestamp: signedReq.headers["x-showback-timestamp"] as string },
        signedReq.body,
      ),
    ).toBe(true);
    const [received] = await smtp.waitFor(1);
    expect(received!.subject).toContain(budgetEvent().title);

    // the same events again: nothing sent
    await cli.withDb((db) => enqueueEvents(db, [budgetEvent()]));
    const run2 = await alerts("evaluate");
    expect(run2.code, run2.stderr).toBe(0);
    expect(run2.stdout).toBe("");
    expect(hook.requests).toHaveLength(2);
    expect(smtp.messages).toHaveLength(1);

    const list = await alerts("list", "--format", "json");
    expect(list.code, list.stderr).toBe(0);
    const subs = JSON.parse(list.stdout) as Array<{ id: number; scope: string; name: string; channel: string }>;
    expect(subs.map((s) => [s.scope, s.name, s.channel])).toEqual([
      ["team", "payments", "webhook"],
      ["team", "payments", "email"],
      ["cost_center", "CC-100", "webhook"],
    ]);
    expect(list.stdout).not.toContain(secret!);
    const table = await alerts("list");
    expect(table.stdout).toMatch(/^ID\s+SCOPE\s+NAME\s+CHANNEL/);

    const deliveries = await alerts("deliveries", "--format", "json");
    expect(deliveries.code, deliveries.stderr).toBe(0);
    const ds = JSON.parse(deliveries.stdout) as Array<{ status: string; attempts: number }>;
    expect(ds.map((d) => [d.status, d.attempts])).toEqual([
      ["sent", 1],
      ["sent", 1],
      ["sent", 1],
    ]);

    const un = await alerts("unsubscribe", "--id", String(subs[0]!.id));
    expect(un.code, un.stderr).toBe(0);
    expect(un.stdout).toContain(`subscription ${subs[0]!.id} removed`);
    const again = await alerts("unsubscribe", "--id", String(subs[0]!.id));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("no active subscription");

    const audit = await cli.withDb((db) => listAudit(db, { entity: "alert_subscription" }));
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ["delete", "test"],
      ["create", "test"],
      ["create", "test"],
      ["create", "test"],
    ]);
  });
});
