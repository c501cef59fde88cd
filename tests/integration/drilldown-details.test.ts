/**
 * Issue 7: team and cost-center drill-downs over whole months read the persisted
 * month-level aggregate (allocation_details). It must give exactly what the raw-row
 * path gives, before and after crosswalk edits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCrosswalkEntry, updateCrosswalkEntry } from "../../app/services/crosswalk";
import { listCrosswalk } from "../../db/queries/crosswalk";
import { CROSSWALK_SHOWN, getDrilldown } from "../../db/queries/drilldown";
import { createTestDb, type TestDb } from "../helpers/db";
import { seedDashboard } from "./dashboard-fixture";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDashboard(t.db);
});
afterAll(() => t?.cleanup());

async function groups() {
  const teams = await t.db.query<{ team: string }>(`select distinct team from allocation_results order by team`);
  return teams.map((x) => x.team);
}

const views = [
  { granularity: "monthly" as const, from: "2026-03-01", to: "2026-04-30" },
  { granularity: "daily" as const, from: "2026-04-01", to: "2026-04-30" },
  { granularity: "monthly" as const, from: "2026-04-01", to: "2026-04-30", orgIds: ["org-gen"] },
];

async function expectSameAsRaw() {
  const all = await groups();
  expect(all.length).toBeGreaterThan(3);
  for (const v of views)
    for (const team of all) {
      const fast = await getDrilldown(t.db, "team", team, v);
      const raw = await getDrilldown(t.db, "team", team, v, { forceRaw: true });
      expect(fast, `${team} ${JSON.stringify(v)}`).toEqual(raw);
    }
  const fast = await getDrilldown(t.db, "cost_center", "unassigned", views[0]);
  expect(fast).toEqual(await getDrilldown(t.db, "cost_center", "unassigned", views[0], { forceRaw: true }));
}

describe("drill-down from the month-level aggregate", () => {
  it("equals the raw-row drill-down for every team, view and org filter", async () => {
    const [{ n }] = await t.db.query<{ n: number }>(`select count(*)::int as n from allocation_details`);
    expect(n).toBeGreaterThan(0);
    await expectSameAsRaw();
  });

  it("stays equal after crosswalk edits (new mapping mid-month, team change)", async () => {
    const unmapped = await t.db.query<{ org_id: string; owner_id: string }>(
      `select distinct org_id, owner_id from allocation_details where team = 'unmapped' order by 1, 2 limit 1`,
    );
    expect(unmapped).toHaveLength(1);
    await createCrosswalkEntry(t.db, "test", {
      orgId: unmapped[0].org_id,
      ownerId: unmapped[0].owner_id,
      team: "late-mapped",
      validFrom: "2026-04-10",
      validTo: null,
    });
    const e = (await listCrosswalk(t.db, { orgId: "org-gen" }))[0];
    await updateCrosswalkEntry(t.db, "test", e.id, { team: "moved-team" });
    await expectSameAsRaw();
  });
});

describe("the crosswalk list of a drill-down", () => {
  it("shows the first CROSSWALK_SHOWN entries and counts them all", async () => {
    const v = views[0];
    const before = await getDrilldown(t.db, "team", "payments", v);
    expect(before.crosswalkTotal).toBe(before.crosswalk.length);
    const extra = CROSSWALK_SHOWN + 5;
    for (let i = 0; i < extra; i++)
      await createCrosswalkEntry(t.db, "test", {
        orgId: "org-gen",
        ownerId: `sa-cap-${String(i).padStart(3, "0")}`,
        team: "payments",
        validFrom: "2026-01-01",
        validTo: null,
      });
    const after = await getDrilldown(t.db, "team", "payments", v);
    expect(after.crosswalkTotal).toBe(before.crosswalkTotal + extra);
    expect(after.crosswalk).toHaveLength(CROSSWALK_SHOWN);
    const all = await listCrosswalk(t.db, { team: "payments" });
    expect(all.length).toBe(after.crosswalkTotal);
  });
});
