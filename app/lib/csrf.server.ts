/**
 * CSRF defence for every mutation: a per-session token (hidden `_csrf` field,
 * `?_csrf=` query parameter or `x-csrf-token` header), compared in constant time,
 * plus an Origin check.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

export function tokensEqual(a: string, b: string): boolean {
  // Hash first: equal-length buffers for timingSafeEqual whatever the inputs.
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length > 0;
}

/** Header-auth mode has no session: the token is a MAC of the user's email. */
export function headerModeCsrfToken(secret: string, email: string): string {
  return createHmac("sha256", secret).update(`csrf:${email}`).digest("base64url");
}

/** A token sent outside the body (query or header), readable before the body is consumed. */
export function tokenFromUrlOrHeader(request: Request): string | null {
  const h = request.headers.get(CSRF_HEADER);
  if (h) return h;
  return new URL(request.url).searchParams.get(CSRF_FIELD);
}

const first = (v: string | null) => v?.split(",")[0]?.trim().toLowerCase() || undefined;

/** The origins this request may come from: its own, also as seen through a proxy. */
export function sameOrigins(request: Request): Set<string> {
  const url = new URL(request.url);
  const protos = new Set([url.protocol.replace(":", "")]);
  const xfp = first(request.headers.get("x-forwarded-proto"));
  if (xfp === "http" || xfp === "https") protos.add(xfp);
  const hosts = new Set([url.host.toLowerCase()]);
  const host = first(request.headers.get("host"));
  if (host) hosts.add(host);
  const xfh = first(request.headers.get("x-forwarded-host"));
  if (xfh) hosts.add(xfh);
  const out = new Set<string>();
  for (const p of protos)
    for (const h of hosts) {
      out.add(`${p}://${h}`);
      if (p === "https" && h.endsWith(":443")) out.add(`${p}://${h.slice(0, -4)}`);
      if (p === "http" && h.endsWith(":80")) out.add(`${p}://${h.slice(0, -3)}`);
    }
  return out;
}

/** False when the request says it comes from another site (Origin, or Sec-Fetch-Site). */
export function originAllowed(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return request.headers.get("sec-fetch-site") !== "cross-site";
  return sameOrigins(request).has(origin.trim().toLowerCase());
}
