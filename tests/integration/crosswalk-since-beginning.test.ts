/**
 * Issue 11: an empty crosswalk valid_from means "since the beginning" (stored as
 * BEGINNING_OF_TIME, exported and shown as empty), on the CLI import/export and in the web
 * editor; an export re-imported is a no-op; display-name imports are audited with the
 * previous and new names. Runs on TEST_DB=pglite|pg (the web part needs the built app).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BEGINNING_OF_TIME } from "../../app/domain/crosswalk";
import type { Db } from "../../db/client";
import { listAudit } from "../../db/queries/audit";
import { getReport } from "../../db/queries/report";
import { createCliEnv, type CliEnv } from "../helpers/cli";
import { startTestServer, type TestClient, type TestServer } from "../helpers/server";

const FIX = path.resolve(__dirname, "../fixtures/vendor-example");
const EXPORT = path.join(FIX, "export-2026-04-monthly.csv");
const ORG = "org-vendor";

// the vendor crosswalk as a first file is written: most owners since always, one moved in March
const FIRST_CROSSWALK =
  [
    "org_id,owner_id,team,valid_from,valid_to,cost_center,note",
    "org-vendor,sa-abc,payments,,,CC-100,since always",
    "org-vendor,sa-def,payments,,,CC-100,",
    "org-vendor,sa-ghi,payments,,2026-03-01,CC-100,moved",
    "org-vendor,sa-ghi,search,2026-03-01,,CC-200,",
    "org-vendor,sa-jkl,search,,,CC-200,",
    "org-vendor,lkc-123,platform,,,CC-300,",
    "org-vendor,env-xxx,analytics,2026-01-01,,,",
  ].join("\n") + "\n";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-cw0-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function file(name: string, content: string) {
  const p = path.join(tmp, name);
  await writeFile(p, content);
  return p;
}

const state = (db: Db) =>
  Promise.all([
    db.query(
      `select id, org_id, owner_id, team_id, valid_from::text, valid_to::text, note, updated_at::text from crosswalk_entries order by id`,
    ),
    db.query(`select org_id, granularity, bucket_start, team, total::text as t from allocation_results order by 1, 2, 3, 4`),
    db.query(`select id, name, cost_center from teams order by id`),
  ]);

describe("the CLI", () => {
  let cli: CliEnv;
  beforeAll(async () => {
    cli = await createCliEnv();
  }, 60_000);
  afterAll(() => cli?.cleanup());

  it("imports an empty valid_from as since the beginning, exports it empty, and a re-import changes nothing", async () => {
    const imp = await cli.run("crosswalk", "import", await file("first.csv", FIRST_CROSSWALK));
    expect(imp.stderr).toBe("");
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain("7 added, 0 unchanged, 0 removed");
    expect((await cli.run("ingest", "--org", ORG, "--granularity", "monthly", EXPORT)).code).toBe(0);

    const stored = await cli.withDb((db) =>
      db.query<{ owner_id: string; valid_from: string }>(`select owner_id, valid_from::text from crosswalk_entries order by id`),
    );
    expect(stored.map((r) => r.valid_from)).toEqual([
      BEGINNING_OF_TIME,
      BEGINNING_OF_TIME,
      BEGINNING_OF_TIME,
      "2026-03-01",
      BEGINNING_OF_TIME,
      BEGINNING_OF_TIME,
      "2026-01-01",
    ]);
    // April: sa-ghi is search (its since-the-beginning entry ended on March 1st), everyone mapped
    const report = await cli.withDb((db) => getReport(db, { granularity: "monthly", from: "2026-04-01", to: "2026-04-30" }));
    expect(Object.fromEntries(report.map((r) => [r.group, r.direct]))).toEqual({
      payments: "7.21875",
      search: "16.5",
      platform: "6.1875",
      analytics: "3.09375",
    });

    const exp = await cli.run("crosswalk", "export");
    expect(exp.code).toBe(0);
    const lines = exp.stdout.trim().split("\n");
    expect(lines[0]).toBe("org_id,owner_id,team,valid_from,valid_to,cost_center,note");
    expect(lines).toContain("org-vendor,sa-abc,payments,,,CC-100,since always");
    expect(lines).toContain("org-vendor,sa-ghi,payments,,2026-03-01,CC-100,moved");
    expect(exp.stdout).not.toContain(BEGINNING_OF_TIME);

    const before = await cli.withDb(state);
    const again = await cli.run("crosswalk", "import", await file("exported.csv", exp.stdout));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("0 added, 7 unchanged, 0 removed");
    expect(await cli.withDb(state)).toEqual(before);
    const second = await cli.run("crosswalk", "export");
    expect(second.stdout).toBe(exp.stdout);
  }, 120_000);

  it("refuses an entry overlapping one since the beginning, naming it", async () => {
    const before = await cli.withDb(state);
    const r = await cli.run(
      "crosswalk",
      "import",
      await file("overlap.csv", "org_id,owner_id,team,valid_from,valid_to\norg-vendor,sa-abc,search,2025-01-01,2025-06-01\n"),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "line 2: org-vendor/sa-abc → search [2025-01-01, 2025-06-01) overlaps existing entry org-vendor/sa-abc → payments [since the beginning, open)",
    );
    expect(await cli.withDb(state)).toEqual(before);
  }, 60_000);

  it("audits a display-name import with the previous and new names of the owners that changed", async () => {
    const names = (rows: string[]) => file(`names-${rows.length}.csv`, ["org_id,owner_id,display_name", ...rows].join("\n") + "\n");
    expect((await cli.run("crosswalk", "names", await names(["org-vendor,sa-abc,Payments API", "org-vendor,sa-def,Checkout"]))).code).toBe(
      0,
    );
    const r = await cli.run(
      "crosswalk",
      "names",
      await names(["org-vendor,sa-abc,Payments API v2", "org-vendor,sa-def,Checkout", "org-vendor,sa-ghi,Search"]),
    );
    expect(r.code).toBe(0);
    const audit = (await cli.withDb((db) => listAudit(db, { limit: 50 }))).filter((a) => a.entity === "owner_names");
    expect(audit).toHaveLength(2);
    const last = audit.find((a) => (a.after as { count: number }).count === 3)!;
    expect(last.before).toEqual({
      names: [
        { orgId: ORG, ownerId: "sa-abc", displayName: "Payments API" },
        { orgId: ORG, ownerId: "sa-ghi", displayName: null },
      ],
    });
    expect(last.after).toEqual({
      count: 3,
      changed: 2,
      names: [
        { orgId: ORG, ownerId: "sa-abc", displayName: "Payments API v2" },
        { orgId: ORG, ownerId: "sa-ghi", displayName: "Search" },
      ],
    });
    const stored = await cli.withDb((db) => db.query(`select owner_id, display_name from owner_names order by owner_id`));
    expect(stored).toEqual([
      { owner_id: "sa-abc", display_name: "Payments API v2" },
      { owner_id: "sa-def", display_name: "Checkout" },
      { owner_id: "sa-ghi", display_name: "Search" },
    ]);
  }, 60_000);
});

describe("the web editor", () => {
  let app: TestServer;
  let admin: TestClient;
  beforeAll(async () => {
    app = await startTestServer();
    admin = await app.loginAs("finance_admin");
  }, 60_000);
  afterAll(() => app?.close());

  const post = async (form: Record<string, string>) => {
    const res = await admin.post("/crosswalk?index&_data=routes/crosswalk._index", form);
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it("creates an entry since the beginning from an empty valid_from, shows and downloads it as such", async () => {
    const r = await post({
      intent: "create",
      org_id: ORG,
      owner_id: "sa-abc",
      team: "payments",
      cost_center: "",
      valid_from: "",
      valid_to: "",
      note: "",
    });
    expect(r.body.ok, JSON.stringify(r.body)).toBe(true);
    expect(r.body.message).toMatch(/→ payments since the beginning\.$/);
    const [row] = await app.db.query<{ id: number; valid_from: string }>(
      `select id, valid_from::text from crosswalk_entries where owner_id = 'sa-abc'`,
    );
    expect(row.valid_from).toBe(BEGINNING_OF_TIME);

    // the rendered page (the loader's JSON in <script> carries the stored value)
    const visible = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, "");
    const page = visible(await (await admin.get("/crosswalk")).text());
    expect(page).toContain("since the beginning");
    expect(page).not.toContain(BEGINNING_OF_TIME);
    const csv = await (await admin.get("/crosswalk.csv")).text();
    expect(csv).toContain("org-vendor,sa-abc,payments,,,");

    // saving the edit form unchanged keeps it since the beginning
    const edit = visible(await (await admin.get(`/crosswalk?edit=${row.id}`)).text());
    expect(edit).toMatch(/name="valid_from" aria-label="Valid from"[^>]* value=""/);
    expect(edit).not.toContain(BEGINNING_OF_TIME);
    const u = await post({
      intent: "update",
      id: String(row.id),
      org_id: ORG,
      owner_id: "sa-abc",
      team: "payments",
      valid_from: "",
      valid_to: "",
      note: "",
    });
    expect(u.body.ok).toBe(true);
    expect((await app.db.query<{ v: string }>(`select valid_from::text as v from crosswalk_entries where id = $1`, [row.id]))[0].v).toBe(
      BEGINNING_OF_TIME,
    );

    // the downloaded file previewed for re-import, in either mode, changes nothing
    for (const mode of ["merge", "replace"]) {
      const p = await post({ intent: "bulk_preview", csv_text: csv, mode });
      expect(p.body.preview, JSON.stringify(p.body)).toMatchObject({
        ok: true,
        unchanged: 1,
        counts: { add: 0, change: 0, end_date: 0, remove: 0 },
        changes: [],
      });
    }
  }, 60_000);

  it("audits the display-name upload with before and after", async () => {
    expect((await post({ intent: "names", names_text: "org_id,owner_id,display_name\norg-vendor,sa-abc,Payments\n" })).body.ok).toBe(true);
    expect((await post({ intent: "names", names_text: "org_id,owner_id,display_name\norg-vendor,sa-abc,Payments Team\n" })).body.ok).toBe(
      true,
    );
    const audit = (await listAudit(app.db, { limit: 50 })).filter((a) => a.entity === "owner_names");
    expect(audit.map((a) => [a.before, (a.after as { names: unknown }).names])).toEqual(
      expect.arrayContaining([
        [
          { names: [{ orgId: ORG, ownerId: "sa-abc", displayName: "Payments" }] },
          [{ orgId: ORG, ownerId: "sa-abc", displayName: "Payments Team" }],
        ],
        [{ names: [{ orgId: ORG, ownerId: "sa-abc", displayName: null }] }, [{ orgId: ORG, ownerId: "sa-abc", displayName: "Payments" }]],
      ]),
    );
  }, 60_000);
});
