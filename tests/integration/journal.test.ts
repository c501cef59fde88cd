/**
 * The general-ledger journal (docs/journal.md) on the engine chosen by TEST_DB:
 * - on several orgs and months (the dashboard fixture: the vendor's worked example, a generated
 *   org with daily and monthly data, teams named like formulas, unmapped owners; and a third
 *   generated org), every journal balances (Σ amount = 0, Σ debit = Σ credit) and its posted lines
 *   sum to the export total rounded to the cent; accounts resolve as documented (cost center per
 *   org, cost center, org default, suspense for pseudo cost centers and cost centers without an
 *   account, clearing); journal id, posting date, currency and reference are filled;
 * - a closed month re-exports byte for byte after a GL account change and after a restatement;
 * - `npm run gl-accounts -- import` takes a good file, refuses a bad one naming line, column,
 *   value and rule with nothing changed, and audits;
 * - /admin/gl-accounts saves and deletes a mapping (audited) and refuses viewers.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { DEFAULT_CLEARING_ACCOUNT, NO_GL_ACCOUNT, PSEUDO_COST_CENTERS, type GlAccount } from "../../app/domain/journal";
import { Decimal } from "../../app/domain/money";
import { InputError } from "../../app/domain/errors";
import { importCrosswalk, type ImportEntry } from "../../app/services/crosswalk";
import { importGlAccounts, saveGlAccount } from "../../app/services/gl-accounts";
import { ingestFile } from "../../app/services/ingest";
import { journalCsv } from "../../app/services/journal";
import { closeMonth } from "../../app/services/month-close";
import { glAccountInputs } from "../../db/queries/gl-accounts";
import { listOrgIds } from "../../db/queries/orgs";
import { reconcileOrgMonth } from "../../db/queries/reconcile";
import { getTeamPeriods } from "../../db/queries/report";
import { costCenterMap } from "../../db/queries/teams";
import { describeOwners, EXPORT_HEADER, generateExportRecords } from "../../scripts/lib/generator";
import { createCliEnv, type CliEnv } from "../helpers/cli";
import { expectBalancedJournal, isClearing, journalsByOrg, parseJournal, type JournalRow } from "../helpers/journal";
import { VENDOR_CROSSWALK, VENDOR_EXPORT } from "../helpers/seed";
import { useTestServer } from "../helpers/server";
import { seedDashboard } from "./dashboard-fixture";

const MONTHS = ["2026-02", "2026-03", "2026-04"] as const;
const lastDay = { "2026-02": "2026-02-28", "2026-03": "2026-03-31", "2026-04": "2026-04-30" } as const;

/** A third org: daily February–March, its owners on CC-100 and CC-400, a fifth left unmapped. */
async function seedThird(db: Db, dir: string) {
  const g = { org: "org-third", principals: 6, clusters: 1, seed: 21 } as const;
  const file = path.join(dir, "third.csv");
  await writeFile(
    file,
    stringify([EXPORT_HEADER, ...generateExportRecords({ ...g, granularity: "daily", from: "2026-02-01", to: "2026-03-31" })]),
  );
  const r = await ingestFile(db, { orgId: g.org, filePath: file, granularity: "daily", actor: "seed", allowUnbalanced: true });
  if (r.status !== "imported") throw new Error(`third ingest: ${JSON.stringify(r).slice(0, 500)}`);
  const entries: ImportEntry[] = [];
  describeOwners(g).forEach((o, i) => {
    if (i % 5 === 4) return;
    const team = i % 2 ? "ledger" : "treasury";
    entries.push({
      orgId: g.org,
      ownerId: o.ownerId,
      team,
      validFrom: "2026-01-01",
      validTo: null,
      costCenter: i % 2 ? "CC-400" : "CC-100",
    });
  });
  await importCrosswalk(db, "seed", entries, "merge");
}

/** The chart of accounts the tests import (through the service): per cost center, one org's override, an org default, clearing, suspense. */
const CHART = [
  "scope,key,account,org_id",
  "cost_center,CC-100,6100,",
  "cost_center,CC-300,6300,",
  "cost_center,CC-300,6301,org-gen",
  "org_default,org-gen,6190,",
  "clearing,*,2100,",
  "clearing,org-third,2110,",
  "suspense,*,6999,",
  "suspense,unmapped,6998,",
].join("\n");

/** The account a line must have, by the documented resolution order, from the mapping itself. */
function expectedAccount(accounts: readonly GlAccount[], org: string, r: JournalRow): string {
  const get = (scope: string, key: string, orgId: string) =>
    accounts.find((a) => a.scope === scope && a.key === key && a.orgId === orgId)?.account;
  if (isClearing(r)) return get("clearing", org, "") ?? get("clearing", "*", "") ?? DEFAULT_CLEARING_ACCOUNT;
  if (r.cost_center !== "")
    return (
      get("cost_center", r.cost_center, org) ??
      get("cost_center", r.cost_center, "") ??
      get("org_default", org, "") ??
      get("suspense", "*", "")!
    );
  const pseudo = PSEUDO_COST_CENTERS.find((p) => r.memo.includes(` - ${p}: `))!;
  expect(pseudo, r.memo).toBeDefined();
  return get("suspense", pseudo, org) ?? get("suspense", pseudo, "") ?? get("suspense", "*", "")!;
}

let tmp: string;
const server = useTestServer({
  seed: async (db) => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "showback-journal-"));
    await seedDashboard(db);
    await seedThird(db, tmp);
  },
  roles: ["finance_admin", "viewer"],
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});
const db = () => server.app.db;

describe("the journal of several orgs and months", () => {
  beforeAll(async () => {
    const plan = await importGlAccounts(db(), "test", CHART);
    expect(plan.added).toHaveLength(8);
  });

  it("balances and ties to the export total on several orgs and months", async () => {
    const accounts = await glAccountInputs(db());
    const cc = await costCenterMap(db());
    let journals = 0;
    for (const month of MONTHS) {
      const rows = parseJournal(await journalCsv(db(), { month }));
      const byOrg = journalsByOrg(rows);
      for (const org of await listOrgIds(db())) {
        const label = `${org} ${month}`;
        const rec = await reconcileOrgMonth(db(), org, month);
        const lines = byOrg.get(org) ?? [];
        if (rec.exportTotal === null) {
          expect(lines, label).toEqual([]);
          continue;
        }
        journals++;
        // Σ amount = 0, Σ debit = Σ credit, and the posted lines = the export total to the cent
        const posted = expectBalancedJournal(lines, label);
        expect(posted.toFixed(2), label).toBe(new Decimal(rec.exportTotal.toString()).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2));
        const clearing = lines.find(isClearing)!;
        expect(new Decimal(clearing.amount).negated().eq(posted), label).toBe(true);
        // the header of the journal
        expect(lines[0], label).toMatchObject({ journal_id: `SB-${org}-${month}`, posting_date: lastDay[month], currency: "USD" });
        const ids = await db().query<{ id: number }>(`select id from imports where org_id = $1`, [org]);
        const ref = /^imports:([\d;-]+)$/.exec(lines[0].reference);
        expect(ref, `${label}: ${lines[0].reference}`).not.toBeNull();
        for (const part of ref![1].split(";"))
          for (const id of part.split("-"))
            expect(
              ids.map((i) => Number(i.id)),
              label,
            ).toContain(Number(id));
        // every account as the documented resolution gives it; cost centers without one flagged in the memo
        for (const l of lines) {
          expect(l.account, `${label} line ${l.line}: ${l.memo}`).toBe(expectedAccount(accounts, org, l));
          if (l.cost_center !== "") {
            const mapped = l.account !== "6999";
            expect(l.memo.includes(NO_GL_ACCOUNT), `${label} line ${l.line}`).toBe(!mapped);
          } else expect(l.memo, label).toMatch(/\((suspense|clearing)\)$/);
        }
        // one line per cost center, each within a cent of the exact sum of its teams (largest remainder)
        const { from } = { from: `${month}-01` };
        const teams = await getTeamPeriods(db(), { granularity: "monthly", from, to: lastDay[month], orgIds: [org] });
        const exact = new Map<string, Decimal>();
        for (const t of teams) {
          const c = cc.get(t.team);
          if (!c) continue;
          exact.set(c, (exact.get(c) ?? new Decimal(0)).plus(t.total));
        }
        const ccLines = lines.filter((l) => l.cost_center !== "");
        expect(new Set(ccLines.map((l) => l.cost_center)).size, label).toBe(ccLines.length);
        for (const l of ccLines)
          expect(new Decimal(l.amount).minus(exact.get(l.cost_center)!).abs().lt("0.01"), `${label} ${l.cost_center}`).toBe(true);
      }
    }
    expect(journals).toBe(5); // org-vendor 04, org-gen 03 + 04, org-third 02 + 03
  });

  it("posts the pseudo cost centers to suspense and the mapped cost centers to their accounts", async () => {
    const april = journalsByOrg(parseJournal(await journalCsv(db(), { month: "2026-04" })));
    const gen = april.get("org-gen")!;
    const byCc = new Map(gen.filter((l) => l.cost_center).map((l) => [l.cost_center, l.account]));
    expect(byCc.get("CC-300")).toBe("6301"); // the org's own account wins over the every-org one
    expect(byCc.get("CC-400")).toBe("6190"); // the org default
    expect(byCc.get("CC-500")).toBe("6190");
    const unmapped = gen.find((l) => l.memo.includes(" - unmapped: "))!;
    expect(unmapped).toMatchObject({ account: "6998", cost_center: "" });
    // the teams named like formulas have no cost center: unassigned, on the every-org suspense account
    const unassigned = gen.find((l) => l.memo.includes(" - unassigned: "))!;
    expect(unassigned).toMatchObject({ account: "6999", cost_center: "" });
    expect(unassigned.memo).toContain('=HYPERLINK("http://evil.test","x")');
    const vendor = april.get("org-vendor")!;
    expect(vendor.find((l) => l.cost_center === "CC-300")!.account).toBe("6300");
    const cc200 = vendor.find((l) => l.cost_center === "CC-200")!;
    expect(cc200.account).toBe("6999"); // no account, no org default: suspense, flagged
    expect(cc200.memo).toContain(NO_GL_ACCOUNT);
    expect(vendor.find(isClearing)!.account).toBe("2100");
    const march = journalsByOrg(parseJournal(await journalCsv(db(), { month: "2026-03", orgId: "org-third" })));
    expect([...march.keys()]).toEqual(["org-third"]);
    const third = march.get("org-third")!;
    expect(third.find(isClearing)!.account).toBe("2110"); // the org's own clearing account
    expect(third.find((l) => l.cost_center === "CC-100")!.account).toBe("6100");
    expect(third.find((l) => l.cost_center === "CC-400")).toMatchObject({ account: "6999", memo: expect.stringContaining(NO_GL_ACCOUNT) });
  });

  it("takes a posting date on or after the month's first day, and refuses any other", async () => {
    const rows = parseJournal(await journalCsv(db(), { month: "2026-04", orgId: "org-gen", postingDate: "2026-05-05" }));
    expect(new Set(rows.map((r) => r.posting_date))).toEqual(new Set(["2026-05-05"]));
    await expect(journalCsv(db(), { month: "2026-04", postingDate: "2026-03-31" })).rejects.toThrow(/before the month 2026-04/);
    await expect(journalCsv(db(), { month: "2026-04", postingDate: "2026-02-30" })).rejects.toBeInstanceOf(InputError);
  });
});

describe("a closed month", () => {
  it("re-exports identically after a GL account change and after a restatement", async () => {
    const month = "2026-03";
    const before = await journalCsv(db(), { month, orgId: "org-gen" });
    await closeMonth(db(), "test", { orgId: "org-gen", month, reason: "journal test" });
    expect(await journalCsv(db(), { month, orgId: "org-gen" })).toBe(before);

    // a GL account change: the open month takes it, the closed one keeps its lines
    const openBefore = await journalCsv(db(), { month: "2026-04", orgId: "org-gen" });
    const r = await saveGlAccount(db(), "test", { scope: "cost_center", key: "CC-300", orgId: "org-gen", account: "7301" });
    expect(r.changed).toBe(true);
    const openAfter = await journalCsv(db(), { month: "2026-04", orgId: "org-gen" });
    expect(openAfter).not.toBe(openBefore);
    expect(parseJournal(openAfter).find((l) => l.cost_center === "CC-300")!.account).toBe("7301");
    expect(await journalCsv(db(), { month, orgId: "org-gen" })).toBe(before);
    expect(parseJournal(before).find((l) => l.cost_center === "CC-300")!.account).toBe("6301");

    // a restatement: two March days re-run with other figures
    const totalBefore = (await reconcileOrgMonth(db(), "org-gen", month)).exportTotal!.toString();
    const recs = [...generateExportRecords({ org: "org-gen", granularity: "daily", from: "2026-03-10", to: "2026-03-11", seed: 8 })];
    const file = path.join(tmp, "restated.csv");
    await writeFile(file, stringify([EXPORT_HEADER, ...recs]));
    const ing = await ingestFile(db(), { orgId: "org-gen", filePath: file, granularity: "daily", actor: "test", allowUnbalanced: true });
    expect(ing.status).toBe("imported");
    expect((await reconcileOrgMonth(db(), "org-gen", month)).exportTotal!.toString()).not.toBe(totalBefore);
    expect(await journalCsv(db(), { month, orgId: "org-gen" })).toBe(before);
    // and in the every-org file, the org's lines are the same bytes
    const all = await journalCsv(db(), { month });
    const genLines = before.trimEnd().split("\n").slice(1);
    expect(all.split("\n").filter((l) => l.startsWith("SB-org-gen-"))).toEqual(genLines);
  });
});

describe("/admin/gl-accounts", () => {
  const PAGE = "/admin/gl-accounts?_data=routes%2Fadmin.gl-accounts";
  const audit = () =>
    db().query<{ actor: string; action: string; entity_id: string }>(
      `select actor, action, entity_id from audit_log where entity = 'gl_account' and actor = 'admin@example.test' order by id`,
    );

  it("saves and deletes a mapping, each audited", async () => {
    const page = await server.admin.get("/admin/gl-accounts");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("GL accounts");
    const save = await server.admin.post(PAGE, { intent: "save", scope: "cost_center", key: "CC-500", org_id: "org-gen", account: "6500" });
    expect(save.status).toBe(200);
    expect(await save.json()).toMatchObject({ ok: true });
    expect(
      await db().query(`select account, updated_by from gl_accounts where scope = 'cost_center' and key = 'CC-500' and org_id = 'org-gen'`),
    ).toEqual([{ account: "6500", updated_by: "admin@example.test" }]);
    const journal = parseJournal(await journalCsv(db(), { month: "2026-04", orgId: "org-gen" }));
    expect(journal.find((l) => l.cost_center === "CC-500")!.account).toBe("6500");

    const bad = await server.admin.post(PAGE, { intent: "save", scope: "cost_center", key: "CC-999", org_id: "", account: "6500" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, field: "key", error: expect.stringContaining("CC-999") });

    const del = await server.admin.post(PAGE, { intent: "delete", scope: "cost_center", key: "CC-500", org_id: "org-gen" });
    expect(del.status).toBe(200);
    expect(await db().query(`select * from gl_accounts where key = 'CC-500'`)).toEqual([]);
    expect(await audit()).toEqual([
      { actor: "admin@example.test", action: "create", entity_id: "cost_center:CC-500@org-gen" },
      { actor: "admin@example.test", action: "delete", entity_id: "cost_center:CC-500@org-gen" },
    ]);
  });

  it("imports a CSV through the page (preview, then apply)", async () => {
    const csv = "scope,key,account,org_id\norg_default,org-vendor,6180,\n";
    const preview = await server.admin.post(PAGE, { intent: "import_preview", mode: "merge", csv_text: csv }, { multipart: true });
    expect(preview.status).toBe(200);
    const p = (await preview.json()) as { plan: { added: unknown[] } };
    expect(p.plan.added).toHaveLength(1);
    expect(await db().query(`select * from gl_accounts where key = 'org-vendor'`)).toEqual([]); // a preview changes nothing
    const apply = await server.admin.post(PAGE, { intent: "import_apply", mode: "merge", csv });
    expect(apply.status).toBe(200);
    expect(await db().query(`select account from gl_accounts where scope = 'org_default' and key = 'org-vendor'`)).toEqual([
      { account: "6180" },
    ]);
  });

  it("refuses viewers, on the page, its actions and the download", async () => {
    const n = (await db().query(`select * from gl_accounts`)).length;
    expect((await server.viewer.get("/admin/gl-accounts")).status).toBe(403);
    expect((await server.viewer.get("/admin/gl-accounts.csv")).status).toBe(403);
    expect((await server.viewer.post(PAGE, { intent: "save", scope: "clearing", key: "*", org_id: "", account: "9999" })).status).toBe(403);
    expect((await server.viewer.post(PAGE, { intent: "delete", scope: "clearing", key: "*", org_id: "" })).status).toBe(403);
    expect((await server.app.anonymous().get("/admin/gl-accounts")).status).toBe(302);
    expect((await db().query(`select * from gl_accounts`)).length).toBe(n);
    expect(await db().query(`select account from gl_accounts where scope = 'clearing' and key = '*'`)).toEqual([{ account: "2100" }]);
    const dl = await server.admin.get("/admin/gl-accounts.csv");
    expect(dl.status).toBe(200);
    expect((await dl.text()).split("\n")[0]).toBe("scope,key,account,org_id");
  });
});

describe("npm run gl-accounts -- import", () => {
  let cli: CliEnv;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "showback-glcli-"));
    cli = await createCliEnv();
    expect((await cli.run("crosswalk", "import", VENDOR_CROSSWALK)).code).toBe(0);
    expect((await cli.run("ingest", "--org", "org-vendor", "--granularity", "monthly", VENDOR_EXPORT)).code).toBe(0);
  });
  afterAll(async () => {
    await cli?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const stored = () =>
    cli.withDb((d) =>
      d.query<{ scope: string; key: string; org_id: string; account: string }>(
        `select scope, key, org_id, account from gl_accounts order by 1, 2, 3`,
      ),
    );
  const audited = () =>
    cli.withDb((d) =>
      d.query<{ actor: string; action: string; entity_id: string }>(
        `select actor, action, entity_id from audit_log where entity = 'gl_account' order by id`,
      ),
    );

  it("imports a good file, audited, and the journal takes its accounts", async () => {
    const file = path.join(dir, "good.csv");
    await writeFile(
      file,
      "scope,key,account,org_id\ncost_center,CC-100,6100,\norg_default,org-vendor,6190,\nclearing,*,2100,\nsuspense,*,6999,\n",
    );
    const r = await cli.run("gl-accounts", "import", file);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("4 added, 0 updated, 0 unchanged, 0 removed");
    expect(await stored()).toEqual([
      { scope: "clearing", key: "*", org_id: "", account: "2100" },
      { scope: "cost_center", key: "CC-100", org_id: "", account: "6100" },
      { scope: "org_default", key: "org-vendor", org_id: "", account: "6190" },
      { scope: "suspense", key: "*", org_id: "", account: "6999" },
    ]);
    expect(await audited()).toEqual([
      { actor: "test", action: "create", entity_id: "cost_center:CC-100" },
      { actor: "test", action: "create", entity_id: "org_default:org-vendor" },
      { actor: "test", action: "create", entity_id: "clearing:*" },
      { actor: "test", action: "create", entity_id: "suspense:*" },
    ]);
    // the same file again changes nothing and writes no audit entry
    const again = await cli.run("gl-accounts", "import", file);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to change");
    expect(await audited()).toHaveLength(4);
    // list → the import's CSV
    const list = await cli.run("gl-accounts", "list");
    expect(list.stdout.split("\n")[0]).toBe("scope,key,account,org_id");
    const j = await cli.run("finance-export", "--month", "2026-04", "--kind", "journal", "--posting-date", "2026-05-02");
    expect(j.code).toBe(0);
    const rows = parseJournal(j.stdout);
    expect(expectBalancedJournal(rows, "org-vendor").toFixed(2)).toBe("27.50");
    expect(rows.map((l) => [l.cost_center, l.account])).toEqual([
      ["CC-100", "6100"],
      ["CC-200", "6190"],
      ["CC-300", "6190"],
      ["", "6999"],
      ["", "2100"],
    ]);
    expect(rows.every((l) => l.posting_date === "2026-05-02")).toBe(true);
  });

  it("refuses a bad file naming line, column, value and rule, and changes nothing", async () => {
    const before = [await stored(), await audited()];
    const file = path.join(dir, "bad.csv");
    await writeFile(
      file,
      [
        "scope,key,account,org_id",
        "cost_center,CC-100,7100,", // fine on its own: not imported either
        "cost_centre,CC-200,6200,",
        "cost_center,CC-999,6200,",
        "suspense,*,=SUM(A1),",
        "clearing,*,2100,org-vendor",
        "",
      ].join("\n"),
    );
    const r = await cli.run("gl-accounts", "import", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("4 problems; nothing was imported");
    expect(r.stderr).toContain('line 3, column "scope": value "cost_centre" is not a scope');
    expect(r.stderr).toMatch(/rule: scope is cost_center, org_default, clearing or suspense/);
    expect(r.stderr).toContain('line 4, column "key": value "CC-999" is not a known cost center');
    expect(r.stderr).toContain('line 5, column "account": value "=SUM(A1)" is not an account code');
    expect(r.stderr).toContain('line 6, column "org_id": value "org-vendor" must be empty for the clearing scope');
    expect([await stored(), await audited()]).toEqual(before);
    // a wrong header: named, nothing changed
    await writeFile(file, "scope,key,account,org\ncost_center,CC-100,7100,\n");
    const h = await cli.run("gl-accounts", "import", file);
    expect(h.code).toBe(1);
    expect(h.stderr).toContain('value "org" (field 4) is not a GL accounts column');
    expect([await stored(), await audited()]).toEqual(before);
    // usage errors exit 2
    expect((await cli.run("gl-accounts", "import")).code).toBe(2);
  });
});
