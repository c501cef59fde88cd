/**
 * The client address used by the sign-in throttle and recorded with sessions.
 *
 * scripts/serve.ts sets the internal header `x-showback-client-ip` to the socket's
 * remote address (after deleting any copy the client sent). X-Forwarded-For is only
 * believed with SHOWBACK_TRUST_PROXY=N (N proxies in front): the address N entries
 * from the right, i.e. the one the outermost trusted proxy saw. Left-most entries are
 * whatever the client wrote and are never used. docs/auth.md.
 */
import type { Env } from "./env.server";

export const CLIENT_IP_HEADER = "x-showback-client-ip";

export function clientAddress(request: Request, env: Pick<Env, "SHOWBACK_TRUST_PROXY">): string {
  const socket = request.headers.get(CLIENT_IP_HEADER)?.trim() || "unknown";
  const hops = env.SHOWBACK_TRUST_PROXY;
  if (!hops) return socket;
  const xff = request.headers.get("x-forwarded-for");
  if (!xff) return socket;
  const chain = xff
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const picked = chain[chain.length - hops] ?? chain[0];
  return (picked ?? socket).slice(0, 100);
}
