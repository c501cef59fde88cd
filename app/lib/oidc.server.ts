/**
 * OIDC single sign-on, the web side (docs/auth.md "OIDC single sign-on"): discovery, the
 * authorization request (code flow, PKCE S256, state, nonce) and the callback that checks
 * them, with openid-client. What the claims give (role, scope, account) is decided by
 * app/services/oidc.ts.
 *
 * The verifier, state, nonce and the page to return to travel in `showback_oidc`, a signed
 * (SESSION_SECRET), httpOnly, SameSite=Lax cookie limited to /auth/oidc that lives 10 minutes
 * and is cleared by the callback whatever its outcome: a callback without it, or whose state
 * differs, is refused before the code is ever sent to the identity provider.
 */
import { createHash } from "node:crypto";
import { createCookie, type Cookie } from "@remix-run/node";
import * as oidc from "openid-client";
import { readClaim, type OidcMapping } from "../domain/oidc-mapping";
import type { ServerContext } from "./context.server";
import { getServerContext } from "./db.server";
import { OIDC_CALLBACK_PATH, oidcEnabled, type Env } from "./env.server";
import { isSecureRequest } from "./session.server";

export { OIDC_CALLBACK_PATH, oidcEnabled };

export const OIDC_START_PATH = "/auth/oidc";
export const OIDC_COOKIE = "showback_oidc";
/** How long a started sign-in may take at the identity provider. */
export const OIDC_TRANSACTION_SECONDS = 600;
/** Discovery is repeated this often (and at once after a failure). */
const DISCOVERY_TTL_MS = 60 * 60_000;

// ---------------------------------------------------------------- discovery

interface CachedConfig {
  at: number;
  config: Promise<oidc.Configuration>;
}

const configs = new Map<string, CachedConfig>();

const configKey = (env: Env) =>
  [
    env.SHOWBACK_OIDC_ISSUER,
    env.SHOWBACK_OIDC_CLIENT_ID,
    createHash("sha256")
      .update(env.SHOWBACK_OIDC_CLIENT_SECRET ?? "")
      .digest("hex"),
  ].join("\n");

/** client_secret_basic (the default of the specification) unless the provider only lists client_secret_post. */
function clientSecretAuth(secret: string): oidc.ClientAuth {
  const basic = oidc.ClientSecretBasic(secret);
  const post = oidc.ClientSecretPost(secret);
  return (as, client, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    const useBasic = !Array.isArray(methods) || methods.includes("client_secret_basic") || !methods.includes("client_secret_post");
    return (useBasic ? basic : post)(as, client, body, headers);
  };
}

/** The issuer's configuration, discovered once per process (again after an hour or a failure). */
export function oidcConfiguration(env: Env): Promise<oidc.Configuration> {
  const issuer = env.SHOWBACK_OIDC_ISSUER;
  if (!issuer || !env.SHOWBACK_OIDC_CLIENT_ID || !env.SHOWBACK_OIDC_CLIENT_SECRET) {
    throw new Error("OIDC single sign-on is not configured (SHOWBACK_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET)");
  }
  const key = configKey(env);
  const hit = configs.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
  const url = new URL(issuer);
  // env.server.ts allows http only for a loopback issuer (tests, local development)
  const insecure = url.protocol === "http:";
  const config = oidc
    .discovery(url, env.SHOWBACK_OIDC_CLIENT_ID, undefined, clientSecretAuth(env.SHOWBACK_OIDC_CLIENT_SECRET), {
      execute: insecure ? [oidc.allowInsecureRequests] : [],
      timeout: 10,
    })
    .then((c) => {
      c.timeout = 10;
      return c;
    });
  const entry = { at: Date.now(), config };
  configs.set(key, entry);
  config.catch(() => {
    if (configs.get(key) === entry) configs.delete(key);
  });
  return config;
}

/** Forgets the discovered configuration (the next sign-in discovers again). */
export function forgetOidcConfiguration(env: Env): void {
  configs.delete(configKey(env));
}

/** The mapping of the claims to a role and a scope, as configured. */
export const oidcMapping = (env: Env): OidcMapping => ({
  emailClaim: env.SHOWBACK_OIDC_EMAIL_CLAIM,
  groupsClaim: env.SHOWBACK_OIDC_GROUPS_CLAIM,
  roles: env.SHOWBACK_OIDC_ROLE_MAP,
  teams: env.SHOWBACK_OIDC_TEAM_MAP,
});

// ---------------------------------------------------------------- the transaction cookie

interface Transaction {
  /** PKCE code verifier */
  v: string;
  /** state */
  s: string;
  /** nonce */
  n: string;
  /** where to go after sign-in (a same-site path) */
  r: string;
  /** when the sign-in started (epoch ms) */
  t: number;
}

const cookies = new Map<string, Cookie>();

function transactionCookie(ctx: ServerContext, secure: boolean): Cookie {
  const key = `${secure ? 1 : 0}|${ctx.sessionSecret}`;
  let c = cookies.get(key);
  if (!c) {
    c = createCookie(OIDC_COOKIE, {
      httpOnly: true,
      sameSite: "lax",
      secure,
      path: OIDC_START_PATH,
      maxAge: OIDC_TRANSACTION_SECONDS,
      secrets: [ctx.sessionSecret],
    });
    cookies.set(key, c);
  }
  return c;
}

function isTransaction(v: unknown): v is Transaction {
  if (typeof v !== "object" || v === null) return false;
  const t = v as Record<string, unknown>;
  return (
    typeof t.v === "string" && typeof t.s === "string" && typeof t.n === "string" && typeof t.r === "string" && typeof t.t === "number"
  );
}

/** The Set-Cookie that clears the transaction cookie. */
export async function clearTransactionCookie(request: Request): Promise<string> {
  const ctx = await getServerContext();
  return transactionCookie(ctx, isSecureRequest(request, ctx.env)).serialize("", { maxAge: 0 });
}

// ---------------------------------------------------------------- start

/** The identity provider's authorization URL for a new sign-in, and the cookie that remembers it. */
export async function startOidcSignIn(request: Request, redirectTo: string): Promise<{ url: string; setCookie: string }> {
  const ctx = await getServerContext();
  const env = ctx.env;
  const config = await oidcConfiguration(env);
  const verifier = oidc.randomPKCECodeVerifier();
  const tx: Transaction = { v: verifier, s: oidc.randomState(), n: oidc.randomNonce(), r: redirectTo, t: Date.now() };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: env.SHOWBACK_OIDC_REDIRECT_URL!,
    scope: env.SHOWBACK_OIDC_SCOPES,
    response_type: "code",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: tx.s,
    nonce: tx.n,
  });
  const setCookie = await transactionCookie(ctx, isSecureRequest(request, env)).serialize(tx);
  return { url: url.href, setCookie };
}

// ---------------------------------------------------------------- callback

/** Why a callback was refused before any account was looked at (the login page explains each). */
export type CallbackFailure =
  /** no (or an expired) transaction cookie: the sign-in took over 10 minutes, or was not started here */
  | "no_transaction"
  /** the state differs from the cookie's: another tab's sign-in, or a forged callback */
  | "state_mismatch"
  /** the identity provider answered with an error (e.g. access_denied) */
  | "provider_error"
  /** the code was refused by the token endpoint: expired or already used */
  | "code_rejected"
  /** the ID token failed a check (nonce, signature, audience, …) or has no subject */
  | "invalid_token"
  /** the identity provider could not be reached */
  | "provider_unavailable";

export type CallbackResult =
  | { ok: true; issuer: string; claims: Record<string, unknown>; redirectTo: string }
  | { ok: false; reason: CallbackFailure; detail?: string };

/** The callback URL as the identity provider redirected to it: the configured address plus this request's query. */
function callbackUrl(request: Request, env: Env): URL {
  const u = new URL(env.SHOWBACK_OIDC_REDIRECT_URL!);
  u.search = new URL(request.url).search;
  return u;
}

/** A short, log-safe description of an openid-client error (no token or code). */
function describe(e: unknown): string {
  if (e instanceof oidc.ResponseBodyError) return `${e.error}${e.error_description ? `: ${e.error_description}` : ""}`.slice(0, 200);
  if (e instanceof oidc.AuthorizationResponseError) return e.error.slice(0, 200);
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 200);
  return "unknown error";
}

/**
 * Checks the callback: the transaction cookie (age and state), the authorization response,
 * then exchanges the code (PKCE verifier) and validates the ID token (nonce). The claims are
 * the ID token's, completed from the userinfo endpoint when the email or groups claim is
 * missing there.
 */
export async function finishOidcSignIn(request: Request): Promise<CallbackResult> {
  const ctx = await getServerContext();
  const env = ctx.env;
  const raw = await transactionCookie(ctx, isSecureRequest(request, env))
    .parse(request.headers.get("Cookie"))
    .catch(() => null);
  if (!isTransaction(raw) || Date.now() - raw.t > OIDC_TRANSACTION_SECONDS * 1000 || raw.t > Date.now() + 60_000) {
    return { ok: false, reason: "no_transaction" };
  }
  const current = callbackUrl(request, env);
  const params = current.searchParams;
  if (params.get("state") !== raw.s) return { ok: false, reason: "state_mismatch" };
  if (params.has("error")) return { ok: false, reason: "provider_error", detail: (params.get("error") ?? "").slice(0, 100) };

  let config: oidc.Configuration;
  try {
    config = await oidcConfiguration(env);
  } catch (e) {
    return { ok: false, reason: "provider_unavailable", detail: describe(e) };
  }
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: raw.v,
      expectedState: raw.s,
      expectedNonce: raw.n,
      idTokenExpected: true,
    });
  } catch (e) {
    if (e instanceof oidc.ResponseBodyError && e.error === "invalid_grant")
      return { ok: false, reason: "code_rejected", detail: describe(e) };
    if (e instanceof oidc.AuthorizationResponseError) return { ok: false, reason: "provider_error", detail: describe(e) };
    if (e instanceof oidc.ResponseBodyError) return { ok: false, reason: "code_rejected", detail: describe(e) };
    if (e instanceof TypeError || (e instanceof Error && /fetch failed|timeout|abort/i.test(e.message))) {
      forgetOidcConfiguration(env); // the provider may have moved: discover again next time
      return { ok: false, reason: "provider_unavailable", detail: describe(e) };
    }
    return { ok: false, reason: "invalid_token", detail: describe(e) };
  }
  const idClaims = tokens.claims();
  if (!idClaims || typeof idClaims.sub !== "string" || !idClaims.sub) return { ok: false, reason: "invalid_token", detail: "no sub" };
  let claims: Record<string, unknown> = { ...idClaims };
  const missing = (name: string) => readClaim(claims, name) === undefined;
  if ((missing(env.SHOWBACK_OIDC_EMAIL_CLAIM) || missing(env.SHOWBACK_OIDC_GROUPS_CLAIM)) && config.serverMetadata().userinfo_endpoint) {
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      // the ID token's claims win; userinfo only fills what it lacks
      claims = { ...info, ...claims };
    } catch (e) {
      return { ok: false, reason: "provider_unavailable", detail: `userinfo: ${describe(e)}` };
    }
  }
  return { ok: true, issuer: config.serverMetadata().issuer, claims, redirectTo: raw.r };
}

// ---------------------------------------------------------------- audit rate limit

const FAILURE_AUDIT_MS = 60_000;
const failures = new Map<string, { lastAt: number; pending: number }>();

/**
 * How many callback failures of this (client, reason) to report now (this one included), or
 * null when one was audited within the last minute (this one is counted into the next).
 * Anyone can call the callback, so its failures must not flood the audit log.
 */
export function failureAuditCount(client: string, reason: string): number | null {
  const key = `${client}\n${reason}`;
  const now = Date.now();
  if (failures.size > 10_000) for (const [k, v] of failures) if (now - v.lastAt >= FAILURE_AUDIT_MS) failures.delete(k);
  const e = failures.get(key);
  if (e && now - e.lastAt < FAILURE_AUDIT_MS) {
    e.pending++;
    return null;
  }
  failures.set(key, { lastAt: now, pending: 0 });
  return (e?.pending ?? 0) + 1;
}
