/**
 * Issue 13: the crosswalk editor previews an entry and a bulk import before saving (what-if):
 * nothing is stored by the preview, and its per-team deltas are what the real save then does.
 * Needs a build (SHOWBACK_BUILD_DIR).
 */
import { describe, expect, it } from "vitest";
import { dec } from "../../app/domain/money";
import { getReport } from "../../db/queries/report";
import { seedVendorExample } from "../helpers/seed";
import { useTestServer } from "../helpers/server";
import { testEngine } from "../helpers/db";

const DATA = "/crosswalk?index&_data=routes%2Fcrosswalk._index";
const server = useTestServer({
  roles: ["finance_admin", "viewer"],
  seed: async (db) => {
    await seedVendorExample(db, { except: ["sa-jkl", "sa-ghi"] });
  },
});

/** April's totals per team (what the dashboards show). */
async function totals(): Promise<Record<string, string>> {
  const rows = await getReport(server.app.db, { granularity: "monthly", from: "2026-04-01", to: "2026-04-30", by: "team" });
  return Object.fromEntries(rows.map((r) => [r.group, dec(r.total).toFixed()]));
}
const counts = async () =>
  (
    await server.app.db.query<{ e: number; a: number }>(
      `select (select count(*)::int from crosswalk_entries) as e, (select count(*)::int from audit_log) as a`,
    )
  )[0];

type WhatIfBody = { whatIf: { months: string[]; byTeam: Array<{ month: string; team: string; delta: string }> } };
const deltasOf = (b: WhatIfBody) =>
  Object.fromEntries(b.whatIf.byTeam.filter((d) => d.month === "2026-04").map((d) => [d.team, dec(d.delta).toFixed()]));

describe(`crosswalk editor what-if (${testEngine()})`, () => {
  it("previews an entry (nothing stored), then saving it does exactly what the preview said", async () => {
    const entry = {
      intent: "create",
      org_id: "org-vendor",
      owner_id: "sa-jkl",
      team: "search",
      cost_center: "",
      valid_from: "",
      valid_to: "",
      note: "",
    };
    const before = await totals();
    const stored = await counts();
    const res = await server.admin.post(DATA, { ...entry, preview: "1" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as WhatIfBody & { intent: string };
    expect(body.intent).toBe("create_preview");
    expect(body.whatIf.months).toEqual(["2026-03", "2026-04"]);
    expect(await counts()).toEqual(stored);
    expect(await totals()).toEqual(before);
    const predicted = deltasOf(body);
    expect(Object.keys(predicted).sort()).toEqual(["search", "unmapped"]);

    expect((await server.admin.post(DATA, entry)).status).toBe(200);
    const after = await totals();
    for (const [team, d] of Object.entries(predicted))
      expect(
        dec(after[team] ?? "0")
          .minus(dec(before[team] ?? "0"))
          .toFixed(),
      ).toBe(d);
  });

  it("a bulk import preview carries the what-if of the whole file; a viewer cannot preview", async () => {
    const csv = "org_id,owner_id,team,valid_from,valid_to\norg-vendor,sa-ghi,search,,\n";
    const res = await server.admin.post(DATA, { intent: "bulk_preview", mode: "merge", csv_text: csv });
    const body = (await res.json()) as WhatIfBody & { preview: { ok: boolean } };
    expect(body.preview.ok).toBe(true);
    const before = await totals();
    const predicted = deltasOf(body);
    expect(dec(predicted.search).isPositive()).toBe(true);
    expect(dec(predicted.unmapped).isNegative()).toBe(true);
    expect((await server.admin.post(DATA, { intent: "bulk_apply", mode: "merge", csv })).status).toBe(200);
    const after = await totals();
    for (const [team, d] of Object.entries(predicted))
      expect(
        dec(after[team] ?? "0")
          .minus(dec(before[team] ?? "0"))
          .toFixed(),
      ).toBe(d);

    const stored = await counts();
    const v = await server.viewer.post(DATA, {
      intent: "create",
      preview: "1",
      org_id: "org-vendor",
      owner_id: "sa-x",
      team: "t",
      valid_from: "",
      valid_to: "",
    });
    expect(v.status).toBe(403);
    expect(await counts()).toEqual(stored);
  });
});
