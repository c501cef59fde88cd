/**
 * Access control over the BUILT route table (build/server/index.js `routes`), so a
 * new route is checked without anyone remembering to add it:
 *
 * - every page route (and every resource route with a loader) redirects anonymous
 *   visitors to /login; /healthz is public;
 * - every route with an action: anonymous → not accepted, viewer → 403, finance
 *   admin without the CSRF token → 403, finance admin with the token and the sample
 *   payload below → success;
 * - a scoped viewer (team_viewer, issue 15): every page answers 200 or 404 (its own
 *   reads) or 403 (the crosswalk, imports, month end, audit and admin pages), every API
 *   route with its token answers as documented, and every action above its role is a 403.
 *
 * ADDING A ROUTE WITH AN ACTION? Add a case to ACTION_CASES (a valid payload, and a
 * `setup` that seeds what it needs); the suite fails with "add a case for route X"
 * until you do.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../../app/services/api-tokens";
import type { Db } from "../../db/client";
import type { Role } from "../../db/queries/users";
import {
  createUser,
  loadBuiltRoutes,
  sampleUrl,
  startTestServer,
  type BuiltRoute,
  type TestClient,
  type TestServer,
} from "../helpers/server";
import { adminCases } from "./access-cases/admin";
import { alertCases } from "./access-cases/alerts";
import { anomalyCases } from "./access-cases/anomalies";
import { apiRoutes, tokenCases } from "./access-cases/api";
import { budgetCases } from "./access-cases/budgets";
import { monthCases } from "./access-cases/month";
import { viewCases } from "./access-cases/views";

interface ActionCase {
  /** Concrete URL to post to (default: the route's path with ":param" → "sample"). */
  path?: string;
  /** A valid payload for a finance admin (without _csrf: the client adds it). */
  form: Record<string, string | Blob> | ((db: Db) => Promise<Record<string, string | Blob>>);
  /** Seeds what the payload refers to (runs before each post of this case). */
  setup?: (db: Db) => Promise<void>;
  multipart?: boolean;
  /** The least role allowed to post (default finance_admin: then a viewer must get 403). */
  role?: Role;
}

let seq = 0;
const ACTION_CASES: Record<string, ActionCase> = {
  "routes/admin.users": {
    form: async () => ({ intent: "add", email: `sample-${++seq}@example.test`, role: "viewer", password: "sample-password-1" }),
  },
  // each area keeps its own cases next to its tests
  ...adminCases,
  ...monthCases,
  ...budgetCases,
  ...alertCases,
  ...tokenCases,
  // saved views: any signed-in role, its own views (role: viewer)
  ...viewCases,
  ...anomalyCases,
};

/** Routes whose action is not a finance-admin mutation, with the reason. */
const EXEMPT_ACTIONS: Record<string, string> = {
  // Anonymous by nature (there is no session, so no session CSRF token yet): the
  // Origin check and SameSite=Lax protect it; auth.test.ts covers sign-in.
  "routes/login": "sign-in form",
  // Any signed-in role may sign out; it still requires the CSRF token (auth.test.ts).
  "routes/logout": "sign-out, any role",
  // Starts single sign-on (404 without it): anonymous, Origin-checked; oidc.test.ts covers it.
  "routes/auth.oidc": "single sign-on start",
};

/** Routes that answer anonymous GETs on purpose. */
const PUBLIC_ROUTES = new Set(["routes/healthz", "routes/login", "routes/logout", "routes/auth.oidc", "routes/auth.oidc_.callback"]);

const routes: BuiltRoute[] = await loadBuiltRoutes();
const urlOf = (r: BuiltRoute, c?: ActionCase) => {
  const u = c?.path ?? sampleUrl(r);
  return r.index && !u.includes("index") ? `${u}${u.includes("?") ? "&" : "?"}index` : u;
};

let app: TestServer;
beforeAll(async () => {
  app = await startTestServer();
});
afterAll(() => app?.close());

describe("route table", () => {
  it("has the shell's routes", () => {
    const ids = routes.map((r) => r.id);
    for (const id of ["routes/_index", "routes/login", "routes/logout", "routes/healthz", "routes/admin.users"]) {
      expect(ids).toContain(id);
    }
  });

  it("every route with an action has a case", () => {
    const missing = routes.filter((r) => r.hasAction && !ACTION_CASES[r.id] && !EXEMPT_ACTIONS[r.id]);
    if (missing.length) {
      throw new Error(
        missing.map((r) => `add a case for route ${r.id} (${r.path}) to ACTION_CASES in tests/integration/access.test.ts`).join("\n"),
      );
    }
    const stale = Object.keys(ACTION_CASES).filter((id) => !routes.some((r) => r.id === id && r.hasAction));
    expect(stale, "cases for routes that no longer have an action").toEqual([]);
  });
});

describe("anonymous visitors", () => {
  const pages = routes.filter(
    (r) => (r.isPage || r.hasLoader) && !PUBLIC_ROUTES.has(r.id) && !apiRoutes[r.id] && (r.path !== "/" || r.index),
  );
  it.each(pages.map((r) => [r.id, r] as const))("GET %s → /login", async (_id, r) => {
    const url = sampleUrl(r);
    const res = await app.anonymous().get(url);
    expect(res.status, url).toBe(302);
    const loc = res.headers.get("location") ?? "";
    expect(loc.startsWith("/login"), `${url} → ${loc}`).toBe(true);
    if (url !== "/") expect(loc).toBe(`/login?redirectTo=${encodeURIComponent(url)}`);
  });

  const api = routes.filter((r) => r.id.startsWith("routes/api."));
  it("every API route is registered in access-cases/api.ts", () => {
    expect(api.map((r) => r.id).sort()).toEqual(Object.keys(apiRoutes).sort());
  });
  it.each(api.map((r) => [r.id, r] as const))("GET %s without a token → JSON 401 (the document: 200)", async (_id, r) => {
    const c = apiRoutes[r.id]!;
    const res = await app.anonymous().get(c.path);
    expect(res.status, c.path).toBe(c.anonymousStatus);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("GET /healthz is public", async () => {
    const res = await app.anonymous().get("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: "ok" });
  });

  it("GET /login is public", async () => {
    expect((await app.anonymous().get("/login")).status).toBe(200);
  });
});

/** Routes a scoped viewer may not open at all (403): everything but its own teams' figures. */
const FULL_READERS_ONLY = /^routes\/(crosswalk|imports|reconciliation|audit|admin|finance)(?![a-z-])/;

let scoped: TestClient | undefined;
/** A team_viewer scoped to one team (payments). */
async function scopedViewer(): Promise<TestClient> {
  if (!scoped) {
    const email = await createUser(app.db, {
      email: "scoped-access@example.test",
      role: "team_viewer",
      scope: { teams: ["payments"], costCenters: [] },
    });
    scoped = await app.login(email);
  }
  return scoped;
}

describe("scoped viewer (team_viewer)", () => {
  const pages = routes.filter(
    (r) => (r.isPage || r.hasLoader) && !PUBLIC_ROUTES.has(r.id) && !apiRoutes[r.id] && (r.path !== "/" || r.index),
  );
  it("the refused set is not empty and not everything", () => {
    const refused = pages.filter((r) => FULL_READERS_ONLY.test(r.id));
    expect(refused.length).toBeGreaterThan(10);
    expect(pages.length - refused.length).toBeGreaterThan(5);
  });
  it.each(pages.map((r) => [r.id, r] as const))("GET %s", async (id, r) => {
    const c = await scopedViewer();
    const url = r.path.includes(":team") ? sampleUrl(r, { team: "payments" }) : sampleUrl(r);
    const res = await c.get(url);
    if (FULL_READERS_ONLY.test(id)) expect(res.status, url).toBe(403);
    else expect([200, 404], `${url}: ${res.status}`).toContain(res.status);
  });

  const API_STATUS: Record<string, number> = {
    "routes/api.v1.report": 200,
    "routes/api.v1.reconciliation": 403,
    "routes/api.v1.unmapped": 403,
    "routes/api.v1.teams.$team": 403,
    "routes/api.v1.openapi[.]json": 200,
  };
  it("every API route is classified for scoped tokens", () => {
    expect(Object.keys(API_STATUS).sort()).toEqual(Object.keys(apiRoutes).sort());
  });
  const QUERY: Record<string, string> = {
    "routes/api.v1.report": "?granularity=monthly&from=2026-01-01&to=2026-12-31",
    "routes/api.v1.reconciliation": "?month=2026-04",
    "routes/api.v1.teams.$team": "?granularity=monthly&from=2026-01-01&to=2026-12-31",
  };
  it.each(Object.keys(API_STATUS).map((id) => [id] as const))("GET %s with a scoped token", async (id) => {
    await scopedViewer();
    const { token } = await createApiToken(app.db, "test", { name: `access ${id}`, user: "scoped-access@example.test" });
    const res = await app.anonymous().get(`${apiRoutes[id]!.path}${QUERY[id] ?? ""}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status, id).toBe(API_STATUS[id]);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });
});

describe("actions", () => {
  const cases = routes.filter((r) => r.hasAction && ACTION_CASES[r.id]).map((r) => [r.id, r, ACTION_CASES[r.id]!] as const);
  const payload = async (c: ActionCase) => {
    if (c.setup) await c.setup(app.db);
    return typeof c.form === "function" ? c.form(app.db) : c.form;
  };

  it.each(cases)("%s: anonymous post is not accepted", async (_id, r, c) => {
    const res = await app.anonymous().post(urlOf(r, c), await payload(c), { csrf: false, multipart: c.multipart });
    expect([302, 401, 403], `${res.status}`).toContain(res.status);
    if (res.status === 302) expect(res.headers.get("location")).toMatch(/^\/login/);
  });

  it.each(cases.filter(([, , c]) => (c.role ?? "finance_admin") === "finance_admin"))("%s: viewer gets 403", async (_id, r, c) => {
    const viewer = await app.loginAs("viewer");
    const res = await viewer.post(urlOf(r, c), await payload(c), { multipart: c.multipart });
    expect(res.status).toBe(403);
  });

  it.each(cases.filter(([, , c]) => (c.role ?? "finance_admin") !== "team_viewer"))("%s: scoped viewer gets 403", async (_id, r, c) => {
    const res = await (await scopedViewer()).post(urlOf(r, c), await payload(c), { multipart: c.multipart });
    expect(res.status).toBe(403);
  });

  it.each(cases.filter(([, , c]) => c.role === "team_viewer"))("%s: scoped viewer with the token succeeds", async (_id, r, c) => {
    const res = await (await scopedViewer()).post(urlOf(r, c), await payload(c), { multipart: c.multipart });
    expect(res.status).toBeLessThan(400);
  });

  it.each(cases)("%s: missing or wrong CSRF token gets 403", async (_id, r, c) => {
    const admin = await app.loginAs("finance_admin");
    expect((await admin.post(urlOf(r, c), await payload(c), { csrf: false, multipart: c.multipart })).status).toBe(403);
    expect((await admin.post(urlOf(r, c), await payload(c), { csrf: "not-the-token", multipart: c.multipart })).status).toBe(403);
  });

  it.each(cases)("%s: cross-site Origin gets 403", async (_id, r, c) => {
    const admin = await app.loginAs("finance_admin");
    const res = await admin.post(urlOf(r, c), await payload(c), { multipart: c.multipart, headers: { Origin: "https://evil.example" } });
    expect(res.status).toBe(403);
  });

  it.each(cases)("%s: finance admin with the token succeeds", async (_id, r, c) => {
    const admin = await app.loginAs("finance_admin");
    const res = await admin.post(urlOf(r, c), await payload(c), { multipart: c.multipart });
    expect(
      res.status,
      await res
        .clone()
        .text()
        .then((t) => t.slice(0, 500)),
    ).toBeLessThan(400);
  });
});
