/**
 * One use case per mutation, on both adapters (docs/architecture.md): `npm run orgs -- set`
 * and the Organizations page both call saveOrgSettings (app/services/orgs.ts), so they refuse
 * the same input with the same message and store the same value. Before, the CLI created an
 * org it had not seen without the id check the page makes (and without a "create" audit entry),
 * and stored an untrimmed display name. Also: the
 * page's org list has its own name (listOrgSettings), not the dashboard's orgSummaries; and a
 * bulk crosswalk conflict on the page names the page's way out, not the CLI's flag.
 * On the engine chosen by TEST_DB; needs a build (SHOWBACK_BUILD_DIR).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createOrg } from "../../app/services/orgs";
import { createCrosswalkEntry } from "../../app/services/crosswalk";
import { listAudit } from "../../db/queries/audit";
import { getOrg, listOrgSettings } from "../../db/queries/orgs";
import { useCliEnv } from "../helpers/cli";
import { postOrgSettings } from "../helpers/forms";
import { useTestServer } from "../helpers/server";

const ORG = "org-parity";
const ROOT = path.resolve(__dirname, "../..");

const server = useTestServer({ roles: ["finance_admin"] });
const cli = useCliEnv();

beforeAll(async () => {
  await createOrg(server.app.db, "test", ORG, null);
  await cli.withDb((db) => createOrg(db, "test", ORG, null).then(() => undefined));
}, 60_000);

async function webSave(org: string, fields: Record<string, string> = {}) {
  const res = await postOrgSettings(server.admin, org, fields);
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: string; message?: string } };
}

describe("org settings: the CLI and the page call the same service", () => {
  it("an org the CLI has not seen is created as the page creates one: a bad id is refused with the page's message", async () => {
    const web = await server.admin.post("/admin/orgs?_data=routes%2Fadmin.orgs", {
      intent: "create",
      org_id: "bad org!",
      display_name: "",
    });
    expect(web.status).toBe(400);
    const message = ((await web.json()) as { error: string }).error;
    expect(message).toMatch(/^An organization id is letters, digits/);

    const r = await cli.run("orgs", "set", "--org", "bad org!", "--tolerance", "0.02");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${message}\n`);
    expect((await cli.run("orgs", "list")).stdout).not.toContain("bad org!");

    // a good id: created and audited as such (then updated), like "Add an organization" then Save
    const ok = await cli.run("orgs", "set", "--org", "org-cli-new", "--tolerance", "0.02");
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe("org-cli-new: policy proportional, tolerance 0.02\n");
    const audit = await cli.withDb((db) => listAudit(db, { entity: "organization" }));
    expect(
      audit
        .filter((a) => a.entity_id === "org-cli-new")
        .map((a) => a.action)
        .sort(),
    ).toEqual(["create", "update"]);
  }, 60_000);

  it("the page refuses saving an org that does not exist", async () => {
    const web = await webSave("org-typo");
    expect(web.status).toBe(400);
    expect(web.body.error).toBe("Unknown organization org-typo.");
    expect(await getOrg(server.app.db, "org-typo")).toBeNull();
  });

  it("both refuse a policy naming an unknown team with the same message", async () => {
    const web = await webSave(ORG, { policy_kind: "shared", shared_team: "nobody" });
    expect(web.status).toBe(400);
    const r = await cli.run("orgs", "set", "--org", ORG, "--policy", "shared:nobody");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${web.body.error}\n`);
  }, 60_000);

  it("both store the display name trimmed", async () => {
    expect((await webSave(ORG, { display_name: "  Parity org  " })).status).toBe(200);
    expect((await getOrg(server.app.db, ORG))!.display_name).toBe("Parity org");
    const r = await cli.run("orgs", "set", "--org", ORG, "--name", "  Parity org  ");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${ORG}: policy proportional, tolerance 0.01, name Parity org\n`);
  }, 60_000);
});

describe("one name for one read", () => {
  it("the Organizations page lists orgs with listOrgSettings; orgSummaries is only the dashboard's", async () => {
    const rows = await listOrgSettings(server.app.db);
    expect(rows.find((o) => o.org_id === ORG)).toMatchObject({ imports: 0, entries: 0, policy_value: { kind: "proportional" } });
    const files: string[] = [];
    const walk = async (dir: string) => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (/\.tsx?$/.test(e.name)) files.push(p);
      }
    };
    for (const d of ["app", "db", "scripts"]) await walk(path.join(ROOT, d));
    const defining: string[] = [];
    for (const f of files)
      if (/export (async )?function orgSummaries\b/.test(await readFile(f, "utf8"))) defining.push(path.relative(ROOT, f));
    expect(defining).toHaveLength(1);
    expect(defining[0]).not.toMatch(/admin|orgs\.ts$/);
  });
});

describe("crosswalk bulk import on the page", () => {
  it("a conflict that appears after the preview is refused naming the page's Replace mode, not the CLI's --replace", async () => {
    const csv = "org_id,owner_id,team,valid_from,valid_to\norg-parity,sa-race,payments,2026-01-01,\n";
    const post = async (form: Record<string, string>) => {
      const res = await server.admin.post("/crosswalk?index&_data=routes/crosswalk._index", form, { multipart: true });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const preview = await post({ intent: "bulk_preview", mode: "merge", csv_text: csv });
    expect(preview.body.preview.ok).toBe(true);
    // meanwhile someone maps the same owner
    // (its id: the preview's what-if ran the import in a rolled-back transaction, and sequences are not rolled back)
    const raceId = await createCrosswalkEntry(server.app.db, "test", {
      orgId: ORG,
      ownerId: "sa-race",
      team: "search",
      validFrom: "2026-03-01",
      validTo: null,
    });
    const apply = await post({ intent: "bulk_apply", mode: "merge", csv: preview.body.csv });
    expect(apply.status).toBe(400);
    expect(apply.body.ok).toBe(false);
    expect(apply.body.error).toBe(
      "1 entry overlaps existing entries (use Replace mode to replace the organizations' crosswalks):\n" +
        `line 2: org-parity/sa-race → payments [2026-01-01, open) overlaps existing entry org-parity/sa-race → search [2026-03-01, open) (entry #${raceId})`,
    );
    expect((await server.app.db.query(`select count(*)::int as n from crosswalk_entries`))[0]).toEqual({ n: 1 });
  }, 60_000);
});
