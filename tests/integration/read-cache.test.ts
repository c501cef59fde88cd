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
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { getDrilldown } from "../../db/queries/drilldown";
import { getOverview } from "../../db/queries/overview";
import { periodStatuses } from "../../db/queries/period-status";
import { getDataVersion } from "../../db/queries/data-version";
import { runScript } from "../helpers/cli";
import { testEngine } from "../helpers/db";
import { postMonthAction, postOrgSettings } from "../helpers/forms";
import { ingestMonthly, seedVendorExample, VENDOR_EXPORT as EXPORT } from "../helpers/seed";
import { useTestServer, type TestClient } from "../helpers/server";

const VIEW = { granularity: "monthly" as const, from: "2026-04-01", to: "2026-04-30" };
const Q = "period=custom&from=2026-04-01&to=2026-04-30&gran=monthly";
const PREV = { from: "2026-03-01", to: "2026-03-31" };

// sa-jkl is left unmapped: the crosswalk edit maps it
const seed = (db: Db) => seedVendorExample(db, { except: ["sa-jkl"] });

const server = useTestServer({ seed, roles: ["finance_admin", "viewer"] });

type OverviewData = { kpi: { total: string; unmapped: string }; trust: { periods: Array<{ period: string; status: string }> } };
type TeamData = { d: { totals: { total: string } }; trust: { periods: Array<{ status: string }>; unmapped: { amount: string } } };

async function data<T>(client: TestClient, pathname: string, route: string, query: string): Promise<T> {
  const res = await client.get(`${pathname}?${query}&_data=${encodeURIComponent(route)}`);
  expect(res.status, `${pathname}?${query}`).toBe(200);
  return (await res.json()) as T;
}
const overviewPage = (org?: string) => data<OverviewData>(server.viewer, "/", "routes/_index", org ? `${Q}&org=${org}` : Q);
const teamPage = (team: string, org?: string) =>
  data<TeamData>(server.viewer, `/teams/${team}`, "routes/teams.$team", org ? `${Q}&org=${org}` : Q);

/** The same figures computed now, without the cache. */
async function fresh(team: string, org?: string) {
  const view = { ...VIEW, orgIds: org ? [org] : undefined };
  const ov = await getOverview(server.app.db, { ...view, by: "team", previous: PREV });
  const drill = await getDrilldown(server.app.db, "team", team, view);
  const statuses = await periodStatuses(server.app.db, {
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
  const v = await getDataVersion(server.app.db);
  await server.app.db.query(
    `update allocation_results set direct_cost = direct_cost + 100, total = total + 100 where org_id = 'org-vendor' and team = $1`,
    [team],
  );
  expect(await getDataVersion(server.app.db)).toBe(v);
  const now = await fresh(team, org);
  expect(now.team).not.toBe(before.team); // the database moved…
  expect(await shown(team, org)).toEqual(before); // …the pages did not: served from the cache
  return before;
}

/** An action's JSON answer: HTTP 200 and ok. */
async function expectOk(response: Promise<Response>) {
  const res = await response;
  expect(res.status).toBe(200);
  expect(JSON.stringify(await res.json())).toContain('"ok":true');
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
    const r = await ingestMonthly(server.app.db, { orgId: "org-two", actor: "test" });
    expect(r.status).toBe("imported");
    const after = await expectFresh("payments");
    expect(after.total).not.toBe(before.total);
    expect(after.unmapped).not.toBe(before.unmapped); // org-two has no crosswalk: all unmapped
  });

  it("a crosswalk edit shows on the next page load", async () => {
    const before = await tamperAndExpectCached("payments");
    await expectOk(
      server.admin.post("/crosswalk?index&_data=routes%2Fcrosswalk._index", {
        intent: "create",
        org_id: "org-vendor",
        owner_id: "sa-jkl",
        team: "payments",
        valid_from: "2026-01-01",
      }),
    );
    const after = await expectFresh("payments");
    expect(after.team).not.toBe(before.team);
    expect(after.unmapped).not.toBe(before.unmapped);
  });

  it("a policy change shows on the next page load", async () => {
    const before = await tamperAndExpectCached("payments", "org-vendor");
    await expectOk(postOrgSettings(server.admin, "org-vendor", { policy_kind: "even" }));
    const after = await expectFresh("payments", "org-vendor");
    expect(after.team).not.toBe(before.team);
  });

  it.skipIf(testEngine() !== "pg")(
    "an ingest by a separate CLI process against the same database shows on the next page load",
    async () => {
      const before = await tamperAndExpectCached("payments");
      const r = await runScript("ingest", ["--org", "org-three", "--granularity", "monthly", EXPORT], {
        DATABASE_URL: server.app.testDb.databaseUrl!,
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
    expect((await shown("payments", org)).status).toBe("complete");
    await expectOk(postMonthAction(server.admin, { intent: "close", org, month: "2026-04", reason: "test: close" }, { data: true }));
    expect((await expectFresh("payments", org)).status).toBe("closed");
    expect((await teamPage("payments", org)).trust.periods[0]?.status).toBe("closed");

    await tamperAndExpectCached("payments", org);
    await expectOk(postMonthAction(server.admin, { intent: "reopen", org, month: "2026-04", reason: "test: reopen" }, { data: true }));
    expect((await expectFresh("payments", org)).status).toBe("complete");
    expect((await teamPage("payments", org)).trust.periods[0]?.status).toBe("complete");
  });

  it("never caches per-user data: each user keeps their own CSRF token and role", async () => {
    const a = await (await server.admin.get(`/?${Q}`)).text();
    const v = await (await server.viewer.get(`/?${Q}`)).text();
    expect(server.admin.csrf).not.toBe(server.viewer.csrf);
    expect(a).toContain(server.admin.csrf.replace(/&/g, "&amp;"));
    expect(v).toContain(server.viewer.csrf.replace(/&/g, "&amp;"));
    expect(v).not.toContain(server.admin.csrf.replace(/&/g, "&amp;"));
    const adminData = await data<{ isAdmin: boolean }>(server.admin, "/", "routes/_index", Q);
    const viewerData = await data<{ isAdmin: boolean }>(server.viewer, "/", "routes/_index", Q);
    expect(adminData.isAdmin).toBe(true);
    expect(viewerData.isAdmin).toBe(false);
  });
});
