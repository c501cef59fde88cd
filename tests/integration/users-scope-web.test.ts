/**
 * Team-scoped viewers on the web (issue 15): a finance admin adds one on /admin/users, the
 * viewer's session sees only its team, a scope change and a team move apply at the next request
 * (no new sign-in), and a team rename carries the scope along. Bad scopes are refused with the
 * reason and change nothing.
 */
import { describe, expect, it } from "vitest";
import { findUserByEmail } from "../../db/queries/users";
import { getTeamByName } from "../../db/queries/teams";
import { useTestServer } from "../helpers/server";
import { seedVendorExample } from "../helpers/seed";

const server = useTestServer({ seed: (db) => seedVendorExample(db), roles: ["finance_admin"] });
const Q = "?period=custom&from=2026-04-01&to=2026-04-30";

describe("/admin/users: team viewers", () => {
  it("adds a team viewer whose pages follow the scope as it changes", async () => {
    const { app, admin } = server;
    const add = await admin.post("/admin/users", {
      intent: "add",
      email: "lead@example.test",
      role: "team_viewer",
      password: "a-long-enough-password",
      teams: "payments",
      cost_centers: "",
    });
    expect(add.status, await add.clone().text()).toBe(200);
    const u = await findUserByEmail(app.db, "lead@example.test");
    expect([u?.role, u?.scope_teams]).toEqual(["team_viewer", ["payments"]]);

    const lead = await app.login("lead@example.test", "a-long-enough-password");
    const status = async (p: string) => (await lead.get(p)).status;
    expect(await status(`/teams/payments${Q}`)).toBe(200);
    expect(await status(`/teams/search${Q}`)).toBe(404);
    const home = await (await lead.get(`/${Q}`)).text();
    expect(home).toContain("payments");
    expect(home).toContain("other teams");
    expect(home).not.toMatch(/>search</);
    expect(home).toContain('data-testid="current-scope"');

    // a new scope applies to the open session at its next request
    const set = await admin.post("/admin/users", { intent: "set-scope", email: "lead@example.test", teams: "search", cost_centers: "" });
    expect(set.status).toBe(200);
    expect(await status(`/teams/search${Q}`)).toBe(200);
    expect(await status(`/teams/payments${Q}`)).toBe(404);

    // a cost center in the scope follows the team's cost center
    const cc = await admin.post("/admin/users", { intent: "set-scope", email: "lead@example.test", teams: "", cost_centers: "CC-300" });
    expect(cc.status).toBe(200);
    expect(await status(`/teams/platform${Q}`)).toBe(200);
    const platform = await getTeamByName(app.db, "platform");
    expect((await admin.post("/admin/teams", { intent: "move", id: String(platform!.id), cost_center: "CC-100" })).status).toBe(200);
    expect(await status(`/teams/platform${Q}`)).toBe(404);

    // a rename carries the scope along
    await admin.post("/admin/users", { intent: "set-scope", email: "lead@example.test", teams: "search", cost_centers: "" });
    const search = await getTeamByName(app.db, "search");
    expect((await admin.post("/admin/teams", { intent: "rename", id: String(search!.id), name: "search-v2" })).status).toBe(200);
    expect((await findUserByEmail(app.db, "lead@example.test"))?.scope_teams).toEqual(["search-v2"]);
    expect(await status(`/teams/search-v2${Q}`)).toBe(200);
  });

  it("refuses an empty scope, an unknown team and a scope on a viewer, changing nothing", async () => {
    const { app, admin } = server;
    for (const form of [
      { intent: "add", email: "x1@example.test", role: "team_viewer", password: "a-long-enough-password", teams: "", cost_centers: "" },
      { intent: "add", email: "x2@example.test", role: "team_viewer", password: "a-long-enough-password", teams: "nope", cost_centers: "" },
      { intent: "add", email: "x3@example.test", role: "viewer", password: "a-long-enough-password", teams: "payments", cost_centers: "" },
    ]) {
      const res = await admin.post("/admin/users", form);
      expect(res.status, form.email).toBe(400);
      const body = await res.text();
      expect(body).toMatch(/scope|no team named|every team/);
      expect(await findUserByEmail(app.db, form.email)).toBeUndefined();
    }
  });
});
