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
