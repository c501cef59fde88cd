/**
 * `getDb()`: the database of the server handling the current request.
 *
 * Under scripts/serve.ts (npm start, tests) the server opens and migrates the
 * database once and every request runs inside its context. Under `remix vite:dev`
 * there is no such context: the first call opens (and migrates) the database from
 * the environment and keeps it for the life of the process.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "../../db/client";
import { openDb } from "../../db/migrate";
import { getOrCreateSetting } from "../../db/queries/users";
import { currentContext, type ServerContext } from "./context.server";
import { parseEnv, usesEmbeddedDb, type Env } from "./env.server";

const FALLBACK = Symbol.for("showback.fallbackContext");
type G = typeof globalThis & { [FALLBACK]?: Promise<ServerContext> };

export const SESSION_SECRET_KEY = "session_secret";

/** Files whose SESSION_SECRET values are examples, never real secrets. */
function exampleFiles(root: string): string[] {
  const out = ["docker-compose.yml", "README.md"].map((f) => path.join(root, f));
  for (const dir of [root, path.join(root, "docs")]) {
    try {
      for (const f of readdirSync(dir)) {
        if (/(^\.env\.|\.)(example|sample|template|dist)$|\.md$/i.test(f)) out.push(path.join(dir, f));
      }
    } catch {
      // no such folder: nothing to read
    }
  }
  return [...new Set(out)];
}

/** SESSION_SECRET values written in the example files of `root` (`${...}` references skipped). */
export function exampleSecretValues(root = process.cwd()): Set<string> {
  const values = new Set<string>();
  for (const f of exampleFiles(root)) {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const m of text.matchAll(/SESSION_SECRET\s*[:=]\s*["']?([^\s"'`]+)/g)) {
      const v = m[1]!;
      if (!v.startsWith("$") && v.length >= 8) values.add(v);
    }
  }
  return values;
}

/**
 * The session secret: SESSION_SECRET if set (refused when it is a value from an
 * example file; env.server.ts already refused short and placeholder values);
 * otherwise one generated once and kept in the `settings` table, which is refused in
 * production unless the database is the embedded one (a generated secret in a shared
 * server database would be an unreviewed credential; with PGlite the data folder is
 * private to this app).
 */
export async function resolveSessionSecret(db: Db, env: Env): Promise<string> {
  if (env.SESSION_SECRET) {
    if (exampleSecretValues().has(env.SESSION_SECRET)) {
      throw new Error(
        "SESSION_SECRET is the example value from this repository's documentation or compose file: refused, " +
          "anyone could read it. Generate one with `openssl rand -base64 48`.",
      );
    }
    return env.SESSION_SECRET;
  }
  if (env.NODE_ENV === "production" && !usesEmbeddedDb(env)) {
    throw new Error(
      "SESSION_SECRET is required when NODE_ENV=production and DATABASE_URL is set " +
        "(at least 32 random characters, e.g. `openssl rand -base64 48`).",
    );
  }
  return getOrCreateSetting(db, SESSION_SECRET_KEY, () => randomBytes(48).toString("base64url"));
}

async function fallbackContext(): Promise<ServerContext> {
  const g = globalThis as G;
  g[FALLBACK] ??= (async () => {
    const env = parseEnv();
    const db = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: path.resolve(env.SHOWBACK_DATA_DIR) });
    const sessionSecret = await resolveSessionSecret(db, env);
    return { db, env, sessionSecret };
  })();
  return g[FALLBACK]!;
}

export async function getServerContext(): Promise<ServerContext> {
  return currentContext() ?? fallbackContext();
}

export async function getDb(): Promise<Db> {
  return (await getServerContext()).db;
}

export async function getEnv(): Promise<Env> {
  return (await getServerContext()).env;
}
