/**
 * The `fixed` policy's form field on /admin/orgs (docs/allocation.md): saving `team=pct, team=pct`,
 * the loader's policy value and explanation, and refused values that change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrg } from "../../app/services/orgs";
import { createTeam } from "../../app/services/teams";
import { listAudit } from "../../db/queries/audit";
import { getOrg } from "../../db/queries/orgs";
import { startTestServer, type TestClient, type TestServer } from "../helpers/server";

const ORG = "org-web";
const URL_ = "/admin/orgs?_data=routes%2Fadmin.orgs";

let app: TestServer;
let admin: TestClient;
let viewer: TestClient;

const save = async (c: TestClient, fields: Record<string, string>) => {
  const res = await c.post(URL_, { intent: "save", org_id: ORG, display_name: "", tolerance: "0.01", ...fields });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
};

beforeAll(async () => {
  app = await startTestServer();
  admin = await app.loginAs("finance_admin");
  viewer = await app.loginAs("viewer");
  await createOrg(app.db, "test", ORG, null);
  for (const t of ["payments", "search"]) await createTeam(app.db, "test", t, null);
});
afterAll(() => app?.close());

describe("/admin/orgs: the fixed policy field", () => {
  it("saves team=pct pairs and shows the policy with its explanation", async () => {
    const r = await save(admin, { policy_kind: "fixed", fixed_shares: " search=40, payments=60 " });
    expect(r.status).toBe(200);
    expect(r.body?.ok).toBe(true);
    expect(r.body?.message).toMatch(/Policy is now “fixed:payments=60,search=40”/);
    expect((await getOrg(app.db, ORG))!.policy).toBe("fixed:payments=60,search=40");

    const page = await admin.get(URL_);
    expect(page.status).toBe(200);
    const data = (await page.json()) as { orgs: Array<{ org_id: string; policy: string; policy_value: unknown; policy_explain: string }> };
    const o = data.orgs.find((x) => x.org_id === ORG)!;
    expect(o.policy_value).toEqual({
      kind: "fixed",
      shares: [
        { team: "payments", pct: "60" },
        { team: "search", pct: "40" },
      ],
    });
    expect(o.policy_explain).toBe("U is split by fixed percentages: 60% to payments, 40% to search.");

    const html = await (await admin.get("/admin/orgs")).text();
    expect(html).toContain('name="fixed_shares"');
    expect(html).toContain('value="payments=60, search=40"');
  });

  it.each([
    ["payments=60, search=30", /sum to 90, not 100/],
    ["payments=60, payments=40", /listed twice/],
    ["payments=60, unallocated=40", /pseudo-team/],
    ["payments=60, nobody=40", /The team "nobody" named by the policy does not exist/],
    ["payments=50.00001, search=49.99999", /at most 4 decimals/],
    ["", /needs team=percent pairs/],
  ])("refuses %j with a clear error and changes nothing", async (shares, re) => {
    const audits = (await listAudit(app.db, { entity: "organization" })).length;
    const r = await save(admin, { policy_kind: "fixed", fixed_shares: shares });
    expect(r.status).toBe(400);
    expect(r.body?.error).toMatch(re);
    expect((await getOrg(app.db, ORG))!.policy).toBe("fixed:payments=60,search=40");
    expect((await listAudit(app.db, { entity: "organization" })).length).toBe(audits);
  });

  it("a viewer cannot change the policy", async () => {
    const r = await save(viewer, { policy_kind: "fixed", fixed_shares: "payments=100" });
    expect(r.status).toBe(403);
    expect((await getOrg(app.db, ORG))!.policy).toBe("fixed:payments=60,search=40");
  });
});
