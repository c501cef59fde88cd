/**
 * Saved views (issue 15, app/routes/views.tsx) through the built app on TEST_DB: a signed-in
 * user saves the filters of a dashboard page under a name (the same name replaces), lists them
 * with a link that opens the same page and filters, and deletes them; another user neither sees
 * nor deletes them; anything but a dashboard page or a known filter value is refused with
 * nothing stored. Needs a build (SHOWBACK_BUILD_DIR).
 */
import { describe, expect, it } from "vitest";
import { seedVendorExample } from "../helpers/seed";
import { createUser, useTestServer, type TestClient } from "../helpers/server";

const DATA = "/views?_data=routes%2Fviews";
const server = useTestServer({ seed: (db) => seedVendorExample(db), roles: ["viewer", "finance_admin"] });

type Body = Record<string, any>;
async function act(c: TestClient, form: Record<string, string>) {
  const res = await c.post(DATA, form);
  return { status: res.status, body: (await res.json()) as Body };
}
const save = (c: TestClient, name: string, path: string, query: string) => act(c, { intent: "save", name, path, query });
const listed = async (c: TestClient) => {
  const res = await c.get(DATA);
  expect(res.status).toBe(200);
  return ((await res.json()) as { views: Array<{ id: number; name: string; href: string; absolute: string }> }).views;
};
const stored = () =>
  server.app.db.query<{ name: string; path: string; query: string }>(`select name, path, query from saved_views order by id`);

describe("saved views", () => {
  it("anonymous visitors are sent to sign in", async () => {
    const res = await server.app.anonymous().get("/views");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fviews");
  });

  it("the dashboard filter bar offers Save view, and the nav links to /views", async () => {
    const html = await (await server.viewer.get("/teams?period=last-3-months")).text();
    expect(html).toContain('data-testid="save-view"');
    expect(html).toContain('href="/views"');
  });

  it("a viewer saves a view; it is listed with a link that opens the same page and filters", async () => {
    const r = await save(server.viewer, "Q2 weekly", "/teams/payments", "?gran=weekly&period=last-3-months&foo=bar&org=org-vendor");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.message).toBe('Saved the view "Q2 weekly".');
    const [v, ...rest] = await listed(server.viewer);
    expect(rest).toEqual([]);
    // only the filter parameters, in a fixed order
    expect(v!.href).toBe("/teams/payments?org=org-vendor&period=last-3-months&gran=weekly");
    expect(v!.absolute).toBe(`${server.app.url.replace(/\/$/, "")}${v!.href}`);
    const page = await server.viewer.get(v!.href);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/value="last-3-months" selected=""/);
    expect(html).toMatch(/name="gran"[^>]*checked="" value="weekly"/);
    expect(html).toMatch(/name="org"[^>]*checked="" value="org-vendor"/);
    // the shared link opens for anyone allowed to see the page
    expect((await server.admin.get(v!.href)).status).toBe(200);
  });

  it("saving the same name replaces the view (audited as an update)", async () => {
    const r = await save(server.viewer, "Q2 weekly", "/", "period=last-month&by=cost_center");
    expect(r.status).toBe(200);
    expect(r.body.message).toBe('Replaced the view "Q2 weekly".');
    const views = await listed(server.viewer);
    expect(views.map((v) => [v.name, v.href])).toEqual([["Q2 weekly", "/?period=last-month&by=cost_center"]]);
    const audit = await server.app.db.query<{ action: string; actor: string }>(
      `select action, actor from audit_log where entity = 'saved_view' order by id`,
    );
    expect(audit.map((a) => a.action)).toEqual(["create", "update"]);
    expect(audit[0]!.actor).toBe(server.viewer.email);
  });

  it("refuses anything but a dashboard page, and unknown filter values; nothing is stored", async () => {
    const before = await stored();
    const bad: Array<[string, string, RegExp]> = [
      ["https://evil.test", "", /not a dashboard page/],
      ["//evil.test", "", /not a dashboard page/],
      ["/admin/users", "", /not a dashboard page/],
      ["/teams/..", "", /not a dashboard page/],
      ["javascript:alert(1)", "", /not a dashboard page/],
      ["/teams?period=last-month", "", /not a dashboard page/],
      ["/teams", "gran=hourly", /Unknown gran "hourly"/],
      ["/teams", "period=forever", /Unknown period "forever"/],
      ["/teams", "period=custom&from=2026-02-30&to=2026-03-31", /Unknown from "2026-02-30"/],
      ["/teams", "period=custom", /custom period needs both from and to/],
      ["/teams", "org=org-nope", /Unknown organization "org-nope"/],
    ];
    for (const [path, query, error] of bad) {
      const r = await save(server.viewer, "bad", path, query);
      expect(r.status, `${path}?${query}`).toBe(400);
      expect(r.body.ok).toBe(false);
      expect(r.body.error, `${path}?${query}`).toMatch(error);
    }
    const noName = await save(server.viewer, "  ", "/teams", "");
    expect(noName.status).toBe(400);
    expect(noName.body).toMatchObject({ field: "name", error: "Give the view a name." });
    expect(await stored()).toEqual(before);
  });

  it("another user does not see the view and cannot delete it; the owner's delete is audited", async () => {
    const [mine] = await listed(server.viewer);
    const email = await createUser(server.app.db, { email: "other-viewer@example.test", role: "viewer" });
    const other = await server.app.login(email);
    expect(await listed(other)).toEqual([]);
    for (const c of [other, server.admin]) {
      const r = await act(c, { intent: "delete", id: String(mine!.id) });
      expect(r.status).toBe(404);
    }
    expect(await listed(server.viewer)).toHaveLength(1);
    // the other user's view of the same name is their own
    expect((await save(other, "Q2 weekly", "/cost-centers", "period=last-6-months")).status).toBe(200);
    expect((await listed(server.viewer))[0]!.href).toBe("/?period=last-month&by=cost_center");

    const r = await act(server.viewer, { intent: "delete", id: String(mine!.id) });
    expect(r.status).toBe(200);
    expect(r.body.message).toBe('Deleted the view "Q2 weekly".');
    expect(await listed(server.viewer)).toEqual([]);
    expect(await listed(other)).toHaveLength(1);
    const [entry] = await server.app.db.query<{ actor: string; entity_id: string; before: { path: string } }>(
      `select actor, entity_id, before from audit_log where entity = 'saved_view' and action = 'delete'`,
    );
    expect(entry).toMatchObject({ actor: server.viewer.email, entity_id: String(mine!.id), before: { path: "/" } });
  });

  it("posting without the CSRF token is refused", async () => {
    const res = await server.viewer.post(DATA, { intent: "save", name: "x", path: "/", query: "" }, { csrf: false });
    expect(res.status).toBe(403);
  });
});
