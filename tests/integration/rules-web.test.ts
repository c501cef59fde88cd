/**
 * The mapping rules page (/crosswalk/rules, issue 13) through the built app on TEST_DB: viewers
 * read only; a finance admin previews every change (what-if: nothing stored, the deltas the real
 * save then produces), creates, edits, moves and deletes rules through the forms, with
 * validation errors by field, and round-trips the rules JSON (export, import merge / replace).
 * Needs a build (SHOWBACK_BUILD_DIR).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dec } from "../../app/domain/money";
import { parseRulesFile, ruleToJson } from "../../app/domain/rules";
import { importOwnerNames } from "../../app/services/crosswalk";
import { exportRules, exportRulesCsv, importRules, listRules, parseRulesText } from "../../app/services/mapping";
import { closeMonth, reopenMonth } from "../../app/services/month-close";
import { getReport } from "../../db/queries/report";
import { ingestMonthly, seedVendorExample, VENDOR_EXPORT } from "../helpers/seed";
import { useTestServer, type TestClient } from "../helpers/server";
import { testEngine } from "../helpers/db";

const ORG = "org-vendor";
const PAGE = "/crosswalk/rules";
const DATA = `${PAGE}?_data=routes%2Fcrosswalk.rules`;
let tmp: string;

const server = useTestServer({
  roles: ["finance_admin", "viewer"],
  seed: async (db) => {
    // sa-jkl has no crosswalk entry: its cost is unmapped; March is April's file again
    await seedVendorExample(db, { except: ["sa-jkl"] });
    tmp = await mkdtemp(path.join(os.tmpdir(), "showback-rules-web-"));
    const march = path.join(tmp, "export-2026-03-monthly.csv");
    await writeFile(march, (await readFile(VENDOR_EXPORT, "utf8")).replaceAll("2026-04-01T", "2026-03-01T"));
    const r = await ingestMonthly(db, { filePath: march });
    if (r.status !== "imported") throw new Error(JSON.stringify(r));
    await importOwnerNames(db, "seed", [
      { orgId: ORG, ownerId: "sa-jkl", displayName: "jkl-ingest" },
      { orgId: ORG, ownerId: "env-xxx", displayName: "Production" },
    ]);
  },
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

type Body = Record<string, any>;
async function act(c: TestClient, form: Record<string, string | Blob>, opts: { multipart?: boolean } = {}) {
  const res = await c.post(DATA, form, opts);
  const text = await res.text();
  const parse = (): Body | null => {
    try {
      return text ? (JSON.parse(text) as Body) : null;
    } catch {
      return { raw: text };
    }
  };
  return { status: res.status, body: parse() };
}

/** Team totals per month (YYYY-MM → team → total) of March and April. */
async function totals(): Promise<Map<string, Map<string, string>>> {
  const rows = await getReport(server.app.db, { granularity: "monthly", from: "2026-03-01", to: "2026-04-30", by: "team" });
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const m = r.periodStart.slice(0, 7);
    if (!out.has(m)) out.set(m, new Map());
    const t = out.get(m)!;
    t.set(
      r.group,
      dec(t.get(r.group) ?? "0")
        .plus(dec(r.total))
        .toFixed(),
    );
  }
  return out;
}

/** The non-zero per-team changes from `before` to `after`, as whatIf's `byTeam` (sorted by month, team). */
function changes(before: Map<string, Map<string, string>>, after: Map<string, Map<string, string>>) {
  const out: Array<{ month: string; team: string; delta: string }> = [];
  for (const month of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(month) ?? new Map();
    const a = after.get(month) ?? new Map();
    for (const team of [...new Set([...b.keys(), ...a.keys()])].sort()) {
      const d = dec(a.get(team) ?? "0").minus(dec(b.get(team) ?? "0"));
      if (!d.isZero()) out.push({ month, team, delta: d.toFixed() });
    }
  }
  return out;
}

type Delta = { month: string; team: string; delta: string };
const normal = (xs: ReadonlyArray<Delta | Body>) =>
  (xs as Delta[])
    .map((x) => ({ month: x.month, team: x.team, delta: dec(x.delta).toFixed() }))
    .sort((a, b) => (a.month + a.team < b.month + b.team ? -1 : 1));

/** Everything a change could touch (a preview must leave all of it alone). */
async function snapshot() {
  const db = server.app.db;
  const q = (sql: string) => db.query(sql).then((r) => JSON.stringify(r));
  return {
    rules: await q(
      `select id, position, org_id, name, "when"::text, "then"::text, valid_from::text, valid_to::text from crosswalk_rules order by id`,
    ),
    results: await q(
      `select org_id, granularity, bucket_start::text, team, direct_cost::text, total::text from allocation_results order by 1, 2, 3, 4`,
    ),
    details: await q(`select count(*)::int as n, string_agg(distinct mapped_by, ',' order by mapped_by) as m from allocation_details`),
    segments: await q(`select count(*)::int as n, string_agg(distinct mapped_by, ',' order by mapped_by) as m from mapping_segments`),
    teams: await q(`select name from teams order by name`),
    audit: await q(`select count(*)::int as n from audit_log`),
    restatements: await q(`select count(*)::int as n from restatements`),
  };
}

/** Direct cost of sa-jkl per team in April (from the drill-down details). */
async function jklTeams(): Promise<Record<string, string>> {
  const rows = await server.app.db.query<{ team: string; d: string; m: string }>(
    `select team, sum(direct)::text as d, string_agg(distinct mapped_by, ',') as m from allocation_details
      where org_id = $1 and owner_id = 'sa-jkl' and month = '2026-04-01' group by team order by team`,
    [ORG],
  );
  return Object.fromEntries(rows.map((r) => [r.team, `${dec(r.d).toFixed()} ${r.m}`]));
}

const RULE1 = { name: "jkl ingest", org_id: ORG, owner_id: "sa-jkl", split: "search:60;ingest:40" };
const RULE2 = { name: "service accounts", org_id: "", owner_id_prefix: "sa-", owner_kind: "service_account", team: "platform" };
/** The Save button's form of a preview: the values it carries, with the real intent. */
const saveForm = (preview: Body) => ({ ...preview.save, intent: preview.kind }) as Record<string, string>;

describe(`mapping rules page (${testEngine()})`, () => {
  beforeAll(async () => {
    expect(await listRules(server.app.db)).toEqual([]);
  });

  it("is linked from the crosswalk's sub-navigation and prefills the create form from the query", async () => {
    for (const p of ["/crosswalk", "/crosswalk/unmapped"]) {
      const html = await (await server.viewer.get(p)).text();
      expect(html, p).toMatch(/<a[^>]*href="\/crosswalk\/rules"[^>]*>Rules<\/a>/);
    }
    const res = await server.admin.get(`${PAGE}?org=${ORG}&environment_id=env-xxx&team=platform&name=env%20rule`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-testid="rule-form-create"');
    expect(html).toMatch(/<input[^>]*name="org_id"[^>]*value="org-vendor"/);
    expect(html).toMatch(/<input[^>]*name="environment_id"[^>]*value="env-xxx"/);
    expect(html).toMatch(/<input[^>]*name="team"[^>]*value="platform"/);
    expect(html).toMatch(/<input[^>]*name="name"[^>]*value="env rule"/);
  });

  it("a viewer sees the page without forms and cannot post: 403, nothing changes", async () => {
    const before = await snapshot();
    const html = await (await server.viewer.get(PAGE)).text();
    expect(html).toContain("Mapping rules");
    expect(html).not.toContain('data-testid="rule-form-create"');
    expect(html).not.toContain('data-testid="rules-import-form"');
    for (const form of [
      { intent: "create", ...RULE1 } as Record<string, string>,
      { intent: "preview-create", ...RULE1 },
      { intent: "import", mode: "replace", rules_text: "[]" },
    ]) {
      const r = await server.viewer.post(DATA, form);
      expect(r.status, form.intent).toBe(403);
    }
    const anon = await server.app.anonymous().post(PAGE, { intent: "create", ...RULE1 }, { csrf: false });
    expect([302, 403]).toContain(anon.status);
    expect(await snapshot()).toEqual(before);
  });

  it("preview of a new rule stores nothing and reports exactly the deltas the save then makes", async () => {
    const before = await totals();
    const snap = await snapshot();
    const p = await act(server.admin, { intent: "preview-create", ...RULE1 });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    const preview = p.body!.preview;
    expect(preview.kind).toBe("create");
    expect(preview.whatIf.months).toEqual(["2026-03", "2026-04"]);
    // sa-jkl's cost leaves "unmapped" for search and the new team ingest, in both months
    const teamsMoved = new Set(preview.whatIf.byTeam.map((b: Body) => b.team));
    expect([...teamsMoved].sort()).toEqual(["ingest", "search", "unmapped"]);
    for (const m of ["2026-03", "2026-04"]) {
      const un = preview.whatIf.byTeam.find((b: Body) => b.month === m && b.team === "unmapped");
      expect(dec(un.delta).lt(0), m).toBe(true);
    }
    expect(preview.whatIf.closedUntouched).toEqual([]);
    // nothing stored: no rule, no new team, same figures, no audit entry
    expect(await snapshot()).toEqual(snap);

    // the page shows the preview above the form, one row per team, and a Save button
    const page = await server.admin.post(PAGE, { intent: "preview-create", ...RULE1 });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="what-if"');
    expect(html.match(/data-testid="what-if-row"/g)).toHaveLength(3);
    expect(html).toContain('data-testid="what-if-save"');
    expect(html.indexOf('data-testid="what-if"')).toBeLessThan(html.indexOf('data-testid="rule-form-create"'));
    expect(await snapshot()).toEqual(snap);

    // Save sends the same values with the real intent
    const s = await act(server.admin, saveForm(preview));
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect(s.body!.message).toMatch(/^Created rule "jkl ingest" \(id \d+\) at position 1/);
    expect(normal(changes(before, await totals()))).toEqual(normal(preview.whatIf.byTeam));

    const rules = await listRules(server.app.db);
    expect(rules.map((r) => r.name)).toEqual(["jkl ingest"]);
    expect(rules[0]!.then).toEqual({
      split: [
        { team: "search", pct: "60" },
        { team: "ingest", pct: "40" },
      ],
    });
    // the previously unmapped owner's cost is on the split's teams, said so in the drill-down
    // 0.50 + 6.00 + 0.203125 = 6.703125, split per row 60 / 40; (#1) = the rule's position
    expect(await jklTeams()).toEqual({
      ingest: `2.68125 split 40 % of rule "jkl ingest" (#1)`,
      search: `4.021875 split 60 % of rule "jkl ingest" (#1)`,
    });
    const unmapped = await server.app.db.query<{ d: string }>(
      `select coalesce(sum(direct_cost), 0)::text as d from allocation_results where org_id = $1 and team = 'unmapped'`,
      [ORG],
    );
    expect(dec(unmapped[0]!.d).isZero()).toBe(true);
    const audit = await server.app.db.query<{ action: string; actor: string }>(
      `select action, actor from audit_log where entity = 'crosswalk_rule' order by id`,
    );
    expect(audit).toEqual([{ action: "create", actor: "admin@example.test" }]);

    // the list in words, with the display names the org knows
    const list = await (await server.viewer.get(PAGE)).text();
    expect(list).toContain("jkl ingest");
    expect(list).toContain("sa-jkl");
    expect(list).toContain("(jkl-ingest)");
    expect(list).toContain("search 60 % · ingest 40 %");
    expect(list).toContain("since the beginning");
  });

  it("refuses a bad rule with each problem on its field, in the JSON and on the page", async () => {
    const snap = await snapshot();
    const bad = {
      intent: "preview-create",
      name: "",
      org_id: ORG,
      split: "search:60;ingest:30",
      owner_name_op: "regex",
      owner_name_value: "(",
    };
    const r = await act(server.admin, bad);
    expect(r.status).toBe(400);
    expect(r.body!.ok).toBe(false);
    expect(r.body!.fieldErrors.split).toMatch(/sum to 90, not 100/);
    expect(r.body!.fieldErrors.name).toMatch(/name is empty/);
    expect(r.body!.fieldErrors.owner_name_value).toMatch(/not a valid regular expression/);
    expect(Object.keys(r.body!.fieldErrors)).toContain(r.body!.field);

    const page = await server.admin.post(PAGE, bad);
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toMatch(/data-testid="field-error-split"[^>]*>[^<]*sum to 90, not 100/);
    expect(html).toContain('data-testid="field-error-owner_name_value"');
    // what was typed is kept
    expect(html).toMatch(/<input[^>]*name="split"[^>]*value="search:60;ingest:30"/);

    // a name already used in the org's list: refused by the service, shown on the name
    const dup = await act(server.admin, { intent: "create", ...RULE1, split: "", team: "search" });
    expect(dup.status).toBe(400);
    expect(dup.body!.field).toBe("name");
    expect(dup.body!.fieldErrors.name).toMatch(/already used/);
    // a split and a team at once
    const both = await act(server.admin, { intent: "create", ...RULE1, name: "other", team: "search" });
    expect(both.status).toBe(400);
    expect(both.body!.fieldErrors.split).toMatch(/not both/);
    expect(await snapshot()).toEqual(snap);
  });

  it("moves a rule (preview first) and the first match wins in the new order", async () => {
    const c = await act(server.admin, { intent: "create", ...RULE2 });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    let rules = await listRules(server.app.db);
    expect(rules.map((r) => r.name)).toEqual(["jkl ingest", "service accounts"]);
    const [r1, r2] = rules;
    // the second rule matches sa-jkl too, but the first one wins: nothing moved
    expect(Object.keys(await jklTeams())).toEqual(["ingest", "search"]);

    const before = await totals();
    const snap = await snapshot();
    const p = await act(server.admin, { intent: "preview-move", id: String(r2!.id), position: "1" });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body!.preview.summary).toMatch(/from position 2 to 1/);
    const byTeam = p.body!.preview.whatIf.byTeam as Body[];
    expect(new Set(byTeam.map((b) => b.team))).toEqual(new Set(["ingest", "platform", "search"]));
    expect(byTeam.filter((b) => b.team === "platform").every((b) => dec(b.delta).gt(0))).toBe(true);
    expect(await snapshot()).toEqual(snap);

    const s = await act(server.admin, saveForm(p.body!.preview));
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect(s.body!.message).toMatch(/to position 1/);
    rules = await listRules(server.app.db);
    expect(rules.map((r) => r.id)).toEqual([r2!.id, r1!.id]);
    expect(normal(changes(before, await totals()))).toEqual(normal(byTeam));
    expect(await jklTeams()).toEqual({ platform: `6.703125 rule "service accounts" (#1)` });
  });

  it("edits a rule (preview first)", async () => {
    const [r2] = await listRules(server.app.db);
    const before = await totals();
    const form = { intent: "preview-update", id: String(r2!.id), ...RULE2, team: "analytics", valid_to: "2026-04-01" };
    const p = await act(server.admin, form);
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    // March only: from April on the rule no longer applies and the split rule maps sa-jkl again
    const byTeam = p.body!.preview.whatIf.byTeam as Body[];
    expect(byTeam.filter((b) => b.month === "2026-03").map((b) => b.team)).toEqual(["analytics", "platform"]);
    expect(byTeam.filter((b) => b.month === "2026-04").map((b) => b.team)).toEqual(["ingest", "platform", "search"]);
    expect(await totals()).toEqual(before);
    const s = await act(server.admin, saveForm(p.body!.preview));
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect(normal(changes(before, await totals()))).toEqual(normal(byTeam));
    const [stored] = await listRules(server.app.db);
    expect(stored).toMatchObject({ id: r2!.id, then: { team: "analytics" }, validTo: "2026-04-01" });
  });

  it("deletes a rule (preview first)", async () => {
    const [r2, r1] = await listRules(server.app.db);
    const before = await totals();
    const snap = await snapshot();
    const p = await act(server.admin, { intent: "preview-delete", id: String(r2!.id) });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body!.preview.summary).toContain('"service accounts"');
    const byTeam = p.body!.preview.whatIf.byTeam as Body[];
    expect(byTeam.filter((b) => b.month === "2026-03").map((b) => b.team)).toEqual(["analytics", "ingest", "search"]);
    expect(byTeam.filter((b) => b.month === "2026-04")).toEqual([]);
    expect(await snapshot()).toEqual(snap);
    const s = await act(server.admin, saveForm(p.body!.preview));
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect((await listRules(server.app.db)).map((r) => r.id)).toEqual([r1!.id]);
    expect(normal(changes(before, await totals()))).toEqual(normal(byTeam));
    // a rule that no longer exists
    const gone = await act(server.admin, { intent: "preview-delete", id: String(r2!.id) });
    expect(gone.status).toBe(400);
    expect(gone.body!.error).toMatch(/does not exist/);
  });

  it("exports the rules JSON and imports it back (replace, merge), each previewed", async () => {
    await act(server.admin, { intent: "create", ...RULE2, position: "1" });
    const stored = (await listRules(server.app.db)).map(ruleToJson);
    expect(stored.map((r) => r.name)).toEqual(["service accounts", "jkl ingest"]);
    const figures = await totals();

    const res = await server.viewer.get("/crosswalk/rules.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="mapping-rules\.json"/);
    const file = await res.text();
    expect(file).toBe(await exportRules(server.app.db));
    const parsed = parseRulesFile(file);
    expect(parsed.ok && parsed.rules.map(ruleToJson)).toEqual(stored);
    expect((await server.app.anonymous().get("/crosswalk/rules.json")).status).toBe(302);

    // replace with an empty list: previewed (nothing changes), then saved
    const snap = await snapshot();
    const p = await act(server.admin, { intent: "preview-import", mode: "replace", rules_text: "[]" });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body!.preview.summary).toMatch(/0 added, 0 updated, 0 unchanged, 2 removed/);
    expect(p.body!.preview.whatIf.byTeam.some((b: Body) => b.team === "unmapped" && dec(b.delta).gt(0))).toBe(true);
    expect(await snapshot()).toEqual(snap);
    const cleared = await act(server.admin, saveForm(p.body!.preview));
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(await listRules(server.app.db)).toEqual([]);
    expect(Object.keys(await jklTeams())).toEqual(["unmapped"]);

    // the exported file, uploaded (merge): previewed, then saved: the same rules and figures as before
    const upload = {
      intent: "preview-import",
      mode: "merge",
      rules_file: new File([file], "mapping-rules.json", { type: "application/json" }),
    };
    const p2 = await act(server.admin, upload, { multipart: true });
    expect(p2.status, JSON.stringify(p2.body)).toBe(200);
    expect(p2.body!.preview.summary).toMatch(/Import 2 rules \(merge\): 2 added, 0 updated, 0 unchanged, 0 removed/);
    expect(p2.body!.preview.save.rules_text).toBe(file);
    const restored = await act(server.admin, saveForm(p2.body!.preview));
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body!.message).toMatch(/2 added/);
    expect((await listRules(server.app.db)).map(ruleToJson)).toEqual(stored);
    expect(await totals()).toEqual(figures);

    // a file with problems: every one located, nothing imported
    const bad = JSON.stringify([{ org_id: null, name: "x", when: { colour: "red" }, then: {} }]);
    const b = await act(server.admin, { intent: "preview-import", mode: "merge", rules_text: bad });
    expect(b.status).toBe(400);
    const issues = (b.body!.issues as Body[]).map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(["[0].when.colour", "[0].then"]));
    const html = await (await server.admin.post(PAGE, { intent: "import", mode: "merge", rules_text: bad })).text();
    expect(html).toContain('data-testid="rules-file-issue"');
    expect((await listRules(server.app.db)).map(ruleToJson)).toEqual(stored);
  });

  it("downloads the rules CSV and imports it back (upload, previewed, saved); a bad CSV line is refused with its line and column", async () => {
    const stored = (await listRules(server.app.db)).map(ruleToJson);
    expect(stored.length).toBeGreaterThan(0);
    const figures = await totals();

    const res = await server.viewer.get("/crosswalk/rules.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="mapping-rules\.csv"/);
    const file = await res.text();
    expect(file).toBe(await exportRulesCsv(server.app.db));
    expect(file.split("\n")[0]).toBe(
      "position,org_id,name,owner_id,owner_id_prefix,owner_name_op,owner_name_value,owner_name_case_sensitive,owner_kind,environment_id,resource_id,product,team,split,valid_from,valid_to",
    );
    const parsed = parseRulesText(file, "csv");
    expect(parsed.ok && parsed.rules.map(ruleToJson)).toEqual(stored);
    const byOrg = await server.viewer.get(`/crosswalk/rules.csv?org=${ORG}`);
    expect(byOrg.headers.get("content-disposition")).toMatch(/filename="mapping-rules-org-vendor\.csv"/);
    expect((await server.app.anonymous().get("/crosswalk/rules.csv")).status).toBe(302);

    // every rule removed, then the downloaded CSV uploaded (merge): previewed, saved from the carried text
    await importRules(server.app.db, "test", [], { replace: true });
    expect(await listRules(server.app.db)).toEqual([]);
    const upload = { intent: "preview-import", mode: "merge", rules_file: new File([file], "mapping-rules.csv", { type: "text/csv" }) };
    const p = await act(server.admin, upload, { multipart: true });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body!.preview.summary).toMatch(new RegExp(`\\(merge\\): ${stored.length} added, 0 updated, 0 unchanged, 0 removed`));
    expect(await listRules(server.app.db)).toEqual([]);
    const saved = await act(server.admin, saveForm(p.body!.preview));
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await listRules(server.app.db)).map(ruleToJson)).toEqual(stored);
    expect(await totals()).toEqual(figures);

    // pasted CSV with a bad regex on line 3: refused, located, nothing changed
    const snap = await snapshot();
    const bad = "org_id,name,owner_name_op,owner_name_value,team\n,fine,equals,x,search\norg-vendor,bad,regex,(unclosed,search\n";
    const b = await act(server.admin, { intent: "preview-import", mode: "merge", rules_text: bad });
    expect(b.status).toBe(400);
    const messages = (b.body!.issues as Body[]).map((i) => i.message as string);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^line 3, column "owner_name_value": value "\(unclosed" is refused: owner_name\.regex /);
    expect((await act(server.admin, { intent: "import", mode: "merge", rules_text: bad })).status).toBe(400);
    expect(await snapshot()).toEqual(snap);
  });

  it("lists the closed months a change would not touch", async () => {
    await closeMonth(server.app.db, "seed", { orgId: ORG, month: "2026-03", reason: "test: no invoice" });
    try {
      const [r1] = await listRules(server.app.db);
      const p = await act(server.admin, { intent: "preview-delete", id: String(r1!.id) });
      expect(p.status, JSON.stringify(p.body)).toBe(200);
      const w = p.body!.preview.whatIf;
      expect(w.closedUntouched).toEqual([{ orgId: ORG, month: "2026-03" }]);
      // the closed month's figures stay as they are; April moves
      expect(w.byTeam.filter((b: Body) => b.month === "2026-03")).toEqual([]);
      expect(w.byTeam.filter((b: Body) => b.month === "2026-04").length).toBeGreaterThan(0);
      const html = await (await server.admin.post(PAGE, { intent: "preview-delete", id: String(r1!.id) })).text();
      expect(html).toContain("Closed months it will not touch: become restatements when reopened");
      expect(html).toMatch(/data-testid="what-if-closed-month"[^>]*>.*org-vendor.*2026-03/s);
      expect((await server.app.db.query(`select count(*)::int as n from restatements`))[0]).toEqual({ n: 0 });
    } finally {
      await reopenMonth(server.app.db, "seed", { orgId: ORG, month: "2026-03", reason: "test" });
    }
  });
});
