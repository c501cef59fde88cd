/**
 * Authentication and authorization for every loader and action.
 *
 *   const user = await requireUser(request);                       // any signed-in user
 *   const user = await requireRole(request, "finance_admin");      // 403 for viewers
 *   const { user, form } = await requireMutation(request, "finance_admin");
 *   const { user, form } = await requireMutation(request, "finance_admin", { uploadHandler });
 *
 * Anonymous requests are redirected to /login?redirectTo=<this page>.
 */
import {
  json,
  redirect,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import type { Db } from "../../db/client";
import { writeAudit } from "../../db/queries/audit";
import {
  auditFailureRateLimited,
  beginLoginAttempt,
  findUserByEmail,
  getUserById,
  markLoginSuccess,
  normalizeEmail,
  type Role,
  type ThrottleState,
  type UserRow,
} from "../../db/queries/users";
import { localPasswordAllows } from "../domain/oidc-mapping";
import type { AccessScope } from "../domain/scope";
import { clientAddress } from "./client-address.server";
import { CSRF_FIELD, headerModeCsrfToken, originAllowed, tokenFromUrlOrHeader, tokensEqual } from "./csrf.server";
import { getServerContext } from "./db.server";
import { localPasswordsMode, oidcEnabled, type Env } from "./env.server";
import { HashBusyError, hashGate, PASSWORD_MAX, verifyPassword } from "../services/password";
import { createSession, destroyRequestSession, getLiveSession, type AuthMethod } from "./session.server";

export type { Role };

export interface SessionUser {
  id: number;
  email: string;
  role: Role;
  /** team_viewer only: what it may see (app/domain/scope.ts); null for viewer and finance_admin */
  scope: AccessScope | null;
}

/** team_viewer < viewer < finance_admin: `hasRole(u, "viewer")` means "may read every team". */
const RANK: Record<Role, number> = { team_viewer: 0, viewer: 1, finance_admin: 2 };
export const hasRole = (user: Pick<SessionUser, "role">, role: Role) => RANK[user.role] >= RANK[role];

/** The session user of a stored account: the scope is read only for team_viewer. */
export function sessionUserOf(u: Pick<UserRow, "id" | "email" | "role" | "scope_teams" | "scope_cost_centers">): SessionUser {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    scope: u.role === "team_viewer" ? { teams: [...u.scope_teams], costCenters: [...u.scope_cost_centers] } : null,
  };
}

/** Throws a 403 response (rendered by the error boundary as a friendly page). */
export function forbidden(message = "You do not have permission to do this."): never {
  throw json({ message }, { status: 403, statusText: "Forbidden" });
}

/** Only same-site relative paths: starts with "/" and not "//" or "/\". */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f]/.test(to)) return fallback;
  return to;
}

function loginRedirect(request: Request): never {
  const url = new URL(request.url);
  url.searchParams.delete("_data");
  const here = url.pathname + (url.search === "?" ? "" : url.search);
  const to = here === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(here)}`;
  throw redirect(to);
}

interface Resolved {
  user: SessionUser | null;
  csrf: string | null;
}

/** Header sent by the authenticating proxy in header mode (docs/auth.md). */
export const PROXY_SECRET_HEADER = "x-showback-proxy-secret";

/**
 * One resolution per read request: Remix hands the same Request to the root loader and
 * the route loader, so a page view looks its session up once. Mutations always resolve
 * afresh (an action may end or change the session before its loaders revalidate).
 */
const resolvedReads = new WeakMap<Request, Promise<Resolved>>();

function resolve(request: Request): Promise<Resolved> {
  if (request.method !== "GET" && request.method !== "HEAD") return resolveNow(request);
  let r = resolvedReads.get(request);
  if (!r) {
    r = resolveNow(request);
    resolvedReads.set(request, r);
  }
  return r;
}

async function resolveNow(request: Request): Promise<Resolved> {
  const ctx = await getServerContext();
  if (ctx.env.SHOWBACK_AUTH === "header") {
    // With a configured proxy secret, the identity header counts only on requests that carry it.
    const expected = ctx.env.SHOWBACK_AUTH_PROXY_SECRET;
    if (expected && !tokensEqual(request.headers.get(PROXY_SECRET_HEADER) ?? "", expected)) return { user: null, csrf: null };
    const raw = request.headers.get(ctx.env.SHOWBACK_AUTH_HEADER);
    if (!raw) return { user: null, csrf: null };
    const u = await findUserByEmail(ctx.db, raw);
    if (!u || u.disabled) return { user: null, csrf: null };
    return { user: sessionUserOf(u), csrf: headerModeCsrfToken(ctx.sessionSecret, u.email) };
  }
  const live = await getLiveSession(request);
  if (!live) return { user: null, csrf: null };
  const u = await getUserById(ctx.db, live.userId);
  // An account with neither a password nor a single sign-on identity has no business in a
  // session, whatever the session says.
  if (!u || u.disabled || (!u.password_hash && !u.oidc_subject)) return { user: null, csrf: null };
  // A password session ends when SHOWBACK_LOCAL_PASSWORDS no longer allows the account's role
  // (e.g. turned to `admins` or `off`); a single sign-on session when single sign-on is off.
  if (live.authMethod === "password" && !localPasswordAllows(localPasswordsMode(ctx.env), u.role)) return { user: null, csrf: null };
  if (live.authMethod === "oidc" && !oidcEnabled(ctx.env)) return { user: null, csrf: null };
  return { user: sessionUserOf(u), csrf: live.csrf };
}

/** The signed-in user, or null. Never redirects. */
export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
  return (await resolve(request)).user;
}

/** The signed-in user and CSRF token for rendering (root loader). */
export async function getUserAndCsrf(request: Request): Promise<{ user: SessionUser | null; csrf: string | null }> {
  const r = await resolve(request);
  return { user: r.user, csrf: r.user ? r.csrf : null };
}

export async function requireUser(request: Request): Promise<SessionUser> {
  const ctx = await getServerContext();
  const { user } = await resolve(request);
  if (user) return user;
  if (ctx.env.SHOWBACK_AUTH === "header") {
    forbidden("Your account is not registered in Showback, or it is disabled. Ask a finance admin for access.");
  }
  loginRedirect(request);
}

export async function requireRole(request: Request, role: Role): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!hasRole(user, role)) forbidden("This page is for finance admins.");
  return user;
}

export interface MutationOptions {
  /**
   * For multipart bodies (file uploads). Text fields are kept in memory; file parts
   * go to this handler. The CSRF token must arrive before any file part: in the
   * `?_csrf=` query parameter, the `x-csrf-token` header, or a `_csrf` field placed
   * before the file input in the form (`<CsrfInput />` first).
   */
  uploadHandler?: UploadHandler;
  /** Max size of one in-memory text field of a multipart body (default 1 MB). */
  maxFieldSize?: number;
}

/**
 * The one guard every action uses: session (redirect to /login), role (403),
 * Origin (403 when present and cross-site), CSRF token (403); returns the parsed form.
 */
export async function requireMutation(
  request: Request,
  role: Role = "finance_admin",
  opts: MutationOptions = {},
): Promise<{ user: SessionUser; form: FormData }> {
  if (request.method === "GET" || request.method === "HEAD") {
    throw json({ message: "Method not allowed" }, { status: 405 });
  }
  const r = await resolve(request);
  if (!r.user) await requireUser(request); // redirects or 403s
  const user = r.user!;
  if (!hasRole(user, role)) forbidden("Only finance admins can make this change.");
  if (!originAllowed(request)) forbidden("This request came from another site and was refused.");
  const expected = r.csrf ?? "";
  const early = tokenFromUrlOrHeader(request);
  if (early !== null && !tokensEqual(early, expected)) forbidden("Your form has expired. Reload the page and try again.");
  let earlyOk = early !== null;

  const contentType = request.headers.get("content-type") ?? "";
  let form: FormData;
  try {
    if (contentType.toLowerCase().startsWith("multipart/form-data")) {
      const fields = unstable_createMemoryUploadHandler({
        maxPartSize: opts.maxFieldSize ?? 1_000_000,
        filter: ({ filename }) => !filename,
      });
      const files: UploadHandler = opts.uploadHandler ?? (async () => undefined);
      const inner = unstable_composeUploadHandlers(files, fields);
      const guarded: UploadHandler = async (part) => {
        if (part.name === CSRF_FIELD && !part.filename) {
          const chunks: Uint8Array[] = [];
          let size = 0;
          for await (const c of part.data) {
            size += c.byteLength;
            if (size > 1024) forbidden("Invalid form token.");
            chunks.push(c);
          }
          const value = Buffer.concat(chunks).toString("utf8");
          if (!earlyOk && tokensEqual(value, expected)) earlyOk = true;
          return value;
        }
        if (part.filename && !earlyOk) forbidden("Your form has expired. Reload the page and try again.");
        return inner(part);
      };
      form = await unstable_parseMultipartFormData(request, guarded);
    } else {
      form = await request.formData();
    }
  } catch (e) {
    if (e instanceof Response) throw e;
    if (!earlyOk) forbidden("Your form has expired. Reload the page and try again.");
    throw json({ message: "The request body could not be read." }, { status: 400 });
  }
  if (!earlyOk) {
    const t = form.get(CSRF_FIELD);
    if (typeof t !== "string" || !tokensEqual(t, expected)) forbidden("Your form has expired. Reload the page and try again.");
  }
  return { user, form };
}

// ---------------------------------------------------------------- sign-in

export type LoginResult =
  | { ok: true; user: SessionUser }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number }
  | { ok: false; reason: "busy" };

/** Failures of one (client, email) allowed before delays start. */
export const FREE_FAILURES = 3;
const FIRST_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 15 * 60_000;

/**
 * The throttle: after FREE_FAILURES failures (since the last success, within a day)
 * from one client for one email, the next attempt must wait 1 s, then 2 s, 4 s, …
 * (doubling per further failure) up to 15 minutes after the latest failure.
 * Returns the wait still due in ms (0: go on).
 */
export function throttleWaitMs(s: ThrottleState): number {
  return Math.max(
    backoff(s.failures, s.sinceLastMs, FREE_FAILURES, MAX_DELAY_MS),
    backoff(s.clientFailures ?? 0, s.clientSinceLastMs ?? null, CLIENT_FREE_FAILURES, CLIENT_MAX_DELAY_MS),
  );
}

/**
 * Password spraying (one client trying a few passwords on many emails) slips past the
 * per-email throttle: after CLIENT_FREE_FAILURES failures of one client within 15
 * minutes, whatever the emails, its next attempt waits 1 s, 2 s, … up to 5 minutes.
 * The allowance is wide because many honest people can share one address (an office
 * behind NAT): their occasional typos stay far below it.
 */
export const CLIENT_FREE_FAILURES = 30;
export const CLIENT_MAX_DELAY_MS = 5 * 60_000;

function backoff(failures: number, sinceLastMs: number | null, free: number, max: number): number {
  if (failures < free || sinceLastMs === null) return 0;
  const exp = Math.min(failures - free, 30);
  const delay = Math.min(FIRST_DELAY_MS * 2 ** exp, max);
  return Math.max(0, Math.ceil(delay - sinceLastMs));
}

export interface LoginContext {
  /** Client address (throttle key, audit data). */
  client: string;
  env?: Pick<Env, "SHOWBACK_HASH_CONCURRENCY" | "SHOWBACK_HASH_QUEUE"> &
    Partial<Pick<Env, "SHOWBACK_LOCAL_PASSWORDS" | "SHOWBACK_OIDC_ISSUER">>;
}

/**
 * Checks a password sign-in. Unknown emails, wrong passwords, disabled and
 * password-less accounts are indistinguishable (same answer, a hash is verified in
 * every case). The attempt is recorded before the password is checked; a throttled
 * attempt is refused without a check. Failures are audited as `anonymous` with the
 * typed email as data, at most once a minute per (client, email), with a count.
 * SHOWBACK_LOCAL_PASSWORDS (`admins`: finance admins only, `off`: nobody) refuses the other
 * accounts with the same answer, even with the right password (audited reason
 * `local_passwords_off`).
 */
export async function attemptLogin(db: Db, emailInput: string, password: string, lc: LoginContext): Promise<LoginResult> {
  const gate = hashGate(lc.env?.SHOWBACK_HASH_CONCURRENCY, lc.env?.SHOWBACK_HASH_QUEUE);
  const email = normalizeEmail(emailInput).slice(0, 254);
  if (!email || !password || password.length > PASSWORD_MAX) return { ok: false, reason: "invalid" };
  const attempt = await beginLoginAttempt(db, email, lc.client, throttleWaitMs);
  if (attempt.waitMs > 0) {
    const retryAfterSeconds = Math.ceil(attempt.waitMs / 1000);
    await auditFailure(db, email, lc.client, attempt.id, "throttled");
    return { ok: false, reason: "throttled", retryAfterSeconds };
  }
  const u = await findUserByEmail(db, email);
  let passwordOk: boolean;
  try {
    passwordOk = await verifyPassword(u?.password_hash, password, gate);
  } catch (e) {
    if (e instanceof HashBusyError) {
      await auditFailure(db, email, lc.client, attempt.id, "busy");
      return { ok: false, reason: "busy" };
    }
    throw e;
  }
  const ok = Boolean(u && u.password_hash && passwordOk && !u.disabled);
  if (!ok || !u) {
    await auditFailure(db, email, lc.client, attempt.id, "invalid");
    return { ok: false, reason: "invalid" };
  }
  const mode = lc.env
    ? localPasswordsMode({ SHOWBACK_LOCAL_PASSWORDS: lc.env.SHOWBACK_LOCAL_PASSWORDS, SHOWBACK_OIDC_ISSUER: lc.env.SHOWBACK_OIDC_ISSUER })
    : "on";
  if (!localPasswordAllows(mode, u.role)) {
    await auditFailure(db, email, lc.client, attempt.id, "local_passwords_off");
    return { ok: false, reason: "invalid" };
  }
  await markLoginSuccess(db, attempt.id);
  await writeAudit(db, { actor: u.email, action: "sign_in", entity: "user", entityId: u.email, after: { client: lc.client } });
  return { ok: true, user: sessionUserOf(u) };
}

function auditFailure(db: Db, email: string, client: string, attemptId: number, reason: string) {
  return auditFailureRateLimited(db, email, client, attemptId, (tx, count) =>
    writeAudit(tx, {
      actor: "anonymous",
      action: "sign_in_failed",
      entity: "user",
      entityId: null,
      after: { email, reason, client, count },
    }),
  );
}

/** The client address of this request (see client-address.server.ts). */
export async function requestClient(request: Request): Promise<string> {
  return clientAddress(request, (await getServerContext()).env);
}

/** A fresh server-side session (new id, new CSRF token) for `user`; returns the Set-Cookie value. */
export async function createUserSession(request: Request, user: SessionUser, method: AuthMethod = "password"): Promise<string> {
  return createSession(request, user.id, { method });
}

/** Revokes the request's session on the server; returns the Set-Cookie that clears the cookie. */
export async function endSession(request: Request): Promise<string> {
  return destroyRequestSession(request);
}
