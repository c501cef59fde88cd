/**
 * Issue 13: the unmapped queue as a work list (largest cost first, names beside owner,
 * environment and cluster ids, where the cost is, a suggested team with its evidence, one-click
 * accept, bulk assign, a rule per environment), and the team page's "Mapped by" column, through
 * the built app on the engine chosen by TEST_DB. Needs a build (SHOWBACK_BUILD_DIR).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRulesJson } from "../../app/domain/rules";
import { importCrosswalk, importOwnerNames } from "../../app/services/crosswalk";
import { ingestFile } from "../../app/services/ingest";
import { createRule } from "../../app/services/mapping";
import { listAudit } from "../../db/queries/audit";
import { getDrilldown } from "../../db/queries/drilldown";
import { listUnmappedOwners } from "../../db/queries/owners";
import type { Db } from "../../db/client";
import { startTestServer, type TestClient, type TestServer } from "../helpers/server";

const ORG = "org-work";
const MONTH = { from: "2026-04-01", toExclusive: "2026-05-01", orgId: ORG };

/** [owner, environment, resource, product, cost]; entries and rules are added per owner below. */
const ROWS: Array<[string, string, string, string, string]> = [
  // env-prod / lkc-aaa: payments holds 25 of the 27 mapped (3 of 4 owners); sa-new1 is unmapped
  ["sa-p1", "env-prod", "lkc-aaa", "kafka", "10"],
  ["sa-p2", "env-prod", "lkc-aaa", "kafka", "10"],
  ["sa-p3", "env-prod", "lkc-aaa", "kafka", "5"],
  ["sa-s1", "env-prod", "lkc-aaa", "kafka", "2"],
  ["sa-new1", "env-prod", "lkc-aaa", "kafka", "8"],
  ["sa-new1", "", "", "support", "0.5"],
  // env-stage: lkc-ccc has one other owner (too little), the environment is all search's
  ["sa-s2", "env-stage", "lkc-bbb", "kafka", "3"],
  ["sa-s3", "env-stage", "lkc-bbb", "kafka", "3"],
  ["sa-x1", "env-stage", "lkc-ccc", "kafka", "1"],
  ["sa-new2", "env-stage", "lkc-ccc", "kafka", "4.5"],
  // env-dev: nobody else; no display name
  ["sa-nameless", "env-dev", "lkc-ddd", "kafka", "6"],
  // env-ops: mapped by rules once they exist
  ["sa-rule", "env-ops", "lkc-eee", "kafka", "2"],
  ["sa-multi", "env-ops", "lkc-eee", "kafka", "3"],
  ["sa-multi", "", "", "support", "1"],
  ["sa-split", "env-ops", "lkc-eee", "kafka", "10"],
  // env-bulk: for the bulk assign
  ["sa-bulk1", "env-bulk", "lkc-fff", "kafka", "1.5"],
  ["sa-bulk2", "env-bulk", "lkc-fff", "kafka", "1"],
];
const ENTRIES: Array<[string, string]> = [
  ["sa-p1", "payments"],
  ["sa-p2", "payments"],
  ["sa-p3", "payments"],
  ["sa-s1", "search"],
  ["sa-s2", "search"],
  ["sa-s3", "search"],
  ["sa-x1", "search"],
];

/** The monthly export of ROWS: each (resource, metric) group's original_amount is its sum. */
function exportCsv(): string {
  const metric = (product: string) => (product === "kafka" ? "KafkaNetworkRead" : "SupportCloudBusiness");
  const group = (r: (typeof ROWS)[number]) => `${r[2]}|${metric(r[3])}`;
  const sums = new Map<string, number>();
  for (const r of ROWS) sums.set(group(r), (sums.get(group(r)) ?? 0) + Number(r[4]) * 100);
  const lines = ROWS.map(
    ([owner, env, res, product, cost], i) =>
      `2026-04-01T00:00:00Z,${owner},${env},${res},${product},${metric(product)},${product === "kafka" ? "GB" : "USD"},${cost},${(sums.get(group(ROWS[i]!))! / 100).toFixed(2)},0.5`,
  );
  return (
    ["timestamp,owner_id,environment_id,resource_id,product,metric,unit,chargeback_cost,original_amount,usage_share", ...lines].join("\n") +
    "\n"
  );
}

let app: TestServer;
let admin: TestClient;
let viewer: TestClient;
let dir: string;

async function seed(db: Db) {
  dir = await mkdtemp(path.join(os.tmpdir(), "worklist-"));
  const file = path.join(dir, "export.csv");
  await writeFile(file, exportCsv());
  await importCrosswalk(
    db,
    "seed",
    ENTRIES.map(([ownerId, team], i) => ({ orgId: ORG, ownerId, team, validFrom: "2026-01-01", validTo: null, line: i + 2 })),
    "merge",
  );
  const r = await ingestFile(db, { orgId: ORG, filePath: file, granularity: "monthly", actor: "seed" });
  if (r.status !== "imported") throw new Error(JSON.stringify(r));
  await importOwnerNames(db, "seed", [
    { orgId: ORG, ownerId: "sa-new1", displayName: "New One" },
    { orgId: ORG, ownerId: "env-prod", displayName: "Production" },
    { orgId: ORG, ownerId: "lkc-aaa", displayName: "prod-cluster" },
  ]);
}

beforeAll(async () => {
  app = await startTestServer({ seed });
  admin = await app.loginAs("finance_admin");
  viewer = await app.loginAs("viewer");
}, 60_000);
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const QUEUE = "/crosswalk/unmapped?month=2026-04";
const DATA = `${QUEUE}&_data=routes/crosswalk.unmapped`;
const visible = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, "");
const decode = (s: string) =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'");
const queueIds = async () => (await listUnmappedOwners(app.db, MONTH)).map((o) => o.ownerId);

type QueueData = {
  owners: Array<{
    ownerId: string;
    displayName: string | null;
    cost: string;
    environments: Array<{
      environmentId: string;
      displayName: string | null;
      cost: string;
      resources: Array<{ resourceId: string; displayName: string | null; cost: string }>;
    }>;
    suggestion: { kind: string; team?: string; evidence: string } | null;
  }>;
  byEnvironment: Array<{
    orgId: string;
    environmentId: string;
    cost: string;
    owners: string[];
    suggestion: { team: string } | null;
    ruleLink: string | null;
  }>;
};
const queueData = async (c: TestClient = admin) => (await (await c.get(DATA)).json()) as QueueData;

async function post(c: TestClient, form: Record<string, string> | URLSearchParams) {
  const res = await c.post(`/crosswalk/unmapped?_data=routes/crosswalk.unmapped`, form);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, any> | null };
}

/** The rows of one rendered table row's form: its hidden and text inputs by name. */
function formInputs(html: string, rowTestId: string, formTestId: string): Record<string, string> {
  const row = new RegExp(`<tr[^>]*data-testid="${rowTestId}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? "";
  const form = new RegExp(`<form[^>]*data-testid="${formTestId}"[\\s\\S]*?</form>`).exec(row)?.[0] ?? "";
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(m[1]!)?.[1];
    const value = /value="([^"]*)"/.exec(m[1]!)?.[1];
    if (name && name !== "_csrf") out[name] = decode(value ?? "");
  }
  return out;
}

describe("the unmapped queue as a work list", () => {
  it("hides the owners a rule covers (entries and rules alike)", async () => {
    expect(await queueIds()).toEqual(["sa-split", "sa-new1", "sa-nameless", "sa-new2", "sa-multi", "sa-rule", "sa-bulk1", "sa-bulk2"]);
    const rules = parseRulesJson([
      { org_id: ORG, name: "ops owner", when: { owner_id: "sa-rule" }, then: { team: "search" } },
      { org_id: ORG, name: "multi kafka", when: { owner_id: "sa-multi", product: "kafka" }, then: { team: "search" } },
      { org_id: ORG, name: "multi rest", when: { owner_id: "sa-multi" }, then: { team: "search" } },
      { org_id: ORG, name: "batch names", when: { owner_name: { starts_with: "batch-" } }, then: { team: "analytics" } },
      { org_id: ORG, name: "split ingest", when: { owner_id: "sa-split" }, then: { split: { payments: "60", search: "40" } } },
    ]);
    if (!rules.ok) throw new Error(JSON.stringify(rules.errors));
    for (const r of rules.rules) await createRule(app.db, "test", r);
    expect(await queueIds()).toEqual(["sa-new1", "sa-nameless", "sa-new2", "sa-bulk1", "sa-bulk2"]);
    const html = visible(await (await admin.get(QUEUE)).text());
    expect(html).not.toContain('data-testid="unmapped-sa-rule"');
    expect(html).toContain('data-testid="unmapped-sa-new1"');
  });

  it("lists largest cost first with names beside owner, environment and cluster ids, where the cost is, and suggestions", async () => {
    const d = await queueData();
    expect(d.owners.map((o) => [o.ownerId, o.cost])).toEqual([
      ["sa-new1", "8.5"],
      ["sa-nameless", "6"],
      ["sa-new2", "4.5"],
      ["sa-bulk1", "1.5"],
      ["sa-bulk2", "1"],
    ]);
    const new1 = d.owners[0]!;
    expect(new1.displayName).toBe("New One");
    expect(new1.environments).toEqual([
      {
        environmentId: "env-prod",
        displayName: "Production",
        cost: "8",
        resources: [{ resourceId: "lkc-aaa", displayName: "prod-cluster", cost: "8" }],
      },
      { environmentId: "", displayName: null, cost: "0.5", resources: [{ resourceId: "", displayName: null, cost: "0.5" }] },
    ]);
    // (1) cluster majority, (2) the environment when the cluster has too few owners, (3) the names hint
    expect(new1.suggestion).toMatchObject({
      kind: "team",
      team: "payments",
      evidence: "3 of 4 owners on lkc-aaa (92 % of its cost) map to payments",
    });
    expect(d.owners[2]!.suggestion).toMatchObject({
      kind: "team",
      team: "search",
      evidence: "3 of 3 owners on env-stage (100 % of its cost) map to search",
    });
    expect(d.owners[1]!.suggestion).toEqual({
      kind: "hint",
      evidence: "a rule matches on display names: import names (npm run crosswalk -- names …)",
    });
    // owners without a display name get the hint too (a rule of org-work matches on names)
    expect(d.owners[3]!.suggestion?.kind).toBe("hint");

    const html = visible(await (await admin.get(QUEUE)).text());
    const order = ["sa-new1", "sa-nameless", "sa-new2", "sa-bulk1", "sa-bulk2"].map((o) => html.indexOf(`data-testid="unmapped-${o}"`));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    const row = /<tr[^>]*data-testid="unmapped-sa-new1"[\s\S]*?<\/tr>/.exec(html)![0];
    for (const text of [
      "New One",
      "env-prod",
      "Production",
      "lkc-aaa",
      "prod-cluster",
      "3 of 4 owners on lkc-aaa (92 % of its cost) map to payments",
    ])
      expect(row).toContain(text);
    expect(html).toContain('data-testid="name-hint"');

    // by environment: unmapped cost per environment, a prefilled rule link (team when the environment agrees)
    expect(d.byEnvironment.map((g) => [g.environmentId, g.cost, g.owners, g.suggestion?.team ?? null])).toEqual([
      ["env-prod", "8", ["sa-new1"], "payments"],
      ["env-dev", "6", ["sa-nameless"], null],
      ["env-stage", "4.5", ["sa-new2"], "search"],
      ["env-bulk", "2.5", ["sa-bulk1", "sa-bulk2"], null],
      ["", "0.5", ["sa-new1"], null],
    ]);
    const links = [
      ...html.matchAll(/<a[^>]*href="([^"]*)"[^>]*data-testid="env-rule-link"|<a[^>]*data-testid="env-rule-link"[^>]*href="([^"]*)"/g),
    ].map((m) => decode(m[1] ?? m[2]!));
    expect(links).toHaveLength(4);
    const prod = new URL(links[0]!, "http://x");
    expect(prod.pathname).toBe("/crosswalk/rules");
    expect(Object.fromEntries(prod.searchParams)).toEqual({
      org: ORG,
      environment_id: "env-prod",
      name: "Production (env-prod) to payments",
      team: "payments",
    });
    expect(Object.fromEntries(new URL(links[1]!, "http://x").searchParams)).toEqual({
      org: ORG,
      environment_id: "env-dev",
      name: "environment env-dev",
    });
  });

  it("one click accepts a suggestion: an audited entry, and the owner leaves the queue", async () => {
    const html = visible(await (await admin.get(QUEUE)).text());
    const form = formInputs(html, "unmapped-sa-new1", "accept-form");
    expect(form).toEqual({
      intent: "accept",
      org_id: ORG,
      owner_id: "sa-new1",
      team: "payments",
      valid_from: "2026-04-01",
      note: "suggested: 3 of 4 owners on lkc-aaa (92 % of its cost) map to payments",
    });
    const r = await post(admin, form);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ ok: true });
    expect(r.body!.message).toMatch(/^Mapped sa-new1 \(org-work\) to payments from 2026-04-01 as suggested \(entry #\d+\)/);
    const [entry] = await app.db.query<{ id: number; team: string; valid_from: string; valid_to: string | null; note: string }>(
      `select c.id, t.name as team, c.valid_from::text, c.valid_to::text, c.note from crosswalk_entries c join teams t on t.id = c.team_id where c.owner_id = 'sa-new1'`,
    );
    expect(entry).toMatchObject({ team: "payments", valid_from: "2026-04-01", valid_to: null, note: form.note });
    const audit = (await listAudit(app.db, { limit: 50 })).filter(
      (a) => a.entity === "crosswalk_entry" && a.entity_id === String(entry!.id),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "create",
      actor: admin.email,
      after: { ownerId: "sa-new1", team: "payments", note: form.note },
    });
    expect(await queueIds()).not.toContain("sa-new1");
    expect((await queueData()).owners.map((o) => o.ownerId)).not.toContain("sa-new1");
  });

  it("bulk assigns the ticked owners in one audited import, and refuses the lot on a conflict", async () => {
    const tick = (...owners: string[]) => owners.map((o) => ["owners", JSON.stringify([ORG, o])] as [string, string]);
    // nothing ticked
    const none = await post(admin, { intent: "bulk_assign", team: "batch", valid_from: "2026-04-01" });
    expect(none.status).toBe(400);
    expect(none.body!.error).toMatch(/Tick at least one owner/);

    const before = (await listAudit(app.db, { limit: 200 })).filter((a) => a.action === "bulk_import" && a.entity === "crosswalk").length;
    const ok = await post(
      admin,
      new URLSearchParams([
        ["intent", "bulk_assign"],
        ...tick("sa-bulk1", "sa-bulk2"),
        ["team", "batch"],
        ["cost_center", "CC-900"],
        ["valid_from", "2026-04-01"],
      ]),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body!.message).toBe("Mapped 2 owners to batch from 2026-04-01. Reports are updated.");
    const rows = await app.db.query<{ owner_id: string; team: string; cost_center: string | null }>(
      `select c.owner_id, t.name as team, t.cost_center from crosswalk_entries c join teams t on t.id = c.team_id where c.owner_id like 'sa-bulk%' order by 1`,
    );
    expect(rows).toEqual([
      { owner_id: "sa-bulk1", team: "batch", cost_center: "CC-900" },
      { owner_id: "sa-bulk2", team: "batch", cost_center: "CC-900" },
    ]);
    const after = (await listAudit(app.db, { limit: 200 })).filter((a) => a.action === "bulk_import" && a.entity === "crosswalk");
    expect(after.length).toBe(before + 1);
    expect(await queueIds()).toEqual(["sa-nameless", "sa-new2"]);

    // sa-new1 already has an entry from 2026-04-01: nothing is assigned, sa-new2 included
    const clash = await post(
      admin,
      new URLSearchParams([["intent", "bulk_assign"], ...tick("sa-new2", "sa-new1"), ["team", "search"], ["valid_from", "2026-04-01"]]),
    );
    expect(clash.status).toBe(400);
    expect(clash.body!.error).toMatch(/^Nothing was assigned: 1 of the ticked owners has an entry overlapping/);
    expect(clash.body!.error).toMatch(
      /org-work\/sa-new1 overlaps existing entry org-work\/sa-new1 → payments \[2026-04-01, open\) \(entry #\d+\)/,
    );
    expect(await app.db.query(`select 1 from crosswalk_entries where owner_id = 'sa-new2'`)).toEqual([]);
    expect(await queueIds()).toEqual(["sa-nameless", "sa-new2"]);
  });

  it("refuses a viewer's accept and bulk assign, and shows them no controls", async () => {
    const accept = await viewer.post("/crosswalk/unmapped", {
      intent: "accept",
      org_id: ORG,
      owner_id: "sa-new2",
      team: "search",
      valid_from: "2026-04-01",
    });
    expect(accept.status).toBe(403);
    const bulk = await viewer.post(
      "/crosswalk/unmapped",
      new URLSearchParams([
        ["intent", "bulk_assign"],
        ["owners", JSON.stringify([ORG, "sa-new2"])],
        ["team", "search"],
      ]),
    );
    expect(bulk.status).toBe(403);
    expect(await app.db.query(`select 1 from crosswalk_entries where owner_id = 'sa-new2'`)).toEqual([]);
    const html = visible(await (await viewer.get(QUEUE)).text());
    expect(html).toContain("3 of 3 owners on env-stage (100 % of its cost) map to search");
    for (const id of ["accept-form", "bulk-assign-form", "assign-form", "env-rule-link"]) expect(html).not.toContain(`data-testid="${id}"`);
  });
});

describe("the team page's Mapped by column", () => {
  const TEAM = (t: string) => `/teams/${t}?period=custom&from=2026-04-01&to=2026-04-30&gran=monthly`;
  const mappedBy = (html: string, owner: string) => {
    const row = new RegExp(`<tr[^>]*data-testid="mapped-${owner}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? "";
    return decode(/<td[^>]*data-testid="mapped-by"[^>]*>([\s\S]*?)<\/td>/.exec(row)?.[1] ?? "").replace(/<[^>]+>/g, "");
  };

  it("names the entry, the rule (with its position) or the split share, several comma-separated", async () => {
    const ids = new Map(
      (await app.db.query<{ owner_id: string; id: number }>(`select owner_id, id from crosswalk_entries where org_id = $1`, [ORG])).map(
        (r) => [r.owner_id, r.id],
      ),
    );
    const search = visible(await (await admin.get(TEAM("search"))).text());
    expect(mappedBy(search, "sa-s2")).toBe(`entry #${ids.get("sa-s2")}`);
    expect(mappedBy(search, "sa-rule")).toBe('rule "ops owner" (#1)');
    // kafka (3) by the first rule, support (1) by the second: largest first
    expect(mappedBy(search, "sa-multi")).toBe('rule "multi kafka" (#2), rule "multi rest" (#3)');
    expect(mappedBy(search, "sa-split")).toBe('split 40 % of rule "split ingest" (#5)');
    const payments = visible(await (await admin.get(TEAM("payments"))).text());
    expect(mappedBy(payments, "sa-split")).toBe('split 60 % of rule "split ingest" (#5)');
    expect(mappedBy(payments, "sa-new1")).toBe(`entry #${ids.get("sa-new1")}`);

    // the month-level aggregate and the raw rows agree, and a custom range (raw path) says the same
    const view = { granularity: "monthly" as const, from: "2026-04-01", to: "2026-04-30", orgIds: [ORG] };
    const fast = await getDrilldown(app.db, "team", "search", view);
    expect(fast.principals).toEqual((await getDrilldown(app.db, "team", "search", view, { forceRaw: true })).principals);
    expect(fast.principals.find((p) => p.ownerId === "sa-multi")).toMatchObject({
      mappedBy: 'rule "multi kafka" (#2), rule "multi rest" (#3)',
      direct: "4",
    });
    const unmapped = await getDrilldown(app.db, "team", "unmapped", view);
    expect(unmapped.principals.every((p) => p.mappedBy === null)).toBe(true);
  });
});
