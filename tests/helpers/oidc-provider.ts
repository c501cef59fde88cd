/**
 * A real OIDC provider for the tests (`oidc-provider`, in this process, http on 127.0.0.1), and
 * the app started against it (docs/auth.md "OIDC single sign-on").
 *
 *   const idp = await startTestIdp();                    // issuer known, provider not yet built
 *   const app = await startOidcApp(idp, { env: { SHOWBACK_OIDC_ROLE_MAP: "admins=finance_admin" } });
 *   idp.users.set("u1", { email: "ana@example.test", email_verified: true, groups: ["admins"] });
 *   idp.current = "u1";                                  // auto-login (null: the provider shows a form)
 *   const c = app.client();
 *   const callback = await ssoToCallback(c, idp);        // GET /auth/oidc … up to the redirect back
 *   const res = await c.get(callback);                   // the app's callback: 302 to the page, signed in
 *
 * One client (client_secret_basic), PKCE required, the `groups` scope and claim, the claims in
 * the ID token (or only from userinfo with `claimsInIdToken: false`), an authorization code
 * lifetime the test sets (`codeTtlSeconds`), and a tiny interaction: the login prompt signs
 * in `current` at once or shows a one-field form; consent is granted without asking.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import type { Db } from "../../db/client";
import { startServer, type ServerHandle } from "../../scripts/serve";
import { createTestDb, type TestDb } from "./db";
import { assertBuilt, BUILD_DIR, makeClient, type TestClient } from "./server";

export interface IdpUser {
  email?: string;
  email_verified?: boolean;
  groups?: string[];
  name?: string;
}

export interface TestIdp {
  /** http://127.0.0.1:PORT */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** the accounts of the provider, by subject (the test changes them between sign-ins) */
  readonly users: Map<string, IdpUser>;
  /** the subject signed in at the login prompt without a form; null: show the form */
  current: string | null;
  /** lifetime of the next authorization codes (default 60 s) */
  codeTtlSeconds: number;
  /** the provider itself, built by configure() */
  readonly provider: Provider;
  /** builds the provider for the app's callback (before the first sign-in) */
  configure(redirectUri: string): void;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function loginPage(res: http.ServerResponse, error?: string) {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(`<!doctype html><html><head><title>Test identity provider</title></head><body>
<h1>Test identity provider</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post"><label>Username <input name="login" autofocus></label> <button type="submit">Continue</button></form>
</body></html>`);
}

export async function startTestIdp(opts: { claimsInIdToken?: boolean } = {}): Promise<TestIdp> {
  const users = new Map<string, IdpUser>();
  let provider: Provider | undefined;
  const state = { current: null as string | null, codeTtlSeconds: 60 };
  const clientId = "showback-test";
  const clientSecret = randomBytes(24).toString("base64url");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };

  async function interaction(req: http.IncomingMessage, res: http.ServerResponse, p: Provider) {
    const details = await p.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      let sub = state.current;
      if (req.method === "POST") sub = (await readForm(req)).get("login")?.trim() || null;
      if (!sub) return loginPage(res);
      if (!users.has(sub)) return loginPage(res, `No such user: ${sub}`);
      await p.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
      return;
    }
    // consent: grant what was asked
    const accountId = details.session!.accountId;
    const grant = details.grantId
      ? (await p.Grant.find(details.grantId))!
      : new p.Grant({ accountId, clientId: String(details.params.client_id) });
    const d = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(" "));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    const grantId = await grant.save();
    await p.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const server = http.createServer((req, res) => {
    const p = provider;
    if (!p) {
      res.writeHead(503).end("not configured");
      return;
    }
    if (req.url?.startsWith("/interaction/")) {
      interaction(req, res, p).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`interaction failed: ${e instanceof Error ? e.message : String(e)}`);
      });
      return;
    }
    p.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

  const idp: TestIdp = {
    issuer,
    clientId,
    clientSecret,
    users,
    get current() {
      return state.current;
    },
    set current(v) {
      state.current = v;
    },
    get codeTtlSeconds() {
      return state.codeTtlSeconds;
    },
    set codeTtlSeconds(v) {
      state.codeTtlSeconds = v;
    },
    get provider() {
      if (!provider) throw new Error("startTestIdp: configure(redirectUri) first");
      return provider;
    },
    configure(redirectUri) {
      const config: Configuration = {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ["authorization_code"],
            response_types: ["code"],
            token_endpoint_auth_method: "client_secret_basic",
          },
        ],
        jwks: { keys: [jwk as never] },
        cookies: { keys: [randomBytes(16).toString("hex")] },
        findAccount: async (_ctx: KoaContextWithOIDC, sub: string) => {
          const u = users.get(sub);
          if (!u) return undefined;
          return { accountId: sub, claims: async () => ({ sub, ...users.get(sub) }) };
        },
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
        scopes: ["openid", "email", "profile", "groups"],
        conformIdTokenClaims: opts.claimsInIdToken === false,
        pkce: { required: () => true },
        features: { devInteractions: { enabled: false } },
        interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
        ttl: {
          AuthorizationCode: () => state.codeTtlSeconds,
          AccessToken: 600,
          IdToken: 600,
          Interaction: 600,
          Session: 3600,
          Grant: 3600,
        },
        renderError: async (ctx, out) => {
          ctx.type = "text/plain";
          ctx.body = `error: ${out.error}${out.error_description ? ` (${out.error_description})` : ""}`;
        },
      };
      provider = new Provider(issuer, config);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return idp;
}

// ---------------------------------------------------------------- the app against it

export interface OidcApp {
  url: string;
  db: Db;
  testDb: TestDb;
  handle: ServerHandle;
  /** a client without a session */
  client(): TestClient;
  close(): Promise<void>;
}

/**
 * Starts the BUILT app (like tests/helpers/server.ts) on a port chosen first, so that the
 * provider's registered redirect URI and SHOWBACK_OIDC_REDIRECT_URL can name it.
 */
export async function startOidcApp(
  idp: TestIdp,
  opts: { env?: Record<string, string | undefined>; seed?: (db: Db) => Promise<void> } = {},
): Promise<OidcApp> {
  assertBuilt();
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/auth/oidc/callback`;
  idp.configure(redirectUri);
  const testDb = await createTestDb();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "showback-oidc-"));
  try {
    if (opts.seed) await opts.seed(testDb.db);
    const handle = await startServer({
      port,
      host: "127.0.0.1",
      db: testDb.db,
      dbConfig: { databaseUrl: testDb.databaseUrl },
      env: {
        NODE_ENV: "test",
        SESSION_SECRET: undefined,
        SHOWBACK_AUTH: "password",
        SHOWBACK_DATA_DIR: dataDir,
        SHOWBACK_OIDC_ISSUER: idp.issuer,
        SHOWBACK_OIDC_CLIENT_ID: idp.clientId,
        SHOWBACK_OIDC_CLIENT_SECRET: idp.clientSecret,
        SHOWBACK_OIDC_REDIRECT_URL: redirectUri,
        SHOWBACK_OIDC_SCOPES: "openid email profile groups",
        ...opts.env,
      },
      buildDir: BUILD_DIR,
      log: false,
    });
    return {
      url: handle.url,
      db: testDb.db,
      testDb,
      handle,
      client: () => makeClient(handle.url),
      async close() {
        await handle.close();
        await testDb.cleanup();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await testDb.cleanup().catch(() => {});
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
}

/**
 * Starts a sign-in on the app (GET /auth/oidc, the login page's button) and goes
 * through the provider with a fresh provider-side cookie jar, up to the redirect back to the
 * app. Returns the callback's path and query, not yet requested.
 */
export async function ssoToCallback(app: TestClient, idp: TestIdp, redirectTo = "/"): Promise<string> {
  const start = await app.get(`/auth/oidc?redirectTo=${encodeURIComponent(redirectTo)}`);
  if (start.status !== 302) throw new Error(`GET /auth/oidc: HTTP ${start.status} ${await start.text()}`);
  let location = start.headers.get("location") ?? "";
  const browser = makeClient(idp.issuer);
  for (let hops = 0; hops < 10; hops++) {
    const url = new URL(location, idp.issuer);
    if (url.origin !== new URL(idp.issuer).origin) return url.pathname + url.search;
    const res = await browser.get(url.href);
    if (res.status < 300 || res.status >= 400) throw new Error(`provider ${url.pathname}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    location = res.headers.get("location") ?? "";
  }
  throw new Error("too many redirects at the provider");
}
