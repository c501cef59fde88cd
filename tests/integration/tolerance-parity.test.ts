/**
 * The org tolerance is validated by one parser (app/domain/money.ts parseNonNegativeDecimal) on
 * both adapters: the admin page (HTTP 400 on refusal) and `npm run orgs -- set --tolerance`
 * (exit 2 on refusal), on the engine chosen by TEST_DB. Same table as the unit test. Before the
 * shared parser, "+0.01" was saved by the web and refused by the CLI. Needs a build (SHOWBACK_BUILD_DIR).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../app/domain/money";
import { getOrg } from "../../db/queries/orgs";
import { TOLERANCE_CASES } from "../fixtures/tolerance-cases";
import { useCliEnv } from "../helpers/cli";
import { postOrgSettings } from "../helpers/forms";
import { useTestServer } from "../helpers/server";

const ORG = "org-tol";
const START = "0.25"; // a tolerance no case stores, so a refusal visibly changes nothing

const server = useTestServer({ roles: ["finance_admin"] });
const cli = useCliEnv();

beforeAll(async () => {
  const res = await server.admin.post("/admin/orgs?_data=routes%2Fadmin.orgs", { intent: "create", org_id: ORG, display_name: "" });
  expect(res.status).toBe(200);
  expect((await cli.run("orgs", "set", "--org", ORG, `--tolerance=${START}`)).code).toBe(0);
}, 60_000);

async function webSave(tolerance: string) {
  const res = await postOrgSettings(server.admin, ORG, { tolerance });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: string } };
}

const webTolerance = async () => (await getOrg(server.app.db, ORG))!.tolerance;
const cliTolerance = async () =>
  (await cli.run("orgs", "list")).stdout
    .split("\n")
    .find((l) => l.startsWith(`${ORG}\t`))
    ?.split("\t")[2];

describe("org tolerance: the web form and the CLI accept and refuse the same strings", () => {
  it.each(TOLERANCE_CASES)("web: %j → accepted %s", async (input, ok, value) => {
    expect((await webSave(START)).status).toBe(200);
    const r = await webSave(input);
    if (ok) {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(new Decimal(await webTolerance()).eq(value!)).toBe(true);
    } else {
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/must be a non-negative decimal amount/);
      expect(await webTolerance()).toBe(START); // nothing changed
    }
  });

  // `--tolerance=VALUE` so that a value starting with "-" reaches the parser (node:util parseArgs)
  it.each(TOLERANCE_CASES)("cli: %j → accepted %s", async (input, ok, value) => {
    const r = await cli.run("orgs", "set", "--org", ORG, `--tolerance=${input}`);
    if (ok) {
      expect(r.code, r.stderr).toBe(0);
      const stored = /tolerance (\S+)/.exec(r.stdout)?.[1];
      expect(new Decimal(stored!).eq(value!)).toBe(true);
      expect((await cli.run("orgs", "set", "--org", ORG, `--tolerance=${START}`)).code).toBe(0);
    } else {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--tolerance must be a non-negative decimal/);
    }
  });

  it("cli: the refusals changed nothing", async () => {
    expect(await cliTolerance()).toBe(START);
  });
});
