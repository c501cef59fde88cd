/** Security headers on every response; the document CSP carries a per-request nonce. */
import { randomBytes } from "node:crypto";

export const newNonce = () => randomBytes(16).toString("base64");

export function contentSecurityPolicy(nonce?: string, dev = false): string {
  // In development (vite dev) some injected scripts carry no nonce; a nonce would
  // make browsers ignore 'unsafe-inline', so dev uses 'unsafe-inline' alone.
  const script = dev ? "'self' 'unsafe-inline'" : nonce ? `'self' 'nonce-${nonce}'` : "'self'";
  return [
    "default-src 'self'",
    `script-src ${script}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Sets the security headers that are not already present. */
export function applySecurityHeaders(headers: Headers, opts: { nonce?: string; dev?: boolean } = {}): void {
  const set = (k: string, v: string) => {
    if (!headers.has(k)) headers.set(k, v);
  };
  set("Content-Security-Policy", contentSecurityPolicy(opts.nonce, opts.dev));
  set("X-Frame-Options", "DENY");
  set("Referrer-Policy", "strict-origin-when-cross-origin");
  set("X-Content-Type-Options", "nosniff");
  set("Cross-Origin-Opener-Policy", "same-origin");
  set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

/** The same headers as a plain object (for node:http responses). */
export function securityHeaderEntries(): Array<[string, string]> {
  const h = new Headers();
  applySecurityHeaders(h);
  return [...h.entries()];
}

/** HSTS for responses to HTTPS requests (isSecureRequest); never sent over plain HTTP. */
export const HSTS_VALUE = "max-age=31536000; includeSubDomains";
/** Every response to a signed-in request: no shared cache, no copy on disk. */
export const PRIVATE_CACHE_CONTROL = "private, no-store";

/**
 * True when the request carries a session: the session cookie, or (single sign-on
 * behind a proxy, docs/auth.md) the identity header. Conservative: an expired or
 * forged cookie counts too.
 */
export function isSignedInRequest(headers: Headers, opts: { sessionCookie: string; authHeader?: string }): boolean {
  const cookie = headers.get("cookie") ?? "";
  if (cookie.split(";").some((c) => c.trim().startsWith(`${opts.sessionCookie}=`))) return true;
  return Boolean(opts.authHeader && headers.get(opts.authHeader));
}

/**
 * The transport and caching headers of one response (scripts/serve.ts): HSTS when
 * `secure`; `Cache-Control: private, no-store` (whatever the route set) when the request
 * was signed in or the response sets a cookie.
 */
export function applyResponsePolicy(headers: Headers, opts: { secure: boolean; signedIn: boolean }): void {
  if (opts.secure) headers.set("Strict-Transport-Security", HSTS_VALUE);
  else headers.delete("Strict-Transport-Security");
  if (opts.signedIn || headers.has("set-cookie")) headers.set("Cache-Control", PRIVATE_CACHE_CONTROL);
}
