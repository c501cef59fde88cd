/**
 * The read API's plumbing (docs/api.md): bearer-token authentication, the per-token rate limit,
 * JSON errors, query parameters parsed with the contract's zod schemas, and cursor pagination.
 *
 *   export async function loader({ request }: LoaderFunctionArgs) {
 *     return apiHandler(request, { role: "viewer" }, async ({ db, url }) => {
 *       const q = parseQuery(url, REPORT_PARAMS);
 *       ...
 *       return apiJson(ReportResponseSchema.parse(body));
 *     });
 *   }
 *
 * Order of the checks: token (401) → rate limit (429) → role (403) → parameters (400).
 * Refusals are audited at most once a minute per (token or client address, reason), with the
 * number of refusals since the previous entry; the first use of a token each UTC day is audited
 * by the service.
 */
import type { Db } from "../../db/client";
import type { ApiErrorCode, ParamSpec } from "../domain/api-schemas";
import type { Role } from "../domain/vocabulary";
import { auditApiRefusal, authenticateApiToken, type ApiPrincipal, type TokenCheck } from "../services/api-tokens";
import { clientAddress } from "./client-address.server";
import { getServerContext } from "./db.server";
import { visibleFor } from "./scope.server";
import type { Visible } from "../domain/scope";
import type { ServerContext } from "./context.server";
import type { Env } from "./env.server";

// ---------------------------------------------------------------- settings

/** The rate limit: SHOWBACK_API_RATE_LIMIT requests per SHOWBACK_API_RATE_WINDOW_SECONDS (app/lib/env.server.ts). */
export type ApiLimits = Pick<Env, "SHOWBACK_API_RATE_LIMIT" | "SHOWBACK_API_RATE_WINDOW_SECONDS">;

// ---------------------------------------------------------------- responses

const JSON_HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
};

export function apiJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers: { ...JSON_HEADERS, ...init.headers } });
}

const STATUS: Record<ApiErrorCode, number> = {
  invalid_parameter: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
};

/** A JSON error response `{ error, code, parameter? }`. */
export function apiError(code: ApiErrorCode, error: string, opts: { parameter?: string; headers?: Record<string, string> } = {}): Response {
  const headers = { ...opts.headers, ...(code === "unauthorized" ? { "WWW-Authenticate": 'Bearer realm="showback"' } : {}) };
  return apiJson({ error, code, ...(opts.parameter ? { parameter: opts.parameter } : {}) }, { status: STATUS[code], headers });
}

const badParam = (parameter: string, message: string) => apiError("invalid_parameter", `${parameter}: ${message}`, { parameter });

// ---------------------------------------------------------------- per-server state

interface ServerState {
  windows: Map<number, { start: number; count: number }>;
  refusals: Map<string, { lastAt: number; pending: number }>;
}
const states = new WeakMap<ServerContext, ServerState>();
function stateOf(ctx: ServerContext): ServerState {
  let s = states.get(ctx);
  if (!s) {
    s = { windows: new Map(), refusals: new Map() };
    states.set(ctx, s);
  }
  return s;
}

/** Fixed window per token: null when allowed, else the seconds until the window ends. */
export function takeRateLimit(state: ServerState, tokenId: number, now: number, env: ApiLimits) {
  const windowMs = env.SHOWBACK_API_RATE_WINDOW_SECONDS * 1000;
  if (state.windows.size > 10_000) for (const [k, w] of state.windows) if (now - w.start >= windowMs) state.windows.delete(k);
  let w = state.windows.get(tokenId);
  if (!w || now - w.start >= windowMs) {
    w = { start: now, count: 0 };
    state.windows.set(tokenId, w);
  }
  const resetSeconds = Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
  if (w.count >= env.SHOWBACK_API_RATE_LIMIT) return { allowed: false as const, resetSeconds, remaining: 0 };
  w.count++;
  return { allowed: true as const, resetSeconds, remaining: env.SHOWBACK_API_RATE_LIMIT - w.count };
}

const REFUSAL_AUDIT_MS = 60_000;

/** Audits a refusal unless one with the same key was audited in the last minute (then it is counted into the next). */
async function refusalAudited(
  db: Db,
  state: ServerState,
  r: { reason: string; tokenId?: number; label?: string; path: string; client: string },
): Promise<void> {
  const key = `${r.tokenId ?? `client:${r.client}`}\n${r.reason}`;
  const now = Date.now();
  if (state.refusals.size > 10_000) for (const [k, v] of state.refusals) if (now - v.lastAt >= REFUSAL_AUDIT_MS) state.refusals.delete(k);
  const e = state.refusals.get(key);
  if (e && now - e.lastAt < REFUSAL_AUDIT_MS) {
    e.pending++;
    return;
  }
  state.refusals.set(key, { lastAt: now, pending: 0 });
  await auditApiRefusal(db, { ...r, count: (e?.pending ?? 0) + 1 });
}

// ---------------------------------------------------------------- the guard

const RANK: Record<Role, number> = { team_viewer: 0, viewer: 1, finance_admin: 2 };

export interface ApiContext {
  db: Db;
  url: URL;
  principal: ApiPrincipal;
  /** a team_viewer token's visible teams (app/lib/scope.server.ts); null: every team */
  visible: Visible;
  /** The 403 for a request outside the token's scope (audited like every refusal). */
  outOfScope: (message: string) => Promise<Response>;
}

/** The bearer token of the request, or null. */
export function bearerToken(request: Request): string | null {
  const h = request.headers.get("authorization");
  const m = h ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h) : null;
  return m ? m[1]! : h ? "" : null;
}

/**
 * Runs `fn` for an authenticated, rate-limited request whose principal has at least `role`;
 * answers the JSON error otherwise. Responses thrown inside `fn` (e.g. by parseQuery) are returned.
 */
export async function apiHandler(request: Request, opts: { role: Role }, fn: (c: ApiContext) => Promise<Response>): Promise<Response> {
  const ctx = await getServerContext();
  const state = stateOf(ctx);
  const url = new URL(request.url);
  const info = { client: clientAddress(request, ctx.env), path: url.pathname };
  const token = bearerToken(request);
  // "": an Authorization header that is not `Bearer <token>` (e.g. Basic)
  const auth: TokenCheck = token === "" ? { ok: false, reason: "malformed" } : await authenticateApiToken(ctx.db, token, info);
  if (!auth.ok) {
    await refusalAudited(ctx.db, state, { ...info, reason: auth.reason, tokenId: auth.tokenId, label: auth.label });
    const why =
      auth.reason === "missing"
        ? "an API token is required: send Authorization: Bearer <token>"
        : auth.reason === "malformed" || auth.reason === "unknown"
          ? "the API token is not valid"
          : `the API token is ${auth.reason === "disabled" ? "of a disabled user" : auth.reason}`;
    return apiError("unauthorized", why);
  }
  const p = auth.principal;
  const rl = takeRateLimit(state, p.tokenId, Date.now(), ctx.env);
  const rlHeaders = {
    "RateLimit-Limit": String(ctx.env.SHOWBACK_API_RATE_LIMIT),
    "RateLimit-Remaining": String(rl.remaining),
    "RateLimit-Reset": String(rl.resetSeconds),
  };
  if (!rl.allowed) {
    await refusalAudited(ctx.db, state, { ...info, reason: "rate_limited", tokenId: p.tokenId, label: p.label });
    return apiError(
      "rate_limited",
      `too many requests: at most ${ctx.env.SHOWBACK_API_RATE_LIMIT} per ${ctx.env.SHOWBACK_API_RATE_WINDOW_SECONDS} s per token`,
      {
        headers: { ...rlHeaders, "Retry-After": String(rl.resetSeconds) },
      },
    );
  }
  if (RANK[p.role] < RANK[opts.role]) {
    await refusalAudited(ctx.db, state, { ...info, reason: "forbidden", tokenId: p.tokenId, label: p.label });
    const who = opts.role === "finance_admin" ? "finance admins" : "tokens that see every team (viewer or finance admin)";
    return apiError("forbidden", `this endpoint is for ${who}`, { headers: rlHeaders });
  }
  let res: Response;
  try {
    res = await fn({
      db: ctx.db,
      url,
      principal: p,
      visible: await visibleFor(ctx.db, p.scope),
      outOfScope: async (message) => {
        await refusalAudited(ctx.db, state, { ...info, reason: "out_of_scope", tokenId: p.tokenId, label: p.label });
        return apiError("forbidden", message, { headers: rlHeaders });
      },
    });
  } catch (e) {
    if (!(e instanceof Response)) throw e;
    res = e;
  }
  for (const [k, v] of Object.entries(rlHeaders)) res.headers.set(k, v);
  return res;
}

// ---------------------------------------------------------------- parameters

/**
 * The query parameters parsed with their specs (throws a 400 Response naming the parameter):
 * unknown parameters, missing required ones, repeated single ones and invalid values are refused.
 */
export function parseQuery(url: URL, specs: ParamSpec[]): Record<string, unknown> {
  const known = new Map(specs.map((s) => [s.name, s]));
  for (const k of new Set(url.searchParams.keys())) if (!known.has(k)) throw badParam(k, "unknown parameter");
  const out: Record<string, unknown> = {};
  for (const s of specs) {
    const values = url.searchParams.getAll(s.name);
    if (!values.length) {
      if (s.required) throw badParam(s.name, "is required");
      const d = s.schema.safeParse(undefined);
      if (d.success && d.data !== undefined) out[s.name] = d.data;
      continue;
    }
    if (!s.multiple && values.length > 1) throw badParam(s.name, "may be given once");
    const parsed = [];
    for (const v of values) {
      const r = s.schema.safeParse(v);
      if (!r.success) throw badParam(s.name, r.error.issues[0]?.message ?? "is invalid");
      parsed.push(r.data);
    }
    out[s.name] = s.multiple ? parsed : parsed[0];
  }
  return out;
}

// ---------------------------------------------------------------- cursors

/** An opaque cursor: base64url of the JSON of the last row's sort key. */
export const encodeCursor = (key: Array<string | number>) => Buffer.from(JSON.stringify(key), "utf8").toString("base64url");

export function decodeCursor(cursor: string, arity: number): Array<string | number> {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === arity && v.every((x) => typeof x === "string" || typeof x === "number")) return v;
  } catch {
    // not ours
  }
  throw badParam("cursor", "is not a cursor of this endpoint");
}

/**
 * One page of `rows` (already in `compare` order, the order of their keys): the rows after the
 * cursor's key, at most `limit`, and the next cursor (null on the last page). Keyset, so a
 * change between pages neither repeats nor skips the rows that stay.
 */
export function paginate<T, K extends Array<string | number>>(
  rows: T[],
  opts: { key: (row: T) => K; arity: number; compare: (a: K, b: K) => number; cursor?: string; limit: number },
): { rows: T[]; next_cursor: string | null } {
  let start = 0;
  if (opts.cursor) {
    const after = decodeCursor(opts.cursor, opts.arity) as K;
    start = rows.findIndex((r) => opts.compare(opts.key(r), after) > 0);
    if (start < 0) start = rows.length;
  }
  const page = rows.slice(start, start + opts.limit);
  const more = start + opts.limit < rows.length;
  return { rows: page, next_cursor: more && page.length ? encodeCursor(opts.key(page[page.length - 1]!)) : null };
}

/** Compares string keys element by element (code-point order, as the report sorts). */
export function compareStrings(a: Array<string | number>, b: Array<string | number>): number {
  for (let i = 0; i < a.length; i++) {
    const x = String(a[i]);
    const y = String(b[i]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
