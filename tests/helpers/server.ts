/**
 * Starts the BUILT app (build/server, via scripts/serve.ts#startServer) in this
 * process on a free port, against a fresh test database (TEST_DB=pglite|pg).
 * Run `npm run build` first.
 *
 *   const app = await startTestServer({ seed: async (db) => { ... } });
 *   const admin = await app.loginAs("finance_admin");
 *   const res = await admin.get("/teams");
 *   const res2 = await admin.post("/crosswalk", { intent: "create", ... }); // cookie + _csrf added
 *   await app.close();
 *
 * The server runs in-process, so `app.db` is the very database it uses (on both
 * engines): seed it, or assert on it, directly.
 *
 * Or, for a whole test file (started in beforeAll, closed in afterAll):
 *
 *   const server = useTestServer({ seed, roles: ["finance_admin", "viewer"] });
 *   it("...", async () => { await server.admin.post(...); await server.app.db.query(...); });
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll } from "vitest";
import type { Db } from "../../db/client";
import { findUserByEmail, insertUser, type Role } from "../../db/queries/users";
import { hashPassword } from "../../app/services/password";
import { startServer, type ServerHandle } from "../../scripts/serve";
import { createTestDb, type TestDb } from "./db";

export const BUILD_DIR = path.resolve(process.env.SHOWBACK_BUILD_DIR || "build");
export const TEST_PASSWORD = "correct horse battery staple";
export const TEST_USERS: Record<Role, string> = {
  /** signed in by loginAs with an empty scope (sees no team): give it one with createUser({ scope }) */
  team_viewer: "team-viewer@example.test",
  viewer: "viewer@example.test",
  finance_admin: "admin@example.test",
};

export function assertBuilt(): void {
  if (!existsSync(path.join(BUILD_DIR, "server", "index.js"))) {
    throw new Error("No build found: run `npm run build` before the integration and browser tests.");
  }
}

/** Creates a user (argon2id hash) unless the email exists; returns its email. */
export async function createUser(
  db: Db,
  u: { email: string; role: Role; password?: string; disabled?: boolean; scope?: { teams: string[]; costCenters: string[] } },
) {
  if (!(await findUserByEmail(db, u.email))) {
    await insertUser(db, { email: u.email, role: u.role, passwordHash: await hashPassword(u.password ?? TEST_PASSWORD), scope: u.scope });
  }
  if (u.disabled) await db.query(`update users set disabled = true where email = $1`, [u.email.toLowerCase()]);
  return u.email.toLowerCase();
}

/**
 * fetch, sent again once when the server never handled the request: a pooled keep-alive
 * socket that the server closed meanwhile (ECONNRESET/EPIPE/socket closed, seen when a
 * long CPU-bound test step delays the client's own idle timer past the server's
 * keepAliveTimeout) or Node's 408 for such a socket. A body stream cannot be re-sent, so
 * only requests without one or with a re-readable body are retried.
 */
async function fetchOnce(url: URL, init: RequestInit): Promise<Response> {
  const retryable =
    init.body == null || typeof init.body === "string" || init.body instanceof URLSearchParams || init.body instanceof FormData;
  try {
    const res = await fetch(url, init);
    if (res.status !== 408 || !retryable) return res;
    await res.arrayBuffer().catch(() => undefined);
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code ?? "";
    if (!retryable || !["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"].includes(code)) throw e;
  }
  return fetch(url, init);
}

type FormInput = Record<string, string | Blob> | FormData | URLSearchParams;

export interface PostOptions {
  /** true (default): add the session's token as `_csrf`; false: none; a string: that token. */
  csrf?: boolean | string;
  /** Send multipart/form-data instead of urlencoded. */
  multipart?: boolean;
  headers?: Record<string, string>;
}

export interface TestClient {
  readonly email?: string;
  /** The session's CSRF token ("" when anonymous). */
  csrf: string;
  /** The Cookie header this client sends. */
  cookieHeader(): string;
  /** Raw request with this client's cookies; redirects are not followed. */
  fetch(pathOrUrl: string, init?: RequestInit): Promise<Response>;
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, form?: FormInput, opts?: PostOptions): Promise<Response>;
  /** Re-reads the CSRF token from a signed-in page (after the session changed). */
  refreshCsrf(): Promise<string>;
}

export interface TestServer {
  url: string;
  db: Db;
  testDb: TestDb;
  handle: ServerHandle;
  /** A signed-in client for the standard viewer or finance admin (created on first use). */
  loginAs(role: Role): Promise<TestClient>;
  /** Signs in through POST /login; throws when the sign-in fails. */
  login(email: string, password?: string): Promise<TestClient>;
  /** A client without a session. */
  anonymous(): TestClient;
  close(): Promise<void>;
}

export interface StartTestServerOptions {
  seed?: (db: Db) => Promise<void>;
  /** Environment overrides for the server (e.g. { SHOWBACK_AUTH: "header" }). */
  env?: Record<string, string | undefined>;
}

function extractCsrf(html: string): string {
  const m = /name="_csrf" value="([^"]*)"/.exec(html) ?? /value="([^"]*)" name="_csrf"/.exec(html);
  return m?.[1] ? m[1].replace(/&amp;/g, "&") : "";
}

/** A client for any server URL (tests that start their own server). */
export function makeClient(base: string, email?: string): TestClient {
  const jar = new Map<string, string>();
  const store = (res: Response) => {
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired =
        attrs.some((a) => /^\s*max-age=(0|-\d+)\s*$/i.test(a)) ||
        attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]!) < Date.now());
      if (expired || value === "") jar.delete(name);
      else jar.set(name, value);
    }
  };
  const client: TestClient = {
    email,
    csrf: "",
    cookieHeader: () => [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
    async fetch(p, init = {}) {
      const headers = new Headers(init.headers);
      const cookie = client.cookieHeader();
      if (cookie && !headers.has("cookie")) headers.set("cookie", cookie);
      const res = await fetchOnce(new URL(p, base), { redirect: "manual", ...init, headers });
      store(res);
      return res;
    },
    get(p, init) {
      return client.fetch(p, { ...init, method: "GET" });
    },
    post(p, form = {}, opts = {}) {
      const entries: Array<[string, string | Blob]> =
        form instanceof FormData || form instanceof URLSearchParams ? [...(form as FormData).entries()] : Object.entries(form);
      const token = opts.csrf === undefined || opts.csrf === true ? client.csrf : opts.csrf === false ? undefined : opts.csrf;
      if (token !== undefined && !entries.some(([k]) => k === "_csrf")) entries.unshift(["_csrf", token]);
      let body: FormData | URLSearchParams;
      if (opts.multipart || entries.some(([, v]) => typeof v !== "string")) {
        body = new FormData();
        for (const [k, v] of entries) body.append(k, v);
      } else {
        body = new URLSearchParams(entries as Array<[string, string]>);
      }
      return client.fetch(p, { method: "POST", body, headers: opts.headers });
    },
    async refreshCsrf() {
      const res = await client.get("/");
      client.csrf = extractCsrf(await res.text());
      return client.csrf;
    },
  };
  return client;
}

export async function startTestServer(opts: StartTestServerOptions = {}): Promise<TestServer> {
  assertBuilt();
  const testDb = await createTestDb();
  // its own SHOWBACK_DATA_DIR (upload temp files live there), unless the test sets one
  const dataDir = opts.env && "SHOWBACK_DATA_DIR" in opts.env ? undefined : await mkdtemp(path.join(os.tmpdir(), "showback-srv-"));
  const removeDataDir = () => (dataDir ? rm(dataDir, { recursive: true, force: true }) : Promise.resolve());
  try {
    if (opts.seed) await opts.seed(testDb.db);
    const handle = await startServer({
      port: 0,
      host: "127.0.0.1",
      db: testDb.db,
      dbConfig: { databaseUrl: testDb.databaseUrl },
      env: {
        NODE_ENV: "test",
        SESSION_SECRET: undefined,
        SHOWBACK_AUTH: "password",
        ...(dataDir ? { SHOWBACK_DATA_DIR: dataDir } : {}),
        ...opts.env,
      },
      buildDir: BUILD_DIR,
      log: false,
    });
    const base = handle.url;
    const login = async (email: string, password = TEST_PASSWORD) => {
      const c = makeClient(base, email.toLowerCase());
      const res = await c.post("/login", { email, password, redirectTo: "/" }, { csrf: false });
      if (res.status !== 302) throw new Error(`sign-in as ${email} failed: HTTP ${res.status}`);
      await c.refreshCsrf();
      if (!c.csrf) throw new Error(`signed in as ${email} but found no CSRF token on /`);
      return c;
    };
    return {
      url: base,
      db: testDb.db,
      testDb,
      handle,
      login,
      async loginAs(role) {
        const email = await createUser(testDb.db, { email: TEST_USERS[role], role });
        return login(email);
      },
      anonymous: () => makeClient(base),
      async close() {
        await handle.close();
        await testDb.cleanup();
        await removeDataDir();
      },
    };
  } catch (e) {
    await testDb.cleanup().catch(() => {});
    await removeDataDir().catch(() => {});
    throw e;
  }
}

export interface UseTestServerOptions extends StartTestServerOptions {
  /** The standard users signed in once the server is up (`admin`, `viewer`). */
  roles?: Role[];
}

export interface UsedTestServer {
  readonly app: TestServer;
  /** The finance admin's client (roles must include "finance_admin"). */
  readonly admin: TestClient;
  /** The viewer's client (roles must include "viewer"). */
  readonly viewer: TestClient;
}

/**
 * Starts a test server for the current file (or describe block) in beforeAll, signs in the
 * given roles, and closes it in afterAll. Read the fields inside hooks and tests only.
 */
export function useTestServer(opts: UseTestServerOptions = {}): UsedTestServer {
  const { roles = [], ...start } = opts;
  let app: TestServer | undefined;
  const clients = new Map<Role, TestClient>();
  beforeAll(async () => {
    app = await startTestServer(start);
    for (const role of roles) clients.set(role, await app.loginAs(role));
  });
  afterAll(async () => {
    await app?.close();
  });
  const client = (role: Role) => {
    const c = clients.get(role);
    if (!c) throw new Error(`useTestServer: no ${role} client (roles: ${JSON.stringify(roles)}), or read before beforeAll`);
    return c;
  };
  return {
    get app() {
      if (!app) throw new Error("useTestServer: the server is read before beforeAll started it");
      return app;
    },
    get admin() {
      return client("finance_admin");
    },
    get viewer() {
      return client("viewer");
    },
  };
}

// ---------------------------------------------------------------- the built route table

export interface BuiltRoute {
  id: string;
  /** Full URL path pattern, e.g. "/admin/users", "/teams/:team". */
  path: string;
  index: boolean;
  hasLoader: boolean;
  hasAction: boolean;
  /** Has a default export (a page); false for resource routes. */
  isPage: boolean;
}

interface RouteEntry {
  id: string;
  parentId?: string;
  path?: string;
  index?: boolean;
  module: Record<string, unknown>;
}

/** Reads the route table of build/server/index.js. */
export async function loadBuiltRoutes(): Promise<BuiltRoute[]> {
  assertBuilt();
  const build = (await import(pathToFileURL(path.join(BUILD_DIR, "server", "index.js")).href)) as {
    routes: Record<string, RouteEntry>;
  };
  const routes = build.routes;
  const fullPath = (id: string): string => {
    const parts: string[] = [];
    for (let r: RouteEntry | undefined = routes[id]; r; r = r.parentId ? routes[r.parentId] : undefined) {
      if (r.path) parts.unshift(r.path);
    }
    return "/" + parts.join("/").replace(/\/+/g, "/").replace(/^\//, "");
  };
  return Object.values(routes)
    .filter((r) => r.id !== "root")
    .map((r) => ({
      id: r.id,
      path: fullPath(r.id),
      index: Boolean(r.index),
      hasLoader: typeof r.module.loader === "function",
      hasAction: typeof r.module.action === "function",
      isPage: typeof r.module.default === "function",
    }));
}

/** A concrete URL for a route pattern (":param" → sample, "*" → "x"); index routes get ?index. */
export function sampleUrl(route: BuiltRoute, params: Record<string, string> = {}): string {
  const p = route.path
    .split("/")
    .map((seg) => (seg.startsWith(":") ? encodeURIComponent(params[seg.slice(1).replace(/\?$/, "")] ?? "sample") : seg === "*" ? "x" : seg))
    .join("/");
  return p || "/";
}
