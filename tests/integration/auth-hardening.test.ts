/**
 * Access and abuse hardening (docs/security.md): server-side sessions that the
 * session secret alone cannot mint, password-less accounts, the sign-in throttle by
 * (client, email), the hashing cap, session lifetimes and revocation, rate-limited
 * failure audit, the append-only audit log, the proxy secret of header mode and
 * placeholder secrets. Needs `npm run build`. TEST_DB=pglite (default) or pg.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import { createCookieSessionStorage } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertUser } from "../../db/queries/users";
import { hashGate } from "../../app/services/password";
import { startServer } from "../../scripts/serve";
import { createCliEnv } from "../helpers/cli";
import { createTestDb } from "../helpers/db";
import { createUser, startTestServer, TEST_PASSWORD, type TestServer } from "../helpers/server";

const TOO_MANY = /Too many attempts, try again in (\d+) s\./;

/** POST /login over a raw socket, optionally from another loopback source address. */
function rawLogin(
  base: string,
  form: Record<string, string>,
  opts: { localAddress?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; setCookie: string[]; retryAfter?: string }> {
  const body = new URLSearchParams(form).toString();
  const u = new URL("/login", base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: "POST",
        localAddress: opts.localAddress,
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body), ...opts.headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            setCookie: (res.headers["set-cookie"] as string[] | undefined) ?? [],
            retryAfter: res.headers["retry-after"] as string | undefined,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const waitOf = (body: string) => Number(TOO_MANY.exec(body)?.[1] ?? NaN);

describe("sign-in throttle behind a trusted proxy (SHOWBACK_TRUST_PROXY=1)", () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer({ env: { SHOWBACK_TRUST_PROXY: "1" } });
    await createUser(app.db, { email: "target@example.test", role: "finance_admin", password: "target-password-1" });
  });
  afterAll(() => app?.close());

  const from = (ip: string, email: string, password: string) =>
    rawLogin(app.url, { email, password }, { headers: { "X-Forwarded-For": `10.9.9.9, ${ip}` } });

  it("delays grow per (client, email) — 1 s, 2 s, 4 s … capped at 15 min — and never lock out another client", async () => {
    const attacker = "203.0.113.5";
    for (let i = 0; i < 3; i++) expect((await from(attacker, "target@example.test", `guess-${i}-password`)).status).toBe(401);
    const held = await from(attacker, "target@example.test", "target-password-1"); // even the right password waits
    expect(held.status).toBe(429);
    expect(waitOf(held.body)).toBe(1);
    expect(held.retryAfter).toBe("1");
    expect(held.setCookie.filter((c) => c.startsWith("showback_session="))).toHaveLength(0);

    // the real user, from elsewhere, is not affected
    const real = await from("198.51.100.7", "target@example.test", "target-password-1");
    expect(real.status).toBe(302);

    const age = (s: number) =>
      app.db.query(`update login_attempts set at = at - make_interval(secs => $1::int) where client = $2`, [s, attacker]);
    await age(2);
    expect((await from(attacker, "target@example.test", "guess-3-password")).status).toBe(401);
    expect(waitOf((await from(attacker, "target@example.test", "guess-4-password")).body)).toBe(2);
    await age(3);
    expect((await from(attacker, "target@example.test", "guess-5-password")).status).toBe(401);
    expect(waitOf((await from(attacker, "target@example.test", "guess-6-password")).body)).toBe(4);

    // many failures: capped at 15 minutes
    await app.db.query(
      `insert into login_attempts (email, client, success) select 'target@example.test', $1, false from generate_series(1, 30)`,
      [attacker],
    );
    expect(waitOf((await from(attacker, "target@example.test", "guess-7-password")).body)).toBe(900);
    expect((await from("198.51.100.7", "target@example.test", "target-password-1")).status).toBe(302);
  });

  it("slows one client spraying many emails (30 failures in 15 minutes), and only that client", async () => {
    const sprayer = "203.0.113.77";
    await createUser(app.db, { email: "sprayed@example.test", role: "viewer", password: "sprayed-password-1" });
    for (let i = 0; i < 3; i++) expect((await from(sprayer, `victim-${i}@example.test`, "Winter2026!")).status).toBe(401);
    await app.db.query(
      `insert into login_attempts (email, client, success) select 'victim-' || g || '@example.test', $1, false from generate_series(3, 29) g`,
      [sprayer],
    );
    // a fresh email from the same client now waits, even with the right password
    const held = await from(sprayer, "sprayed@example.test", "sprayed-password-1");
    expect(held.status).toBe(429);
    expect(waitOf(held.body)).toBe(1);
    // another client signs in to that account at once
    expect((await from("198.51.100.99", "sprayed@example.test", "sprayed-password-1")).status).toBe(302);
    // failures older than 15 minutes no longer count
    await app.db.query(`update login_attempts set at = at - interval '16 minutes' where client = $1`, [sprayer]);
    expect((await from(sprayer, "sprayed@example.test", "sprayed-password-1")).status).toBe(302);
  });

  it("records every parallel guess: 8 concurrent wrong passwords get 3 checks and 5 refusals", async () => {
    await createUser(app.db, { email: "parallel@example.test", role: "viewer", password: "parallel-password-1" });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => from("192.0.2.44", "parallel@example.test", `parallel-guess-${i}`)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
    const rows = await app.db.query<{ throttled: boolean; n: number }>(
      `select throttled, count(*)::int as n from login_attempts where email = 'parallel@example.test' group by throttled order by throttled`,
    );
    expect(rows).toEqual([
      { throttled: false, n: 3 },
      { throttled: true, n: 5 },
    ]);
  });

  it("audits failures as anonymous with the typed email as data, at most once a minute per (client, email), with a count", async () => {
    const ip = "192.0.2.77";
    const typed = "Flood@Example.test";
    for (let i = 0; i < 8; i++) await from(ip, typed, `flood-guess-${i}`);
    const entries = () =>
      app.db.query<{ actor: string; entity_id: string | null; after: { email: string; reason: string; client: string; count: number } }>(
        `select actor, entity_id, after from audit_log where action = 'sign_in_failed' and after->>'client' = $1 order by id`,
        [ip],
      );
    let rows = await entries();
    expect(rows).toEqual([
      { actor: "anonymous", entity_id: null, after: { email: "flood@example.test", reason: "invalid", client: ip, count: 1 } },
    ]);
    // a minute later, the next failure writes one entry counting the 7 skipped and itself
    await app.db.query(`update login_attempts set at = at - interval '61 seconds' where client = $1`, [ip]);
    await from(ip, typed, "flood-guess-8");
    rows = await entries();
    expect(rows).toHaveLength(2);
    expect(rows[1]!.after.count).toBe(8);
    expect(await app.db.query(`select 1 from audit_log where actor = 'flood@example.test'`)).toHaveLength(0);
  });

  it("a password reset clears the throttle of that email", async () => {
    await createUser(app.db, { email: "reset-me@example.test", role: "viewer", password: "reset-password-1" });
    for (let i = 0; i < 4; i++) await from("192.0.2.9", "reset-me@example.test", `nope-${i}-password`);
    expect((await from("192.0.2.9", "reset-me@example.test", "reset-password-1")).status).toBe(429);
    const admin = await app.loginAs("finance_admin");
    expect(
      (await admin.post("/admin/users", { intent: "reset-password", email: "reset-me@example.test", password: "reset-password-2" })).status,
    ).toBe(200);
    expect((await from("192.0.2.9", "reset-me@example.test", "reset-password-2")).status).toBe(302);
  });
});

describe("client address without a trusted proxy", () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer();
    await createUser(app.db, { email: "local@example.test", role: "viewer", password: "local-password-1" });
  });
  afterAll(() => app?.close());

  it("is the socket's address: X-Forwarded-For and a spoofed internal header do not escape the throttle", async () => {
    for (let i = 0; i < 3; i++) {
      const r = await rawLogin(
        app.url,
        { email: "local@example.test", password: `bad-${i}-password` },
        { headers: { "X-Forwarded-For": `198.51.100.${i}`, "x-showback-client-ip": `198.51.100.${i}` } },
      );
      expect(r.status).toBe(401);
    }
    const spoof = await rawLogin(
      app.url,
      { email: "local@example.test", password: "local-password-1" },
      { headers: { "X-Forwarded-For": "198.51.100.99", "x-showback-client-ip": "198.51.100.99" } },
    );
    expect(spoof.status).toBe(429);
    const clients = await app.db.query<{ client: string }>(`select distinct client from login_attempts where email = 'local@example.test'`);
    expect(clients).toEqual([{ client: "127.0.0.1" }]);
    // another machine (here: another loopback source address) signs in at once
    const other = await rawLogin(app.url, { email: "local@example.test", password: "local-password-1" }, { localAddress: "127.0.0.2" });
    expect(other.status).toBe(302);
  });

  it("npm run users -- unlock clears the throttle for an email, audited", async () => {
    const cli = await createCliEnv();
    try {
      await cli.withDb(async (db) => {
        await db.query(
          `insert into login_attempts (email, client, success) select 'stuck@example.test', '192.0.2.1', false from generate_series(1, 6)`,
        );
        await db.query(`insert into login_attempts (email, client, success) values ('other@example.test', '192.0.2.1', false)`);
      });
      const r = await cli.run("users", "unlock", "--email", "Stuck@Example.test");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("6 recorded attempts removed");
      expect((await cli.run("users", "unlock")).code).toBe(2);
      await cli.withDb(async (db) => {
        expect(await db.query(`select email from login_attempts order by email`)).toEqual([{ email: "other@example.test" }]);
        const audit = await db.query<{ actor: string; action: string; entity_id: string; after: unknown }>(
          `select actor, action, entity_id, after from audit_log where action = 'unlock'`,
        );
        expect(audit).toHaveLength(1);
        expect(audit[0]).toMatchObject({ action: "unlock", entity_id: "stuck@example.test", after: { throttle_cleared: 6 } });
        expect(audit[0]!.actor).toMatch(/^cli:/);
      });
    } finally {
      await cli.cleanup();
    }
  });
});

describe("the password-hashing cap", () => {
  it("checks at most SHOWBACK_HASH_CONCURRENCY passwords at once and answers 503 when the queue is full", async () => {
    const app = await startTestServer({ env: { SHOWBACK_HASH_CONCURRENCY: "1", SHOWBACK_HASH_QUEUE: "0" } });
    try {
      await createUser(app.db, { email: "busy@example.test", role: "viewer", password: "busy-password-1" });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => rawLogin(app.url, { email: `busy${i}@example.test`, password: "whatever-password" })),
      );
      const statuses = results.map((r) => r.status);
      expect(
        statuses.every((s) => s === 401 || s === 503),
        statuses.join(),
      ).toBe(true);
      expect(statuses).toContain(503);
      const busy = results.find((r) => r.status === 503)!;
      expect(busy.body).toContain("The server is busy");
      expect(busy.retryAfter).toBe("2");
      expect(hashGate(1, 0).peak).toBe(1);
      // once the burst is over, sign-in works
      expect((await rawLogin(app.url, { email: "busy@example.test", password: "busy-password-1" })).status).toBe(302);
    } finally {
      await app.close();
    }
  });
});

describe("server-side sessions", () => {
  let app: TestServer;
  let secret: string;
  beforeAll(async () => {
    app = await startTestServer();
    await app.loginAs("viewer"); // creates the session secret row
    secret = (await app.db.query<{ value: string }>(`select value from settings where key = 'session_secret'`))[0]!.value;
  });
  afterAll(() => app?.close());

  /** A cookie signed with the real secret, as someone who knows SESSION_SECRET could make. */
  async function mint(data: Record<string, unknown>): Promise<string> {
    const storage = createCookieSessionStorage({
      cookie: { name: "showback_session", secrets: [secret], path: "/", httpOnly: true, sameSite: "lax" },
    });
    const s = await storage.getSession();
    for (const [k, v] of Object.entries(data)) s.set(k, v);
    return (await storage.commitSession(s)).split(";")[0]!;
  }

  it("cannot be minted from the session secret alone (old-style or new-style cookie)", async () => {
    const [row] = await insertUser(app.db, { email: "nopass-admin@example.test", role: "finance_admin", passwordHash: null }).then((u) => [
      u!,
    ]);
    // the old scheme: uid + MAC of (id, empty password hash)
    const sv = createHmac("sha256", secret).update(`sv:${row.id}:`).digest("base64url").slice(0, 22);
    const old = await mint({ uid: row.id, sv, csrf: "x", seen: Date.now() });
    expect((await app.anonymous().fetch("/admin/users", { headers: { cookie: old } })).status).toBe(302);
    // a well-signed cookie with a made-up session id
    const made = await mint({ sid: randomBytes(32).toString("base64url"), seen: Date.now() });
    expect((await app.anonymous().fetch("/", { headers: { cookie: made } })).status).toBe(302);
  });

  it("stores only the SHA-256 of the random id carried by the cookie", async () => {
    const before = await app.db.query<{ id_hash: string }>(`select id_hash from sessions`);
    const viewer = await app.loginAs("viewer");
    const decoded = decodeURIComponent(viewer.cookieHeader().split("=")[1]!);
    const { sid } = JSON.parse(Buffer.from(decoded.slice(0, decoded.lastIndexOf(".")), "base64").toString("utf8")) as { sid: string };
    expect(Buffer.from(sid, "base64url")).toHaveLength(32);
    const after = await app.db.query<{ id_hash: string; user_id: number; ip: string; expires_at: Date; created_at: Date }>(
      `select id_hash, user_id, ip, expires_at, created_at from sessions where id_hash <> all($1::text[])`,
      [before.map((r) => r.id_hash)],
    );
    expect(after).toHaveLength(1);
    expect(after[0]!.id_hash).toBe(createHash("sha256").update(sid).digest("base64url"));
    expect(JSON.stringify(await app.db.query(`select * from sessions`))).not.toContain(sid);
    expect(after[0]!.ip).toBe("127.0.0.1");
    const days = (new Date(after[0]!.expires_at).getTime() - new Date(after[0]!.created_at).getTime()) / 86_400_000;
    expect(days).toBeCloseTo(7, 3);
  });

  it("sign-out revokes the session on the server: replaying the old cookie does not work", async () => {
    const viewer = await app.loginAs("viewer");
    const cookie = viewer.cookieHeader();
    expect((await viewer.post("/logout", {})).status).toBe(302);
    const replay = await app.anonymous().fetch("/", { headers: { cookie } });
    expect(replay.status).toBe(302);
    expect(replay.headers.get("location")).toMatch(/^\/login/);
    const [n] = await app.db.query<{ n: number }>(`select count(*)::int as n from sessions where revoked_at is not null`);
    expect(n!.n).toBeGreaterThanOrEqual(1);
  });

  it("ends at the absolute lifetime whatever the activity, and after the idle timeout", async () => {
    const a = await app.loginAs("viewer");
    expect((await a.get("/")).status).toBe(200);
    await app.db.query(
      `update sessions set created_at = now() - interval '7 days 1 minute', last_seen_at = now() where revoked_at is null`,
    );
    expect((await a.get("/")).status).toBe(302);
    const b = await app.loginAs("viewer");
    expect((await b.get("/")).status).toBe(200);
    await app.db.query(
      `update sessions set last_seen_at = now() - interval '8 hours 1 minute' where revoked_at is null and created_at > now() - interval '1 hour'`,
    );
    expect((await b.get("/")).status).toBe(302);
  });

  it("SHOWBACK_SESSION_MAX_DAYS shortens the absolute lifetime", async () => {
    const short = await startTestServer({ env: { SHOWBACK_SESSION_MAX_DAYS: "1" } });
    try {
      const v = await short.loginAs("viewer");
      await short.db.query(`update sessions set created_at = now() - interval '25 hours', last_seen_at = now()`);
      expect((await v.get("/")).status).toBe(302);
    } finally {
      await short.close();
    }
  });

  it("a password reset and disabling revoke every session of that user", async () => {
    await createUser(app.db, { email: "many@example.test", role: "viewer" });
    const s1 = await app.login("many@example.test");
    const s2 = await app.login("many@example.test");
    const admin = await app.loginAs("finance_admin");
    const live = () =>
      app.db.query<{ n: number }>(
        `select count(*)::int as n from sessions s join users u on u.id = s.user_id where u.email = 'many@example.test' and s.revoked_at is null`,
      );
    expect((await live())[0]!.n).toBe(2);
    expect(
      (await admin.post("/admin/users", { intent: "reset-password", email: "many@example.test", password: "many-password-2" })).status,
    ).toBe(200);
    expect((await live())[0]!.n).toBe(0);
    expect((await s1.get("/")).status).toBe(302);
    const s3 = await app.login("many@example.test", "many-password-2");
    expect((await admin.post("/admin/users", { intent: "disable", email: "many@example.test" })).status).toBe(200);
    expect((await live())[0]!.n).toBe(0);
    // enabling again does not bring old sessions back
    expect((await admin.post("/admin/users", { intent: "enable", email: "many@example.test" })).status).toBe(200);
    expect((await s3.get("/")).status).toBe(302);
    expect((await s2.get("/")).status).toBe(302);
  });
});

describe("password-less accounts in password mode", () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(() => app?.close());

  it("the admin form refuses an empty password on the server", async () => {
    const admin = await app.loginAs("finance_admin");
    for (const password of [undefined, ""]) {
      const form: Record<string, string> = { intent: "add", email: "empty@example.test", role: "finance_admin" };
      if (password !== undefined) form.password = password;
      const res = await admin.post("/admin/users", form);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("password is required");
    }
    expect(await app.db.query(`select 1 from users where email = 'empty@example.test'`)).toHaveLength(0);
  });

  it("cannot sign in, whatever is typed", async () => {
    await insertUser(app.db, { email: "hashless@example.test", role: "finance_admin", passwordHash: null });
    for (const password of ["x", TEST_PASSWORD, "anything-at-all"]) {
      expect((await rawLogin(app.url, { email: "hashless@example.test", password })).status).toBe(401);
    }
  });
});

describe("the audit log is append-only (database trigger)", () => {
  it("refuses UPDATE, DELETE and TRUNCATE on audit_log", async () => {
    const t = await createTestDb();
    try {
      await t.db.query(`insert into audit_log (actor, action, entity) values ('a', 'create', 'team')`);
      await expect(t.db.query(`update audit_log set actor = 'someone else'`)).rejects.toThrow(/append-only/);
      await expect(t.db.query(`delete from audit_log`)).rejects.toThrow(/append-only/);
      await expect(t.db.query(`truncate audit_log`)).rejects.toThrow(/append-only/);
      expect(await t.db.query(`select actor from audit_log`)).toEqual([{ actor: "a" }]);
    } finally {
      await t.cleanup();
    }
  });
});

describe("SHOWBACK_AUTH=header with a proxy secret", () => {
  const proxySecret = randomBytes(36).toString("base64url");
  let sso: TestServer;
  beforeAll(async () => {
    sso = await startTestServer({
      env: { SHOWBACK_AUTH: "header", SHOWBACK_AUTH_HEADER: "X-Auth-Email", SHOWBACK_AUTH_PROXY_SECRET: proxySecret },
      seed: async (db) => {
        await createUser(db, { email: "boss@example.test", role: "finance_admin" });
      },
    });
  });
  afterAll(() => sso?.close());

  it("trusts the identity header only with the right X-Showback-Proxy-Secret", async () => {
    const get = (headers: Record<string, string>) => sso.anonymous().get("/admin/users", { headers });
    expect((await get({ "X-Auth-Email": "boss@example.test" })).status).toBe(403);
    expect((await get({ "X-Auth-Email": "boss@example.test", "X-Showback-Proxy-Secret": proxySecret.slice(1) })).status).toBe(403);
    expect((await get({ "X-Auth-Email": "boss@example.test", "X-Showback-Proxy-Secret": `${proxySecret}x` })).status).toBe(403);
    const ok = await get({ "X-Auth-Email": "boss@example.test", "X-Showback-Proxy-Secret": proxySecret });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("boss@example.test");
  });

  it("refuses to start on a non-loopback HOST without the secret", async () => {
    const t = await createTestDb();
    try {
      const start = (env: Record<string, string>) =>
        startServer({
          port: 0,
          host: "127.0.0.1",
          db: t.db,
          dbConfig: { databaseUrl: t.databaseUrl },
          env: { NODE_ENV: "test", ...env },
          log: false,
        });
      await expect(start({ SHOWBACK_AUTH: "header", HOST: "0.0.0.0", SHOWBACK_AUTH_PROXY_SECRET: "" })).rejects.toThrow(
        /SHOWBACK_AUTH=header with HOST=0\.0\.0\.0 .*needs SHOWBACK_AUTH_PROXY_SECRET/,
      );
      await expect(start({ SHOWBACK_AUTH: "header", HOST: "10.1.2.3", SHOWBACK_AUTH_PROXY_SECRET: "" })).rejects.toThrow(
        /SHOWBACK_AUTH_PROXY_SECRET/,
      );
      // loopback HOST, or a secret: starts (bound to 127.0.0.1 here either way)
      const h1 = await start({ SHOWBACK_AUTH: "header", HOST: "127.0.0.1", SHOWBACK_AUTH_PROXY_SECRET: "" });
      await h1.close();
      const h2 = await start({ SHOWBACK_AUTH: "header", HOST: "0.0.0.0", SHOWBACK_AUTH_PROXY_SECRET: proxySecret });
      await h2.close();
    } finally {
      await t.cleanup();
    }
  });
});

describe("placeholder secrets", () => {
  it("are refused at start with a clear message", async () => {
    const t = await createTestDb();
    try {
      for (const value of [
        "change-me-to-a-long-random-string",
        "changeme-changeme-changeme-changeme",
        "CHANGE_ME_0123456789_abcdefghijklmnop",
        "secret-secret-secret-secret-secret-secret",
        "your-secret-key-goes-here-make-it-long",
        "a".repeat(48),
        "ab".repeat(20),
      ]) {
        await expect(
          startServer({
            port: 0,
            db: t.db,
            dbConfig: { databaseUrl: t.databaseUrl },
            env: { NODE_ENV: "test", SESSION_SECRET: value },
            log: false,
          }),
          value,
        ).rejects.toThrow(/SESSION_SECRET .*(placeholder|repeated)[^]*openssl rand/);
      }
      const h = await startServer({
        port: 0,
        db: t.db,
        dbConfig: { databaseUrl: t.databaseUrl },
        env: { NODE_ENV: "test", SESSION_SECRET: randomBytes(36).toString("base64url") },
        log: false,
      });
      await h.close();
    } finally {
      await t.cleanup();
    }
  });
});
