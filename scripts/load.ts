/**
 * npm run load -- [--users 50] [--rate 50] [--seconds 60] [--saturate-seconds 10] [--spread 10]
 *                  [--url URL [--email E --password P]]
 *
 * A load test of the BUILT server (autocannon as a library). Without --url it starts the
 * server in this process (scripts/serve.ts#startServer) on a fresh embedded PGlite data
 * folder in a temporary directory loaded with the demo data set (scripts/lib/demo-data.ts),
 * creates a throwaway viewer directly in the database and signs in through POST /login.
 * With --url it targets a running server: give --email/--password of an existing account,
 * or set DATABASE_URL (PostgreSQL) so a throwaway viewer can be created in that database.
 *
 * Two phases at the same connection count:
 *   1. --seconds at --rate requests/s in total (autocannon's overallRate);
 *   2. --saturate-seconds with no rate limit: the saturated throughput.
 * Every connection cycles through the signed-in dashboard pages and a CSV download
 * (overview, teams, one team, cost centers, one org, reconciliation, export.csv).
 * `--spread N` runs the connections as N autocannon instances started 1/N s apart, each
 * with its share of the rate: one instance (--spread 1) fires all its rate-limited
 * connections in the same millisecond once a second, which real users do not do.
 *
 * Prints key=value lines (latencies in ms): rps, p50/p95/p99 overall and per route group,
 * errors (non-2xx responses plus socket errors and timeouts), and the same for the
 * saturated phase with a `saturated_` prefix. Exit 0 when the run completed (whatever the
 * figures), 2 on bad arguments.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import type { Db } from "../db/client";
import { openDb } from "../db/migrate";
import { disableSeededUser, seedUser } from "../app/services/users";
import { parseCli, runCli, UsageError } from "./lib/cli";
import { DEMO_ORGS, loadDemoData } from "./lib/demo-data";
import { loadRoutes, percentile, runPhaseInWorker, type PhaseResult } from "./lib/load-phase";
import { startServer, type ServerHandle } from "./serve";

const USAGE =
  "npm run load -- [--users 50] [--rate 50] [--seconds 60] [--saturate-seconds 10] [--spread 10] [--url URL [--email E --password P]]";

const Args = z.object({
  users: z.coerce.number().int().min(1).max(1000).default(50),
  rate: z.coerce.number().int().min(1).max(100_000).default(50),
  seconds: z.coerce.number().int().min(1).max(3600).default(60),
  saturateSeconds: z.coerce.number().int().min(1).max(600).default(10),
  spread: z.coerce.number().int().min(1).max(100).default(10),
  url: z.url().optional(),
  email: z.string().optional(),
  password: z.string().optional(),
});

const log = (s: string) => process.stderr.write(s + "\n");

async function signIn(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(new URL("/login", url), {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({ email, password, redirectTo: "/" }),
  });
  if (res.status !== 302) throw new Error(`sign-in as ${email} failed: HTTP ${res.status}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
  if (!cookie) throw new Error(`sign-in as ${email} set no cookie`);
  const check = await fetch(new URL("/", url), { headers: { cookie }, redirect: "manual" });
  if (check.status !== 200) throw new Error(`signed in as ${email} but / answered HTTP ${check.status}`);
  await check.arrayBuffer();
  return cookie;
}

async function throwawayViewer(db: Db): Promise<{ email: string; password: string }> {
  const email = `load-${randomBytes(4).toString("hex")}@showback.local`;
  const password = randomBytes(18).toString("base64url");
  await seedUser(db, { email, role: "viewer", password });
  return { email, password };
}

function report(prefix: string, r: PhaseResult): string[] {
  const f = (n: number) => (Math.round(n * 10) / 10).toString();
  const lines = [
    `${prefix}seconds=${f(r.seconds)}`,
    `${prefix}requests=${r.requests}`,
    `${prefix}rps=${f(r.rps)}`,
    `${prefix}p50_ms=${f(percentile(r.all, 50))}`,
    `${prefix}p95_ms=${f(percentile(r.all, 95))}`,
    `${prefix}p99_ms=${f(percentile(r.all, 99))}`,
    `${prefix}non2xx=${r.non2xx}`,
    `${prefix}socket_errors=${r.socketErrors}`,
    `${prefix}timeouts=${r.timeouts}`,
    `${prefix}errors=${r.non2xx + r.socketErrors + r.timeouts}`,
  ];
  for (const [g, v] of r.byGroup) {
    lines.push(
      `${prefix}${g}_requests=${v.length}`,
      `${prefix}${g}_p50_ms=${f(percentile(v, 50))}`,
      `${prefix}${g}_p95_ms=${f(percentile(v, 95))}`,
      `${prefix}${g}_p99_ms=${f(percentile(v, 99))}`,
    );
  }
  return lines;
}

async function main(): Promise<number> {
  const a = parseCli(
    USAGE,
    process.argv.slice(2),
    {
      users: { type: "string" },
      rate: { type: "string" },
      seconds: { type: "string" },
      "saturate-seconds": { type: "string" },
      spread: { type: "string" },
      url: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
    },
    Args,
    (v) => ({ ...v, saturateSeconds: v["saturate-seconds"] }),
  );
  if ((a.email === undefined) !== (a.password === undefined)) throw new UsageError(`--email and --password go together\n\n${USAGE}`);

  // the server under test runs as in production (React's production build: see startServer)
  process.env.NODE_ENV ??= "production";
  let server: ServerHandle | undefined;
  let db: Db | undefined;
  let tmp: string | undefined;
  let throwaway: string | undefined;
  try {
    let url: string;
    let email: string;
    let password: string;
    if (a.url) {
      url = a.url.replace(/\/$/, "");
      if (a.email && a.password) ({ email, password } = a);
      else {
        if (!process.env.DATABASE_URL)
          throw new UsageError(`--url needs --email/--password, or DATABASE_URL to create a throwaway viewer\n\n${USAGE}`);
        db = await openDb();
        ({ email, password } = await throwawayViewer(db));
        throwaway = email;
      }
    } else {
      tmp = await mkdtemp(path.join(os.tmpdir(), "showback-load-"));
      const started = performance.now();
      db = await openDb({ dataDir: path.join(tmp, "data") });
      log("loading the demo data set into a fresh embedded database…");
      const s = await loadDemoData(db, { now: new Date() });
      log(`loaded ${s.rows} rows in ${s.imports} imports (${s.from}..${s.to}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      ({ email, password } = await throwawayViewer(db));
      server = await startServer({ db, port: 0, host: "127.0.0.1", log: false, env: { SHOWBACK_AUTH: "password" } });
      url = server.url;
    }
    const cookie = await signIn(url, email, password);
    const routes = loadRoutes("payments", DEMO_ORGS[0].org); // a team and an org of the demo data set
    log(`phase 1: ${a.users} connections, ${a.rate} requests/s in total, ${a.seconds} s against ${url}`);
    const limited = await runPhaseInWorker({
      url,
      cookie,
      routes,
      connections: a.users,
      seconds: a.seconds,
      rate: a.rate,
      spread: a.spread,
    });
    log(`phase 2: ${a.users} connections, no rate limit, ${a.saturateSeconds} s`);
    const saturated = await runPhaseInWorker({ url, cookie, routes, connections: a.users, seconds: a.saturateSeconds, spread: a.spread });
    const out = [
      `engine=${a.url ? "remote" : "pglite"}`,
      `users=${a.users}`,
      `rate=${a.rate}`,
      `spread=${a.spread}`,
      ...report("", limited),
      ...report("saturated_", saturated),
    ];
    process.stdout.write(out.join("\n") + "\n");
    return 0;
  } finally {
    if (server) await server.close();
    if (db && throwaway) {
      await disableSeededUser(db, throwaway).catch(() => {});
    }
    if (db) await db.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

runCli(main);
