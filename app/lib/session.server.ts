/**
 * Server-side sessions (docs/auth.md).
 *
 * The cookie (signed with the session secret, httpOnly, SameSite=Lax, Secure on
 * HTTPS requests) carries `sid`, a random 256-bit session id, and `seen` (when the
 * cookie was last issued, epoch ms: it drives the re-issue that extends the cookie's
 * Max-Age). The `sessions` table keeps only the SHA-256 of the id, the user, the
 * creation, last activity, absolute end and revocation times. Every request looks
 * the session up: sign-out, password resets and disabling revoke rows, the idle
 * timeout and the absolute lifetime are checked by the database. Knowing
 * SESSION_SECRET is not enough to mint a session: the id must be in the table.
 *
 * The CSRF token of a session is a MAC of its id, so it differs per session and
 * needs no storage.
 *
 * A session remembers how it was opened (`auth_method`): `password`, or `oidc` (single
 * sign-on), whose absolute lifetime is SHOWBACK_OIDC_SESSION_HOURS (default 12) so that the
 * identity provider's word is asked again at least that often.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { createCookieSessionStorage, type Session, type SessionStorage } from "@remix-run/node";
import { findLiveSessionWithMethod, insertSessionWithMethod, type AuthMethod } from "../../db/queries/oidc-users";
import { insertSession, revokeSession, touchSession } from "../../db/queries/users";
import type { ServerContext } from "./context.server";
import { clientAddress } from "./client-address.server";
import { getServerContext } from "./db.server";
import type { Env } from "./env.server";

export const SESSION_COOKIE = "showback_session";
/** Activity refreshes the cookie (and the row's last_seen_at) at most this often. */
const REFRESH_AFTER_MS = 60_000;

export interface SessionData {
  sid: string;
  seen: number;
}
export type AppSession = Session<SessionData>;

const storages = new Map<string, SessionStorage<SessionData>>();

function storageFor(secret: string, secure: boolean, idleMinutes: number): SessionStorage<SessionData> {
  const key = `${secure ? 1 : 0}|${idleMinutes}|${secret}`;
  let s = storages.get(key);
  if (!s) {
    s = createCookieSessionStorage<SessionData>({
      cookie: {
        name: SESSION_COOKIE,
        httpOnly: true,
        sameSite: "lax",
        secure,
        path: "/",
        maxAge: idleMinutes * 60,
        secrets: [secret],
      },
    });
    storages.set(key, s);
  }
  return s;
}

export function isSecureRequest(request: Request, env: Env): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  const xfp = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (xfp === "https") return true;
  return env.NODE_ENV === "production" && env.SHOWBACK_SECURE_COOKIES;
}

async function storageForRequest(request: Request, ctx?: ServerContext) {
  const c = ctx ?? (await getServerContext());
  return { ctx: c, storage: storageFor(c.sessionSecret, isSecureRequest(request, c.env), c.env.SHOWBACK_SESSION_IDLE_MINUTES) };
}

/** What is stored for a session id: its SHA-256 (base64url). */
export const hashSessionId = (sid: string) => createHash("sha256").update(sid, "utf8").digest("base64url");

/** The per-session CSRF token. */
export const sessionCsrfToken = (secret: string, sid: string) => createHmac("sha256", secret).update(`csrf:${sid}`).digest("base64url");

const limits = (env: Env) => ({
  idleMinutes: env.SHOWBACK_SESSION_IDLE_MINUTES,
  maxDays: env.SHOWBACK_SESSION_MAX_DAYS,
  oidcHours: env.SHOWBACK_OIDC_SESSION_HOURS,
});

export type { AuthMethod };

export interface LiveSession {
  sid: string;
  userId: number;
  csrf: string;
  /** how the session was opened: password sign-in or OIDC single sign-on */
  authMethod: AuthMethod;
}

/** The live server-side session the request's cookie points to, or null. Touches last_seen_at. */
export async function getLiveSession(request: Request): Promise<LiveSession | null> {
  const { ctx, storage } = await storageForRequest(request);
  const session = await storage.getSession(request.headers.get("Cookie"));
  const sid = session.get("sid");
  if (typeof sid !== "string" || sid.length < 32) return null;
  const idHash = hashSessionId(sid);
  const row = await findLiveSessionWithMethod(ctx.db, idHash, limits(ctx.env));
  if (!row) return null;
  if (row.stale) await touchSession(ctx.db, idHash);
  return {
    sid,
    userId: Number(row.user_id),
    csrf: sessionCsrfToken(ctx.sessionSecret, sid),
    authMethod: row.auth_method === "oidc" ? "oidc" : "password",
  };
}

export interface CreateSessionOptions {
  /** How the user signed in (default `password`); `oidc` sessions end after SHOWBACK_OIDC_SESSION_HOURS. */
  method?: AuthMethod;
}

/** Starts a server-side session for `userId` (a new random id: no fixation); returns the Set-Cookie value. */
export async function createSession(request: Request, userId: number, opts: CreateSessionOptions = {}): Promise<string> {
  const { ctx, storage } = await storageForRequest(request);
  const sid = randomBytes(32).toString("base64url");
  const base = { idHash: hashSessionId(sid), userId, userAgent: request.headers.get("user-agent"), ip: clientAddress(request, ctx.env) };
  if (opts.method === "oidc") {
    const maxMinutes = Math.min(ctx.env.SHOWBACK_OIDC_SESSION_HOURS * 60, ctx.env.SHOWBACK_SESSION_MAX_DAYS * 24 * 60);
    await insertSessionWithMethod(ctx.db, { ...base, method: "oidc", maxMinutes });
  } else {
    await insertSession(ctx.db, { ...base, maxDays: ctx.env.SHOWBACK_SESSION_MAX_DAYS });
  }
  const session = await storage.getSession(null);
  session.set("sid", sid);
  session.set("seen", Date.now());
  return storage.commitSession(session);
}

/** Revokes the request's session row (if any) and returns the Set-Cookie that clears the cookie. */
export async function destroyRequestSession(request: Request): Promise<string> {
  const { ctx, storage } = await storageForRequest(request);
  const session = await storage.getSession(request.headers.get("Cookie"));
  const sid = session.get("sid");
  if (typeof sid === "string" && sid) await revokeSession(ctx.db, hashSessionId(sid));
  return storage.destroySession(session);
}

/**
 * Called for document and data responses (entry.server): when the request carried a
 * cookie issued over a minute ago whose session is still live, and the response does
 * not set the session cookie itself, re-issue it (fresh Max-Age) and touch the row.
 */
export async function refreshSessionCookie(request: Request, headers: Headers): Promise<void> {
  const cookie = request.headers.get("Cookie");
  if (!cookie || !cookie.includes(`${SESSION_COOKIE}=`)) return;
  if ((headers.get("Set-Cookie") ?? "").includes(`${SESSION_COOKIE}=`)) return;
  const { ctx, storage } = await storageForRequest(request);
  if (ctx.env.SHOWBACK_AUTH !== "password") return;
  const session = await storage.getSession(cookie);
  const sid = session.get("sid");
  if (typeof sid !== "string" || !sid) return;
  const now = Date.now();
  if (now - Number(session.get("seen") ?? 0) < REFRESH_AFTER_MS) return;
  const idHash = hashSessionId(sid);
  if (!(await findLiveSessionWithMethod(ctx.db, idHash, limits(ctx.env)))) return;
  await touchSession(ctx.db, idHash);
  session.set("seen", now);
  headers.append("Set-Cookie", await storage.commitSession(session));
}
