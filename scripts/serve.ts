/**
 * Production server: `tsx scripts/serve.ts` (npm start).
 *
 * Opens and migrates the database, resolves the session secret, serves the Remix
 * build (build/server) and its static assets (build/client, /assets with a long
 * immutable cache) over node:http, adds the security headers to every response and
 * shuts down cleanly (HTTP server, then database) on SIGTERM/SIGINT.
 *
 * Request bodies are bounded before Remix sees them (docs/security.md): 64 KB
 * for /login and /logout, the upload cap (SHOWBACK_UPLOAD_MAX_MB) plus 1 MB of fields
 * for multipart posts to the upload forms, 1 MB for everything else. A Content-Length
 * over the limit gets 413 before a byte is read; a body without one is counted as it
 * streams and refused with 413 once past the limit (never buffered). A multipart body
 * with more than one file part is refused with 400. HTTPS responses carry HSTS; every
 * response to a signed-in request is `Cache-Control: private, no-store`.
 *
 * Reusable: `startServer({ port, host, dbConfig?, db?, env? })` → { url, close() }.
 */
import { createReadStream } from "node:fs";
import { Transform } from "node:stream";
import { stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createReadableStreamFromReadable, createRequestHandler, writeReadableStreamToWritable, type ServerBuild } from "@remix-run/node";
import type { Db, DbConfig } from "../db/client";
import { migrateDb, openDb } from "../db/migrate";
import { pruneLoginAttempts } from "../db/queries/users";
import { runWithContext, type ServerContext } from "../app/lib/context.server";
import { resolveSessionSecret } from "../app/lib/db.server";
import { EnvError, parseEnv, type Env } from "../app/lib/env.server";
import { originAllowed } from "../app/lib/csrf.server";
import { applyResponsePolicy, HSTS_VALUE, isSignedInRequest, securityHeaderEntries } from "../app/lib/headers.server";
import { isSecureRequest, SESSION_COOKIE } from "../app/lib/session.server";
import { uploadMaxBytes } from "../app/lib/uploads.server";

export interface StartServerOptions {
  port?: number;
  host?: string;
  /** Database to open (and migrate); default from DATABASE_URL / SHOWBACK_DATA_DIR. */
  dbConfig?: DbConfig;
  /** An already open database (tests); migrated again (idempotent), not closed by close(). */
  db?: Db;
  /** Environment overrides on top of process.env (tests: e.g. SHOWBACK_AUTH=header). */
  env?: Record<string, string | undefined>;
  /** Folder holding server/index.js and client/ (default ./build). */
  buildDir?: string;
  /** One line per request on stdout (method, path, status, ms): default true. */
  log?: boolean;
}

export interface ServerHandle {
  url: string;
  port: number;
  host: string;
  server: http.Server;
  db: Db;
  env: Env;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const SECURITY_HEADERS = securityHeaderEntries();

// ---------------------------------------------------------------- body limits

/** Sign-in and sign-out: an email, a password, a token. */
export const AUTH_BODY_MAX = 64 * 1024;
/** Any other form (urlencoded, or multipart without a file). */
export const FORM_BODY_MAX = 1024 * 1024;
/** Routes whose multipart posts carry one file (the upload cap applies). */
export const UPLOAD_PATHS: ReadonlySet<string> = new Set(["/imports/new", "/crosswalk"]);
/** Longest part header block of a multipart body (Content-Disposition, Content-Type). */
const PART_HEADERS_MAX = 16 * 1024;

export interface BodyLimit {
  max: number;
  /** what the limit is for, in the 413 message */
  what: string;
}

/** Call inside the server's context (runWithContext): the upload cap is the one the route applies. */
export function bodyLimitFor(pathname: string, contentType: string): BodyLimit {
  const p = pathname.replace(/\/+$/, "") || "/";
  if (p === "/login" || p === "/logout") return { max: AUTH_BODY_MAX, what: "sign-in and sign-out requests" };
  if (UPLOAD_PATHS.has(p) && /^multipart\/form-data/i.test(contentType)) {
    return { max: uploadMaxBytes() + FORM_BODY_MAX, what: "uploads (SHOWBACK_UPLOAD_MAX_MB plus 1 MB of form fields)" };
  }
  return { max: FORM_BODY_MAX, what: "forms" };
}

const fmtLimit = (n: number) => (n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MB` : `${Math.round(n / 1024)} KB`);

/**
 * Counts the file parts of a multipart body as it streams by (part header blocks only;
 * state carries over between chunks, at most one header block is held).
 */
export class FilePartCounter {
  files = 0;
  private readonly delim: Buffer;
  /** bytes kept from the previous chunk: its tail (a delimiter may straddle), or an unfinished header block */
  private carry: Buffer = Buffer.from("\r\n"); // the first delimiter has no CRLF before it
  /** the carry starts a delimiter (a header block that continues in the next chunk) */
  private pending = true;
  private done = false;

  constructor(boundary: string) {
    this.delim = Buffer.from(`\r\n--${boundary}`, "latin1");
  }

  /** "headers" when a part's header block is longer than PART_HEADERS_MAX. */
  push(chunk: Buffer): "ok" | "headers" {
    if (this.done) return "ok";
    let buf = chunk;
    if (this.pending || (this.carry.length && chunk.length < this.delim.length)) buf = Buffer.concat([this.carry, chunk]);
    else if (this.carry.length) {
      // copy the chunk (file bodies are most of the bytes) only when a delimiter straddles the edge
      const edge = Buffer.concat([this.carry, chunk.subarray(0, this.delim.length)]);
      if (edge.indexOf(this.delim) >= 0) buf = Buffer.concat([this.carry, chunk]);
    }
    let pos = 0;
    const keep = (from: number, pending: boolean) => {
      this.carry = Buffer.from(buf.subarray(from));
      this.pending = pending;
      return "ok" as const;
    };
    for (;;) {
      const i = buf.indexOf(this.delim, pos);
      if (i < 0) return keep(Math.max(pos, buf.length - this.delim.length + 1), false);
      const start = i + this.delim.length;
      if (buf.length < start + 2) return keep(i, true);
      if (buf[start] === 0x2d && buf[start + 1] === 0x2d) {
        this.done = true; // the closing delimiter: the rest is epilogue
        return "ok";
      }
      const end = buf.indexOf("\r\n\r\n", start, "latin1");
      if (end < 0) {
        if (buf.length - start > PART_HEADERS_MAX) return "headers";
        return keep(i, true);
      }
      if (end - start > PART_HEADERS_MAX) return "headers";
      const headers = buf.subarray(start, end).toString("latin1");
      if (/^content-disposition:[^\r\n]*;\s*filename\*?\s*=/im.test(headers)) this.files++;
      pos = end + 4;
    }
  }
}

export function multipartBoundary(contentType: string): string | null {
  if (!/^multipart\/form-data/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

interface Refusal {
  status: 400 | 413;
  message: string;
}

/**
 * The request body through a byte counter (and, for multipart, a file-part counter):
 * past the limit, or at a second file part, the stream errors and `refuse` is called once.
 */
function guardedBody(req: http.IncomingMessage, limit: BodyLimit, contentType: string, refuse: (r: Refusal) => void) {
  let seen = 0;
  const boundary = multipartBoundary(contentType);
  const parts = boundary ? new FilePartCounter(boundary) : null;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.byteLength;
      let refusal: Refusal | null = null;
      if (seen > limit.max)
        refusal = { status: 413, message: `The request body is larger than the limit of ${fmtLimit(limit.max)} for ${limit.what}.` };
      else if (parts) {
        const r = parts.push(chunk);
        if (r === "headers") refusal = { status: 400, message: "A part of this form has headers that are too long." };
        else if (parts.files > 1) refusal = { status: 400, message: "Upload one file per request: this form accepts a single file." };
      }
      if (refusal) {
        refuse(refusal);
        cb(new Error(refusal.message));
      } else cb(null, chunk);
    },
  });
  req.on("error", (e) => guard.destroy(e));
  req.pipe(guard);
  return guard;
}

function refusalPage(r: Refusal): string {
  const title = r.status === 413 ? "Request too large" : "Request refused";
  const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · Showback</title></head>
<body style="font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;display:grid;place-items:center;min-height:100vh;margin:0">
<main style="background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:32px;max-width:28rem">
<p style="font-size:12px;color:#94a3b8;text-transform:uppercase;letter-spacing:.05em;margin:0">Error ${r.status}</p>
<h1 style="font-size:18px;margin:4px 0 8px">${title}</h1>
<p style="font-size:14px;color:#475569;margin:0">${esc(r.message)}</p>
<p style="margin-top:24px"><a href="/" style="font-size:14px;color:#4f46e5">Back to overview</a></p></main></body></html>`;
}

/**
 * Answers a refused body without reading it into memory: the rest is discarded as it
 * arrives (so the client reads the answer instead of a reset), for at most 10 s.
 */
function sendRefusal(req: http.IncomingMessage, res: http.ServerResponse, r: Refusal, extra: Array<[string, string]>) {
  req.unpipe();
  req.resume();
  if (!req.complete) {
    const timer = setTimeout(() => req.socket.destroy(), 10_000);
    timer.unref();
    req.once("end", () => clearTimeout(timer));
    req.once("close", () => clearTimeout(timer));
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const remixData = /[?&]_data=/.test(req.url ?? "");
  const wantsJson = remixData || /application\/json/i.test(String(req.headers.accept ?? ""));
  const body = wantsJson ? JSON.stringify({ message: r.message }) : refusalPage(r);
  res.writeHead(r.status, {
    ...Object.fromEntries(SECURITY_HEADERS),
    ...Object.fromEntries(extra),
    // a Remix data request: a thrown response (the route's error boundary), not action data
    ...(remixData ? { "X-Remix-Catch": "yes" } : {}),
    "Content-Type": wantsJson ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
    "Cache-Control": "no-store",
  });
  res.end(body);
}

/** Serves a file of build/client; true when the request was handled. */
async function serveStatic(clientDir: string, req: http.IncomingMessage, res: http.ServerResponse, pathname: string, secure: boolean) {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (decoded.includes("\0")) return false;
  const file = path.join(clientDir, path.normalize(decoded));
  if (!file.startsWith(clientDir + path.sep)) return false;
  if (decoded.startsWith("/.vite/")) return false;
  const isAsset = decoded.startsWith("/assets/");
  let st;
  try {
    st = await stat(file);
  } catch {
    if (isAsset) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", ...Object.fromEntries(SECURITY_HEADERS) });
      res.end("Not found");
      return true;
    }
    return false;
  }
  if (!st.isFile()) return false;
  res.writeHead(200, {
    "Content-Type": MIME[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "Content-Length": st.size,
    // static files hold no user data: public caching, signed in or not
    "Cache-Control": isAsset ? "public, max-age=31536000, immutable" : "public, max-age=3600",
    ...Object.fromEntries(SECURITY_HEADERS),
    ...(secure ? { "Strict-Transport-Security": HSTS_VALUE } : {}),
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
  return true;
}

function forbiddenPage(): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Access denied · Showback</title></head>
<body style="font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;display:grid;place-items:center;min-height:100vh;margin:0">
<main style="background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:32px;max-width:28rem">
<p style="font-size:12px;color:#94a3b8;text-transform:uppercase;letter-spacing:.05em;margin:0">Error 403</p>
<h1 style="font-size:18px;margin:4px 0 8px">Access denied</h1>
<p style="font-size:14px;color:#475569;margin:0">This request came from another site and was refused.</p>
<p style="margin-top:24px"><a href="/" style="font-size:14px;color:#4f46e5">Back to overview</a></p></main></body></html>`;
  return new Response(html, { status: 403, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

function requestUrl(req: http.IncomingMessage): URL {
  const xfp = String(req.headers["x-forwarded-proto"] ?? "")
    .split(",")[0]
    ?.trim()
    .toLowerCase();
  const proto = xfp === "https" || xfp === "http" ? xfp : (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  const host = req.headers.host ?? "localhost";
  try {
    return new URL(req.url ?? "/", `${proto}://${host}`);
  } catch {
    return new URL(req.url ?? "/", `${proto}://localhost`);
  }
}

function toRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  body: () => NodeJS.ReadableStream,
): { request: Request; controller: AbortController } {
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else headers.set(k, v);
  }
  // The socket's address for the sign-in throttle (app/lib/client-address.server.ts); never the client's copy.
  headers.delete("x-showback-client-ip");
  headers.set("x-showback-client-ip", req.socket.remoteAddress ?? "unknown");
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(body() as unknown as import("node:stream").Readable);
    init.duplex = "half";
  }
  return { request: new Request(url.href, init), controller };
}

async function sendResponse(res: http.ServerResponse, response: Response, policy: { secure: boolean; signedIn: boolean }) {
  const headers = response.headers;
  for (const [k, v] of SECURITY_HEADERS) if (!headers.has(k)) headers.set(k, v);
  applyResponsePolicy(headers, policy);
  res.statusCode = response.status;
  res.statusMessage = response.statusText || http.STATUS_CODES[response.status] || "";
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of headers) if (k !== "set-cookie") out[k] = v;
  const cookies = headers.getSetCookie();
  if (cookies.length) out["set-cookie"] = cookies;
  for (const [k, v] of Object.entries(out)) res.setHeader(k, v);
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

export async function startServer(opts: StartServerOptions = {}): Promise<ServerHandle> {
  const env = parseEnv({ ...process.env, ...(opts.env ?? {}) });
  const dbConfig: DbConfig = opts.dbConfig ?? { databaseUrl: env.DATABASE_URL, dataDir: path.resolve(env.SHOWBACK_DATA_DIR) };
  const buildDir = path.resolve(opts.buildDir ?? (process.env.SHOWBACK_BUILD_DIR || "build"));
  const serverEntry = path.join(buildDir, "server", "index.js");
  const clientDir = path.join(buildDir, "client");
  try {
    await stat(serverEntry);
  } catch {
    throw new Error(`No server build at ${serverEntry}: run \`npm run build\` first.`);
  }

  const ownsDb = !opts.db;
  const db = opts.db ?? (await openDb(dbConfig));
  try {
    if (opts.db) await migrateDb(db, dbConfig);
    const sessionSecret = await resolveSessionSecret(db, env);
    await pruneLoginAttempts(db).catch(() => {});
    const ctx: ServerContext = { db, env, sessionSecret };

    // React picks its production build from process.env.NODE_ENV, which parseEnv defaults to "production"
    // but leaves unset: without this every page renders with React's development checks (several times slower).
    process.env.NODE_ENV ??= env.NODE_ENV as NonNullable<typeof process.env.NODE_ENV>;
    const build = (await import(pathToFileURL(serverEntry).href)) as ServerBuild;
    const mode = env.NODE_ENV === "development" ? "development" : "production";
    const handle = createRequestHandler(build, mode);
    const log = opts.log ?? true;

    const server = http.createServer(async (req, res) => {
      const started = Date.now();
      const pathname = (req.url ?? "/").split("?")[0] || "/";
      if (log) res.on("finish", () => console.log(`${req.method} ${pathname} ${res.statusCode} ${Date.now() - started}ms`));
      const url = requestUrl(req);
      const secure = isSecureRequest(new Request(url.href), env);
      const transport: Array<[string, string]> = secure ? [["Strict-Transport-Security", HSTS_VALUE]] : [];
      try {
        if (await serveStatic(clientDir, req, res, pathname, secure)) return;
        const hasBody = req.method !== "GET" && req.method !== "HEAD";
        const contentType = String(req.headers["content-type"] ?? "");
        const limit = runWithContext(ctx, () => bodyLimitFor(pathname, contentType));
        const declared = req.headers["content-length"];
        if (hasBody && declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit.max) {
          sendRefusal(
            req,
            res,
            { status: 413, message: `The request body is larger than the limit of ${fmtLimit(limit.max)} for ${limit.what}.` },
            transport,
          );
          return;
        }
        let refused: ((r: Refusal) => void) | undefined;
        const refusal = new Promise<Refusal>((resolve) => (refused = resolve));
        const { request, controller } = toRequest(req, res, url, () => guardedBody(req, limit, contentType, (r) => refused!(r)));
        const policy = {
          secure,
          signedIn: isSignedInRequest(request.headers, {
            sessionCookie: SESSION_COOKIE,
            authHeader: env.SHOWBACK_AUTH === "header" ? env.SHOWBACK_AUTH_HEADER : undefined,
          }),
        };
        if (hasBody && !originAllowed(request)) {
          // Cross-site mutation: refused before Remix (which would answer a bare 500).
          await sendResponse(res, forbiddenPage(), policy);
          return;
        }
        const handled = runWithContext(ctx, () => handle(request));
        const outcome = await Promise.race([handled.then((response) => ({ response })), refusal.then((r) => ({ refusal: r }))]);
        if ("refusal" in outcome) {
          // the body went past its limit (or a second file part) while the route read it
          controller.abort();
          handled.then(
            (r) => r.body?.cancel().catch(() => {}),
            () => {},
          );
          sendRefusal(req, res, outcome.refusal, transport);
          return;
        }
        await sendResponse(res, outcome.response, policy);
        if (hasBody && !req.complete) {
          // the route answered without reading all of the body: discard the rest
          req.unpipe();
          req.resume();
        }
      } catch (e) {
        console.error(`[showback] ${req.method} ${pathname}:`, e instanceof Error ? (e.stack ?? e.message) : e);
        if (!res.headersSent) {
          res.writeHead(500, {
            "Content-Type": "text/plain; charset=utf-8",
            ...Object.fromEntries(SECURITY_HEADERS),
            ...Object.fromEntries(transport),
          });
          res.end("Internal server error");
        } else res.destroy();
      }
    });
    server.keepAliveTimeout = 5_000;

    const host = opts.host ?? env.HOST;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? env.PORT, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => server.closeAllConnections(), 5_000);
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
        if (ownsDb) await db.close();
      })());

    return { url: `http://${urlHost}:${port}`, port, host, server, db, env, close };
  } catch (e) {
    if (ownsDb) await db.close().catch(() => {});
    throw e;
  }
}

async function main() {
  let handle: ServerHandle;
  try {
    handle = await startServer();
  } catch (e) {
    if (e instanceof EnvError) console.error(e.message);
    else console.error(`showback: cannot start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  console.log(
    `Showback listening on ${handle.url} (${handle.env.DATABASE_URL ? "PostgreSQL" : `embedded database in ${path.resolve(handle.env.SHOWBACK_DATA_DIR)}`})`,
  );
  const stop = (signal: string) => {
    console.log(`${signal}: shutting down`);
    handle.close().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) void main();
