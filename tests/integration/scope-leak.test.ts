/**
 * Issue 15, the scoped-viewer leak test: a `team_viewer` signs in and fetches EVERY route of
 * the built route table (every page, every download, with several filter variants and every
 * route parameter it could guess) and the read API with its own token; no response body may
 * contain another team's name, one of its owners (id or display name), or one of its amounts.
 *
 * Two scopes: one team by name (`search`), and one cost center (CC-100, whose team is
 * `payments`). The forbidden strings are computed from the unscoped report and crosswalk on
 * the same data, and the detector is shown to work on the unscoped viewer's pages, so the
 * test cannot pass by finding nothing.
 */
import { dec, type Decimal } from "../../app/domain/money";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../../app/services/api-tokens";
import { OTHER_TEAMS } from "../../app/domain/scope";
import { DISPLAY_PSEUDO_GROUPS } from "../../app/domain/vocabulary";
import type { Db } from "../../db/client";
import { getReport } from "../../db/queries/report";
import { costCenterMap } from "../../db/queries/teams";
import { createUser, loadBuiltRoutes, sampleUrl, type BuiltRoute, type TestClient, useTestServer } from "../helpers/server";
import { seedDashboard } from "./dashboard-fixture";

const server = useTestServer({ seed: seedDashboard, roles: ["viewer"] });
const routes: BuiltRoute[] = await loadBuiltRoutes();

interface Scoped {
  email: string;
  scope: { teams: string[]; costCenters: string[] };
}
const SCOPES: Scoped[] = [
  { email: "scoped-search@example.test", scope: { teams: ["search"], costCenters: [] } },
  { email: "scoped-cc100@example.test", scope: { teams: [], costCenters: ["CC-100"] } },
];

const WIDE = { granularity: "monthly" as const, from: "2000-01-01", to: "2100-12-31" };
const VARIANTS = [
  "",
  "?period=custom&from=2026-01-01&to=2026-12-31",
  "?period=custom&from=2026-03-01&to=2026-04-30&gran=daily",
  "?period=custom&from=2026-01-01&to=2026-12-31&by=cost_center",
  "?period=custom&from=2026-01-01&to=2026-12-31&gran=weekly&org=org-gen",
  "?org=org-vendor&period=last-12-months",
];

interface World {
  teams: string[];
  costCenters: string[];
  orgs: string[];
  importIds: string[];
}

/** Every team, cost center, org and import the data holds (read directly, unscoped). */
async function world(db: Db): Promise<World> {
  const teams = new Set<string>();
  for (const r of await db.query<{ name: string }>(`select name from teams`)) teams.add(r.name);
  for (const r of await getReport(db, WIDE)) if (!(DISPLAY_PSEUDO_GROUPS as readonly string[]).includes(r.group)) teams.add(r.group);
  const ccs = [...new Set((await db.query<{ c: string | null }>(`select cost_center as c from teams`)).map((r) => r.c))].filter(
    (c): c is string => Boolean(c),
  );
  const orgs = (await db.query<{ org_id: string }>(`select distinct org_id from cost_rows order by 1`)).map((r) => r.org_id);
  const importIds = (await db.query<{ id: number }>(`select id from imports order by id`)).map((r) => String(r.id));
  return { teams: [...teams].sort(), costCenters: ccs.sort(), orgs, importIds };
}

/** What the scope may see, computed here from the teams table (not by the code under test). */
async function visibleOf(db: Db, s: Scoped["scope"]): Promise<string[]> {
  const cc = await costCenterMap(db);
  const all = new Set([...cc.keys(), ...(await world(db)).teams]);
  return [...all].filter((t) => s.teams.includes(t) || s.costCenters.includes(cc.get(t) ?? "\u0000")).sort();
}

interface Needle {
  what: string;
  text: string;
}

const money = (v: string) => {
  const fixed = dec(v).toFixed(2);
  const [i, f] = fixed.replace("-", "").split(".");
  const grouped = i!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return [fixed, `${grouped}.${f}`, v];
};

/** The strings that must not appear for this visible set. */
async function needles(db: Db, visible: string[]): Promise<Needle[]> {
  const w = await world(db);
  const hidden = w.teams.filter((t) => !visible.includes(t));
  const out: Needle[] = hidden.map((t) => ({ what: `team ${t}`, text: t }));
  // owners: those never mapped to a visible team (mapped elsewhere, or unmapped)
  const seenVisible = new Set(
    (
      await db.query<{ k: string }>(
        `select e.org_id || '/' || e.owner_id as k from crosswalk_entries e join teams t on t.id = e.team_id where t.name = any($1::text[])`,
        [visible],
      )
    ).map((r) => r.k),
  );
  const owners = await db.query<{ org_id: string; owner_id: string }>(
    `select distinct org_id, owner_id from cost_rows where owner_id <> 'unallocated'`,
  );
  const names = new Map(
    (await db.query<{ k: string; display_name: string }>(`select org_id || '/' || owner_id as k, display_name from owner_names`)).map(
      (r) => [r.k, r.display_name],
    ),
  );
  // the environments and resources the visible teams' own usage ran on are theirs to see
  const theirResources = new Set(
    (
      await db.query<{ k: string }>(
        `select distinct c.org_id || '/' || x.id as k
           from cost_rows c cross join lateral (values (c.environment_id), (c.resource_id)) as x(id)
          where c.org_id || '/' || c.owner_id = any($1::text[]) and x.id <> ''`,
        [[...seenVisible]],
      )
    ).map((r) => r.k),
  );
  for (const o of owners) {
    const k = `${o.org_id}/${o.owner_id}`;
    if (seenVisible.has(k) || theirResources.has(k)) continue;
    out.push({ what: `owner ${k}`, text: o.owner_id });
    const n = names.get(k);
    if (n) out.push({ what: `owner name ${n}`, text: n });
  }
  // amounts: every hidden team's figures per month and org, per month, and over everything
  const amounts = new Set<string>();
  const add = (v: string) => {
    if (dec(v).abs().lt(100)) return; // small figures collide with ordinary numbers
    for (const s of money(v)) amounts.add(s);
  };
  const rows = (await getReport(db, WIDE)).filter((r) => hidden.includes(r.group));
  const sum = new Map<string, [Decimal, Decimal]>();
  for (const r of rows) {
    add(r.direct);
    add(r.total);
    const k = `${r.group}\u0000${r.periodStart}`;
    const a = sum.get(k) ?? [dec("0"), dec("0")];
    sum.set(k, [a[0].plus(dec(r.direct)), a[1].plus(dec(r.total))]);
  }
  for (const [a, b] of sum.values()) {
    add(a.toFixed(2));
    add(b.toFixed(2));
  }
  // the visible figures and every total a scoped viewer legitimately sees must not be needles
  const allowed = new Set<string>();
  for (const r of await getReport(db, { ...WIDE, visible }))
    for (const v of [r.direct, r.total, r.unallocatedShare]) money(v).forEach((s) => allowed.add(s));
  for (const a of amounts) if (!allowed.has(a)) out.push({ what: `amount ${a}`, text: a });
  return out;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Occurrences of needles in a body, as whole words (not inside a longer name or number). */
function leaks(body: string, ns: Needle[], except: readonly string[] = []): string[] {
  const found: string[] = [];
  for (const n of ns) {
    if (except.includes(n.text)) continue;
    for (const form of new Set([n.text, escapeHtml(n.text), JSON.stringify(n.text).slice(1, -1)])) {
      // not inside a longer word or number, and not a JSON key (`"search":`)
      const re = new RegExp(`(?<![\\w.,-])${escapeRe(form)}(?![\\w-]|[.,]\\d|\\\\*"\\s*:)`);
      const m = re.exec(body);
      if (m) {
        found.push(`${n.what} near ${JSON.stringify(body.slice(Math.max(0, m.index - 60), m.index + form.length + 60))}`);
        break;
      }
    }
  }
  return found;
}

interface Fetched {
  url: string;
  status: number;
  body: string;
  except: string[];
}

/** Every GET a reader could make: all routes × parameters × filter variants. */
function urlsFor(w: World, visible: string[], scope: Scoped["scope"]): Array<{ url: string; except: string[] }> {
  const out: Array<{ url: string; except: string[] }> = [];
  const params: Record<string, string[]> = {
    team: [...w.teams, "sample"],
    code: [...w.costCenters, ...scope.costCenters, "sample"],
    org: [...w.orgs, "sample"],
    id: [...w.importIds.slice(0, 3), "sample"],
  };
  for (const r of routes) {
    // sign-in and sign-out pages redirect a signed-in reader; the API is fetched below with a token
    if (!r.hasLoader || r.id.startsWith("routes/api.") || r.id === "routes/logout" || r.id === "routes/login") continue;
    const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const combos: Array<Record<string, string>> = names.length ? (params[names[0]!] ?? ["sample"]).map((v) => ({ [names[0]!]: v })) : [{}];
    for (const c of combos) {
      const base = sampleUrl(r, c);
      // a page about a hidden team may name that team (the reader typed it): nothing else
      const except = Object.values(c).filter((v) => !visible.includes(v));
      for (const v of VARIANTS) out.push({ url: `${base}${r.index && base !== "/" ? (v ? `${v}&index` : "?index") : v}`, except });
    }
  }
  return out;
}

async function fetchAll(c: TestClient, list: Array<{ url: string; except: string[] }>): Promise<Fetched[]> {
  const out: Fetched[] = [];
  for (const { url, except } of list) {
    const res = await c.get(url);
    out.push({ url, status: res.status, body: await res.text(), except });
  }
  return out;
}

let clients: TestClient[] = [];
beforeAll(async () => {
  clients = [];
  for (const s of SCOPES) {
    await createUser(server.app.db, { email: s.email, role: "team_viewer", scope: s.scope });
    clients.push(await server.app.login(s.email));
  }
});
afterAll(() => {
  clients = [];
});

describe("the leak detector", () => {
  it("finds other teams' names, owners and amounts on an unscoped viewer's pages", async () => {
    const db = server.app.db;
    const ns = await needles(db, await visibleOf(db, SCOPES[0]!.scope));
    expect(ns.filter((n) => n.what.startsWith("amount")).length).toBeGreaterThan(20);
    const bodies = await fetchAll(server.viewer, [
      { url: "/?period=custom&from=2026-01-01&to=2026-12-31", except: [] },
      { url: "/teams/payments?period=custom&from=2026-01-01&to=2026-12-31", except: [] },
      { url: "/export.csv?period=custom&from=2026-01-01&to=2026-12-31", except: [] },
    ]);
    for (const b of bodies) expect(b.status, b.url).toBe(200);
    const found = bodies.flatMap((b) => leaks(b.body, ns));
    expect(found.some((f) => f.startsWith("team payments"))).toBe(true);
    expect(found.some((f) => f.startsWith("amount"))).toBe(true);
    expect(found.some((f) => f.startsWith("owner"))).toBe(true);
  });
});

describe.each(SCOPES.map((s, i) => [s.email, s, i] as const))("team_viewer %s", (_email, s, i) => {
  it("sees its teams on the overview, the rest as one 'other teams' line with the same grand total", async () => {
    const db = server.app.db;
    const visible = await visibleOf(db, s.scope);
    expect(visible.length).toBeGreaterThan(0);
    const res = await clients[i]!.get("/export.csv?period=custom&from=2026-01-01&to=2026-12-31");
    expect(res.status).toBe(200);
    const csv = await res.text();
    for (const t of visible) expect(csv).toContain(t);
    expect(csv).toContain(OTHER_TEAMS);
    const full = await getReport(db, { granularity: "monthly", from: "2026-01-01", to: "2026-12-31" });
    const folded = await getReport(db, { granularity: "monthly", from: "2026-01-01", to: "2026-12-31", visible });
    const total = (rs: typeof full) => rs.reduce((a, r) => a.plus(dec(r.total)), dec("0")).toFixed();
    expect(total(folded)).toBe(total(full));
    expect(new Set(folded.map((r) => r.group))).toEqual(new Set([...visible.filter((t) => full.some((r) => r.group === t)), OTHER_TEAMS]));
  });

  it("no page, download or parameter of the route table shows another team's name, owner or amount", async () => {
    const db = server.app.db;
    const visible = await visibleOf(db, s.scope);
    const ns = await needles(db, visible);
    const list = urlsFor(await world(db), visible, s.scope);
    expect(list.length).toBeGreaterThan(100);
    const fetched = await fetchAll(clients[i]!, list);
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    for (const f of fetched) {
      statuses.set(f.status, (statuses.get(f.status) ?? 0) + 1);
      if (f.status >= 500) problems.push(`${f.url}: HTTP ${f.status}`);
      if (f.status === 302) problems.push(`${f.url}: redirected (the session was lost?)`);
      for (const l of leaks(f.body, ns, f.except)) problems.push(`${f.url} (${f.status}): ${l}`);
    }
    expect(problems.slice(0, 30)).toEqual([]);
    // both allowed and refused pages were visited
    expect(statuses.get(200) ?? 0).toBeGreaterThan(30);
    expect(statuses.get(403) ?? 0).toBeGreaterThan(10);
    expect(statuses.get(404) ?? 0).toBeGreaterThan(5);
    // the pages of its own teams were among the 200s
    for (const t of visible) {
      const own = fetched.find((f) => f.url === `/teams/${encodeURIComponent(t)}`);
      expect(own?.status, `/teams/${t}`).toBe(200);
    }
    // a hidden team's page is a 404, the crosswalk a 403
    const hidden = (await world(db)).teams.find((t) => !visible.includes(t))!;
    expect(fetched.find((f) => f.url === `/teams/${encodeURIComponent(hidden)}`)?.status).toBe(404);
    expect(fetched.find((f) => f.url === "/crosswalk?index")?.status).toBe(403);
    expect(fetched.find((f) => f.url === "/crosswalk/unmapped")?.status).toBe(403);
  });

  it("the read API with the scoped user's token shows only its teams", async () => {
    const db = server.app.db;
    const visible = await visibleOf(db, s.scope);
    const ns = await needles(db, visible);
    const { token } = await createApiToken(db, "test", { name: `leak ${i}`, user: s.email });
    const w = await world(db);
    const paths = [
      "/api/v1/report?granularity=monthly&from=2026-01-01&to=2026-12-31",
      "/api/v1/report?granularity=monthly&from=2026-01-01&to=2026-12-31&by=cost_center",
      "/api/v1/report?granularity=daily&from=2026-03-01&to=2026-04-30&org=org-gen&limit=5000",
      "/api/v1/reconciliation?month=2026-04",
      "/api/v1/unmapped",
      ...w.teams.map((t) => `/api/v1/teams/${encodeURIComponent(t)}?granularity=monthly&from=2026-01-01&to=2026-12-31`),
    ];
    const problems: string[] = [];
    for (const p of paths) {
      const res = await server.app.anonymous().get(p, { headers: { Authorization: `Bearer ${token}` } });
      const body = await res.text();
      const team = /\/teams\/([^?]+)/.exec(p)?.[1];
      const asked = team ? [decodeURIComponent(team)] : [];
      const expected = p.startsWith("/api/v1/report") || (team && visible.includes(asked[0]!)) ? 200 : 403;
      if (res.status !== expected) problems.push(`${p}: HTTP ${res.status}, expected ${expected}: ${body.slice(0, 200)}`);
      for (const l of leaks(
        body,
        ns,
        asked.filter((a) => !visible.includes(a)),
      ))
        problems.push(`${p}: ${l}`);
      if (p.startsWith("/api/v1/report") && res.status === 200) {
        const groups = new Set((JSON.parse(body) as { rows: Array<{ group: string }> }).rows.map((r) => r.group));
        const cc = await costCenterMap(db);
        const allowed = p.includes("by=cost_center")
          ? new Set([...visible.map((t) => cc.get(t) ?? "(no cost center)"), OTHER_TEAMS])
          : new Set([...visible, OTHER_TEAMS]);
        for (const g of groups) if (!allowed.has(g)) problems.push(`${p}: group ${g}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
