/**
 * Cookie sessions: signed (HMAC with the session secret), httpOnly, SameSite=Lax,
 * Secure on HTTPS requests, idle expiry refreshed on activity.
 *
 * Session data: `uid` (user id), `sv` (a MAC of the user's password hash: a
 * password reset ends every other session), `csrf` (the per-session CSRF token),
 * `seen` (last activity, epoch ms; checked on the server, not only by the cookie's
 * Max-Age).
 */
import { createHmac, randomBytes } from "node:crypto";
import { createCookieSessionStorage, type Session, type SessionStorage } from "@remix-run/node";
import type { ServerContext } from "./context.server";
import { getServerContext } from "./db.server";
import type { Env } from "./env.server";

export const SESSION_COOKIE = "showback_session";
/** Activity refreshes the cookie at most this often. */
const REFRESH_AFTER_MS = 60_000;

export interface SessionData {
  uid: number;
  sv: string;
  csrf: string;
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

export async function getSession(request: Request): Promise<AppSession> {
  const { storage } = await storageForRequest(request);
  return storage.getSession(request.headers.get("Cookie"));
}

/** An empty session (sign-in starts from scratch: no fixation). */
export async function newSession(request: Request): Promise<AppSession> {
  const { storage } = await storageForRequest(request);
  return storage.getSession(null);
}

export async function commitSession(request: Request, session: AppSession): Promise<string> {
  const { storage } = await storageForRequest(request);
  return storage.commitSession(session);
}

export async function destroySession(request: Request, session: AppSession): Promise<string> {
  const { storage } = await storageForRequest(request);
  return storage.destroySession(session);
}

export const newCsrfToken = () => randomBytes(32).toString("base64url");

/** Binds the session to the current password hash, so a reset ends other sessions. */
export function sessionVersion(secret: string, userId: number, passwordHash: string | null): string {
  return createHmac("sha256", secret).update(`sv:${userId}:${passwordHash ?? ""}`).digest("base64url").slice(0, 22);
}

export function isExpired(session: AppSession, env: Env, now = Date.now()): boolean {
  const seen = Number(session.get("seen") ?? 0);
  return !seen || now - seen > env.SHOWBACK_SESSION_IDLE_MINUTES * 60_000;
}

/**
 * Called for document and data responses (entry.server): when the request carried a
 * live session whose activity stamp is older than a minute and the response does not
 * set the session cookie itself, re-issue it with a fresh stamp and Max-Age.
 */
export async function refreshSessionCookie(request: Request, headers: Headers): Promise<void> {
  const cookie = request.headers.get("Cookie");
  if (!cookie || !cookie.includes(`${SESSION_COOKIE}=`)) return;
  if ((headers.get("Set-Cookie") ?? "").includes(`${SESSION_COOKIE}=`)) return;
  const { ctx, storage } = await storageForRequest(request);
  if (ctx.env.SHOWBACK_AUTH !== "password") return;
  const session = await storage.getSession(cookie);
  if (!session.get("uid") || isExpired(session, ctx.env)) return;
  const now = Date.now();
  if (now - Number(session.get("seen")) < REFRESH_AFTER_MS) return;
  session.set("seen", now);
  headers.append("Set-Cookie", await storage.commitSession(session));
}
