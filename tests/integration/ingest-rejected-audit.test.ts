/**
 * A rejected file is audited the same way whichever adapter ingested it (docs/export-format.md):
 * `npm run ingest` and the upload page each leave one `ingest_rejected` audit entry (actor,
 * org, file, the first errors) and no cost data. The ingest service writes it for both.
 * Needs the build (SHOWBACK_BUILD_DIR) for the upload page.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { createCliEnv, type CliEnv } from "../helpers/cli";
import { startTestServer, type TestServer } from "../helpers/server";

const EXPORT = path.resolve(__dirname, "../fixtures/vendor-example/export-2026-04-monthly.csv");
const ORG = "org-rejected";

let tmp: string;
let bad: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-rejected-"));
  // two bad values: a field count and a decimal (the same edit as tests/integration/admin.test.ts)
  bad = (await readFile(EXPORT, "utf8")).replace("0.60,2.00,0.3", "0,60,2.00,0.3").replace("9.00,15.00,0.6", "abc,15.00,0.6");
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const rejectedEntries = (db: Db) =>
  db.query<{ actor: string; entity: string; entity_id: string | null; before: unknown; after: Record<string, unknown> }>(
    `select actor, entity, entity_id, before, after from audit_log where action = 'ingest_rejected' order by id`,
  );
const costData = async (db: Db) => ({
  imports: await db.query(`select count(*)::int as n from imports`),
  rows: await db.query(`select count(*)::int as n from cost_rows`),
  results: await db.query(`select count(*)::int as n from allocation_results`),
});

/** The payload both adapters must write (recorded before the service wrote it for both). */
function expectRejectedPayload(after: Record<string, unknown>, fileName: string) {
  expect(Object.keys(after).sort()).toEqual([
    "errorCount",
    "errors",
    "fileName",
    "firstBucket",
    "granularity",
    "lastBucket",
    "orgId",
    "rowCount",
  ]);
  expect(after).toMatchObject({ orgId: ORG, fileName, granularity: "monthly", rowCount: 19, errorCount: 3 });
  const errors = after.errors as Array<{ line: number; rule: string; column: string | null; message: string }>;
  expect(errors).toHaveLength(3);
  expect(errors.some((e) => e.line === 2 && e.rule === "field-count")).toBe(true);
  expect(errors.some((e) => e.line === 8 && e.column === "chargeback_cost" && e.rule === "decimal")).toBe(true);
  for (const e of errors) expect(e.message).toMatch(/^line \d+[:,]/);
}

describe("a rejected ingest is audited", () => {
  let cli: CliEnv;
  let app: TestServer;
  beforeAll(async () => {
    cli = await createCliEnv();
    app = await startTestServer();
  });
  afterAll(async () => {
    await cli?.cleanup();
    await app?.close();
  });

  it("through the CLI: exit 1, one ingest_rejected entry with actor, org, file and errors, no cost data", async () => {
    const file = path.join(tmp, "bad.csv");
    await writeFile(file, bad);
    const before = await cli.withDb(costData);
    const r = await cli.run("ingest", "--org", ORG, "--granularity", "monthly", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: rejected, nothing stored.`);
    const entries = await cli.withDb(rejectedEntries);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: "test", entity: "import", entity_id: null, before: null });
    expectRejectedPayload(entries[0]!.after, "bad.csv");
    expect(await cli.withDb(costData)).toEqual(before);
    expect(before).toEqual({ imports: [{ n: 0 }], rows: [{ n: 0 }], results: [{ n: 0 }] });
  });

  it("through the upload page: the same entry (the web path's payload)", async () => {
    const admin = await app.loginAs("finance_admin");
    const res = await admin.post(
      "/imports/new?_data=routes%2Fimports.new",
      { intent: "preview", org: ORG, granularity: "monthly", file: new File([bad], "bad.csv", { type: "text/csv" }) },
      { multipart: true },
    );
    expect(((await res.json()) as { stage: string }).stage).toBe("rejected");
    const entries = await rejectedEntries(app.db);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entity: "import", entity_id: null, before: null });
    expect(entries[0]!.actor).toMatch(/@/);
    expectRejectedPayload(entries[0]!.after, "bad.csv");
    expect(await costData(app.db)).toEqual({ imports: [{ n: 0 }], rows: [{ n: 0 }], results: [{ n: 0 }] });
  });
});
