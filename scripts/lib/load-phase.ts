/**
 * One phase of npm run load (scripts/load.ts): autocannon against `url`, every connection
 * cycling through the route groups; latencies recorded per group. Runs in a worker thread
 * (runPhaseInWorker) so that the load generator does not share the event loop of the
 * server it measures (the server runs in the main thread of the same process).
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import autocannon from "autocannon";

export interface PhaseOptions {
  url: string;
  cookie: string;
  connections: number;
  seconds: number;
  /** total requests/s across all connections (autocannon's overallRate); none = as fast as possible */
  rate?: number;
  routes: Array<{ group: string; path: string }>;
  /** groups of connections started 1/spread s apart (default 1: one autocannon instance) */
  spread?: number;
}

/** The route groups every connection cycles through, in order. */
export function loadRoutes(team: string, org: string): Array<{ group: string; path: string }> {
  return [
    { group: "overview", path: "/" },
    { group: "teams", path: "/teams" },
    { group: "team", path: `/teams/${encodeURIComponent(team)}` },
    { group: "cost_centers", path: "/cost-centers" },
    { group: "org", path: `/orgs/${encodeURIComponent(org)}` },
    { group: "reconciliation", path: "/reconciliation" },
    { group: "csv", path: "/export.csv?by=team" },
  ];
}

/** Nearest-rank percentile of sorted numbers (0 when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface PhaseResult {
  seconds: number;
  requests: number;
  rps: number;
  all: number[];
  byGroup: Map<string, number[]>;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
}

/** Splits n into k near-equal integer parts (the first ones one larger). */
export function split(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

export async function runPhase(opts: PhaseOptions): Promise<PhaseResult> {
  const { url, cookie, routes } = opts;
  const byGroup = new Map<string, number[]>(routes.map((r) => [r.group, []]));
  const all: number[] = [];
  let non2xx = 0;
  type Ctx = { group?: string };

  const one = (connections: number, rate: number | undefined, offset: number) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url,
          connections,
          duration: opts.seconds,
          ...(rate ? { overallRate: rate } : {}),
          timeout: 30,
          headers: { cookie, accept: "text/html,text/csv" },
          // each group starts at another place in the cycle, so the route mix is even from the start
          requests: [...routes.slice(offset % routes.length), ...routes.slice(0, offset % routes.length)].map((r) => ({
            method: "GET" as const,
            path: r.path,
            onResponse: (_status: number, _body: string, context: Ctx) => {
              context.group = r.group;
            },
          })),
        },
        (err, r) => (err ? reject(err) : resolve(r)),
      );
      // the request's onResponse runs just before the client's 'response' event: tag it with its group
      instance.on("response", (client: unknown, statusCode: number, _bytes: number, ms: number) => {
        const group = (client as { requestIterator?: { context?: Ctx } }).requestIterator?.context?.group ?? "other";
        (byGroup.get(group) ?? byGroup.set(group, []).get(group)!).push(ms);
        all.push(ms);
        if (statusCode < 200 || statusCode > 299) non2xx++;
      });
    });

  // autocannon gives every connection of one instance a rate timer started at the same
  // instant, so with a rate all of them fire together once a second. `spread` groups of
  // connections, started 1/spread s apart, send the same total rate without that lockstep.
  const k = Math.max(1, Math.min(opts.spread ?? 1, opts.connections));
  const conns = split(opts.connections, k);
  const rates = opts.rate ? split(opts.rate, k) : [];
  const started = performance.now();
  const runs: Array<Promise<autocannon.Result>> = [];
  for (let i = 0; i < k; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 1000 / k));
    runs.push(one(conns[i]!, opts.rate ? Math.max(1, rates[i]!) : undefined, i));
  }
  const results = await Promise.all(runs);
  const seconds = (performance.now() - started) / 1000;
  all.sort((a, b) => a - b);
  for (const v of byGroup.values()) v.sort((a, b) => a - b);
  const sum = (f: (r: autocannon.Result) => number) => results.reduce((a, r) => a + f(r), 0);
  return {
    seconds,
    requests: all.length,
    rps: all.length / seconds,
    all,
    byGroup,
    non2xx: Math.max(
      non2xx,
      sum((r) => r.non2xx),
    ),
    socketErrors: sum((r) => r.errors - r.timeouts),
    timeouts: sum((r) => r.timeouts),
  };
}

/** runPhase in a worker thread; byGroup comes back as a Map. */
export function runPhaseInWorker(opts: PhaseOptions): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    // the worker loads this TypeScript file through tsx's API (Node 20 applies no --import hooks to a worker's entry)
    const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
    const self = JSON.stringify(import.meta.url);
    const w = new Worker(`import(${tsx}).then((m) => m.tsImport(${self}, ${self}))`, { eval: true, workerData: { loadPhase: opts } });
    let result: PhaseResult | undefined;
    w.once("message", (m: Omit<PhaseResult, "byGroup"> & { byGroup: Array<[string, number[]]> }) => {
      result = { ...m, byGroup: new Map(m.byGroup) };
    });
    w.once("error", reject);
    w.once("exit", (code) => (result ? resolve(result) : reject(new Error(`load worker exited with code ${code} and no result`))));
  });
}

if (!isMainThread && (workerData as { loadPhase?: PhaseOptions } | null)?.loadPhase) {
  const r = await runPhase((workerData as { loadPhase: PhaseOptions }).loadPhase);
  parentPort!.postMessage({ ...r, byGroup: [...r.byGroup] });
}
