/**
 * Display names from the Confluent CLI's own JSON (docs/crosswalk.md):
 * `npm run crosswalk -- names --org ORG FILE.json` takes the output of
 * `confluent iam service-account list -o json` (and the user, pool, environment and Kafka
 * cluster lists) as well as the CSV. The JSON names no org, so --org is required; a bad file
 * is refused whole with its problems and stores nothing. Real CLI, engine from TEST_DB.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getOwnerNames } from "../../db/queries/crosswalk";
import { useCliEnv } from "../helpers/cli";

const FIX = path.resolve(__dirname, "../fixtures/confluent-cli");
const cli = useCliEnv();

const names = (ids: string[]) =>
  cli.withDb(async (db) => {
    const m = await getOwnerNames(
      db,
      ids.map((ownerId) => ({ orgId: "org-json", ownerId })),
    );
    return Object.fromEntries([...m.entries()].map(([k, v]) => [k.split("\u0000").pop() ?? k, v]));
  });

describe("crosswalk names FILE.json (Confluent CLI lists)", () => {
  it("stores the names of a service-account list and of an environment list under --org", async () => {
    const sa = await cli.run("crosswalk", "names", "--org", "org-json", path.join(FIX, "service-account-list.json"));
    expect(sa.code, sa.stderr).toBe(0);
    expect(sa.stdout).toMatch(/3 display names stored from a Confluent service account list/);
    const env = await cli.run("crosswalk", "names", "--org", "org-json", path.join(FIX, "environment-list.json"));
    expect(env.code, env.stderr).toBe(0);
    const stored = await names(["sa-r6x5kq", "sa-0jv8d2", "sa-k3m91p", "env-abc123"]);
    expect(stored).toEqual({
      "sa-r6x5kq": "payments-ingest",
      "sa-0jv8d2": "search-indexer",
      "sa-k3m91p": "platform-connect",
      "env-abc123": "production",
    });
  });

  it("needs --org (usage error, exit 2) and refuses a bad list whole (exit 1, nothing stored)", async () => {
    const noOrg = await cli.run("crosswalk", "names", path.join(FIX, "user-list.json"));
    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toMatch(/names no organization: give --org ORG_ID/);

    const dir = await mkdtemp(path.join(os.tmpdir(), "names-json-"));
    const bad = path.join(dir, "bad.json");
    await writeFile(bad, JSON.stringify([{ id: "sa-new1", name: "fine" }, { id: "sa-new2" }]));
    const r = await cli.run("crosswalk", "names", "--org", "org-json", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rejected, nothing changed\. 1 problem\(s\):\n.*item 1 has no name/);
    expect(await names(["sa-new1", "sa-new2"])).toEqual({});
  });
});
