/**
 * Anomalies (issue 16, docs/anomalies.md) on TEST_DB through the services and the built app: a
 * spike injected into generated daily data (one cost row of payments-api on 2026-04-20 gets the
 * whole org's daily spend added, access-cases/anomalies.ts) is flagged for its team with that
 * (owner, metric, resource) as the top mover; /anomalies lists it; a finance admin acknowledges
 * it (audited, shown as acknowledged, a second time changes nothing), a day that is not flagged is
 * refused; a viewer's POST is 403; a team viewer sees only its teams' anomalies; the team page
 * marks the day on its daily chart. Needs a build (SHOWBACK_BUILD_DIR).
 */
import { describe, expect, it } from "vitest";
import { acknowledgeAnomaly, listAnomalies, type TeamAnomaly } from "../../app/services/anomalies";
import { InputError } from "../../app/domain/errors";
import { getTeamMoverRows } from "../../db/queries/anomalies";
import { createUser, useTestServer } from "../helpers/server";
import { SPIKE, seedAnomaly } from "./access-cases/anomalies";

const server = useTestServer({ seed: seedAnomaly, roles: ["viewer", "finance_admin"] });
const DATA = "/anomalies?_data=routes%2Fanomalies";

type PageData = { range: { from: string; to: string } | null; anomalies: TeamAnomaly[]; isAdmin: boolean };
const find = (xs: TeamAnomaly[]) => xs.find((a) => a.team === SPIKE.team && a.date === SPIKE.day);

describe("anomalies", () => {
  it("the injected spike is flagged for its team, with its mover on top", async () => {
    const xs = await listAnomalies(server.app.db, { from: "2026-04-01", to: "2026-04-30" });
    const a = find(xs);
    expect(a, JSON.stringify(xs.map((x) => [x.team, x.date, x.score]))).toBeDefined();
    expect(a!.direction).toBe("spike");
    expect(a!.score).toBeGreaterThanOrEqual(4);
    expect(Number(a!.delta)).toBeGreaterThan(Number(SPIKE.added) * 0.5);
    const top = a!.movers[0]!;
    expect({ ownerId: top.ownerId, metric: top.metric, resourceId: top.resourceId }).toEqual({
      ownerId: SPIKE.ownerId,
      metric: SPIKE.metric,
      resourceId: SPIKE.resourceId,
    });
    expect(top.displayName).toBe("payments-api");
    // the mover's delta is the added amount, give or take the row's usual day-to-day variation
    expect(Math.abs(Number(top.delta) - Number(SPIKE.added))).toBeLessThan(Number(SPIKE.added) * 0.05);
    expect(a!.movers.length).toBeLessThanOrEqual(5);
    expect(a!.ack).toBeNull();
    // newest first, then by |delta|
    const keys = xs.map((x) => x.date);
    expect(keys).toEqual([...keys].sort().reverse());
    // no pseudo-team is listed
    expect(xs.some((x) => ["unmapped", "unallocated", "other teams"].includes(x.team))).toBe(false);
    // movers: the day's total of the team's direct cost is in the mover rows
    const rows = await getTeamMoverRows(server.app.db, { team: SPIKE.team, from: SPIKE.day, to: SPIKE.day });
    expect(rows.some((r) => r.owner_id === SPIKE.ownerId && r.metric === SPIKE.metric && r.resource_id === SPIKE.resourceId)).toBe(true);
    await expect(getTeamMoverRows(server.app.db, { team: SPIKE.team, from: "2026-03-01", to: "2026-04-30" })).rejects.toThrow(InputError);
  });

  it("a team viewer's visible teams limit the list; the day before the spike is not flagged for it", async () => {
    const other = await listAnomalies(server.app.db, { from: "2026-04-01", to: "2026-04-30", visible: ["search"] });
    expect(other.every((x) => x.team === "search")).toBe(true);
    expect(await listAnomalies(server.app.db, { from: "2026-04-01", to: "2026-04-30", visible: [] })).toEqual([]);
    const before = await listAnomalies(server.app.db, { from: "2026-04-19", to: "2026-04-19", teams: [SPIKE.team] });
    expect(before).toEqual([]);
  });

  it("/anomalies lists it over the last 30 days of data, with the movers and the admin's Acknowledge form", async () => {
    const res = await server.admin.get(DATA);
    expect(res.status).toBe(200);
    const body = (await res.json()) as PageData;
    expect(body.range).toEqual({ from: "2026-04-01", to: "2026-04-30" });
    expect(find(body.anomalies)?.movers[0]?.ownerId).toBe(SPIKE.ownerId);
    const html = await (await server.admin.get("/anomalies")).text();
    expect(html).toContain(`data-team="${SPIKE.team}" data-day="${SPIKE.day}"`);
    expect(html).toContain(`data-owner="${SPIKE.ownerId}"`);
    expect(html).toContain("payments-api");
    expect(html).toContain('data-testid="ack-form"');
    expect(html).toContain(`href="/teams/${SPIKE.team}"`);
    // a viewer sees it, without the form
    const vhtml = await (await server.viewer.get("/anomalies")).text();
    expect(vhtml).toContain(`data-team="${SPIKE.team}" data-day="${SPIKE.day}"`);
    expect(vhtml).not.toContain('data-testid="ack-form"');
    // an empty range: the empty state
    const empty = await (await server.admin.get("/anomalies?from=2026-03-01&to=2026-03-02")).text();
    expect(empty).toContain("No anomalies");
  });

  it("a viewer's POST is 403; a day that is not flagged is refused; acknowledging is audited and shown", async () => {
    const form = { intent: "acknowledge", team: SPIKE.team, day: SPIKE.day, note: "load test in payments" };
    expect((await server.viewer.post(DATA, form)).status).toBe(403);

    const bad = await server.admin.post(DATA, { ...form, day: "2026-04-19" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/no anomaly on 2026-04-19/);
    await expect(acknowledgeAnomaly(server.app.db, "test", { team: "unmapped", day: SPIKE.day })).rejects.toThrow(InputError);

    const ok = await server.admin.post(DATA, form);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { message: string }).message).toBe(`Acknowledged the anomaly of ${SPIKE.team} on ${SPIKE.day}.`);
    const audit = await server.app.db.query<{ actor: string; entity_id: string; after: { note: string; score: number } }>(
      `select actor, entity_id, after from audit_log where entity = 'anomaly' and action = 'acknowledge'`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: "admin@example.test", entity_id: `${SPIKE.team}/${SPIKE.day}` });
    expect(audit[0]!.after.note).toBe("load test in payments");

    const body = (await (await server.admin.get(DATA)).json()) as PageData;
    expect(find(body.anomalies)?.ack).toMatchObject({ by: "admin@example.test", note: "load test in payments" });
    const html = await (await server.admin.get("/anomalies")).text();
    expect(html).toContain("acknowledged");
    expect(html).toContain('data-testid="anomaly-ack"');

    // again: nothing changes
    const again = await server.admin.post(DATA, form);
    expect(((await again.json()) as { message: string }).message).toMatch(/already acknowledged/);
    expect(await server.app.db.query(`select 1 from audit_log where entity = 'anomaly'`)).toHaveLength(1);
  });

  it("a team viewer does not see other teams' anomalies", async () => {
    const email = await createUser(server.app.db, {
      email: "anom-search@example.test",
      role: "team_viewer",
      scope: { teams: ["search"], costCenters: [] },
    });
    const c = await server.app.login(email);
    const res = await c.get("/anomalies");
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const s of [`data-team="${SPIKE.team}"`, SPIKE.ownerId, "payments-api", `/teams/${SPIKE.team}`]) expect(html).not.toContain(s);
    const body = (await (await c.get(DATA)).json()) as PageData;
    expect(body.anomalies.every((a) => a.team === "search")).toBe(true);
    expect((await c.post(DATA, { intent: "acknowledge", team: SPIKE.team, day: SPIKE.day })).status).toBe(403);

    const own = await createUser(server.app.db, {
      email: "anom-pay@example.test",
      role: "team_viewer",
      scope: { teams: [SPIKE.team], costCenters: [] },
    });
    const p = await server.app.login(own);
    const phtml = await (await p.get("/anomalies")).text();
    expect(phtml).toContain(`data-team="${SPIKE.team}" data-day="${SPIKE.day}"`);
  });

  it("the team page marks the flagged day on its daily trend, with a link to /anomalies", async () => {
    const url = `/teams/${SPIKE.team}?period=custom&from=2026-04-01&to=2026-04-30&gran=daily`;
    const html = await (await server.viewer.get(url)).text();
    expect(html).toMatch(new RegExp(`data-flagged="[^"]*${SPIKE.day}`));
    expect(html).toContain('data-testid="flagged-days"');
    expect(html).toContain(`/anomalies?from=2026-04-01&amp;to=2026-04-30#anomaly-${SPIKE.day}-${SPIKE.team}`);
    // a monthly view marks nothing
    const monthly = await (await server.viewer.get(`/teams/${SPIKE.team}?period=custom&from=2026-04-01&to=2026-04-30&gran=monthly`)).text();
    expect(monthly).not.toContain('data-testid="flagged-days"');
  });
});
