/**
 * Issue 17: GET /export/rows.csv, the allocation per period, org and team over the filters'
 * range (a year of daily rows with gran=daily), streamed a month at a time: its rows are
 * exactly one read of the whole range (getTeamPeriods), every period whole and once for each
 * granularity, amounts exact, formula-safe; it is produced slice by slice; a scoped viewer's
 * other teams are one "other teams" line.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dec } from "../../app/domain/money";
import { OTHER_TEAMS } from "../../app/domain/scope";
import { neutraliseCell } from "../../app/services/csv";
import { PERIOD_ROWS_HEADER, periodRowsCsv, rangeSlices } from "../../app/services/period-rows";
import { getTeamPeriods } from "../../db/queries/report";
import { costCenterMap } from "../../db/queries/teams";
import { createUser, startTestServer, type TestClient, type TestServer } from "../helpers/server";
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

const RANGE = { from: "2026-02-15", to: "2026-05-10" };

async function download(c: TestClient, query: string) {
  const res = await c.get(`/export/rows.csv?${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/csv");
  expect(res.headers.get("content-disposition")).toContain("attachment");
  return parse(await res.text()) as string[][];
}

describe("GET /export/rows.csv", () => {
  it.each(["daily", "weekly", "monthly"] as const)("%s: the rows of one read of the whole range, every period once", async (gran) => {
    const rows = await download(viewer, `period=custom&from=${RANGE.from}&to=${RANGE.to}&gran=${gran}`);
    expect(rows[0]).toEqual(PERIOD_ROWS_HEADER);
    const body = rows.slice(1);
    const whole = await getTeamPeriods(app.db, { granularity: gran, ...RANGE });
    expect(whole.length).toBeGreaterThan(gran === "daily" ? 100 : 5);
    const cc = await costCenterMap(app.db);
    expect(body).toEqual(
      whole.map((r) => [
        r.period_start,
        r.org_id,
        neutraliseCell(r.team),
        cc.get(r.team) ?? "",
        r.direct_cost,
        r.unallocated_share,
        r.total,
        gran,
      ]),
    );
    // each (period, org, team) once, and the totals add up exactly
    expect(new Set(body.map((r) => `${r[0]}|${r[1]}|${r[2]}`)).size).toBe(body.length);
    const sum = (xs: string[]) => xs.reduce((a, x) => a.plus(dec(x)), dec("0")).toFixed();
    expect(sum(body.map((r) => r[6]!))).toBe(sum(whole.map((r) => r.total)));
  });

  it("is formula-safe", async () => {
    const rows = await download(viewer, `period=custom&from=2026-03-01&to=2026-04-30&gran=monthly`);
    const teams = new Set(rows.slice(1).map((r) => r[2]));
    for (const t of FORMULA_TEAMS) {
      expect(teams.has(t)).toBe(false);
      expect(teams.has(`'${t}`)).toBe(true);
    }
  });

  it("is produced a slice at a time: the header, then one chunk per month with rows", async () => {
    const chunks: string[] = [];
    for await (const c of periodRowsCsv(app.db, { granularity: "daily", ...RANGE })) chunks.push(c);
    expect(chunks[0]).toBe(PERIOD_ROWS_HEADER.join(",") + "\n");
    const months = new Set((await getTeamPeriods(app.db, { granularity: "daily", ...RANGE })).map((r) => r.period_start.slice(0, 7)));
    expect(chunks.length).toBe(1 + months.size);
    for (const c of chunks.slice(1)) expect(new Set(parse(c).map((r: string[]) => r[0]!.slice(0, 7))).size).toBe(1);
  });

  it("a scoped viewer gets its teams and one 'other teams' line per period and org, with the same totals", async () => {
    await createUser(app.db, { email: "rows-scoped@example.test", role: "team_viewer", scope: { teams: ["payments"], costCenters: [] } });
    const scoped = await app.login("rows-scoped@example.test");
    const rows = (await download(scoped, `period=custom&from=2026-03-01&to=2026-04-30&gran=monthly`)).slice(1);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(["payments", OTHER_TEAMS]));
    const full = (await download(viewer, `period=custom&from=2026-03-01&to=2026-04-30&gran=monthly`)).slice(1);
    const sum = (xs: string[][]) => xs.reduce((a, r) => a.plus(dec(r[6]!)), dec("0")).toFixed();
    expect(sum(rows)).toBe(sum(full));
  });
});

describe("rangeSlices", () => {
  it("covers the range without gaps, cutting at month starts, or at Mondays for weekly views", () => {
    for (const gran of ["daily", "weekly", "monthly"] as const) {
      const s = rangeSlices("2025-12-17", "2027-01-03", gran);
      expect(s[0]![0]).toBe("2025-12-17");
      expect(s.at(-1)![1]).toBe("2027-01-03");
      for (let i = 1; i < s.length; i++) {
        const next = new Date(`${s[i - 1]![1]}T00:00:00Z`);
        next.setUTCDate(next.getUTCDate() + 1);
        expect(s[i]![0]).toBe(next.toISOString().slice(0, 10));
        if (gran === "weekly") expect(new Date(`${s[i]![0]}T00:00:00Z`).getUTCDay()).toBe(1);
        else expect(s[i]![0].endsWith("-01")).toBe(true);
      }
    }
    expect(rangeSlices("2026-04-01", "2026-04-01", "daily")).toEqual([["2026-04-01", "2026-04-01"]]);
  });
});
