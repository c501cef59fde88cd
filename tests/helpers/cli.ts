/**
 * Runs the real CLI commands (`scripts/*.ts`) in child processes against a test
 * database: PostgreSQL (a fresh database) or an embedded PGlite data folder copied
 * from a migrated template (PGlite is single-process: only one process opens it at a time).
 */
import { spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createPgliteDb, type Db } from "../../db/client";
import { migrateDb } from "../../db/migrate";
import { createTestDb, testEngine } from "./db";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const root = path.resolve(__dirname, "../..");

export function runScript(script: string, args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", `${script}.ts`), ...args], {
      cwd: root,
      env: { ...process.env, ...env, NODE_OPTIONS: "" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

let pgliteTemplateDir: Promise<string> | undefined;
async function templateDir(): Promise<string> {
  pgliteTemplateDir ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "showback-tpl-"));
    const db = await createPgliteDb(dir);
    await migrateDb(db, {});
    await db.close();
    return dir;
  })();
  return pgliteTemplateDir;
}

export interface CliEnv {
  env: Record<string, string>;
  run(script: string, ...args: string[]): Promise<CliResult>;
  /** Opens the database in this process (close it before the next `run` on PGlite). */
  withDb<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  cleanup(): Promise<void>;
}

export async function createCliEnv(): Promise<CliEnv> {
  if (testEngine() === "pg") {
    const t = await createTestDb();
    await t.db.close();
    const env = { DATABASE_URL: t.databaseUrl!, SHOWBACK_ACTOR: "test" };
    return {
      env,
      run: (script, ...args) => runScript(script, args, env),
      async withDb(fn) {
        const { createPostgresDb } = await import("../../db/client");
        const db = createPostgresDb(t.databaseUrl!, { max: 2 });
        try {
          return await fn(db);
        } finally {
          await db.close();
        }
      },
      cleanup: async () => {
        const postgres = (await import("postgres")).default;
        const { baseUrl } = await import("./db");
        const admin = postgres(baseUrl(), { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop database if exists ${new URL(t.databaseUrl!).pathname.slice(1)} with (force)`);
        await admin.end();
      },
    };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "showback-cli-"));
  await cp(await templateDir(), dir, { recursive: true });
  const env = { DATABASE_URL: "", SHOWBACK_DATA_DIR: dir, SHOWBACK_ACTOR: "test" };
  return {
    env,
    run: (script, ...args) => runScript(script, args, env),
    async withDb(fn) {
      const db = await createPgliteDb(dir);
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A CLI environment for the current file (or describe block): created in beforeAll, cleaned
 * up in afterAll. The returned CliEnv forwards to it; use it inside hooks and tests only.
 */
export function useCliEnv(): CliEnv {
  let current: CliEnv | undefined;
  beforeAll(async () => {
    current = await createCliEnv();
  });
  afterAll(async () => {
    await current?.cleanup();
  });
  const cli = () => {
    if (!current) throw new Error("useCliEnv: the CLI environment is read before beforeAll created it");
    return current;
  };
  return {
    get env() {
      return cli().env;
    },
    run: (script, ...args) => cli().run(script, ...args),
    withDb: (fn) => cli().withDb(fn),
    cleanup: () => cli().cleanup(),
  };
}
