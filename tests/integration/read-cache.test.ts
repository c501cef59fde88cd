/**
 * Issue 11: the dashboards' read cache (app/lib/read-cache.server.ts) serves figures
 * computed once per data version, and every kind of change invalidates them: an ingest
 * (in this process, and on PostgreSQL one by a separate CLI process), a crosswalk edit,
 * a policy change, a close and a reopen.
 *
 * To show the pages really come from the cache, each step first changes allocation
 * results behind the data version's back (a write no trigger sees): the page still shows
 * the figures it had. After the real change, the page equals a fresh, uncached computation.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { importCrosswalk, type ImportEntry } from "../../app/services/crosswalk";
import { getDrilldown } from "../../db/queries/drilldown";
import { getOverview } from "../../db/queries/overview";
import { periodStatuses } from "../../db/queries/period-status";
import { getDataVersion } from "../../db/queries/data-version";
import { ingestFile } from "../../app/services/ingest";
import { runScript } from "../helpers/cli";
import { testEngine } from "../helpers/db";
import { startTestServer, type TestClient, type TestServer } from "../helpers/server";

const FIX = path.resolve(__dirname, "../fixtures/vendor-example");
const EXPORT = path.join(FIX, "export-2026-04-monthly.csv");
const VIEW = { granularity: "monthly" as const, from: "2026-04-01", to: "2026-04-30" };
const Q = "period=custom&from=2026-04-01&to=2026-04-30&gran=monthly";
const PREV = { from: "2026-03-01", to: "2026-03-31" };

async function seed(db: Db) {
  const [, ...lines] = (await readFile(path.join(FIX, "crosswalk.csv"), "utf8")).trim().split("\n");
  const entries: ImportEntry[] = lines
    .map((l, i) => {
      const [orgId, ownerId, team, validFrom, validTo, costCenter] = l.split(",");
      return {
        orgId: orgId!,
        ownerId: ownerId!,
        team: team!,
        validFrom: validFrom!,
        validTo: validTo || null,
        costCenter: costCenter || null,
        line: i + 2,
      };
    })
    .filter((e) => e.ownerId !== "sa-jkl"); // left unmapped: the crosswalk edit maps it
  await importCrosswalk(db, "seed", entries, "merge");
  const r = await ingestFile(db, { orgId: "org-vendor", filePath: EXPORT, granularity: "monthly", actor: "seed" });
  if (r.status !== "imported") throw new Error(JSON.stringify(r));
}

let app: TestServer;
let admin: TestClient;
let viewer: TestClient;

beforeAll(async () => {
  app = await startTestServer({ seed });
  admin = await app.loginAs("finance_admin");
  viewer = await app.loginAs("viewer");
});
afterAll(async () => {
  await app?.close();
});

type OverviewData = { kpi: { total: string; unmapped: string }; trust: { periods: Array<{ period: string; status: string }> } };
type TeamData = { d: { totals: { total: string } }; trust: { periods: Array<{ status: string }>; unmapped: { amount: string } } };

async function data<T>(client: TestClient, pathname: string, route: string, query: string): Promise<T> {
  const res = await client.get(`${pathname}?${query}&_data=${encodeURIComponent(route)}`);
  expect(res.status, `${pathname}?${query}`).toBe(200);
  return (await res.json()) as T;
}
const overviewPage = (org?: string) => data<OverviewData>(viewer, "/", "routes/_index", org ? `${Q}&org=${org}` : Q);
const teamPage = (team: string, org?: string) =>
  data<TeamData>(viewer, `/teams/${team}`, "routes/teams.$team", org ? `${Q}&org=${org}` : Q);

/** The same figures computed now, without the cache. */
async function fresh(team: string, org?: string) {
  const view = { ...VIEW, orgIds: org ? [org] : undefined };
  const ov = await getOverview(app.db, { ...view, by: "team", previous: PREV });
  const drill = await getDrilldown(app.db, "team", team, view);
  const statuses = await periodStatuses(app.db, {
    granularity: "monthly",
    periods: ov.periods.map((p) => p.period),
    orgIds: view.orgIds,
    now: new Date(),
    report: ov.report,
  });
  return { total: ov.kpi.total, unmapped: ov.kpi.unmapped, team: drill.totals.total, status: statuses[0]?.status };
}

async function shown(team: string, org?: string) {
  const ov = await overviewPage(org);
  const t = await teamPage(team, org);
  return { total: ov.kpi.total, unmapped: ov.kpi.unmapped, team: t.d.totals.total, status: ov.trust.periods[0]?.status };
}

/**
 * Moves cost onto `team` in org-vendor's allocation results with no trigger firing (the
 * data version stays), then checks the pages still show what they showed: they are cached.
 */
async function tamperAndExpectCached(team: string, org?: string) {
  const before = await shown(team, org);
  const v = await getDataVersion(app.db);
  await app.db.query(
    `update allocation_results set direct_cost = direct_cost + 100, total = total + 100 where org_id = 'org-vendor' and team = $1`,
    [team],
  );
  expect(await getDataVersion(app.db)).toBe(v);
  const now = await fresh(team, org);
  expect(now.team).not.toBe(before.team); // the database moved…
  expect(await shown(team, org)).toEqual(before); // …the pages did not: served from the cache
  return before;
}

async function expectFresh(team: string, org?: string) {
  const page = await shown(team, org);
  expect(page).toEqual(await fresh(team, org));
  return page;
}

describe(`read cache invalidation (${testEngine()})`, () => {
  it("serves repeated page loads from the cache (one computation per data version)", async () => {
    const a = await expectFresh("payments");
    expect(await shown("payments")).toEqual(a);
    await tamperAndExpectCached("payments");
  });

  it("an ingest in this process shows on the next page load", async () => {
    const before = await tamperAndExpectCached("payments");
    const r = await ingestFile(app.db, { orgId: "org-two", filePath: EXPORT, granularity: "monthly", actor: "test" });
    expect(r.status).toBe("imported");
    const after = await expectFresh("payments");
    expect(after.total).not.toBe(before.total);
    expect(after.unmapped).not.toBe(before.unmapped); // org-two has no crosswalk: all unmapped
  });

  it("a crosswalk edit shows on the next page load", async () => {
    const before = await tamperAndExpectCached("payments");
    const res = await admin.post("/crosswalk?index&_data=routes%2Fcrosswalk._index", {
      intent: "create",
      org_id: "org-vendor",
      owner_id: "sa-jkl",
      team: "payments",
      valid_from: "2026-01-01",
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('"ok":true');
    const after = await expectFresh("payments");
    expect(after.team).not.toBe(before.team);
    expect(after.unmapped).not.toBe(before.unmapped);
  });

  it("a policy change shows on the next page load", async () => {
    const before = await tamperAndExpectCached("payments", "org-vendor");
    const res = await admin.post("/admin/orgs?_data=routes%2Fadmin.orgs", {
      intent: "save",
      org_id: "org-vendor",
      policy_kind: "even",
      display_name: "",
      tolerance: "0.01",
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('"ok":true');
    const after = await expectFresh("payments", "org-vendor");
    expect(after.team).not.toBe(before.team);
  });

  it.skipIf(testEngine() !== "pg")(
    "an ingest by a separate CLI process against the same database shows on the next page load",
    async () => {
      const before = await tamperAndExpectCached("payments");
      const r = await runScript("ingest", ["--org", "org-three", "--granularity", "monthly", EXPORT], {
        DATABASE_URL: app.testDb.databaseUrl!,
        SHOWBACK_ACTOR: "test-cli",
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const after = await expectFresh("payments");
      expect(after.total).not.toBe(before.total);
    },
  );

  it("a close and a reopen show on the next page load", async () => {
    const org = "org-vendor";
    await tamperAndExpectCached("payments", org);
    expect((await shown("payments", org)).status).toBe("provisional");
    const closed = await admin.post("/reconciliation?month=2026-04&_data=routes%2Freconciliation", {
      intent: "close",
      org_id: org,
      month: "2026-04",
      reason: "test: close",
    });
    expect(closed.status).toBe(200);
    expect(JSON.stringify(await closed.json())).toContain('"ok":true');
    expect((await expectFresh("payments", org)).status).toBe("closed");
    expect((await teamPage("payments", org)).trust.periods[0]?.status).toBe("closed");

    await tamperAndExpectCached("payments", org);
    const reopened = await admin.post("/reconciliation?month=2026-04&_data=routes%2Freconciliation", {
      intent: "reopen",
      org_id: org,
      month: "2026-04",
      reason: "test: reopen",
    });
    expect(reopened.status).toBe(200);
    expect(JSON.stringify(await reopened.json())).toContain('"ok":true');
    expect((await expectFresh("payments", org)).status).toBe("provisional");
    expect((await teamPage("payments", org)).trust.periods[0]?.status).toBe("provisional");
  });

  it("never caches per-user data: each user keeps their own CSRF token and role", async () => {
    const a = await (await admin.get(`/?${Q}`)).text();
    const v = await (await viewer.get(`/?${Q}`)).text();
    expect(admin.csrf).not.toBe(viewer.csrf);
    expect(a).toContain(admin.csrf.replace(/&/g, "&amp;"));
    expect(v).toContain(viewer.csrf.replace(/&/g, "&amp;"));
    expect(v).not.toContain(admin.csrf.replace(/&/g, "&amp;"));
    const adminData = await data<{ isAdmin: boolean }>(admin, "/", "routes/_index", Q);
    const viewerData = await data<{ isAdmin: boolean }>(viewer, "/", "routes/_index", Q);
    expect(adminData.isAdmin).toBe(true);
    expect(viewerData.isAdmin).toBe(false);
  });
});
