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
  findUserByEmail,
  getUserById,
  isLockedOut,
  normalizeEmail,
  recordLoginAttempt,
  type Role,
} from "../../db/queries/users";
import { CSRF_FIELD, headerModeCsrfToken, originAllowed, tokenFromUrlOrHeader, tokensEqual } from "./csrf.server";
import { getServerContext } from "./db.server";
import { PASSWORD_MAX, verifyPassword } from "./password.server";
import {
  commitSession,
  destroySession,
  getSession,
  isExpired,
  newCsrfToken,
  newSession,
  sessionVersion,
  type AppSession,
} from "./session.server";

export type { Role };

export interface SessionUser {
  id: number;
  email: string;
  role: Role;
}

const RANK: Record<Role, number> = { viewer: 1, finance_admin: 2 };
export const hasRole = (user: Pick<SessionUser, "role">, role: Role) => RANK[user.role] >= RANK[role];

/** Throws a 403 response (rendered by the error boundary as a friendly page). */
export function forbidden(message = "You do not have permission to do this."): never {
  throw json({ message }, { status: 403, statusText: "Forbidden" });
}

/** Only same-site relative paths: starts with "/" and not "//" or "/\". */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
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
  session?: AppSession;
}

async function resolve(request: Request): Promise<Resolved> {
  const ctx = await getServerContext();
  if (ctx.env.SHOWBACK_AUTH === "header") {
    const raw = request.headers.get(ctx.env.SHOWBACK_AUTH_HEADER);
    if (!raw) return { user: null, csrf: null };
    const u = await findUserByEmail(ctx.db, raw);
    if (!u || u.disabled) return { user: null, csrf: null };
    return { user: { id: u.id, email: u.email, role: u.role }, csrf: headerModeCsrfToken(ctx.sessionSecret, u.email) };
  }
  const session = await getSession(request);
  const uid = session.get("uid");
  if (!uid || isExpired(session, ctx.env)) return { user: null, csrf: null, session };
  const u = await getUserById(ctx.db, Number(uid));
  if (!u || u.disabled || session.get("sv") !== sessionVersion(ctx.sessionSecret, u.id, u.password_hash)) {
    return { user: null, csrf: null, session };
  }
  return { user: { id: u.id, email: u.email, role: u.role }, csrf: session.get("csrf") ?? null, session };
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

export type LoginResult = { ok: true; user: SessionUser } | { ok: false; reason: "invalid" | "locked" };

/**
 * Checks a password sign-in. Unknown emails, wrong passwords and disabled accounts
 * are indistinguishable (same answer, a hash is verified in every case); after 5
 * failures in 15 minutes the email is locked for 15 minutes, known or not.
 */
export async function attemptLogin(db: Db, emailInput: string, password: string): Promise<LoginResult> {
  const email = normalizeEmail(emailInput).slice(0, 254);
  if (!email || !password || password.length > PASSWORD_MAX) {
    await verifyPassword(null, "x");
    return { ok: false, reason: "invalid" };
  }
  if (await isLockedOut(db, email)) {
    await verifyPassword(null, password);
    await writeAudit(db, { actor: email, action: "sign_in_failed", entity: "user", entityId: email, after: { reason: "locked" } });
    return { ok: false, reason: "locked" };
  }
  const u = await findUserByEmail(db, email);
  const passwordOk = await verifyPassword(u?.password_hash, password);
  const ok = Boolean(u && passwordOk && !u.disabled);
  await recordLoginAttempt(db, email, ok);
  await writeAudit(db, {
    actor: email,
    action: ok ? "sign_in" : "sign_in_failed",
    entity: "user",
    entityId: email,
    after: ok ? undefined : { reason: "invalid" },
  });
  if (!ok || !u) return { ok: false, reason: "invalid" };
  return { ok: true, user: { id: u.id, email: u.email, role: u.role } };
}

/** A fresh session (new CSRF token) for `user`; returns the Set-Cookie value. */
export async function createUserSession(request: Request, user: SessionUser): Promise<string> {
  const ctx = await getServerContext();
  const u = await getUserById(ctx.db, user.id);
  const session = await newSession(request);
  session.set("uid", user.id);
  session.set("sv", sessionVersion(ctx.sessionSecret, user.id, u?.password_hash ?? null));
  session.set("csrf", newCsrfToken());
  session.set("seen", Date.now());
  return commitSession(request, session);
}

export async function endSession(request: Request): Promise<string> {
  return destroySession(request, await getSession(request));
}
