/**
 * Production server: `tsx scripts/serve.ts` (npm start).
 *
 * Opens and migrates the database, resolves the session secret, serves the Remix
 * build (build/server) and its static assets (build/client, /assets with a long
 * immutable cache) over node:http, adds the security headers to every response and
 * shuts down cleanly (HTTP server, then database) on SIGTERM/SIGINT.
 *
 * Reusable: `startServer({ port, host, dbConfig?, db?, env? })` → { url, close() }.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  createReadableStreamFromReadable,
  createRequestHandler,
  writeReadableStreamToWritable,
  type ServerBuild,
} from "@remix-run/node";
import type { Db, DbConfig } from "../db/client";
import { migrateDb, openDb } from "../db/migrate";
import { pruneLoginAttempts } from "../db/queries/users";
import { runWithContext, type ServerContext } from "../app/lib/context.server";
import { resolveSessionSecret } from "../app/lib/db.server";
import { EnvError, parseEnv, type Env } from "../app/lib/env.server";
import { originAllowed } from "../app/lib/csrf.server";
import { securityHeaderEntries } from "../app/lib/headers.server";

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

/** Serves a file of build/client; true when the request was handled. */
async function serveStatic(clientDir: string, req: http.IncomingMessage, res: http.ServerResponse, pathname: string) {
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
    "Cache-Control": isAsset ? "public, max-age=31536000, immutable" : "public, max-age=3600",
    ...Object.fromEntries(SECURITY_HEADERS),
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

function toRequest(req: http.IncomingMessage, res: http.ServerResponse): Request {
  const xfp = String(req.headers["x-forwarded-proto"] ?? "").split(",")[0]?.trim().toLowerCase();
  const proto = xfp === "https" || xfp === "http" ? xfp : (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  const host = req.headers.host ?? "localhost";
  const url = new URL(req.url ?? "/", `${proto}://${host}`);
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else headers.set(k, v);
  }
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  return new Request(url.href, init);
}

async function sendResponse(res: http.ServerResponse, response: Response) {
  const headers = response.headers;
  for (const [k, v] of SECURITY_HEADERS) if (!headers.has(k)) headers.set(k, v);
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

    const build = (await import(pathToFileURL(serverEntry).href)) as ServerBuild;
    const mode = env.NODE_ENV === "development" ? "development" : "production";
    const handle = createRequestHandler(build, mode);
    const log = opts.log ?? true;

    const server = http.createServer(async (req, res) => {
      const started = Date.now();
      const pathname = (req.url ?? "/").split("?")[0] || "/";
      if (log) res.on("finish", () => console.log(`${req.method} ${pathname} ${res.statusCode} ${Date.now() - started}ms`));
      try {
        if (await serveStatic(clientDir, req, res, pathname)) return;
        const request = toRequest(req, res);
        if (req.method !== "GET" && req.method !== "HEAD" && !originAllowed(request)) {
          // Cross-site mutation: refused before Remix (which would answer a bare 500).
          await sendResponse(res, forbiddenPage());
          return;
        }
        const response = await runWithContext(ctx, () => handle(request));
        await sendResponse(res, response);
      } catch (e) {
        console.error(`[showback] ${req.method} ${pathname}:`, e instanceof Error ? e.stack ?? e.message : e);
        if (!res.headersSent) {
          res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8", ...Object.fromEntries(SECURITY_HEADERS) });
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
  console.log(`Showback listening on ${handle.url} (${handle.env.DATABASE_URL ? "PostgreSQL" : `embedded database in ${path.resolve(handle.env.SHOWBACK_DATA_DIR)}`})`);
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
