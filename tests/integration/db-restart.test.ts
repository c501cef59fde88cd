/**
 * The app survives a PostgreSQL restart (issue 11; TEST_DB=pg only): a throwaway cluster
 * (initdb as the `postgres` OS user, on a free port, in a temp folder), the built app on
 * it; stopping PostgreSQL turns /healthz to 503, starting it again brings /healthz back to
 * 200 and signed-in pages work again without restarting the app (postgres.js opens new
 * connections for the ones the restart closed). The cluster is stopped and removed in
 * afterAll, whatever happened. Needs the build (SHOWBACK_BUILD_DIR).
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type ServerHandle } from "../../scripts/serve";
import { testEngine } from "../helpers/db";
import { BUILD_DIR, assertBuilt, createUser, makeClient, TEST_PASSWORD, type TestClient } from "../helpers/server";

const pgBin = (() => {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : null;
})();

let tmp: string | undefined;
let dataDir: string;
let port: number;
let started = false;
let app: ServerHandle | undefined;
let user: TestClient;

/** Runs a PostgreSQL binary as the postgres OS user (initdb refuses root). */
function asPostgres(bin: string, args: string[]): string {
  return execFileSync("runuser", ["-u", "postgres", "--", path.join(pgBin!, bin), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const pgCtl = (...args: string[]) => asPostgres("pg_ctl", ["-D", dataDir, ...args]);

function startPg() {
  pgCtl(
    "-o",
    `-p ${port} -k ${tmp} -c listen_addresses=127.0.0.1 -c fsync=off`,
    "-l",
    path.join(tmp!, "pg.log"),
    "-w",
    "-t",
    "60",
    "start",
  );
  started = true;
}
function stopPg(mode = "fast") {
  pgCtl("-m", mode, "-w", "-t", "60", "stop");
  started = false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** Polls `fn` until it returns true (or fails after `ms`). */
async function until(what: string, fn: () => Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const health = async () => (await fetch(`${app!.url}/healthz`)).status;

describe.skipIf(testEngine() !== "pg" || !pgBin)("PostgreSQL restart", () => {
  beforeAll(async () => {
    assertBuilt();
    tmp = mkdtempSync(path.join(os.tmpdir(), "showback-pgrestart-"));
    chownSync(
      tmp,
      Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
      Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
    );
    dataDir = path.join(tmp, "data");
    port = await freePort();
    asPostgres("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
    startPg();
    const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
    await admin.unsafe("create database showback");
    await admin.end();
    const databaseUrl = `postgres://postgres@127.0.0.1:${port}/showback`;
    app = await startServer({
      port: 0,
      host: "127.0.0.1",
      dbConfig: { databaseUrl },
      env: { NODE_ENV: "test", DATABASE_URL: databaseUrl, SHOWBACK_DATA_DIR: tmp, SESSION_SECRET: undefined, SHOWBACK_AUTH: "password" },
      buildDir: BUILD_DIR,
      log: false,
    });
    const email = await createUser(app.db, { email: "viewer@example.test", role: "viewer" });
    user = makeClient(app.url, email);
    const res = await user.post("/login", { email, password: TEST_PASSWORD, redirectTo: "/" }, { csrf: false });
    expect(res.status).toBe(302);
  }, 120_000);

  afterAll(async () => {
    try {
      if (started) stopPg("immediate");
    } catch {
      /* already down */
    }
    // the pool may still retry: close it with the cluster down (bounded by its timeout)
    await app?.close().catch(() => {});
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it("/healthz: 200, then 503 while PostgreSQL is down, then 200 again; signed-in pages recover", async () => {
    expect(await health()).toBe(200);
    const before = await user.get("/");
    expect(before.status).toBe(200);

    stopPg();
    await until("/healthz 503", async () => (await health()) === 503, 20_000);
    const down = await user.get("/");
    expect(down.status).toBeGreaterThanOrEqual(500);

    startPg();
    await until("/healthz 200", async () => (await health()) === 200, 30_000);
    const after = await user.get("/");
    expect(after.status).toBe(200);
    expect(await after.text()).toContain("viewer@example.test");
    const teams = await user.get("/teams");
    expect(teams.status).toBe(200);
  }, 120_000);
});
