/**
 * Accounts, sessions, sign-in abuse, CSRF/Origin, headers, health, header SSO.
 * Needs `npm run build`. TEST_DB=pglite (default) or pg.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "../../db/client";
import { startServer } from "../../scripts/serve";
import { createTestDb } from "../helpers/db";
import { createUser, startTestServer, TEST_PASSWORD, type TestServer } from "../helpers/server";

const INVALID = "Invalid email or password.";
const TOO_MANY = "Too many attempts, try again in";

/** A different token of the same shape (first character changed). */
const forge = (t: string) => (t[0] === "A" ? "B" : "A") + t.slice(1);

let app: TestServer;
const logged: string[] = [];

beforeAll(async () => {
  for (const m of ["log", "error", "warn", "info"] as const) {
    const orig = console[m].bind(console);
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
      orig(...args);
    });
  }
  app = await startTestServer({
    seed: async (db) => {
      await createUser(db, { email: "Known@Example.test", role: "viewer", password: "right-password-1" });
      await createUser(db, { email: "gone@example.test", role: "viewer", password: "right-password-1", disabled: true });
    },
  });
});
afterAll(async () => {
  await app?.close();
  vi.restoreAllMocks();
});

async function signIn(email: string, password: string, headers?: Record<string, string>) {
  const c = app.anonymous();
  const res = await c.post("/login", { email, password }, { csrf: false, headers });
  return { c, res, body: res.status === 302 ? "" : await res.text() };
}

/** The visible part of the login page that could differ: status, alert text, Set-Cookie. */
async function loginAnswer(email: string, password: string) {
  const { res, body } = await signIn(email, password);
  const alert = /role="alert"[^>]*>([^<]*)</.exec(body)?.[1];
  return { status: res.status, alert, setCookie: res.headers.getSetCookie().length };
}

describe("passwords", () => {
  it("are stored as argon2id hashes, never in clear, and never logged", async () => {
    const admin = await app.loginAs("finance_admin");
    const res = await admin.post("/admin/users", {
      intent: "add",
      email: "New.Person@Example.test",
      role: "viewer",
      password: "s3cret-Pa55word!",
    });
    expect(res.status).toBe(200);
    const rows = await app.db.query<{ email: string; password_hash: string }>(
      `select email, password_hash from users where email = 'new.person@example.test'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.password_hash.startsWith("$argon2id$")).toBe(true);
    expect(rows[0]!.password_hash).not.toContain("s3cret-Pa55word!");

    const reset = await admin.post("/admin/users", {
      intent: "reset-password",
      email: "new.person@example.test",
      password: "An0ther-passw0rd",
    });
    expect(reset.status).toBe(200);
    await signIn("new.person@example.test", "An0ther-passw0rd");
    await signIn("new.person@example.test", "wrong-Pa55word!");

    const audit = await app.db.query<{ action: string; before: unknown; after: unknown }>(
      `select action, before, after from audit_log where entity = 'user' and entity_id = 'new.person@example.test' order by id`,
    );
    expect(audit.map((a) => a.action)).toEqual(["create", "password_reset", "sign_in"]);
    // a failure is not attributed to the account: actor anonymous, the typed email kept as data
    const failed = await app.db.query<{ actor: string; entity_id: string | null; after: Record<string, unknown> }>(
      `select actor, entity_id, after from audit_log where action = 'sign_in_failed' and after->>'email' = 'new.person@example.test'`,
    );
    expect(failed).toEqual([
      {
        actor: "anonymous",
        entity_id: null,
        after: { email: "new.person@example.test", reason: "invalid", client: "127.0.0.1", count: 1 },
      },
    ]);
    const everything = JSON.stringify(await app.db.query(`select * from audit_log`)) + logged.join("\n");
    for (const secret of ["s3cret-Pa55word!", "An0ther-passw0rd", "wrong-Pa55word!"]) expect(everything).not.toContain(secret);
  });

  it("the CLI adds users with a hash and exits 0/1/2", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "showback-cli-"));
    const tdb = await createTestDb();
    try {
      const env = { ...process.env, SHOWBACK_DATA_DIR: dir, DATABASE_URL: tdb.databaseUrl ?? "" };
      const run = (args: string[], input?: string) =>
        spawnSync(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), "scripts/users.ts", ...args], {
          env,
          input,
          encoding: "utf8",
          timeout: 60_000,
        });
      const add = run(["add", "--email", "Cli@Example.test", "--role", "finance_admin", "--password-stdin"], "cli-password-123\n");
      expect(add.stderr).toBe("");
      expect(add.status).toBe(0);
      expect(add.stdout + add.stderr).not.toContain("cli-password-123");
      expect(run(["add", "--email", "cli@example.test", "--role", "viewer"]).status).toBe(1); // duplicate
      expect(run(["add", "--email", "x@example.test", "--role", "boss"]).status).toBe(1);
      expect(run(["reset-password", "--email", "cli@example.test", "--password-stdin"], "short").status).toBe(1);
      expect(run(["frobnicate"]).status).toBe(2);
      expect(run(["disable"]).status).toBe(2);
      expect(run(["list", "--bogus"]).status).toBe(2);
      const list = run(["list", "--format", "json"]);
      expect(list.status).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({ email: "cli@example.test", role: "finance_admin", disabled: false }),
      ]);
      expect(run(["set-role", "--email", "cli@example.test", "--role", "viewer"]).status).toBe(1); // last admin
      if (tdb.databaseUrl) {
        const [u] = await tdb.db.query<{ password_hash: string }>(`select password_hash from users where email = 'cli@example.test'`);
        expect(u!.password_hash).toMatch(/^\$argon2id\$/);
      }
    } finally {
      await tdb.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("sign-in", () => {
  it("signs in with the right password (email case-insensitive) and reaches the overview", async () => {
    const { c, res } = await signIn("  KNOWN@example.test ", "right-password-1");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/");
    const cookie = res.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/Max-Age=28800/);
    const home = await c.get("/");
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain("Overview");
    expect(html).toContain("known@example.test");
  });

  it("sets Secure on the cookie behind an HTTPS proxy", async () => {
    const { res } = await signIn("known@example.test", "right-password-1", { "X-Forwarded-Proto": "https" });
    expect(res.status).toBe(302);
    expect(res.headers.getSetCookie()[0]).toMatch(/;\s*Secure/i);
  });

  it("answers a wrong password, an unknown email and a disabled account identically", async () => {
    const wrong = await loginAnswer("known@example.test", "wrong-password-1");
    const unknown = await loginAnswer("nobody@example.test", "wrong-password-1");
    const disabled = await loginAnswer("gone@example.test", "right-password-1");
    expect(wrong).toEqual({ status: 401, alert: INVALID, setCookie: 0 });
    expect(unknown).toEqual(wrong);
    expect(disabled).toEqual(wrong);
  });

  it("throttles after 3 failures per (client, email) with 429, also against the right password; never by email alone", async () => {
    await createUser(app.db, { email: "lock@example.test", role: "viewer", password: "right-password-1" });
    for (let i = 0; i < 3; i++) expect((await loginAnswer("lock@example.test", `nope-${i}-password`)).alert).toBe(INVALID);
    const held = await loginAnswer("lock@example.test", "right-password-1");
    expect(held.status).toBe(429);
    expect(held.alert).toBe(`${TOO_MANY} 1 s.`);
    expect(held.setCookie).toBe(0);
    // the same answer for an email that does not exist
    for (let i = 0; i < 3; i++) await loginAnswer("ghost@example.test", `nope-${i}-password`);
    expect(await loginAnswer("ghost@example.test", "whatever-password")).toEqual(held);
    // five failures no longer lock the account: once the delay has passed, the right password works
    await app.db.query(`update login_attempts set at = at - interval '2 seconds' where email = 'lock@example.test'`);
    const { res } = await signIn("lock@example.test", "right-password-1");
    expect(res.status).toBe(302);
  });

  it("2 failures, then the right password, is not throttled (and resets the count)", async () => {
    await createUser(app.db, { email: "four@example.test", role: "viewer", password: "right-password-1" });
    for (let i = 0; i < 2; i++) await loginAnswer("four@example.test", "bad-password-x");
    expect((await signIn("four@example.test", "right-password-1")).res.status).toBe(302);
    for (let i = 0; i < 2; i++) await loginAnswer("four@example.test", "bad-password-x");
    expect((await signIn("four@example.test", "right-password-1")).res.status).toBe(302);
  });

  it("audits sign-ins and failures", async () => {
    const rows = await app.db.query<{ actor: string; action: string }>(
      `select actor, action from audit_log where entity_id = 'known@example.test' order by id`,
    );
    expect(rows).toContainEqual({ actor: "known@example.test", action: "sign_in" });
    const failed = await app.db.query<{ actor: string }>(
      `select actor from audit_log where action = 'sign_in_failed' and after->>'email' = 'known@example.test'`,
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((f) => f.actor === "anonymous")).toBe(true);
  });

  it("refuses a cross-site sign-in post", async () => {
    const { res } = await signIn("known@example.test", "right-password-1", { Origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });

  it("honours only same-site relative redirectTo", async () => {
    const cases: Array<[string, string]> = [
      ["/admin/users?x=1", "/admin/users?x=1"],
      ["//evil.example/x", "/"],
      ["https://evil.example/", "/"],
      ["/\\evil.example", "/"],
      ["teams", "/"],
    ];
    for (const [to, expected] of cases) {
      const c = app.anonymous();
      const res = await c.post("/login", { email: "known@example.test", password: "right-password-1", redirectTo: to }, { csrf: false });
      expect(res.status).toBe(302);
      expect(res.headers.get("location"), to).toBe(expected);
    }
  });

  it("redirects anonymous visitors to /login with the page to return to", async () => {
    const res = await app.anonymous().get("/admin/users?tab=1");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fadmin%2Fusers%3Ftab%3D1");
    const data = await app.anonymous().get("/admin/users?_data=routes%2Fadmin.users");
    expect([204, 302]).toContain(data.status);
    const loc = data.headers.get("x-remix-redirect") ?? data.headers.get("location");
    expect(loc).toBe("/login?redirectTo=%2Fadmin%2Fusers");
  });
});

describe("sessions", () => {
  it("a tampered cookie is not a session", async () => {
    const viewer = await app.loginAs("viewer");
    const cookie = viewer.cookieHeader();
    const [name, value] = cookie.split("=") as [string, string];
    const decoded = decodeURIComponent(value);
    const dot = decoded.lastIndexOf(".");
    const data = JSON.parse(Buffer.from(decoded.slice(0, dot), "base64").toString("utf8")) as { sid: string };
    data.sid = forge(data.sid);
    const forged = `${name}=${encodeURIComponent(Buffer.from(JSON.stringify(data)).toString("base64") + decoded.slice(dot))}`;
    const res = await app.anonymous().fetch("/", { headers: { cookie: forged } });
    expect(res.status).toBe(302);
  });

  it("expires after the idle timeout (checked on the server) and is refreshed by activity", async () => {
    const viewer = await app.loginAs("viewer");
    const [name, value] = viewer.cookieHeader().split("=") as [string, string];
    const decoded = decodeURIComponent(value);
    const payload = JSON.parse(Buffer.from(decoded.slice(0, decoded.lastIndexOf(".")), "base64").toString("utf8")) as { seen: number };
    expect(Date.now() - payload.seen).toBeLessThan(60_000);
    // the cookie is re-issued (fresh Max-Age) once it is over a minute old
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 2 * 60_000;
      const fresh = await viewer.get("/");
      expect(fresh.status).toBe(200);
      expect(fresh.headers.getSetCookie().join()).toContain(`${name}=`); // refreshed
    } finally {
      Date.now = realNow;
    }
    // the database's clock decides the idle timeout: pretend 8 h 1 min passed since the last activity
    await app.db.query(`update sessions set last_seen_at = now() - interval '8 hours 1 minute' where revoked_at is null`);
    expect((await viewer.get("/")).status).toBe(302);
  });

  it("ends when the account is disabled, and when its password is reset", async () => {
    await createUser(app.db, { email: "temp@example.test", role: "viewer" });
    const a = await app.login("temp@example.test", TEST_PASSWORD);
    const b = await app.login("temp@example.test", TEST_PASSWORD);
    const admin = await app.loginAs("finance_admin");
    expect(
      (await admin.post("/admin/users", { intent: "reset-password", email: "temp@example.test", password: "a-new-password-9" })).status,
    ).toBe(200);
    expect((await a.get("/")).status).toBe(302);
    const c = await app.login("temp@example.test", "a-new-password-9");
    expect((await c.get("/")).status).toBe(200);
    expect((await admin.post("/admin/users", { intent: "disable", email: "temp@example.test" })).status).toBe(200);
    expect((await c.get("/")).status).toBe(302);
    expect((await b.get("/")).status).toBe(302);
  });

  it("logout needs the CSRF token, then ends the session", async () => {
    const viewer = await app.loginAs("viewer");
    const cookie = viewer.cookieHeader();
    expect((await viewer.post("/logout", {}, { csrf: false })).status).toBe(403);
    expect((await viewer.post("/logout", {}, { csrf: "forged" })).status).toBe(403);
    expect((await viewer.get("/")).status).toBe(200);
    const out = await viewer.post("/logout", {});
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/login");
    expect((await viewer.get("/")).status).toBe(302);
    // the old cookie, replayed, is not a session either (revoked on the server)
    expect((await app.anonymous().fetch("/", { headers: { cookie } })).status).toBe(302);
  });
});

describe("CSRF and Origin on mutations", () => {
  it("accepts the token in the body, the query string or the header; refuses otherwise", async () => {
    const admin = await app.loginAs("finance_admin");
    const form = { intent: "set-role", email: "known@example.test", role: "viewer" };
    expect((await admin.post("/admin/users", form)).status).toBe(200);
    expect((await admin.post("/admin/users", form, { csrf: false })).status).toBe(403);
    expect((await admin.post("/admin/users", form, { csrf: forge(admin.csrf) })).status).toBe(403);
    expect((await admin.post(`/admin/users?_csrf=${encodeURIComponent(admin.csrf)}`, form, { csrf: false })).status).toBe(200);
    expect((await admin.post("/admin/users", form, { csrf: false, headers: { "x-csrf-token": admin.csrf } })).status).toBe(200);
    // another session's token does not work
    const other = await app.login(admin.email!, TEST_PASSWORD);
    expect(other.csrf).not.toBe(admin.csrf);
    expect((await admin.post("/admin/users", form, { csrf: other.csrf })).status).toBe(403);
    // multipart: the body token counts when it comes before any file
    expect((await admin.post("/admin/users", form, { multipart: true })).status).toBe(200);
    expect((await admin.post("/admin/users", form, { multipart: true, csrf: false })).status).toBe(403);
  });

  it("refuses a cross-site Origin (or Sec-Fetch-Site) even with a valid token", async () => {
    const admin = await app.loginAs("finance_admin");
    const form = { intent: "set-role", email: "known@example.test", role: "viewer" };
    expect((await admin.post("/admin/users", form, { headers: { Origin: "https://evil.example" } })).status).toBe(403);
    expect((await admin.post("/admin/users", form, { headers: { Origin: "null" } })).status).toBe(403);
    expect((await admin.post("/admin/users", form, { headers: { "Sec-Fetch-Site": "cross-site" } })).status).toBe(403);
    expect((await admin.post("/admin/users", form, { headers: { Origin: app.url } })).status).toBe(200);
    const host = new URL(app.url).host;
    expect((await admin.post("/admin/users", form, { headers: { Origin: `https://${host}`, "X-Forwarded-Proto": "https" } })).status).toBe(
      200,
    );
  });
});

describe("user administration", () => {
  it("adds, changes role, disables and enables, with audit entries", async () => {
    const admin = await app.loginAs("finance_admin");
    const post = (f: Record<string, string>) => admin.post("/admin/users", f);
    expect((await post({ intent: "add", email: "flow@example.test", role: "viewer", password: "flow-password-1" })).status).toBe(200);
    expect((await post({ intent: "add", email: "flow@example.test", role: "viewer", password: "flow-password-1" })).status).toBe(400);
    expect((await post({ intent: "add", email: "bad", role: "viewer", password: "flow-password-1" })).status).toBe(400);
    expect((await post({ intent: "add", email: "short@example.test", role: "viewer", password: "short" })).status).toBe(400);
    expect((await post({ intent: "set-role", email: "flow@example.test", role: "finance_admin" })).status).toBe(200);
    expect((await post({ intent: "disable", email: "flow@example.test" })).status).toBe(200);
    expect((await post({ intent: "enable", email: "flow@example.test" })).status).toBe(200);
    const [row] = await app.db.query<{ role: string; disabled: boolean }>(
      `select role, disabled from users where email = 'flow@example.test'`,
    );
    expect(row).toEqual({ role: "finance_admin", disabled: false });
    const audit = await app.db.query<{ actor: string; action: string; before: { role?: string } | null; after: { role?: string } | null }>(
      `select actor, action, before, after from audit_log where entity = 'user' and entity_id = 'flow@example.test' order by id`,
    );
    expect(audit.map((a) => a.action)).toEqual(["create", "role_change", "disable", "enable"]);
    expect(audit[1]).toMatchObject({ actor: "admin@example.test", before: { role: "viewer" }, after: { role: "finance_admin" } });
    // the page lists users for admins only
    const page = await admin.get("/admin/users");
    expect(await page.text()).toContain("flow@example.test");
    const viewer = await app.loginAs("viewer");
    expect((await viewer.get("/admin/users")).status).toBe(403);
  });

  it("refuses to disable or demote the last active finance admin", async () => {
    const solo = await startTestServer();
    try {
      const admin = await solo.loginAs("finance_admin");
      const res = await admin.post("/admin/users", { intent: "set-role", email: "admin@example.test", role: "viewer" });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("last active finance admin");
      expect((await admin.post("/admin/users", { intent: "disable", email: "admin@example.test" })).status).toBe(400);
    } finally {
      await solo.close();
    }
  });
});

describe("headers, errors and health", () => {
  it("sends the security headers, with a nonce matching every inline script", async () => {
    const res = await app.anonymous().get("/login");
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toContain(`nonce="${nonce}"`);
    const again = await app.anonymous().get("/login");
    expect(/'nonce-([^']+)'/.exec(again.headers.get("content-security-policy")!)?.[1]).not.toBe(nonce);
    for (const p of ["/healthz", "/no/such/page"]) {
      const r = await app.anonymous().get(p);
      expect(r.headers.get("x-frame-options"), p).toBe("DENY");
      expect(r.headers.get("content-security-policy"), p).toContain("frame-ancestors 'none'");
    }
  });

  it("shows a friendly not-found page", async () => {
    const admin = await app.loginAs("finance_admin");
    const res = await admin.get("/no/such/page");
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain("Page not found");
    expect(html).not.toMatch(/at .*\(.*:\d+:\d+\)/);
  });

  it("/healthz is public: 200 when the database answers, 503 when it does not", async () => {
    const tdb = await createTestDb();
    let down = false;
    const flaky: Db = {
      ...tdb.db,
      engine: tdb.db.engine,
      query: (text, params) => (down ? Promise.reject(new Error("connection refused")) : tdb.db.query(text, params)),
      exec: (t) => tdb.db.exec(t),
      transaction: (fn) => tdb.db.transaction(fn),
      copyRows: (a, b, c) => tdb.db.copyRows(a, b, c),
      close: () => tdb.db.close(),
    } as Db;
    const h = await startServer({ port: 0, db: flaky, dbConfig: { databaseUrl: tdb.databaseUrl }, env: { NODE_ENV: "test" }, log: false });
    try {
      const ok = await fetch(`${h.url}/healthz`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ status: "ok", db: "ok" });
      down = true;
      const bad = await fetch(`${h.url}/healthz`);
      expect(bad.status).toBe(503);
      expect(await bad.json()).toEqual({ status: "error", db: "error" });
      // a page with the database down: a friendly error, no stack trace
      down = false;
      await createUser(tdb.db, { email: "down@example.test", role: "viewer" });
      const signin = await fetch(`${h.url}/login`, {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({ email: "down@example.test", password: TEST_PASSWORD }),
      });
      expect(signin.status).toBe(302);
      const cookie = signin.headers.getSetCookie()[0]!.split(";")[0]!;
      down = true;
      const page = await fetch(`${h.url}/`, { headers: { cookie } });
      expect(page.status).toBe(500);
      const html = await page.text();
      expect(html).toContain("Something went wrong");
      expect(html).not.toContain("connection refused");
    } finally {
      await h.close();
      await tdb.cleanup();
    }
  });
});

describe("SESSION_SECRET", () => {
  it("is required in production with DATABASE_URL, generated and kept for the embedded database", async () => {
    const tdb = await createTestDb();
    try {
      await expect(
        startServer({
          port: 0,
          db: tdb.db,
          dbConfig: { databaseUrl: tdb.databaseUrl },
          env: { NODE_ENV: "production", DATABASE_URL: "postgres://x/y", SESSION_SECRET: "" },
          log: false,
        }),
      ).rejects.toThrow(/SESSION_SECRET is required/);
      const h = await startServer({
        port: 0,
        db: tdb.db,
        dbConfig: { databaseUrl: tdb.databaseUrl },
        env: { NODE_ENV: "production", DATABASE_URL: "", SESSION_SECRET: "" },
        log: false,
      });
      await h.close();
      const rows = await tdb.db.query<{ value: string }>(`select value from settings where key = 'session_secret'`);
      expect(rows[0]!.value.length).toBeGreaterThanOrEqual(32);
      await expect(
        startServer({ port: 0, db: tdb.db, dbConfig: { databaseUrl: tdb.databaseUrl }, env: { SESSION_SECRET: "too-short" }, log: false }),
      ).rejects.toThrow(/at least 32/);
    } finally {
      await tdb.cleanup();
    }
  });
});

describe("SHOWBACK_AUTH=header", () => {
  let sso: TestServer;
  beforeAll(async () => {
    sso = await startTestServer({
      env: { SHOWBACK_AUTH: "header", SHOWBACK_AUTH_HEADER: "X-Auth-Email" },
      seed: async (db) => {
        await createUser(db, { email: "boss@example.test", role: "finance_admin" });
        await createUser(db, { email: "reader@example.test", role: "viewer" });
        await createUser(db, { email: "left@example.test", role: "finance_admin", disabled: true });
      },
    });
  });
  afterAll(() => sso?.close());

  const as = (email: string | null, init: RequestInit = {}) => {
    const c = sso.anonymous();
    return (p: string, extra: RequestInit = {}) =>
      c.fetch(p, {
        ...init,
        ...extra,
        headers: { ...(email ? { "X-Auth-Email": email } : {}), ...(extra.headers as Record<string, string>) },
      });
  };

  it("maps the header to a user row and its role", async () => {
    const res = await as("Boss@Example.test")("/admin/users");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("boss@example.test");
    expect((await as("reader@example.test")("/")).status).toBe(200);
    expect((await as("reader@example.test")("/admin/users")).status).toBe(403);
  });

  it("refuses unknown, disabled and missing identities with a 403 page", async () => {
    for (const email of ["stranger@example.test", "left@example.test", null]) {
      const res = await as(email)("/");
      expect(res.status, String(email)).toBe(403);
      expect(await res.text()).toContain("not registered");
    }
  });

  it("still requires the CSRF token for mutations", async () => {
    const get = as("boss@example.test");
    const html = await (await get("/admin/users")).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    expect(token).toBeTruthy();
    const body = (t?: string) =>
      new URLSearchParams({ ...(t ? { _csrf: t } : {}), intent: "add", email: `n${Math.random()}@example.test`, role: "viewer" });
    expect((await get("/admin/users", { method: "POST", body: body() })).status).toBe(403);
    expect((await get("/admin/users", { method: "POST", body: body(token) })).status).toBe(200);
    expect((await get("/admin/users", { method: "POST", body: body(forge(token!)) })).status).toBe(403);
    // the token is bound to the identity: another user's header with this token fails
    expect((await as("reader@example.test")("/admin/users", { method: "POST", body: body(token) })).status).toBe(403);
  });

  it("ignores the password form", async () => {
    const res = await sso.anonymous().post("/login", { email: "boss@example.test", password: TEST_PASSWORD }, { csrf: false });
    expect(res.status).toBe(302);
    expect(res.headers.getSetCookie()).toHaveLength(0);
  });
});
