/**
 * Finance admin workspace, through the built app (in-process server) on the engine
 * chosen by TEST_DB: upload preview/confirm, rejected attempts, restatement diffs,
 * audit before/after for every kind of change, policy changes (docs/allocation.md), team lifecycle,
 * unmapped queue, viewer read-only. Needs `npm run build` (SHOWBACK_BUILD_DIR).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../app/domain/money";
import { listAudit } from "../../db/queries/audit";
import { getReport } from "../../db/queries/report";
import { listRestatements } from "../../db/queries/restatements";
import { listUnmappedOwners } from "../../db/queries/owners";
import { metricRestatementDiff } from "../../db/queries/imports";
import { getOrg } from "../../db/queries/orgs";
import { startTestServer, type TestClient, type TestServer } from "../helpers/server";

const FIX = path.resolve(__dirname, "../fixtures/vendor-example");
const ORG = "org-vendor";
let EXPORT: string;
let CROSSWALK: string;

let app: TestServer;
let admin: TestClient;
let viewer: TestClient;

const D = (s: string) => new Decimal(s);
const data = (p: string) => `${p}${p.includes("?") ? "&" : "?"}_data=routes/${routeId(p)}`;
function routeId(p: string) {
  const u = p.split("?")[0]!;
  if (u === "/imports/new") return "imports.new";
  if (u === "/crosswalk") return "crosswalk._index";
  if (u === "/crosswalk/unmapped") return "crosswalk.unmapped";
  if (u === "/admin/teams") return "admin.teams";
  if (u === "/admin/orgs") return "admin.orgs";
  throw new Error(u);
}

async function postJson(c: TestClient, p: string, form: Record<string, string | Blob>, multipart = false) {
  const url = p === "/crosswalk" ? data("/crosswalk?index") : data(p);
  const res = await c.post(url, form, { multipart });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : null };
}

async function upload(c: TestClient, org: string, name: string, content: string, extra: Record<string, string> = {}) {
  return postJson(
    c,
    "/imports/new",
    { intent: "preview", org, granularity: "", ...extra, file: new File([content], name, { type: "text/csv" }) },
    true,
  );
}

async function uploadAndConfirm(c: TestClient, org: string, name: string, content: string) {
  const p = await upload(c, org, name, content);
  expect(p.body?.stage, JSON.stringify(p.body).slice(0, 400)).toBe("preview");
  const r = await postJson(c, "/imports/new", { intent: "confirm", token: p.body!.token });
  expect(r.status).toBe(204);
  const loc = r.headers.get("x-remix-redirect") ?? "";
  expect(loc).toMatch(/^\/imports\/\d+\?created=1$/);
  return Number(/\/imports\/(\d+)/.exec(loc)![1]);
}

const monthly = (by: "team" | "cost_center" = "team") =>
  getReport(app.db, { granularity: "monthly", from: "2026-04-01", to: "2026-04-30", orgIds: [ORG], by });
const teamTotal = async (team: string) => (await monthly()).find((r) => r.group === team)?.total ?? "0";

beforeAll(async () => {
  EXPORT = await readFile(path.join(FIX, "export-2026-04-monthly.csv"), "utf8");
  CROSSWALK = await readFile(path.join(FIX, "crosswalk.csv"), "utf8");
  app = await startTestServer();
  admin = await app.loginAs("finance_admin");
  viewer = await app.loginAs("viewer");
});
afterAll(() => app?.close());

describe("upload: preview, confirm, rejected attempts", () => {
  it("a bad file is rejected with line-numbered errors, nothing stored, and the attempt is audited", async () => {
    const bad = EXPORT.replace("0.60,2.00,0.3", "0,60,2.00,0.3").replace("9.00,15.00,0.6", "abc,15.00,0.6");
    const r = await upload(admin, ORG, "bad.csv", bad);
    expect(r.body?.stage).toBe("rejected");
    const errors = r.body!.summary.errors as Array<{ line: number; rule: string; column: string | null }>;
    expect(errors.some((e) => e.line === 2 && e.rule === "field-count")).toBe(true);
    expect(errors.some((e) => e.line === 8 && e.column === "chargeback_cost" && e.rule === "decimal")).toBe(true);
    expect((await app.db.query(`select count(*)::int as n from imports`))[0]).toEqual({ n: 0 });
    expect((await app.db.query(`select count(*)::int as n from cost_rows`))[0]).toEqual({ n: 0 });
    const audit = await listAudit(app.db, { action: "ingest_rejected" });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ orgId: ORG, fileName: "bad.csv" });
    // and the history page lists it
    const page = await (await admin.get("/imports")).text();
    expect(page).toContain("rejected attempt");
    expect(page).toContain("bad.csv");
  });

  it("a file over SHOWBACK_UPLOAD_MAX_MB is refused with a clear message", async () => {
    const prev = process.env.SHOWBACK_UPLOAD_MAX_MB;
    process.env.SHOWBACK_UPLOAD_MAX_MB = "0.001"; // ~1 kB
    try {
      const r = await upload(admin, ORG, "big.csv", EXPORT);
      expect(r.status).toBe(413);
      expect(r.body?.error).toMatch(/larger than the upload limit of 0\.001 MB/);
    } finally {
      if (prev === undefined) delete process.env.SHOWBACK_UPLOAD_MAX_MB;
      else process.env.SHOWBACK_UPLOAD_MAX_MB = prev;
    }
  });

  it("previews granularity, range, rows and total without storing, then confirm ingests", async () => {
    const p = await upload(admin, ORG, "april.csv", EXPORT);
    expect(p.body?.stage).toBe("preview");
    expect(p.body!.summary).toMatchObject({ granularity: "monthly", firstBucket: "2026-04-01", lastBucket: "2026-04-01", rowCount: 19 });
    expect(D(p.body!.summary.total).eq("27.5")).toBe(true);
    expect((await app.db.query(`select count(*)::int as n from imports`))[0]).toEqual({ n: 0 });
    const c = await postJson(admin, "/imports/new", { intent: "confirm", token: p.body!.token });
    expect(c.headers.get("x-remix-redirect")).toMatch(/^\/imports\/1\?created=1$/);
    // everything unmapped so far: the whole file is on "unmapped" (+ U spread onto it)
    expect(D(await teamTotal("unmapped")).eq("27.5")).toBe(true);
    // the progress endpoint reports the finished load
    const prog = await (await admin.get(`/imports/new?progress=${p.body!.token}&_data=routes/imports.new`)).json();
    expect(prog).toMatchObject({ kind: "progress", progress: { state: "done", rows: 19, importId: 1 } });
    // the token is single-use
    const again = await postJson(admin, "/imports/new", { intent: "confirm", token: p.body!.token });
    expect(again.status).toBe(410);
  });
});

describe("unmapped queue", () => {
  it("lists owners largest cost first and assigning one moves its cost to the team", async () => {
    const q = await listUnmappedOwners(app.db, { from: "2026-04-01", toExclusive: "2026-05-01", orgId: ORG });
    expect(q.map((o) => o.ownerId)).toEqual(["sa-ghi", "sa-jkl", "lkc-123", "sa-abc", "env-xxx", "sa-def"]);
    expect(D(q[0]!.cost).eq("9.796875")).toBe(true);
    expect(q[0]!.products.map((p) => p.product)).toEqual(["kafka", "support"]);
    const r = await postJson(admin, "/crosswalk/unmapped", {
      org_id: ORG,
      owner_id: "sa-ghi",
      team: "search",
      cost_center: "CC-200",
      valid_from: "2026-04-01",
    });
    expect(r.body?.ok).toBe(true);
    // only search has direct cost now: proportional U goes search:unmapped by weight 9.796875 : 23.203125
    const search = await teamTotal("search");
    expect(D(search).gt("7")).toBe(true);
    const after = await listUnmappedOwners(app.db, { from: "2026-04-01", toExclusive: "2026-05-01", orgId: ORG });
    expect(after.map((o) => o.ownerId)).not.toContain("sa-ghi");
  });

  it("refuses an overlapping entry naming the conflicting one", async () => {
    const r = await postJson(admin, "/crosswalk", {
      intent: "create",
      org_id: ORG,
      owner_id: "sa-ghi",
      team: "payments",
      valid_from: "2026-05-01",
      valid_to: "",
    });
    expect(r.status).toBe(400);
    expect(r.body?.error).toMatch(/overlaps existing entry org-vendor\/sa-ghi → search \[2026-04-01, open\) \(entry #\d+\)/);
  });
});

describe("crosswalk bulk import with preview", () => {
  it("previews adds/changes and applies all-or-nothing", async () => {
    // merge: sa-ghi from 2026-01-01 overlaps the entry made above → conflict, nothing applied
    const merge = await postJson(admin, "/crosswalk", { intent: "bulk_preview", mode: "merge", csv_text: CROSSWALK }, true);
    expect(merge.body?.preview.ok).toBe(false);
    expect(merge.body?.preview.conflicts[0].message).toMatch(/sa-ghi/);
    const replace = await postJson(admin, "/crosswalk", { intent: "bulk_preview", mode: "replace", csv_text: CROSSWALK }, true);
    const p = replace.body!.preview;
    expect(p.ok).toBe(true);
    // the entry made from the queue starts 2026-04-01, the file's 2026-01-01: a removal and an add
    expect(p.counts).toEqual({ add: 6, change: 0, end_date: 0, remove: 1 });
    const applied = await postJson(admin, "/crosswalk", { intent: "bulk_apply", mode: "replace", csv: replace.body!.csv });
    expect(applied.body?.ok).toBe(true);
    expect((await app.db.query(`select count(*)::int as n from crosswalk_entries`))[0]).toEqual({ n: 6 });
    // the vendor's worked example, proportional: payments 7.21875 - 1.2031
    expect(await teamTotal("payments")).toBe("6.01565");
    expect(await teamTotal("unmapped")).toBe("0");
    // replace again with one team changed and one entry end-dated: shown as a change and an end-date
    const edited = CROSSWALK.replace(
      "org-vendor,sa-def,payments,2026-01-01,,CC-100,",
      "org-vendor,sa-def,search,2026-01-01,,CC-200,",
    ).replace("org-vendor,env-xxx,analytics,2026-01-01,,,", "org-vendor,env-xxx,analytics,2026-01-01,2026-06-01,,");
    const p2 = (await postJson(admin, "/crosswalk", { intent: "bulk_preview", mode: "replace", csv_text: edited }, true)).body!.preview;
    expect(p2.counts).toEqual({ add: 0, change: 1, end_date: 1, remove: 0 });
    expect(p2.unchanged).toBe(4);
    expect(p2.changes.find((c: any) => c.kind === "change")).toMatchObject({
      ownerId: "sa-def",
      before: { team: "payments" },
      after: { team: "search" },
    });
  });

  it("exports formula-safe CSV", async () => {
    await postJson(admin, "/crosswalk", {
      intent: "create",
      org_id: ORG,
      owner_id: "=cmd|calc",
      team: "payments",
      valid_from: "2026-01-01",
      valid_to: "",
    });
    const res = await viewer.get("/crosswalk.csv");
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    const csv = await res.text();
    expect(csv.split("\n")[0]).toBe("org_id,owner_id,team,valid_from,valid_to,cost_center,note");
    expect(csv).toContain("org-vendor,'=cmd|calc,payments,2026-01-01,,CC-100,");
    expect(csv).not.toMatch(/,=cmd/);
  });
});

describe("restatement diff", () => {
  it("shows per-team and per-metric old, new and delta for an import that replaced another", async () => {
    // credit note: sa-ghi's network read drops from 9.00 to 7.00 (group 13.00), +0.50 on the connector
    const restated = EXPORT.replace(
      "sa-ghi,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,9.00,15.00,0.6",
      "sa-ghi,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,7.00,13.00,0.538462",
    )
      .replace(
        "sa-jkl,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,6.00,15.00,0.4",
        "sa-jkl,env-xxx,lkc-123,kafka,KafkaNetworkRead,GB,6.00,13.00,0.461538",
      )
      .replace("ConnectNumTasks,task-hour,4.00,4.00,1", "ConnectNumTasks,task-hour,4.50,4.50,1");
    const id = await uploadAndConfirm(admin, ORG, "april-restated.csv", restated);
    const m = await metricRestatementDiff(app.db, id);
    const byMetric = Object.fromEntries(m.map((x) => [x.metric, x]));
    expect(Object.keys(byMetric).sort()).toEqual(
      [
        "ClusterLinkingPerLink",
        "ConnectNumTasks",
        "FlinkNumCFUs",
        "KafkaNetworkRead",
        "KafkaNetworkWrite",
        "KafkaNumCKUs",
        "PromotionalCredit",
        "SchemaRegistryBase",
        "SupportCloudBusiness",
      ].sort(),
    );
    expect(D(byMetric.KafkaNetworkRead!.old).eq("15")).toBe(true);
    expect(D(byMetric.KafkaNetworkRead!.new).eq("13")).toBe(true);
    expect(D(byMetric.KafkaNetworkRead!.delta).eq("-2")).toBe(true);
    expect(D(byMetric.ConnectNumTasks!.delta).eq("0.5")).toBe(true);
    expect(D(byMetric.KafkaNumCKUs!.delta).eq("0")).toBe(true);
    // the first row is the largest change
    expect(m[0]!.metric).toBe("KafkaNetworkRead");

    const teams = (await listRestatements(app.db, { importId: id })).flatMap((r) => r.deltas.deltas);
    const byTeam = Object.fromEntries(teams.map((t) => [t.team, t]));
    // proportional policy with U = -5.50: before (direct 7.21875 / 16.5 / 6.1875 / 3.09375 / =cmd 0)
    expect(byTeam.search).toMatchObject({ month: "2026-04" });
    expect(D(byTeam.search!.old).eq("13.75")).toBe(true);
    expect(D(byTeam.search!.delta).lt("-1.5")).toBe(true);
    let sum = new Decimal(0);
    for (const t of teams) sum = sum.plus(t.delta);
    expect(sum.eq("-1.5")).toBe(true); // the file's total moved 27.50 → 26.00

    const page = await (await viewer.get(`/imports/${id}`)).text();
    expect(page).toContain("Restatement by team");
    expect(page).toContain("Restatement by metric");
    expect(page).toContain("KafkaNetworkRead");
    expect(page).toContain("-$2.0000");
    const list = await (await viewer.get(`/imports`)).text();
    expect(list).toContain("superseded");
    expect(list).toContain(`replaced #1`);
  });
});

describe("organization policy (docs/allocation.md)", () => {
  const totals = async () => Object.fromEntries((await monthly()).map((r) => [r.group, r]));

  it("none keeps U on the pseudo-team unallocated; even splits it equally; shared gives it to one team; each change recomputes and is audited", async () => {
    const save = (policy_kind: string, shared_team = "") =>
      postJson(admin, "/admin/orgs", {
        intent: "save",
        org_id: ORG,
        display_name: "Vendor example",
        policy_kind,
        shared_team,
        tolerance: "0.01",
      });

    expect((await save("none")).body?.ok).toBe(true);
    let t = await totals();
    expect(t.unallocated?.total).toBe("-5.5");
    expect(t.search?.unallocatedShare).toBe("0");
    expect(D(t.search!.total).eq(t.search!.direct)).toBe(true);

    expect((await save("even")).body?.ok).toBe(true);
    t = await totals();
    expect(t.unallocated).toBeUndefined();
    // four teams with direct cost > 0 (the =cmd owner has none): -5.50 / 4
    for (const team of ["payments", "search", "platform", "analytics"]) expect(t[team]!.unallocatedShare).toBe("-1.375");

    expect((await save("shared", "platform")).body?.ok).toBe(true);
    t = await totals();
    expect(t.platform!.unallocatedShare).toBe("-5.5");
    expect(t.search!.unallocatedShare).toBe("0");

    const bad = await save("shared", "no-such-team");
    expect(bad.status).toBe(400);
    expect(bad.body?.error).toMatch(/does not exist/);

    const audit = await listAudit(app.db, { entity: "organization" });
    expect(audit.length).toBeGreaterThanOrEqual(3);
    expect(audit[0]!.before).toMatchObject({ policy: "even" });
    expect(audit[0]!.after).toMatchObject({ policy: "shared:platform" });

    expect((await save("proportional")).body?.ok).toBe(true);
    expect(await teamTotal("payments")).not.toBe("0");
  });
});

describe("teams and cost centers", () => {
  it("renames a team everywhere (allocation results, shared policy), moves, archives, refuses deleting a mapped team", async () => {
    const id = async (name: string) => (await app.db.query<{ id: number }>(`select id from teams where name = $1`, [name]))[0]!.id;
    // platform receives the org's unallocated cost
    await postJson(admin, "/admin/orgs", {
      intent: "save",
      org_id: ORG,
      display_name: "Vendor example",
      policy_kind: "shared",
      shared_team: "platform",
      tolerance: "0.01",
    });
    const before = await teamTotal("platform");
    const r = await postJson(admin, "/admin/teams", { intent: "rename", id: String(await id("platform")), name: "streaming-platform" });
    expect(r.body?.ok).toBe(true);
    expect(await teamTotal("streaming-platform")).toBe(before);
    expect(await teamTotal("platform")).toBe("0");
    expect((await app.db.query(`select count(*)::int as n from allocation_results where team = 'platform'`))[0]).toEqual({ n: 0 });
    expect((await getOrg(app.db, ORG))!.policy).toBe("shared:streaming-platform");
    // the stored policy references the team by id: the rename did not touch it
    expect((await app.db.query(`select policy_spec from organizations where org_id = $1`, [ORG]))[0]).toEqual({
      policy_spec: { kind: "shared", teamId: await id("streaming-platform") },
    });

    const mv = await postJson(admin, "/admin/teams", { intent: "move", id: String(await id("search")), cost_center: "CC-999" });
    expect(mv.body?.ok).toBe(true);
    const cc = Object.fromEntries((await monthly("cost_center")).map((x) => [x.group, x.total]));
    expect(cc["CC-999"]).toBe(await teamTotal("search"));

    const del = await postJson(admin, "/admin/teams", { intent: "delete", id: String(await id("search")) });
    expect(del.status).toBe(400);
    expect(del.body?.error).toMatch(/cannot be deleted; archive it instead/);
    expect((await postJson(admin, "/admin/teams", { intent: "archive", id: String(await id("search")) })).body?.ok).toBe(true);

    expect((await postJson(admin, "/admin/teams", { intent: "create", name: "temp-team", cost_center: "" })).body?.ok).toBe(true);
    expect((await postJson(admin, "/admin/teams", { intent: "create", name: "unmapped", cost_center: "" })).status).toBe(400);
    expect((await postJson(admin, "/admin/teams", { intent: "delete", id: String(await id("temp-team")) })).body?.ok).toBe(true);
  });
});

describe("audit log", () => {
  it("has before and after for each kind of change", async () => {
    // crosswalk edit, end-date and delete
    const entry = (await app.db.query<{ id: number }>(`select id from crosswalk_entries where owner_id = '=cmd|calc'`))[0]!.id;
    expect(
      (
        await postJson(admin, "/crosswalk", {
          intent: "update",
          id: String(entry),
          org_id: ORG,
          owner_id: "=cmd|calc",
          team: "search",
          valid_from: "2026-01-01",
          valid_to: "",
          note: "moved",
        })
      ).body?.ok,
    ).toBe(true);
    expect((await postJson(admin, "/crosswalk", { intent: "end_date", id: String(entry), valid_to: "2026-03-01" })).body?.ok).toBe(true);
    expect((await postJson(admin, "/crosswalk", { intent: "delete", id: String(entry) })).body?.ok).toBe(true);
    const names = await postJson(
      admin,
      "/crosswalk",
      { intent: "names", names_text: "org_id,owner_id,display_name\norg-vendor,sa-abc,payments-api\n" },
      true,
    );
    expect(names.body?.ok).toBe(true);

    const all = await listAudit(app.db, { limit: 500 });
    const find = (entity: string, action: string) => all.find((a) => a.entity === entity && a.action === action);
    const upd = find("crosswalk_entry", "update")!;
    expect(upd.before).toMatchObject({ team: "payments" });
    expect(upd.after).toMatchObject({ team: "search" });
    expect(find("crosswalk_entry", "end_date")!.after).toMatchObject({ validTo: "2026-03-01" });
    expect(find("crosswalk_entry", "delete")!.before).toMatchObject({ ownerId: "=cmd|calc" });
    expect(
      all.find((a) => a.entity === "crosswalk_entry" && a.action === "create" && (a.after as any)?.ownerId === "sa-ghi")!.after,
    ).toMatchObject({ team: "search", validFrom: "2026-04-01", validTo: null });
    expect(find("crosswalk", "bulk_import")!.before).toMatchObject({ mode: "replace" });
    const rename = find("team", "rename")!;
    expect(rename.before).toMatchObject({ name: "platform" });
    expect(rename.after).toMatchObject({ name: "streaming-platform", policiesUpdated: [ORG] });
    expect(find("team", "move")!.after).toMatchObject({ cost_center: "CC-999" });
    expect(find("team", "archive")!.after).toMatchObject({ archived: true });
    expect(find("team", "delete")!.before).toMatchObject({ name: "temp-team" });
    expect(find("organization", "update")!.after).toBeTruthy();
    const ingest = all.filter((a) => a.entity === "import" && a.action === "ingest");
    expect(ingest).toHaveLength(2);
    expect(ingest[0]!.before).toMatchObject({ replacedImportIds: [1] });
    expect(ingest[0]!.after).toMatchObject({ fileName: "april-restated.csv", orgId: ORG });
    expect(find("import", "ingest_rejected")!.after).toMatchObject({ errorCount: 3 });
    // issue 11: the audit lists the previous and new names of the owners that changed
    expect(find("owner_names", "bulk_import")!.before).toEqual({ names: [{ orgId: ORG, ownerId: "sa-abc", displayName: null }] });
    expect(find("owner_names", "bulk_import")!.after).toEqual({
      count: 1,
      changed: 1,
      names: [{ orgId: ORG, ownerId: "sa-abc", displayName: "payments-api" }],
    });

    // the page filters by who and what and shows the diff
    const page = await (await admin.get(`/audit?entity=team&action=rename`)).text();
    expect(page).toContain("streaming-platform");
    expect(page).toContain("json-diff");
    expect(page).not.toContain("april-restated.csv");
  });

  it("display names show where owner ids do", async () => {
    const page = await (await viewer.get(`/crosswalk?owner=sa-abc`)).text();
    expect(page).toContain("payments-api");
  });
});

describe("viewers", () => {
  it("read the crosswalk and imports without edit controls, and their posts are refused", async () => {
    const cw = await viewer.get("/crosswalk");
    expect(cw.status).toBe(200);
    const html = await cw.text();
    expect(html).toContain("crosswalk-table");
    expect(html).not.toContain('data-testid="create-entry"');
    expect(html).not.toContain('name="intent"');
    const im = await viewer.get("/imports");
    expect(im.status).toBe(200);
    expect(await im.text()).not.toContain("Upload an export");
    expect((await viewer.get("/imports/new")).status).toBe(403);
    expect((await viewer.get("/admin/teams")).status).toBe(403);
    expect((await viewer.get("/audit")).status).toBe(403);
    const q = await viewer.get("/crosswalk/unmapped");
    expect(q.status).toBe(200);
    expect(await q.text()).not.toContain("assign-form");
    const res = await viewer.post("/crosswalk?index", {
      intent: "create",
      org_id: ORG,
      owner_id: "sa-x",
      team: "payments",
      valid_from: "2026-01-01",
    });
    expect(res.status).toBe(403);
  });
});
