/**
 * Bad input on the upload page (/imports/new) answers the one 400 of every form
 * (`{ ok: false, error, field }`, here with `stage: "error"` as the page reads it), stores
 * nothing and audits nothing: an invalid organization id, no file, an empty file.
 * Needs the build (SHOWBACK_BUILD_DIR).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestClient, type TestServer } from "../helpers/server";

let app: TestServer;
let admin: TestClient;
beforeAll(async () => {
  app = await startTestServer();
  admin = await app.loginAs("finance_admin");
});
afterAll(() => app?.close());

const HEADER = "timestamp,owner_id,environment_id,resource_id,product,metric,unit,chargeback_cost,original_amount,usage_share\n";

async function preview(form: Record<string, string | Blob>) {
  const res = await admin.post(
    "/imports/new?_data=routes%2Fimports.new",
    { intent: "preview", granularity: "", ...form },
    { multipart: true },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const nothingStored = async () => ({
  imports: await app.db.query(`select count(*)::int as n from imports`),
  audit: await app.db.query(`select count(*)::int as n from audit_log where entity = 'import'`),
});

describe("the upload preview's bad input", () => {
  it("an invalid new organization id: 400 naming the org field", async () => {
    const r = await preview({ org: "__new__", new_org: "not an id", file: new File([HEADER], "a.csv", { type: "text/csv" }) });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ ok: false, stage: "error", field: "org" });
    expect(r.body.error).toMatch(/^An organization id is letters, digits/);
  });

  it("no file, and an empty file: 400 naming the file field", async () => {
    const none = await preview({ org: "org-x" });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ ok: false, stage: "error", error: "Choose a CSV file to upload.", field: "file" });
    const empty = await preview({ org: "org-x", file: new File([""], "empty.csv", { type: "text/csv" }) });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ ok: false, stage: "error", error: "empty.csv is empty.", field: "file" });
  });

  it("stores and audits nothing", async () => {
    expect(await nothingStored()).toEqual({ imports: [{ n: 0 }], audit: [{ n: 0 }] });
  });
});
