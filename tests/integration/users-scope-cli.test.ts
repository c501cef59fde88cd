/**
 * The Contract of issue 15 for scoped viewers, through the real CLI on the engine chosen by
 * TEST_DB: `users add --role team_viewer --teams a,b [--cost-centers CC-1] --password-stdin`,
 * `set-scope`, `set-role … --teams`, `list` (table and JSON), and scoped service-client tokens;
 * bad input exits 1 with the reason and changes nothing; every change is audited.
 */
import { describe, expect, it } from "vitest";
import { listAudit } from "../../db/queries/audit";
import { findUserByEmail } from "../../db/queries/users";
import { importCrosswalk } from "../../app/services/crosswalk";
import { runScript, useCliEnv } from "../helpers/cli";

const cli = useCliEnv();

describe("npm run users: scoped viewers", () => {
  it("adds, lists, re-scopes and re-roles a team_viewer, audited; refuses what would show nothing or a typo", async () => {
    await cli.withDb((db) =>
      importCrosswalk(
        db,
        "seed",
        [
          { orgId: "org-a", ownerId: "sa-1", team: "payments", validFrom: "2026-01-01", validTo: null, costCenter: "CC-100" },
          { orgId: "org-a", ownerId: "sa-2", team: "search", validFrom: "2026-01-01", validTo: null, costCenter: "CC-200" },
          { orgId: "org-a", ownerId: "sa-3", team: "risk", validFrom: "2026-01-01", validTo: null, costCenter: "CC-200" },
        ],
        "merge",
      ),
    );
    const add = await runScript(
      "users",
      [
        "add",
        "--email",
        "Lead@Example.test",
        "--role",
        "team_viewer",
        "--teams",
        "search, payments",
        "--cost-centers",
        "CC-200",
        "--password-stdin",
      ],
      cli.env,
      "a-long-enough-password\n",
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain("lead@example.test (team_viewer");
    expect(add.stdout).toContain("payments, search");

    const json = await cli.run("users", "list", "--format", "json");
    expect(json.code).toBe(0);
    const users = JSON.parse(json.stdout) as Array<{ email: string; role: string; scope: unknown }>;
    expect(users.find((u) => u.email === "lead@example.test")).toMatchObject({
      role: "team_viewer",
      scope: { teams: ["payments", "search"], cost_centers: ["CC-200"] },
    });
    const table = await cli.run("users", "list");
    expect(table.stdout).toMatch(/lead@example\.test\s+team_viewer\s+active\s+\S+ \S+\s+.*payments, search/);

    const rescope = await cli.run("users", "set-scope", "--email", "lead@example.test", "--teams", "risk");
    expect(rescope.code, rescope.stderr).toBe(0);
    await cli.withDb(async (db) => {
      const u = (await findUserByEmail(db, "lead@example.test"))!;
      expect([u.scope_teams, u.scope_cost_centers]).toEqual([["risk"], []]);
      const audit = await listAudit(db, { entity: "user", action: "scope_change" });
      expect(audit).toHaveLength(1);
      expect(audit[0]!.before).toMatchObject({ scope: { teams: ["payments", "search"], cost_centers: ["CC-200"] } });
      expect(audit[0]!.after).toMatchObject({ scope: { teams: ["risk"], cost_centers: [] } });
    });

    // refused, exit 1, nothing changed
    for (const args of [
      ["set-scope", "--email", "lead@example.test"], // an empty scope would show nothing
      ["set-scope", "--email", "lead@example.test", "--teams", "paymnets"], // a typo
      ["set-scope", "--email", "lead@example.test", "--cost-centers", "CC-999"],
      ["set-scope", "--email", "lead@example.test", "--teams", "other teams"],
      ["add", "--email", "v@example.test", "--role", "viewer", "--teams", "payments"], // a viewer sees everything
      ["add", "--email", "t@example.test", "--role", "team_viewer"], // no scope
    ]) {
      const r = await cli.run("users", ...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/error: .*(scope|team|cost center|every team)/);
    }
    await cli.withDb(async (db) => {
      const u = (await findUserByEmail(db, "lead@example.test"))!;
      expect([u.scope_teams, u.scope_cost_centers]).toEqual([["risk"], []]);
      expect(await findUserByEmail(db, "v@example.test")).toBeUndefined();
      expect(await findUserByEmail(db, "t@example.test")).toBeUndefined();
    });

    // set-role: to viewer clears the scope; back to team_viewer needs one
    expect((await cli.run("users", "set-role", "--email", "lead@example.test", "--role", "viewer")).code).toBe(0);
    expect((await cli.run("users", "set-scope", "--email", "lead@example.test", "--teams", "risk")).code).toBe(1);
    expect((await cli.run("users", "set-role", "--email", "lead@example.test", "--role", "team_viewer")).code).toBe(1);
    const back = await cli.run("users", "set-role", "--email", "lead@example.test", "--role", "team_viewer", "--cost-centers", "CC-100");
    expect(back.code, back.stderr).toBe(0);
    await cli.withDb(async (db) => {
      const u = (await findUserByEmail(db, "lead@example.test"))!;
      expect([u.role, u.scope_teams, u.scope_cost_centers]).toEqual(["team_viewer", [], ["CC-100"]]);
      expect((await listAudit(db, { entity: "user", action: "role_change" })).length).toBe(2);
    });
  });

  it("tokens: a service client gets its own scope; a user's token may not carry one", async () => {
    const ok = await cli.run("tokens", "create", "--client", "pay-dash", "--role", "team_viewer", "--teams", "payments", "--name", "dash");
    expect(ok.code, ok.stderr).toBe(0);
    const list = JSON.parse((await cli.run("tokens", "list", "--format", "json")).stdout) as Array<Record<string, unknown>>;
    expect(list.find((t) => t.client === "pay-dash")).toMatchObject({
      role: "team_viewer",
      scope: { teams: ["payments"], cost_centers: [] },
    });
    for (const args of [
      ["create", "--client", "x", "--role", "team_viewer", "--name", "n"], // no scope
      ["create", "--client", "x", "--role", "team_viewer", "--teams", "nope", "--name", "n"], // unknown team
      ["create", "--client", "x", "--role", "viewer", "--teams", "payments", "--name", "n"],
      ["create", "--user", "lead@example.test", "--teams", "payments", "--name", "n"],
    ]) {
      const r = await cli.run("tokens", ...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(1);
    }
    expect((JSON.parse((await cli.run("tokens", "list", "--format", "json")).stdout) as unknown[]).length).toBe(1);
  });
});
