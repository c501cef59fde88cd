/**
 * Dashboards (issue "Dashboards for engineering leaders"): the loaders' figures equal the
 * CLI report (getReport, docs/cli.md) for the same filters; filters change the numbers as they should;
 * drill-downs sum to the report; CSV is formula-safe; anonymous → /login.
 * Needs a build (SHOWBACK_BUILD_DIR=build-dash npm run build). TEST_DB=pglite|pg.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../app/domain/money";
import { getReport, type ReportRow } from "../../db/queries/report";
import { startTestServer, type TestClient, type TestServer } from "../helpers/server";
import { FORMULA_TEAMS, seedDashboard } from "./dashboard-fixture";

let app: TestServer;
let viewer: TestClient;

beforeAll(async () => {
  process.env.SHOWBACK_NOW = "2026-07-15T12:00:00Z";
  app = await startTestServer({ seed: seedDashboard });
  viewer = await app.loginAs("viewer");
});
afterAll(async () => {
  delete process.env.SHOWBACK_NOW;
  await app?.close();
});

type Json = Record<string, any>;
async function data(route: string, path: string, query: string): Promise<Json> {
  const sep = query ? "&" : "";
  const res = await viewer.get(`${path}?_data=${encodeURIComponent(route)}${sep}${query}`);
  expect(res.status, `${path}?${query}`).toBe(200);
  return (await res.json()) as Json;
}

/** Report rows summed per group over the range (what the CLI's report gives, added up). */
function perGroup(rows: ReportRow[]) {
  const m = new Map<string, { direct: Decimal; share: Decimal; total: Decimal }>();
  for (const r of rows) {
    const e = m.get(r.group) ?? { direct: new Decimal(0), share: new Decimal(0), total: new Decimal(0) };
    e.direct = e.direct.plus(r.direct);
    e.share = e.share.plus(r.unallocatedShare);
    e.total = e.total.plus(r.total);
    m.set(r.group, e);
  }
  return m;
}
const eq = (a: string, b: Decimal | string) => expect(new Decimal(a).eq(b), `${a} = ${b.toString()}`).toBe(true);

const CASES = [
  {
    q: "period=custom&from=2026-04-01&to=2026-04-30&gran=monthly&by=team",
    orgIds: undefined,
    g: "monthly",
    from: "2026-04-01",
    to: "2026-04-30",
    by: "team",
  },
  {
    q: "period=custom&from=2026-03-01&to=2026-04-30&gran=daily&by=team",
    orgIds: undefined,
    g: "daily",
    from: "2026-03-01",
    to: "2026-04-30",
    by: "team",
  },
  {
    q: "period=custom&from=2026-03-01&to=2026-04-30&gran=weekly&by=cost_center",
    orgIds: undefined,
    g: "weekly",
    from: "2026-03-01",
    to: "2026-04-30",
    by: "cost_center",
  },
  {
    q: "org=org-vendor&period=custom&from=2026-04-01&to=2026-04-30&gran=monthly&by=cost_center",
    orgIds: ["org-vendor"],
    g: "monthly",
    from: "2026-04-01",
    to: "2026-04-30",
    by: "cost_center",
  },
  {
    q: "org=org-gen&period=custom&from=2026-03-01&to=2026-04-30&gran=monthly&by=team",
    orgIds: ["org-gen"],
    g: "monthly",
    from: "2026-03-01",
    to: "2026-04-30",
    by: "team",
  },
  {
    // anchored on the data (through 2026-04-30), not on the clock (2026-07-15)
    q: "org=org-gen&org=org-vendor&period=last-6-months&gran=monthly&by=team",
    orgIds: ["org-gen", "org-vendor"],
    g: "monthly",
    from: "2025-11-01",
    to: "2026-04-30",
    by: "team",
  },
] as const;

describe("overview loader = CLI report", () => {
  for (const c of CASES) {
    it(`${c.q}`, async () => {
      const d = await data("routes/_index", "/", c.q);
      expect(d.filters.range).toEqual({ from: c.from, to: c.to });
      const report = await getReport(app.db, {
        granularity: c.g,
        from: c.from,
        to: c.to,
        orgIds: c.orgIds ? [...c.orgIds] : undefined,
        by: c.by,
      });
      const expected = perGroup(report);
      expect(
        d.rows
          .filter((r: Json) => r.total !== "0" || expected.has(r.group))
          .map((r: Json) => r.group)
          .sort(),
      ).toEqual([...expected.keys()].sort());
      let grand = new Decimal(0);
      for (const r of d.rows) {
        const e = expected.get(r.group);
        if (!e) continue;
        eq(r.direct, e.direct);
        eq(r.unallocatedShare, e.share);
        eq(r.total, e.total);
        grand = grand.plus(e.total);
      }
      eq(d.kpi.total, grand);
      // the chart's periods add up to the same total, period by period
      for (const p of d.periods) {
        const t = report.filter((r) => r.periodStart === p.period).reduce((a, r) => a.plus(r.total), new Decimal(0));
        eq(p.total, t);
      }
      eq(d.kpi.unmapped, expected.get("unmapped")?.total ?? new Decimal(0));
    });
  }

  it("shows the vendor's worked example exactly (CLI lines of cli-ingest.test.ts)", async () => {
    const d = await data("routes/_index", "/", "org=org-vendor&period=custom&from=2026-04-01&to=2026-04-30&gran=monthly&by=team");
    const byGroup = Object.fromEntries(d.rows.map((r: Json) => [r.group, [r.direct, r.unallocatedShare, r.total]]));
    expect(byGroup).toEqual({
      analytics: ["3.09375", "-0.5156", "2.57815"],
      payments: ["7.21875", "-1.2031", "6.01565"],
      platform: ["6.1875", "-1.0313", "5.1562"],
      search: ["16.5", "-2.75", "13.75"],
    });
    expect(d.kpi.total).toBe("27.5");
    expect(d.kpi.netUnallocated).toBe("-5.5");
    expect(d.kpi.coverage).toBe("1");
    expect(d.trust.periods).toEqual([{ period: "2026-04-01", status: "closed", reasons: ["month closed: figures frozen"] }]);
  });

  it("filters change the numbers as they should", async () => {
    const both = await data("routes/_index", "/", "period=custom&from=2026-04-01&to=2026-04-30&gran=monthly");
    const vendor = await data("routes/_index", "/", "org=org-vendor&period=custom&from=2026-04-01&to=2026-04-30&gran=monthly");
    const gen = await data("routes/_index", "/", "org=org-gen&period=custom&from=2026-04-01&to=2026-04-30&gran=monthly");
    eq(both.kpi.total, new Decimal(vendor.kpi.total).plus(gen.kpi.total));
    // org-gen April has a monthly import: the monthly view uses it, the daily view the daily rows — never both
    const genDaily = await data("routes/_index", "/", "org=org-gen&period=custom&from=2026-04-01&to=2026-04-30&gran=daily");
    const mRows = await app.db.query<{ t: string }>(
      `select sum(chargeback_cost)::text as t from cost_rows where active and org_id='org-gen' and granularity='monthly'`,
    );
    const dRows = await app.db.query<{ t: string }>(
      `select sum(chargeback_cost)::text as t from cost_rows where active and org_id='org-gen' and granularity='daily' and bucket_start >= '2026-04-01'`,
    );
    eq(gen.kpi.total, mRows[0]!.t);
    eq(genDaily.kpi.total, dRows[0]!.t);
    // March has daily only: monthly and daily views agree
    const marM = await data("routes/_index", "/", "org=org-gen&period=custom&from=2026-03-01&to=2026-03-31&gran=monthly");
    const marD = await data("routes/_index", "/", "org=org-gen&period=custom&from=2026-03-01&to=2026-03-31&gran=daily");
    eq(marM.kpi.total, marD.kpi.total);
    expect(marD.periods).toHaveLength(31);
    expect(marM.periods).toHaveLength(1);
    // change against the previous equal range: April vs March
    const aprD = await data("routes/_index", "/", "org=org-gen&period=custom&from=2026-04-01&to=2026-04-30&gran=daily");
    eq(aprD.kpi.previousTotal, marD.kpi.total);
    eq(aprD.kpi.change, new Decimal(aprD.kpi.total).minus(marD.kpi.total));
    // grouping: cost centers sum to the same total, with pseudo-teams and unassigned
    const cc = await data("routes/_index", "/", "period=custom&from=2026-04-01&to=2026-04-30&gran=monthly&by=cost_center");
    eq(cc.kpi.total, both.kpi.total);
    expect(cc.rows.map((r: Json) => r.group)).toEqual(expect.arrayContaining(["CC-100", "unassigned", "unmapped"]));
    // top 8 + Other in the chart
    const daily = await data("routes/_index", "/", "period=custom&from=2026-03-01&to=2026-04-30&gran=daily");
    expect(daily.series.length).toBeLessThanOrEqual(9);
    if (daily.rows.length > 8) expect(daily.series.at(-1)).toBe("Other");
  });

  it("labels each period incomplete, complete or closed (clock 2026-07-15)", async () => {
    // org-vendor April: closed; org-gen: daily March-April ingested today, long after the window
    const vendor = await data("routes/_index", "/", "org=org-vendor&period=custom&from=2026-04-01&to=2026-04-30");
    expect(vendor.trust.periods.map((p: Json) => p.status)).toEqual(["closed"]);
    const gen = await data("routes/_index", "/", "org=org-gen&period=custom&from=2026-03-01&to=2026-04-30");
    expect(gen.trust.periods.map((p: Json) => [p.period, p.status])).toEqual([
      ["2026-03-01", "complete"],
      ["2026-04-01", "complete"],
    ]);
    // July is running: no data, no period; a daily view of March has no missing day
    const days = await data("routes/_index", "/", "org=org-gen&period=custom&from=2026-03-01&to=2026-03-31&gran=daily");
    expect(new Set(days.trust.periods.map((p: Json) => p.status))).toEqual(new Set(["complete"]));
  });

  it("opens on the trend anchored on the data, and says when the earlier period is incomplete", async () => {
    // the clock says 2026-07-15; the data runs from 2026-03-01 to 2026-04-30
    const d = await data("routes/_index", "/", "");
    expect(d.filters).toMatchObject({ period: "trend", defaulted: true, partialFrom: null });
    expect(d.filters.range).toEqual({ from: "2025-05-01", to: "2026-04-30" });
    expect(d.rows.length).toBeGreaterThan(0);
    expect(d.filters.comparison).toEqual({ complete: false, coverage: "0.0000" });
    const last = await data("routes/_index", "/", "period=last-month");
    expect(last.filters.range).toEqual({ from: "2026-03-01", to: "2026-03-31" });
    expect(last.filters.previous).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    // the first month of data: no change is computed against the empty month before
    expect(last.filters.comparison).toEqual({ complete: false, coverage: "0.0000" });
    const html = await (await viewer.get("/?period=last-month")).text();
    expect(html).toContain("n/a (earlier period incomplete, 0% covered)");
    expect(html).not.toMatch(/vs (<!-- -->)?\$[\d,.]+(<!-- -->)? before/);
    // April against March, which data covers: a real change
    const april = await data("routes/_index", "/", "period=this-month");
    expect(april.filters.range).toEqual({ from: "2026-04-01", to: "2026-04-30" });
    expect(april.filters.comparison).toEqual({ complete: true, coverage: "1.0000" });
    const aprilHtml = await (await viewer.get("/?period=this-month")).text();
    expect(aprilHtml).not.toContain("earlier period incomplete");
    expect(aprilHtml).toMatch(/vs (<!-- -->)?\$[\d,.]+(<!-- -->)? before/);
  });

  it("sorts the table from the URL", async () => {
    const d = await data("routes/_index", "/", "period=custom&from=2026-04-01&to=2026-04-30&gran=monthly&sort=group&dir=asc");
    const groups = d.rows.map((r: Json) => r.group);
    expect(groups).toEqual([...groups].sort());
    const t = await data("routes/_index", "/", "period=custom&from=2026-04-01&to=2026-04-30&gran=monthly&sort=total&dir=asc");
    const totals = t.rows.map((r: Json) => new Decimal(r.total));
    for (let i = 1; i < totals.length; i++) expect(totals[i - 1].lte(totals[i])).toBe(true);
  });
});

describe("team and cost-center loaders = CLI report", () => {
  const Q = "period=custom&from=2026-03-01&to=2026-04-30";
  for (const gran of ["monthly", "weekly", "daily"] as const) {
    it(`team pages (${gran})`, async () => {
      const report = perGroup(await getReport(app.db, { granularity: gran, from: "2026-03-01", to: "2026-04-30", by: "team" }));
      for (const team of ["payments", "platform", "unmapped", "unallocated", FORMULA_TEAMS[0]!]) {
        const d = await data("routes/teams.$team", `/teams/${encodeURIComponent(team)}`, `${Q}&gran=${gran}`);
        const e = report.get(team) ?? { direct: new Decimal(0), share: new Decimal(0), total: new Decimal(0) };
        eq(d.d.totals.direct, e.direct);
        eq(d.d.totals.unallocatedShare, e.share);
        eq(d.d.totals.total, e.total);
        // the drill-down reads the raw rows of the same source: its direct cost is the report's
        if (team !== "unallocated") eq(d.d.rawDirect, e.direct);
        const byMetric = d.d.byProductMetric.reduce((a: Decimal, r: Json) => a.plus(r.direct), new Decimal(0));
        eq(d.d.rawDirect, byMetric);
        const byRes = d.d.byOrgEnvResource.reduce((a: Decimal, r: Json) => a.plus(r.direct), new Decimal(0));
        eq(d.d.rawDirect, byRes);
        eq(d.d.unallocated.shareTotal, e.share);
      }
    });
  }

  it("the vendor team page explains its unallocated share and lists its crosswalk", async () => {
    const d = await data(
      "routes/teams.$team",
      "/teams/payments",
      "org=org-vendor&period=custom&from=2026-04-01&to=2026-04-30&gran=monthly",
    );
    expect(d.d.totals).toEqual({ direct: "7.21875", unallocatedShare: "-1.2031", total: "6.01565" });
    expect(d.d.unallocated.rows).toEqual([
      expect.objectContaining({
        orgId: "org-vendor",
        bucket: "2026-04-01",
        policy: "proportional",
        bucketU: "-5.5",
        teamDirect: "7.21875",
        share: "-1.2031",
      }),
    ]);
    expect(new Decimal(d.d.unallocated.rows[0].weight).toFixed(6)).toBe(new Decimal("7.21875").div(33).toFixed(6));
    expect(d.d.crosswalk.map((c: Json) => c.ownerId).sort()).toEqual(["sa-abc", "sa-def"]);
    expect(d.d.byProduct.map((p: Json) => p.product)).toEqual(["kafka", "support"]);
    expect(d.costCenter).toBe("CC-100");
  });

  it("cost-center pages", async () => {
    for (const gran of ["monthly", "daily"] as const) {
      const report = perGroup(await getReport(app.db, { granularity: gran, from: "2026-03-01", to: "2026-04-30", by: "cost_center" }));
      for (const code of ["CC-100", "CC-300", "unassigned", "unmapped"]) {
        const d = await data("routes/cost-centers.$code", `/cost-centers/${code}`, `${Q}&gran=${gran}`);
        const e = report.get(code)!;
        eq(d.d.totals.total, e.total);
        eq(d.d.totals.direct, e.direct);
        eq(d.d.rawDirect, e.direct);
        eq(d.d.unallocated.shareTotal, e.share);
      }
    }
    const cc = await data("routes/cost-centers.$code", "/cost-centers/unassigned", `${Q}&gran=monthly`);
    expect(cc.d.members).toEqual(expect.arrayContaining(["analytics", ...FORMULA_TEAMS]));
  });

  it("/teams and /orgs list totals equal to the report", async () => {
    const report = perGroup(await getReport(app.db, { granularity: "monthly", from: "2026-03-01", to: "2026-04-30", by: "team" }));
    const t = await data("routes/teams._index", "/teams", `${Q}&gran=monthly`);
    for (const row of t.teams) eq(row.total, report.get(row.team)?.total ?? new Decimal(0));
    const rows = await getReport(app.db, { granularity: "monthly", from: "2026-03-01", to: "2026-04-30" });
    const o = await data("routes/orgs._index", "/orgs", `${Q}&gran=monthly`);
    for (const org of o.orgs) {
      eq(
        org.total,
        rows.filter((r) => r.orgId === org.orgId).reduce((a, r) => a.plus(r.total), new Decimal(0)),
      );
      expect(org.policy).toBe("proportional");
      expect(org.lastImport).not.toBeNull();
    }
    expect(o.orgs.find((x: Json) => x.orgId === "org-gen").dataThrough).toBe("2026-04-30");
    const one = await data("routes/orgs.$org", "/orgs/org-vendor", "period=custom&from=2026-04-01&to=2026-04-30&gran=monthly");
    expect(one.kpi.total).toBe("27.5");
    expect(one.closes.map((c: Json) => [c.month, c.status])).toEqual([["2026-04", "closed"]]);
  });

  it("/cost-centers lists every cost center and pseudo-group with totals equal to the report", async () => {
    for (const gran of ["monthly", "daily"] as const) {
      const report = perGroup(await getReport(app.db, { granularity: gran, from: "2026-03-01", to: "2026-04-30", by: "cost_center" }));
      const c = await data("routes/cost-centers._index", "/cost-centers", `${Q}&gran=${gran}`);
      const codes = c.centers.map((r: Json) => r.code);
      for (const code of report.keys()) expect(codes, code).toContain(code);
      for (const row of c.centers) {
        const e = report.get(row.code);
        eq(row.total, e?.total ?? new Decimal(0));
        eq(row.direct, e?.direct ?? new Decimal(0));
        eq(row.unallocatedShare, e?.share ?? new Decimal(0));
      }
      eq(
        c.total,
        [...report.values()].reduce((a, e) => a.plus(e.total), new Decimal(0)),
      );
      // largest first; teams listed under their cost center, none under the pseudo-teams
      const totals = c.centers.map((r: Json) => new Decimal(r.total));
      for (let i = 1; i < totals.length; i++) expect(totals[i - 1].gte(totals[i])).toBe(true);
      expect(c.centers.find((r: Json) => r.code === "unassigned").teams).toEqual(expect.arrayContaining(["analytics"]));
      expect(c.centers.find((r: Json) => r.code === "unmapped").teams).toEqual([]);
    }
  });

  it("unknown team → 404", async () => {
    const res = await viewer.get("/teams/no-such-team");
    expect(res.status).toBe(404);
  });
});

describe("CSV download", () => {
  it("neutralises formula-like cells and carries the report's figures", async () => {
    const res = await viewer.get("/export.csv?period=custom&from=2026-03-01&to=2026-04-30&gran=monthly&by=team&sort=group&dir=asc");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment/);
    const text = await res.text();
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe(
      "group,direct_cost,unallocated_share,total_cost,share_of_total,previous_total_cost,change,period_from,period_to,granularity,org_ids",
    );
    expect(text).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
    expect(lines.some((l) => l.startsWith("'-bad,"))).toBe(true);
    expect(lines.some((l) => l.startsWith("'@x,"))).toBe(true);
    for (const l of lines.slice(1)) expect(l).not.toMatch(/^[=+\-@]/);
    // negative amounts stay numbers (not prefixed)
    expect(text).toMatch(/,-\d+\.\d{4},/);
    const report = perGroup(await getReport(app.db, { granularity: "monthly", from: "2026-03-01", to: "2026-04-30", by: "team" }));
    const payments = lines.find((l) => l.startsWith("payments,"))!.split(",");
    expect(payments[3]).toBe(report.get("payments")!.total.toFixed(4));
  });
});

describe("access", () => {
  it("anonymous → /login; viewers read every dashboard", async () => {
    const anon = app.anonymous();
    for (const p of [
      "/",
      "/teams",
      "/teams/payments",
      "/cost-centers",
      "/cost-centers/CC-100",
      "/orgs",
      "/orgs/org-vendor",
      "/export.csv",
    ]) {
      const res = await anon.get(p);
      expect(res.status, p).toBe(302);
      expect(res.headers.get("location"), p).toMatch(/^\/login/);
      const ok = await viewer.get(p);
      expect(ok.status, p).toBe(200);
    }
  });

  it("responds fast (server timing noted in the report)", async () => {
    const times: Record<string, number> = {};
    for (const p of [
      "/?period=custom&from=2026-03-01&to=2026-04-30&gran=daily",
      "/teams/platform?period=custom&from=2026-03-01&to=2026-04-30&gran=daily",
      "/orgs",
    ]) {
      await viewer.get(p);
      const t0 = performance.now();
      const res = await viewer.get(p);
      await res.text();
      times[p] = Math.round(performance.now() - t0);
    }
    console.log(`[dashboard timings ${process.env.TEST_DB ?? "pglite"}]`, JSON.stringify(times));
    for (const v of Object.values(times)) expect(v).toBeLessThan(3000);
  });
});
