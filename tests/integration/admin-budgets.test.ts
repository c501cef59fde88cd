/**
 * /admin/budgets (issue 16) on the engine of TEST_DB: a finance admin sets a budget (stored,
 * audited, shown), replaces its amount, starts a later one, deletes one; imports a CSV through
 * the page (preview changes nothing, apply stores, all-or-nothing); a bad CSV lists its problems
 * by line, column, value and rule and changes nothing; the CSV download imports back unchanged;
 * viewers get 403 on the page, its actions and the download.
 */
import { describe, expect, it } from "vitest";
import { importCrosswalk } from "../../app/services/crosswalk";
import { listBudgets } from "../../db/queries/budgets";
import { useTestServer } from "../helpers/server";

const server = useTestServer({
  roles: ["finance_admin", "viewer"],
  seed: async (db) => {
    await importCrosswalk(
      db,
      "seed",
      [
        { orgId: "org-a", ownerId: "sa-1", team: "payments", validFrom: "2026-01-01", validTo: null, costCenter: "CC-100" },
        { orgId: "org-a", ownerId: "sa-2", team: "search", validFrom: "2026-01-01", validTo: null, costCenter: "CC-200" },
      ],
      "merge",
    );
    await db.query(`insert into organizations (org_id) values ('org-a') on conflict do nothing`);
  },
});

const PAGE = "/admin/budgets";
const DATA = `${PAGE}?_data=routes%2Fadmin.budgets`;
const db = () => server.app.db;

const stored = async () =>
  (await listBudgets(db())).map((b) => [b.scope, b.name, b.org_id, b.from_month, Number(b.amount).toFixed(2)] as const);
/** The budget audit entries since the last clear() (the audit log is append-only). */
let mark = 0;
const audited = () =>
  db().query<{ action: string; entity_id: string; before: { amount: string } | null; after: { amount: string } | null }>(
    `select action, entity_id, before, after from audit_log where entity = 'budget' and id > $1 order by id`,
    [mark],
  );
const clear = async () => {
  await db().query(`delete from budgets`);
  mark = (await db().query<{ id: number }>(`select coalesce(max(id), 0)::int as id from audit_log`))[0]!.id;
};
const set = (f: Record<string, string>) =>
  server.admin.post(DATA, { intent: "set", scope: "team", name: "payments", amount: "1000", from_month: "2026-05", org_id: "", ...f });

interface LoaderRow {
  id: number;
  scope: string;
  name: string;
  orgId: string | null;
  fromMonth: string;
  amount: string;
  until: string | null;
}
const loaderData = async () => (await (await server.admin.get(DATA)).json()) as { budgets: LoaderRow[]; orgs: string[] };

interface Preview {
  ok: true;
  result: { added: unknown[]; updated: Array<{ before: string }>; unchanged: unknown[] };
  csv: string;
}
interface Failure {
  ok: false;
  error: string;
  field?: string;
  issues?: Array<{ line: number; column: string | null; value: string | null; rule: string; message: string }>;
  issueCount?: number;
}

describe("/admin/budgets", () => {
  it("shows the page: the form, the import, the download and the rules", async () => {
    await clear();
    const res = await server.admin.get(PAGE);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const s of [
      "Set a budget",
      "Import (CSV)",
      'href="/admin/budgets.csv"',
      "No budget yet",
      "at risk",
      "90 %",
      "all organizations",
    ]) {
      expect(html, s).toContain(s);
    }
    expect(html).toMatch(/<input[^>]*name="from_month"[^>]*type="month"|<input[^>]*type="month"[^>]*name="from_month"/);
    expect(html).toContain('<option value="org-a">org-a</option>');
    expect(html).toContain('<option value="payments">'); // the name's datalist
  });

  it("sets a budget (stored, audited, shown), updates it, starts a later one, deletes it", async () => {
    await clear();
    const r = await set({ amount: "1200.50" });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, message: expect.stringContaining("team payments from 2026-05") });
    expect(await stored()).toEqual([["team", "payments", null, "2026-05", "1200.50"]]);

    // shown on the page: the link to the team, all organizations, the amount as money
    const html = await (await server.admin.get(PAGE)).text();
    expect(html).toContain('href="/teams/payments"');
    expect(html).toContain("$1,200.50");

    // the same (scope, name, org, month) replaces the amount; setting it again changes nothing
    expect((await set({ amount: "1500" })).status).toBe(200);
    const again = await set({ amount: "1500.00" });
    expect(await again.json()).toMatchObject({ ok: true, message: expect.stringContaining("already") });
    // a later month, a cost center for one organization
    expect((await set({ amount: "2000", from_month: "2026-08" })).status).toBe(200);
    expect((await set({ scope: "cost_center", name: "CC-200", amount: "300", org_id: "org-a" })).status).toBe(200);
    expect(await stored()).toEqual([
      ["cost_center", "CC-200", "org-a", "2026-05", "300.00"],
      ["team", "payments", null, "2026-05", "1500.00"],
      ["team", "payments", null, "2026-08", "2000.00"],
    ]);
    const data = await loaderData();
    expect(data.budgets.map((b) => [b.name, b.fromMonth, b.until])).toEqual([
      ["CC-200", "2026-05", null],
      ["payments", "2026-05", "2026-08"],
      ["payments", "2026-08", null],
    ]);
    const page = await (await server.admin.get(PAGE)).text();
    expect(page).toContain('href="/cost-centers/CC-200"');

    const may = data.budgets.find((b) => b.name === "payments" && b.fromMonth === "2026-05")!;
    const del = await server.admin.post(DATA, { intent: "delete", id: String(may.id) });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ ok: true, message: expect.stringContaining("Deleted the budget team payments from 2026-05") });
    expect((await stored()).map((b) => b.slice(1, 4))).toEqual([
      ["CC-200", "org-a", "2026-05"],
      ["payments", null, "2026-08"],
    ]);
    // deleting it again: it is gone
    const gone = await server.admin.post(DATA, { intent: "delete", id: String(may.id) });
    expect(gone.status).toBe(400);

    expect((await audited()).map((a) => [a.action, a.entity_id])).toEqual([
      ["create", "team/payments//2026-05"],
      ["update", "team/payments//2026-05"],
      ["create", "team/payments//2026-08"],
      ["create", "cost_center/CC-200/org-a/2026-05"],
      ["delete", "team/payments//2026-05"],
    ]);
    const upd = (await audited())[1]!;
    expect(Number(upd.before!.amount)).toBe(1200.5);
    expect(Number(upd.after!.amount)).toBe(1500);
  });

  it("refuses a bad budget, naming the field, and stores nothing", async () => {
    await clear();
    for (const [f, field, text] of [
      [{ name: "paymnets" }, "name", "paymnets"],
      [{ scope: "cost_center", name: "CC-999" }, "name", "CC-999"],
      [{ amount: "-5" }, "amount", ""],
      [{ amount: "1,000" }, "amount", ""],
      [{ from_month: "2026-13" }, "from_month", "month"],
      [{ org_id: "org-zz" }, "org_id", "org-zz"],
      [{ scope: "squad" }, "scope", ""],
    ] as const) {
      const r = await set(f);
      expect(r.status, JSON.stringify(f)).toBe(400);
      const body = (await r.json()) as Failure;
      expect(body, JSON.stringify(f)).toMatchObject({ ok: false, field, error: expect.stringContaining(text) });
    }
    expect(await stored()).toEqual([]);
    expect(await audited()).toEqual([]);
  });

  it("imports a CSV: the preview changes nothing, the apply stores and audits", async () => {
    await clear();
    await set({ amount: "1000", from_month: "2026-05" });
    await set({ name: "search", amount: "700", from_month: "2026-05" });
    const csv = [
      "scope,name,amount,from_month,org_id",
      "team,payments,1100,2026-05,", // updated
      "team,search,700.00,2026-05,", // unchanged
      "cost_center,CC-100,400,2026-06,org-a", // added
      "team,payments,1300,2026-09,", // added
    ].join("\n");
    // the file as an upload
    const preview = await server.admin.post(
      DATA,
      { intent: "import_preview", csv_file: new File([csv], "budgets.csv", { type: "text/csv" }) },
      { multipart: true },
    );
    expect(preview.status).toBe(200);
    const p = (await preview.json()) as Preview;
    expect([p.result.added.length, p.result.updated.length, p.result.unchanged.length]).toEqual([2, 1, 1]);
    expect(Number(p.result.updated[0]!.before)).toBe(1000);
    expect(p.csv).toBe(csv);
    const before = await stored();
    expect(before).toHaveLength(2); // a preview changes nothing
    expect(await audited()).toHaveLength(2);

    // the page shows the preview (added / updated / unchanged) with its apply button
    const html = await (await server.admin.post(PAGE, { intent: "import_preview", csv_text: csv }, { multipart: true })).text();
    expect(html).toContain("2 added, 1 updated, 1 unchanged");
    expect(html).toContain('data-testid="budget-apply"');

    const apply = await server.admin.post(DATA, { intent: "import_apply", csv: p.csv });
    expect(apply.status).toBe(200);
    expect(await apply.json()).toMatchObject({ ok: true, message: "Budgets imported: 2 added, 1 updated, 1 unchanged." });
    expect(await stored()).toEqual([
      ["cost_center", "CC-100", "org-a", "2026-06", "400.00"],
      ["team", "payments", null, "2026-05", "1100.00"],
      ["team", "payments", null, "2026-09", "1300.00"],
      ["team", "search", null, "2026-05", "700.00"],
    ]);
    expect((await audited()).slice(2).map((a) => [a.action, a.entity_id])).toEqual([
      ["update", "team/payments//2026-05"],
      ["create", "cost_center/CC-100/org-a/2026-06"],
      ["create", "team/payments/2026-09".replace("/2026", "//2026")],
    ]);

    // applying it again changes nothing
    const twice = await server.admin.post(DATA, { intent: "import_apply", csv: p.csv });
    expect(await twice.json()).toMatchObject({ ok: true, message: expect.stringContaining("Nothing to change") });
    expect(await audited()).toHaveLength(5);
  });

  it("a bad CSV lists every problem by line, column, value and rule, and changes nothing", async () => {
    await clear();
    await set({ amount: "1000" });
    const before = await stored();
    const csv = [
      "scope,name,amount,from_month,org_id",
      "team,payments,1200.00,2026-06,", // fine, but all-or-nothing
      "squad,payments,10,2026-05,",
      "team,paymnets,10,2026-05,",
      "team,search,-5,2026-05,",
      "team,search,10,2026-13,",
      "cost_center,CC-100,10,2026-05,org-zz",
      "team,payments,99,2026-06,", // duplicate of line 2
    ].join("\n");
    for (const intent of ["import_preview", "import_apply"] as const) {
      const form: Record<string, string> = intent === "import_preview" ? { intent, csv_text: csv } : { intent, csv };
      const r = await server.admin.post(DATA, form, { multipart: intent === "import_preview" });
      expect(r.status, intent).toBe(400);
      const body = (await r.json()) as Failure;
      expect(body.error).toBe("The budgets file has 6 problems; nothing was imported.");
      expect(body.issueCount).toBe(6);
      expect(body.issues!.map((i) => [i.line, i.column, i.value, i.rule])).toEqual([
        [3, "scope", "squad", "budget-scope"],
        [4, "name", "paymnets", "budget-name"],
        [5, "amount", "-5", "budget-amount"],
        [6, "from_month", "2026-13", "budget-month"],
        [7, "org_id", "org-zz", "budget-org"],
        [8, "from_month", "2026-06", "duplicate-entry"],
      ]);
    }
    // the page lists them
    const html = await (await server.admin.post(PAGE, { intent: "import_preview", csv_text: csv }, { multipart: true })).text();
    expect(html).toContain('data-testid="budget-issues"');
    expect(html).toContain("paymnets");
    expect(html).toContain("duplicate-entry");
    // a header with an unknown column
    const hdr = await server.admin.post(
      DATA,
      { intent: "import_preview", csv_text: "scope,name,amount,from_month,org\nteam,payments,1,2026-05,x\n" },
      { multipart: true },
    );
    expect(hdr.status).toBe(400);
    expect(((await hdr.json()) as Failure).issues![0]).toMatchObject({ line: 1, rule: "unknown-column" });
    // no file at all
    const none = await server.admin.post(DATA, { intent: "import_preview", csv_text: "" }, { multipart: true });
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ ok: false, field: "csv_file" });

    expect(await stored()).toEqual(before);
    expect(await audited()).toHaveLength(1);
  });

  it("the CSV download round-trips: importing it changes nothing", async () => {
    await clear();
    await set({ amount: "1000.25" });
    await set({ amount: "1200", from_month: "2026-09" });
    await set({ scope: "cost_center", name: "CC-100", amount: "50", org_id: "org-a" });
    const dl = await server.admin.get("/admin/budgets.csv");
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-type")).toMatch(/^text\/csv/);
    const text = await dl.text();
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toBe("scope,name,amount,from_month,org_id");
    expect(lines).toHaveLength(4);
    const p = (await (await server.admin.post(DATA, { intent: "import_preview", csv_text: text }, { multipart: true })).json()) as Preview;
    expect([p.result.added.length, p.result.updated.length, p.result.unchanged.length]).toEqual([0, 0, 3]);
    const html = await (await server.admin.post(PAGE, { intent: "import_preview", csv_text: text }, { multipart: true })).text();
    expect(html).toContain("Nothing would change");
    expect(html).not.toContain('data-testid="budget-apply"');
  });

  it("refuses viewers: the page, its actions and the download", async () => {
    await clear();
    await set({ amount: "1000" });
    const before = await stored();
    const [row] = (await loaderData()).budgets;
    expect((await server.viewer.get(PAGE)).status).toBe(403);
    expect((await server.viewer.get(DATA)).status).toBe(403);
    expect((await server.viewer.get("/admin/budgets.csv")).status).toBe(403);
    expect(
      (await server.viewer.post(DATA, { intent: "set", scope: "team", name: "search", amount: "1", from_month: "2026-05", org_id: "" }))
        .status,
    ).toBe(403);
    expect((await server.viewer.post(DATA, { intent: "delete", id: String(row!.id) })).status).toBe(403);
    expect(
      (await server.viewer.post(DATA, { intent: "import_apply", csv: "scope,name,amount,from_month\nteam,search,1,2026-05\n" })).status,
    ).toBe(403);
    expect((await server.app.anonymous().get(PAGE)).status).toBe(302);
    expect((await server.app.anonymous().get("/admin/budgets.csv")).status).toBe(302);
    expect(await stored()).toEqual(before);
  });
});
