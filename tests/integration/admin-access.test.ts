/**
 * The admin workspace's action routes against the access rules (the shared
 * access.test.ts enumerates every route; this checks adminCases on their own):
 * anonymous → /login, viewer → 403, no/wrong CSRF → 403, finance admin → success.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBuiltRoutes, startTestServer, type TestServer } from "../helpers/server";
import { adminCases } from "./access-cases/admin";

let app: TestServer;
beforeAll(async () => {
  app = await startTestServer();
});
afterAll(() => app?.close());

const cases = Object.entries(adminCases);

describe("admin action routes", () => {
  it("every admin route with an action has a case, and every case is a built route with an action", async () => {
    const routes = await loadBuiltRoutes();
    const mine = routes
      .filter((r) => r.hasAction && /^routes\/(imports|crosswalk|admin\.(teams|orgs)|audit)/.test(r.id))
      .map((r) => r.id)
      .sort();
    expect(Object.keys(adminCases).sort()).toEqual(mine);
  });

  it.each(cases)("%s: anonymous, viewer and missing CSRF are refused; finance admin succeeds", async (_id, c) => {
    const anon = await app.anonymous().post(c.path, c.form, { csrf: false, multipart: c.multipart });
    expect([302, 401, 403]).toContain(anon.status);
    const viewer = await app.loginAs("viewer");
    expect((await viewer.post(c.path, c.form, { multipart: c.multipart })).status).toBe(403);
    const admin = await app.loginAs("finance_admin");
    expect((await admin.post(c.path, c.form, { csrf: false, multipart: c.multipart })).status).toBe(403);
    expect((await admin.post(c.path, c.form, { csrf: "nope", multipart: c.multipart })).status).toBe(403);
    expect((await admin.post(c.path, c.form, { multipart: c.multipart, headers: { Origin: "https://evil.example" } })).status).toBe(403);
    const ok = await admin.post(c.path, c.form, { multipart: c.multipart });
    expect(ok.status, (await ok.text()).slice(0, 300)).toBeLessThan(400);
  });

  it("the GET-only audit page and crosswalk CSV need a session", async () => {
    for (const p of [
      "/audit",
      "/crosswalk.csv",
      "/imports",
      "/imports/1",
      "/crosswalk",
      "/crosswalk/unmapped",
      "/admin/teams",
      "/admin/orgs",
      "/imports/new",
    ]) {
      const res = await app.anonymous().get(p);
      expect(res.status, p).toBe(302);
      expect(res.headers.get("location"), p).toMatch(/^\/login/);
    }
  });
});
