import { describe, expect, it } from "vitest";
import {
  alertEventSchema,
  emailMessage,
  jsonBody,
  MAX_ATTEMPTS,
  nextAttemptAt,
  redactUrl,
  RETRY_DELAYS_MS,
  signedPayload,
  slackBody,
  webhookJsonBodySchema,
  webhookUrlProblem,
  type AlertEvent,
} from "./alerts";

const event: AlertEvent = {
  key: "budget:team:payments:2026-04:80:actual",
  kind: "budget_threshold",
  subject: { scope: "team", name: "payments" },
  title: "payments spent 80 % of its April budget",
  text: "Spent 8000.00 USD of 10000.00 USD.",
  data: { spent: "8000.00", budget: "10000.00", nested: { ignored: true } },
  occurredAt: "2026-04-20T08:00:00Z",
};

describe("alert events", () => {
  it("validates the event shape", () => {
    expect(alertEventSchema.parse(event)).toEqual(event);
    expect(alertEventSchema.safeParse({ ...event, key: "has space" }).success).toBe(false);
    expect(alertEventSchema.safeParse({ ...event, kind: "digest" }).success).toBe(false);
    expect(alertEventSchema.safeParse({ ...event, subject: { scope: "org", name: "x" } }).success).toBe(false);
    expect(alertEventSchema.safeParse({ ...event, occurredAt: "yesterday" }).success).toBe(false);
    expect(alertEventSchema.safeParse({ ...event, occurredAt: "2026-04-20T08:00:00+02:00" }).success).toBe(true);
  });

  it("backs off 1 min, 5 min, 30 min, 2 h, then gives up", () => {
    const now = new Date("2026-04-20T00:00:00Z");
    expect(MAX_ATTEMPTS).toBe(5);
    expect(RETRY_DELAYS_MS.map((_, i) => nextAttemptAt(now, i + 1)!.toISOString())).toEqual([
      "2026-04-20T00:01:00.000Z",
      "2026-04-20T00:05:00.000Z",
      "2026-04-20T00:30:00.000Z",
      "2026-04-20T02:00:00.000Z",
    ]);
    expect(nextAttemptAt(now, 5)).toBeNull();
    expect(nextAttemptAt(now, 0)).toBeNull();
    expect(nextAttemptAt(now, 1, [1000])!.getTime() - now.getTime()).toBe(1000);
    expect(nextAttemptAt(now, 2, [1000])).toBeNull();
  });

  it("accepts https webhooks, and plain http only to this machine", () => {
    expect(webhookUrlProblem("https://hooks.slack.com/services/T/B/X")).toBeNull();
    expect(webhookUrlProblem("http://127.0.0.1:8080/hook")).toBeNull();
    expect(webhookUrlProblem("http://127.1.2.3/hook")).toBeNull();
    expect(webhookUrlProblem("http://localhost/hook")).toBeNull();
    expect(webhookUrlProblem("http://[::1]:9/hook")).toBeNull();
    expect(webhookUrlProblem("http://example.com/hook")).toMatch(/must use https/);
    expect(webhookUrlProblem("http://127.0.0.1.example.com/hook")).toMatch(/must use https/);
    expect(webhookUrlProblem("file:///etc/passwd")).toMatch(/must use https/);
    expect(webhookUrlProblem("https://user:pw@example.com/")).toMatch(/user name or password/);
    expect(webhookUrlProblem("nope")).toMatch(/not a valid URL/);
  });

  it("shortens webhook URLs for lists and logs", () => {
    expect(redactUrl("https://hooks.slack.com/services/T0/B0/SECRET")).toBe("https://hooks.slack.com/services/…");
    expect(redactUrl("https://h.test/in?token=abc")).toBe("https://h.test/in?…");
    expect(redactUrl("http://127.0.0.1:99/")).toBe("http://127.0.0.1:99/");
  });

  it("renders Slack, JSON and email bodies with the event", () => {
    const slack = slackBody(event);
    expect(slack.text).toBe(`${event.title} (team payments)\n${event.text}`);
    expect(JSON.stringify(slack.blocks)).toContain("spent: 8000.00");
    expect(JSON.stringify(slack.blocks)).not.toContain("ignored");
    const json = jsonBody(event, { id: 7, attempt: 2 });
    expect(webhookJsonBodySchema.parse(json)).toEqual(json);
    expect(json.event).toMatchObject({ key: event.key, occurred_at: event.occurredAt, data: event.data });
    const mail = emailMessage({ ...event, title: "two\r\nlines" });
    expect(mail.subject).toBe("[Showback] two lines (team payments)");
    expect(mail.text).toContain("Team payments");
    expect(mail.text).toContain("budget: 10000.00");
    expect(mail.text).toContain(event.key);
    expect(signedPayload(1700000000, "{}")).toBe("1700000000.{}");
  });
});
