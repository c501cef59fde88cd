/**
 * OIDC single sign-on end to end against a real provider (oidc-provider, in process, on
 * 127.0.0.1) and the built app: the code flow with PKCE, state and nonce, the claims' mapping
 * to a role and a scope, just-in-time accounts, IdP-side removal, the local-password modes and
 * the single sign-on session lifetime (docs/auth.md "OIDC single sign-on").
 * Needs `npm run build`. TEST_DB=pglite (default) or pg.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../app/lib/env.server";
import { startServer, type ServerHandle } from "../../scripts/serve";
import { ssoToCallback, startOidcApp, startTestIdp, type OidcApp, type TestIdp } from "../helpers/oidc-provider";
import { BUILD_DIR, createUser, makeClient, TEST_PASSWORD, type TestClient } from "../helpers/server";

const ROLE_MAP = "sb-admins=finance_admin,sb-viewers=viewer";
const TEAM_MAP = "team-pay=team:payments,cc-platform=cost_center:CC-9";

let idp: TestIdp;
let app: OidcApp;
/** Extra servers on the same database (other settings), closed at the end. */
const extra: Array<{ handle: ServerHandle; dir: string }> = [];

beforeAll(async () => {
  idp = await startTestIdp();
  app = await startOidcApp(idp, {
    env: { SHOWBACK_OIDC_ROLE_MAP: ROLE_MAP, SHOWBACK_OIDC_TEAM_MAP: TEAM_MAP, SHOWBACK_OIDC_SESSION_HOURS: "1" },
    seed: async (db) => {
      await createUser(db, { email: "breakglass@example.test", role: "finance_admin" });
      await createUser(db, { email: "local.viewer@example.test", role: "viewer" });
      await createUser(db, { email: "linked@example.test", role: "viewer" });
      await createUser(db, { email: "unverified@example.test", role: "viewer" });
    },
  });
});
afterAll(async () => {
  for (const e of extra) {
    await e.handle.close();
    await rm(e.dir, { recursive: true, force: true });
  }
  await app?.close();
  await idp?.stop();
});

/** Another server on the app's database (so the same generated session secret) with other settings. */
async function sameDbServer(env: Record<string, string | undefined>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "showback-oidc2-"));
  const handle = await startServer({
    port: 0,
    host: "127.0.0.1",
    db: app.db,
    dbConfig: { databaseUrl: app.testDb.databaseUrl },
    env: { NODE_ENV: "test", SESSION_SECRET: undefined, SHOWBACK_AUTH: "password", SHOWBACK_DATA_DIR: dir, ...env },
    buildDir: BUILD_DIR,
    log: false,
  });
  extra.push({ handle, dir });
  return handle.url;
}

/** Signs `sub` in through the provider; returns the client and the callback's answer. */
async function sso(sub: string, redirectTo = "/") {
  idp.current = sub;
  const c = app.client();
  const callback = await ssoToCallback(c, idp, redirectTo);
  const res = await c.get(callback);
  return { c, res, location: res.headers.get("location") ?? "" };
}

const userRow = async (email: string) =>
  (
    await app.db.query<{
      id: number;
      role: string;
      oidc_issuer: string | null;
      oidc_subject: string | null;
      password_hash: string | null;
      scope_teams: string[];
      scope_cost_centers: string[];
    }>(`select id, role, oidc_issuer, oidc_subject, password_hash, scope_teams, scope_cost_centers from users where email = $1`, [email])
  )[0];

const audits = (action: string) =>
  app.db.query<{ actor: string; entity_id: string | null; before: Record<string, unknown> | null; after: Record<string, unknown> }>(
    `select actor, entity_id, before, after from audit_log where action = $1 order by id`,
    [action],
  );

const signedIn = async (c: TestClient) => (await c.get("/")).status === 200;

describe("sign-in through the identity provider", () => {
  it("creates the account just in time with the mapped role, opens a single sign-on session, and audits it", async () => {
    idp.users.set("sub-ana", { email: "Ana@Example.test", email_verified: true, groups: ["sb-viewers", "unrelated"] });
    const { c, res, location } = await sso("sub-ana", "/teams");
    expect(res.status).toBe(302);
    expect(location).toBe("/teams");
    expect(res.headers.getSetCookie().some((s) => s.startsWith("showback_session="))).toBe(true);

    const u = await userRow("ana@example.test");
    expect(u).toMatchObject({ role: "viewer", oidc_issuer: idp.issuer, oidc_subject: "sub-ana", password_hash: null });
    const teams = await c.get("/teams");
    expect(teams.status).toBe(200);
    expect(await teams.text()).toContain("ana@example.test");
    expect((await c.get("/admin/users")).status).toBe(403); // a viewer
    const [s] = await app.db.query<{ auth_method: string }>(`select auth_method from sessions where user_id = $1`, [u!.id]);
    expect(s!.auth_method).toBe("oidc");

    const created = (await audits("create")).filter((a) => a.entity_id === "ana@example.test");
    expect(created).toEqual([
      expect.objectContaining({ actor: "oidc", after: expect.objectContaining({ role: "viewer", subject: "sub-ana" }) }),
    ]);
    const signIns = (await audits("sign_in")).filter((a) => a.entity_id === "ana@example.test");
    expect(signIns).toEqual([expect.objectContaining({ actor: "ana@example.test", after: expect.objectContaining({ method: "oidc" }) })]);

    // sign-out works for a single sign-on session too
    await c.refreshCsrf();
    expect((await c.post("/logout", {})).status).toBe(302);
    expect(await signedIn(c)).toBe(false);
  });

  it("a group mapped to finance_admin gives finance_admin: the admin-only page opens", async () => {
    idp.users.set("sub-bo", { email: "bo@example.test", email_verified: true, groups: ["sb-admins", "sb-viewers"] });
    const { c, location } = await sso("sub-bo", "/admin/users");
    expect(location).toBe("/admin/users");
    expect((await userRow("bo@example.test"))!.role).toBe("finance_admin");
    const page = await c.get("/admin/users");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("breakglass@example.test");
  });

  it("a team group gives a team_viewer with that scope", async () => {
    idp.users.set("sub-cy", { email: "cy@example.test", email_verified: true, groups: ["team-pay", "cc-platform"] });
    const { c, location } = await sso("sub-cy");
    expect(location).toBe("/");
    expect(await userRow("cy@example.test")).toMatchObject({
      role: "team_viewer",
      scope_teams: ["payments"],
      scope_cost_centers: ["CC-9"],
    });
    expect(await signedIn(c)).toBe(true);
  });

  it("never redirects off-site after sign-in", async () => {
    idp.users.set("sub-ed", { email: "ed@example.test", email_verified: true, groups: ["sb-viewers"] });
    const { location } = await sso("sub-ed", "https://evil.example/steal");
    expect(location).toBe("/");
  });

  it("links an existing account with that (verified) email instead of creating one", async () => {
    const before = await userRow("linked@example.test");
    idp.users.set("sub-linked", { email: "linked@example.test", email_verified: true, groups: ["sb-viewers"] });
    const { c } = await sso("sub-linked");
    expect(await signedIn(c)).toBe(true);
    expect(await userRow("linked@example.test")).toMatchObject({ id: before!.id, oidc_subject: "sub-linked" });
    expect((await audits("oidc_link")).map((a) => a.entity_id)).toContain("linked@example.test");
  });

  it("does not link an existing account when the provider does not say the email is verified", async () => {
    idp.users.set("sub-unverified", { email: "unverified@example.test", groups: ["sb-admins"] });
    const { c, location } = await sso("sub-unverified");
    expect(location).toBe("/login?error=sso_refused");
    expect(await signedIn(c)).toBe(false);
    expect(await userRow("unverified@example.test")).toMatchObject({ role: "viewer", oidc_subject: null });
  });

  it("the login page offers single sign-on and says passwords are for break-glass admins", async () => {
    const html = await (await app.client().get("/login")).text();
    expect(html).toContain("Sign in with single sign-on");
    expect(html).toContain('href="/auth/oidc"');
    expect(html).toContain("break-glass");
    expect(html).toContain('name="password"');
    const refused = await (await app.client().get("/login?error=sso_refused")).text();
    expect(refused).toContain("no access to Showback");
  });
});

describe("refusals", () => {
  it("refuses a callback whose state differs, and the real one afterwards (the attempt is used up)", async () => {
    idp.users.set("sub-state", { email: "state@example.test", email_verified: true, groups: ["sb-viewers"] });
    idp.current = "sub-state";
    const c = app.client();
    const callback = await ssoToCallback(c, idp);
    const forged = new URL(callback, app.url);
    forged.searchParams.set("state", "forged-state-value");
    const res = await c.get(forged.pathname + forged.search);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?error=sso_state");
    expect(res.headers.getSetCookie().some((s) => s.startsWith("showback_session="))).toBe(false);
    expect((await c.get(callback)).headers.get("location")).toBe("/login?error=sso_state");
    expect(await signedIn(c)).toBe(false);
    expect(await userRow("state@example.test")).toBeUndefined();
    const failed = (await audits("sign_in_failed")).filter((a) => a.after.method === "oidc");
    expect(failed.map((a) => a.after.reason)).toContain("state_mismatch");
    expect(failed[0]).toMatchObject({ actor: "anonymous", entity_id: null });

    // shown on the login page in words, without details
    const page = await (await c.get("/login?error=sso_state")).text();
    expect(page).toContain("Please sign in again");
  });

  it("refuses a callback from a browser that did not start the sign-in (no transaction cookie)", async () => {
    idp.users.set("sub-other", { email: "other@example.test", email_verified: true, groups: ["sb-viewers"] });
    idp.current = "sub-other";
    const callback = await ssoToCallback(app.client(), idp);
    const victim = app.client();
    const res = await victim.get(callback);
    expect(res.headers.get("location")).toBe("/login?error=sso_state");
    expect(await signedIn(victim)).toBe(false);
  });

  it("refuses a replayed code", async () => {
    idp.users.set("sub-replay", { email: "replay@example.test", email_verified: true, groups: ["sb-viewers"] });
    idp.current = "sub-replay";
    const c = app.client();
    const callback = await ssoToCallback(c, idp);
    const cookie = c.cookieHeader(); // the transaction cookie, copied before use
    expect((await c.get(callback)).headers.get("location")).toBe("/");
    const replay = await fetch(new URL(callback, app.url), { headers: { cookie }, redirect: "manual" });
    expect(replay.headers.get("location")).toBe("/login?error=sso_code");
    expect(replay.headers.getSetCookie().some((s) => s.startsWith("showback_session="))).toBe(false);
  });

  it("refuses an expired code", async () => {
    idp.users.set("sub-slow", { email: "slow@example.test", email_verified: true, groups: ["sb-viewers"] });
    idp.current = "sub-slow";
    idp.codeTtlSeconds = 1;
    try {
      const c = app.client();
      const callback = await ssoToCallback(c, idp);
      await new Promise((r) => setTimeout(r, 2_100));
      expect((await c.get(callback)).headers.get("location")).toBe("/login?error=sso_code");
      expect(await signedIn(c)).toBe(false);
      expect(await userRow("slow@example.test")).toBeUndefined();
    } finally {
      idp.codeTtlSeconds = 60;
    }
  });

  it("refuses a person with no mapped group, and creates no account", async () => {
    idp.users.set("sub-nogroup", { email: "nogroup@example.test", email_verified: true, groups: ["marketing"] });
    const { c, location } = await sso("sub-nogroup");
    expect(location).toBe("/login?error=sso_refused");
    expect(await signedIn(c)).toBe(false);
    expect(await userRow("nogroup@example.test")).toBeUndefined();
    const refused = (await audits("sign_in_refused")).filter((a) => a.after.subject === "sub-nogroup");
    expect(refused).toEqual([
      expect.objectContaining({
        actor: "oidc",
        entity_id: null,
        after: expect.objectContaining({ reason: "no_mapping", groups: ["marketing"] }),
      }),
    ]);
  });

  it("refuses an email the provider marks unverified", async () => {
    idp.users.set("sub-unv", { email: "unv@example.test", email_verified: false, groups: ["sb-viewers"] });
    const { location } = await sso("sub-unv");
    expect(location).toBe("/login?error=sso_refused");
    expect(await userRow("unv@example.test")).toBeUndefined();
  });

  it("refuses a cross-site POST start (Origin check); a same-site one goes to the provider with PKCE, state and nonce", async () => {
    const res = await app.client().post("/auth/oidc", { redirectTo: "/" }, { csrf: false, headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    const ok = await app.client().post("/auth/oidc", { redirectTo: "/" }, { csrf: false, headers: { origin: app.url } });
    expect(ok.status).toBe(302);
    const to = new URL(ok.headers.get("location")!);
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    expect(to.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(to.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(to.searchParams.get("nonce")).toMatch(/^[\w-]{20,}$/);
    expect(to.searchParams.get("redirect_uri")).toBe(`${app.url}/auth/oidc/callback`);
    const cookie = ok.headers.getSetCookie().find((s) => s.startsWith("showback_oidc="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=600/i);
  });
});

describe("changes at the identity provider", () => {
  it("a removed group takes effect at the next sign-in: refused, and the open sessions end", async () => {
    idp.users.set("sub-fay", { email: "fay@example.test", email_verified: true, groups: ["sb-viewers"] });
    const first = await sso("sub-fay");
    expect(await signedIn(first.c)).toBe(true);

    idp.users.set("sub-fay", { email: "fay@example.test", email_verified: true, groups: [] });
    const again = await sso("sub-fay");
    expect(again.location).toBe("/login?error=sso_refused");
    expect(await signedIn(first.c)).toBe(false); // the earlier session was revoked
    const refused = (await audits("sign_in_refused")).filter((a) => a.entity_id === "fay@example.test");
    expect(refused).toEqual([expect.objectContaining({ after: expect.objectContaining({ reason: "no_mapping", sessions_revoked: 1 }) })]);
  });

  it("a changed group changes the role at the next sign-in (audited, actor oidc)", async () => {
    idp.users.set("sub-gus", { email: "gus@example.test", email_verified: true, groups: ["sb-admins"] });
    const first = await sso("sub-gus");
    expect((await first.c.get("/admin/users")).status).toBe(200);

    idp.users.set("sub-gus", { email: "gus@example.test", email_verified: true, groups: ["sb-viewers"] });
    const again = await sso("sub-gus");
    expect((await again.c.get("/admin/users")).status).toBe(403);
    expect((await first.c.get("/admin/users")).status).toBe(403); // the role is read on every request
    expect((await userRow("gus@example.test"))!.role).toBe("viewer");
    const change = (await audits("role_change")).filter((a) => a.entity_id === "gus@example.test");
    expect(change).toEqual([
      expect.objectContaining({
        actor: "oidc",
        before: expect.objectContaining({ role: "finance_admin" }),
        after: expect.objectContaining({ role: "viewer" }),
      }),
    ]);
  });

  it("a disabled account stays refused", async () => {
    idp.users.set("sub-hal", { email: "hal@example.test", email_verified: true, groups: ["sb-viewers"] });
    await sso("sub-hal");
    await app.db.query(`update users set disabled = true where email = 'hal@example.test'`);
    const { c, location } = await sso("sub-hal");
    expect(location).toBe("/login?error=sso_refused");
    expect(await signedIn(c)).toBe(false);
  });

  it("a changed email follows the identity (same account)", async () => {
    idp.users.set("sub-ivy", { email: "ivy@example.test", email_verified: true, groups: ["sb-viewers"] });
    await sso("sub-ivy");
    const id = (await userRow("ivy@example.test"))!.id;
    idp.users.set("sub-ivy", { email: "ivy.new@example.test", email_verified: true, groups: ["sb-viewers"] });
    await sso("sub-ivy");
    expect((await userRow("ivy.new@example.test"))!.id).toBe(id);
    expect(await userRow("ivy@example.test")).toBeUndefined();
  });
});

describe("sessions", () => {
  it("a single sign-on session ends SHOWBACK_OIDC_SESSION_HOURS after sign-in; a password session does not", async () => {
    idp.users.set("sub-jo", { email: "jo@example.test", email_verified: true, groups: ["sb-viewers"] });
    const { c } = await sso("sub-jo");
    const id = (await userRow("jo@example.test"))!.id;
    const [s] = await app.db.query<{ secs: number }>(
      `select extract(epoch from expires_at - created_at)::int as secs from sessions where user_id = $1 and revoked_at is null`,
      [id],
    );
    expect(Math.abs(Number(s!.secs) - 3600)).toBeLessThan(5);
    expect(await signedIn(c)).toBe(true);

    // 61 minutes later (the row's end is left as it was: the setting as configured now decides)
    await app.db.query(`update sessions set created_at = now() - interval '61 minutes' where user_id = $1`, [id]);
    expect(await signedIn(c)).toBe(false);

    const admin = makeClient(app.url);
    expect((await admin.post("/login", { email: "breakglass@example.test", password: TEST_PASSWORD }, { csrf: false })).status).toBe(302);
    const adminId = (await userRow("breakglass@example.test"))!.id;
    await app.db.query(`update sessions set created_at = now() - interval '61 minutes' where user_id = $1`, [adminId]);
    expect(await signedIn(admin)).toBe(true);
  });
});

describe("local passwords", () => {
  const login = (base: string, email: string) => makeClient(base).post("/login", { email, password: TEST_PASSWORD }, { csrf: false });

  it("admins (the default with single sign-on): a viewer's right password is refused, the break-glass admin's accepted", async () => {
    const viewer = await login(app.url, "local.viewer@example.test");
    expect(viewer.status).toBe(401);
    expect(await viewer.text()).toContain("Invalid email or password.");
    expect((await login(app.url, "breakglass@example.test")).status).toBe(302);
    const failed = (await audits("sign_in_failed")).filter((a) => a.after.email === "local.viewer@example.test");
    expect(failed.map((a) => a.after.reason)).toEqual(["local_passwords_off"]);
  });

  it("admins: a viewer's password session opened while passwords were on is not honoured", async () => {
    const open = await sameDbServer({ SHOWBACK_LOCAL_PASSWORDS: "on" });
    const c = makeClient(open);
    expect((await c.post("/login", { email: "local.viewer@example.test", password: TEST_PASSWORD }, { csrf: false })).status).toBe(302);
    expect((await c.get("/")).status).toBe(200);
    // the same cookie on the server that allows passwords to admins only
    const res = await fetch(new URL("/", app.url), { headers: { cookie: c.cookieHeader() }, redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login/);
  });

  it("off: every password sign-in is refused and the form is gone", async () => {
    const off = await sameDbServer({
      SHOWBACK_OIDC_ISSUER: idp.issuer,
      SHOWBACK_OIDC_CLIENT_ID: idp.clientId,
      SHOWBACK_OIDC_CLIENT_SECRET: idp.clientSecret,
      SHOWBACK_OIDC_REDIRECT_URL: `${app.url}/auth/oidc/callback`,
      SHOWBACK_OIDC_ROLE_MAP: ROLE_MAP,
      SHOWBACK_LOCAL_PASSWORDS: "off",
    });
    const res = await login(off, "breakglass@example.test");
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Invalid email or password.");
    const html = await (await makeClient(off).get("/login")).text();
    expect(html).toContain("Sign in with single sign-on");
    expect(html).not.toContain('name="password"');
    // and the break-glass admin's existing password session ends there
    const c = makeClient(app.url);
    expect((await c.post("/login", { email: "breakglass@example.test", password: TEST_PASSWORD }, { csrf: false })).status).toBe(302);
    const there = await fetch(new URL("/", off), { headers: { cookie: c.cookieHeader() }, redirect: "manual" });
    expect(there.status).toBe(302);
  });

  it("without single sign-on the routes are 404 and the page has no button", async () => {
    const plain = await sameDbServer({});
    expect((await makeClient(plain).post("/auth/oidc", { redirectTo: "/" }, { csrf: false })).status).toBe(404);
    expect((await makeClient(plain).get("/auth/oidc")).status).toBe(404);
    expect((await makeClient(plain).get("/auth/oidc/callback?code=x&state=y")).status).toBe(404);
    expect(await (await makeClient(plain).get("/login")).text()).not.toContain("single sign-on");
    expect((await login(plain, "local.viewer@example.test")).status).toBe(302); // on by default without it
  });
});

describe("configuration", () => {
  const base = {
    SESSION_SECRET: "x7Qk2pLm9Vr4Tz8Wn3Jb6Hc1Fd5Gs0Ya",
    SHOWBACK_OIDC_ISSUER: "https://login.example.com/realms/acme",
    SHOWBACK_OIDC_CLIENT_ID: "showback",
    SHOWBACK_OIDC_CLIENT_SECRET: "Zq8vN2kLr5Tx9Wm3Pb7Hc4Jd6Fg1Sa0Y",
    SHOWBACK_OIDC_REDIRECT_URL: "https://showback.example.com/auth/oidc/callback",
    SHOWBACK_OIDC_ROLE_MAP: "admins=finance_admin",
  };
  const problem = (env: Record<string, string | undefined>) => {
    try {
      parseEnv({ ...base, ...env });
      return "";
    } catch (e) {
      if (e instanceof EnvError) return e.message;
      throw e;
    }
  };

  it("accepts a complete setting and refuses bad ones with a clear message", () => {
    expect(problem({})).toBe("");
    expect(problem({ SHOWBACK_OIDC_ISSUER: "http://login.example.com" })).toMatch(/must use https/);
    expect(problem({ SHOWBACK_OIDC_ISSUER: "http://127.0.0.1:9000" })).toBe("");
    expect(problem({ SHOWBACK_OIDC_CLIENT_SECRET: undefined })).toMatch(/SHOWBACK_OIDC_CLIENT_SECRET is required/);
    expect(problem({ SHOWBACK_OIDC_ROLE_MAP: undefined })).toMatch(/needs SHOWBACK_OIDC_ROLE_MAP/);
    expect(problem({ SHOWBACK_OIDC_ROLE_MAP: "admins=boss" })).toMatch(/unknown role/);
    expect(problem({ SHOWBACK_OIDC_REDIRECT_URL: "https://showback.example.com/callback" })).toMatch(/\/auth\/oidc\/callback/);
    expect(problem({ SHOWBACK_AUTH: "header", SHOWBACK_AUTH_PROXY_SECRET: "Pq3vN8kLr2Tx6Wm9Pb1Hc5Jd7Fg4Sa0Z" })).toMatch(
      /SHOWBACK_AUTH=password/,
    );
    expect(problem({ SHOWBACK_LOCAL_PASSWORDS: "maybe" })).toMatch(/on, admins or off/);
    expect(
      problem({
        SHOWBACK_OIDC_ISSUER: undefined,
        SHOWBACK_OIDC_ROLE_MAP: undefined,
        SHOWBACK_OIDC_CLIENT_ID: undefined,
        SHOWBACK_OIDC_CLIENT_SECRET: undefined,
        SHOWBACK_OIDC_REDIRECT_URL: undefined,
        SHOWBACK_LOCAL_PASSWORDS: "off",
      }),
    ).toMatch(/nobody could sign in/);
  });
});

describe("claims only from userinfo", () => {
  let idp2: TestIdp;
  let app2: OidcApp;
  beforeAll(async () => {
    idp2 = await startTestIdp({ claimsInIdToken: false });
    app2 = await startOidcApp(idp2, { env: { SHOWBACK_OIDC_ROLE_MAP: ROLE_MAP } });
  });
  afterAll(async () => {
    await app2?.close();
    await idp2?.stop();
  });

  it("reads the email and groups from the userinfo endpoint when the ID token lacks them", async () => {
    idp2.users.set("sub-ui", { email: "ui@example.test", email_verified: true, groups: ["sb-admins"] });
    idp2.current = "sub-ui";
    const c = app2.client();
    const res = await c.get(await ssoToCallback(c, idp2));
    expect(res.headers.get("location")).toBe("/");
    expect((await c.get("/admin/users")).status).toBe(200);
  });
});
