/**
 * The alerts page (issue 16, app/routes/alerts.tsx) on the engine of TEST_DB: anyone signed in
 * subscribes their own email to what they may see; only finance admins add other addresses and
 * webhooks, see every subscription and the delivery log; nobody removes another's subscription.
 */
import { describe, expect, it } from "vitest";
import { ensureTeam } from "../../app/services/teams";
import { listAudit } from "../../db/queries/audit";
import { createUser, useTestServer, type TestClient } from "../helpers/server";

const server = useTestServer({
  seed: async (db) => {
    await ensureTeam(db, "seed", "payments", "CC-100");
    await ensureTeam(db, "seed", "search", "CC-200");
    await createUser(db, { email: "lead@example.test", role: "team_viewer", scope: { teams: ["search"], costCenters: [] } });
  },
  roles: ["finance_admin", "viewer"],
});
const DATA = "/alerts?_data=routes%2Falerts";
type Sub = { id: number; name: string; channel: string; target: string };
const subs = async (c: TestClient) => ((await (await c.get(DATA)).json()) as { subs: Sub[]; deliveries: unknown[] | undefined }).subs;
const post = (c: TestClient, form: Record<string, string>) => c.post("/alerts", form);

describe("/alerts", () => {
  it("a viewer subscribes its own email; webhooks and other addresses are for finance admins", async () => {
    const { admin, viewer } = server;
    const mine = await post(viewer, { intent: "subscribe", scope: "team", name: "payments", channel: "email" });
    expect(mine.status, await mine.clone().text()).toBe(200);
    expect((await subs(viewer)).map((s) => [s.name, s.channel, s.target])).toEqual([["payments", "email", "viewer@example.test"]]);

    expect(
      (await post(viewer, { intent: "subscribe", scope: "team", name: "payments", channel: "webhook", target: "http://127.0.0.1:9/x" }))
        .status,
    ).toBe(400);
    expect(
      (await post(viewer, { intent: "subscribe", scope: "team", name: "payments", channel: "email", target: "boss@example.test" })).status,
    ).toBe(400);
    expect((await post(viewer, { intent: "subscribe", scope: "team", name: "nope", channel: "email" })).status).toBe(400);

    const hook = await post(admin, {
      intent: "subscribe",
      scope: "cost_center",
      name: "CC-100",
      channel: "webhook",
      target: "http://127.0.0.1:9/hook",
      format: "json",
    });
    expect(hook.status).toBe(200);
    expect(await hook.text()).toContain("Signing secret");
    const other = await post(admin, {
      intent: "subscribe",
      scope: "team",
      name: "search",
      channel: "email",
      target: "finance@example.test",
    });
    expect(other.status).toBe(200);

    // the admin sees all three; the viewer only its own, and cannot remove the admin's
    const all = await subs(admin);
    expect(all).toHaveLength(3);
    expect(await subs(viewer)).toHaveLength(1);
    const adminHook = all.find((s) => s.channel === "webhook")!;
    expect((await post(viewer, { intent: "unsubscribe", id: String(adminHook.id) })).status).toBe(404);
    expect(await subs(admin)).toHaveLength(3);
    const own = (await subs(viewer))[0]!;
    expect((await post(viewer, { intent: "unsubscribe", id: String(own.id) })).status).toBe(200);
    expect(await subs(viewer)).toHaveLength(0);
    const audit = await listAudit(server.app.db, { entity: "alert_subscription", limit: 50 });
    expect(audit.map((a) => a.action).sort()).toEqual(["create", "create", "create", "delete"]);
  });

  it("a team viewer subscribes to its own teams only", async () => {
    const lead = await server.app.login("lead@example.test");
    expect((await post(lead, { intent: "subscribe", scope: "team", name: "payments", channel: "email" })).status).toBe(400);
    expect((await post(lead, { intent: "subscribe", scope: "cost_center", name: "CC-200", channel: "email" })).status).toBe(400);
    expect((await post(lead, { intent: "subscribe", scope: "team", name: "search", channel: "email" })).status).toBe(200);
    const page = await (await lead.get("/alerts")).text();
    expect(page).not.toContain("payments");
    expect(page).not.toContain("finance@example.test");
  });
});
