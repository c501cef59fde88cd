/**
 * The close pack over HTTP against the built app (SHOWBACK_BUILD_DIR), both engines:
 * /reconciliation/close-pack?month=2026-04 for two organizations, org-vendor closed and then
 * restated by a changed export, org-b open with an owner unmapped; the cost centers against
 * March (org-vendor only). Also the close pack link and the downloads on /reconciliation.
 *
 * Figures (the vendor's worked example, proportional policy, shares in 0.0001 units by largest
 * remainder; docs/allocation.md):
 * - April org-vendor (frozen at close): direct 33, U −5.50 → payments CC-100 6.01565,
 *   search CC-200 13.75, platform CC-300 5.1562, analytics (no cost center: unassigned) 2.57815.
 * - April org-b (sa-jkl unmapped): payments 6.01565, search 8.164075, platform 5.1562,
 *   analytics 2.57815, unmapped 5.585925 (coverage 1 − 5.585925 / 27.5 = 0.7969).
 * - March org-vendor (the example with U −3.30): payments 6.49685, search 14.85,
 *   platform 5.5688, analytics 2.78435.
 * - The restatement (Flink 3.00 → 4.00 after the close): payments 6.05095, search 13.8309,
 *   platform 5.1866, analytics 3.43155, i.e. deltas +0.0353, +0.0809, +0.0304, +0.8534 (Σ 1.00).
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { Decimal } from "../../app/domain/money";
import { importCrosswalk } from "../../app/services/crosswalk";
import { setInvoice } from "../../app/services/invoices";
import { closeMonth } from "../../app/services/month-close";
import { ingestMonthly, seedVendorExample, VENDOR_EXPORT, vendorCrosswalk } from "../helpers/seed";
import { useTestServer } from "../helpers/server";

const CLOSER = "closer@example.test";
let restatementImportId = 0;

async function writeVariant(dir: string, name: string, edit: (text: string) => string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, edit(await readFile(VENDOR_EXPORT, "utf8")));
  return file;
}

async function seed(db: Db) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "showback-cp-"));
  const imported = (r: Awaited<ReturnType<typeof ingestMonthly>>, what: string) => {
    if (r.status !== "imported") throw new Error(`${what}: ${JSON.stringify(r).slice(0, 500)}`);
    return (r as { importId: number }).importId;
  };
  await seedVendorExample(db); // org-vendor, April
  const march = await writeVariant(dir, "march.csv", (t) =>
    t
      .replaceAll("2026-04-01T00:00:00Z", "2026-03-01T00:00:00Z")
      .replace("PromotionalCredit,USD,-5.50,-5.50,0", "PromotionalCredit,USD,-3.30,-3.30,0"),
  );
  imported(await ingestMonthly(db, { filePath: march }), "org-vendor March");

  await db.query(`insert into organizations (org_id, display_name) values ('org-b', 'Org B')`);
  const entries = (await vendorCrosswalk({ except: ["sa-jkl"] })).map((e) => ({ ...e, orgId: "org-b" }));
  await importCrosswalk(db, "seed", entries, "merge");
  imported(await ingestMonthly(db, { orgId: "org-b" }), "org-b April");

  await setInvoice(db, "admin@example.test", { orgId: "org-vendor", month: "2026-04", amount: "27.50" });
  await closeMonth(db, CLOSER, { orgId: "org-vendor", month: "2026-04", reason: "April tie-out" });
  const restated = await writeVariant(dir, "restated.csv", (t) =>
    t.replace("FlinkNumCFUs,CFU-minute,3.00,3.00,1", "FlinkNumCFUs,CFU-minute,4.00,4.00,1"),
  );
  restatementImportId = imported(await ingestMonthly(db, { filePath: restated }), "org-vendor April restated");
}

const server = useTestServer({ seed, roles: ["viewer"] });

/** The HTML of the table with data-testid `testId`. */
function table(html: string, testId: string): string {
  const at = html.indexOf(`data-testid="${testId}"`);
  expect(at, `table ${testId}`).toBeGreaterThan(-1);
  return html.slice(at, html.indexOf("</table>", at));
}

/** The HTML of the row carrying `attr` (e.g. data-org="org-b") in `scope`. */
function row(scope: string, attr: string): string {
  const at = scope.indexOf(attr);
  expect(at, `row ${attr}`).toBeGreaterThan(-1);
  return scope.slice(at, scope.indexOf("</tr>", at));
}

/** The exact figure (data-value) of the cell `col` in a row. */
function value(rowHtml: string, col: string): string {
  const m = new RegExp(`data-col="${col}" data-value="([^"]*)"`).exec(rowHtml);
  expect(m, `cell ${col}`).not.toBeNull();
  return m![1]!;
}

describe("/reconciliation/close-pack", () => {
  it("shows the reconciliation and its checks, coverage, cost centers against March, the restatement and the closer", async () => {
    const res = await server.viewer.get("/reconciliation/close-pack?month=2026-04");
    expect(res.status).toBe(200);
    const html = await res.text();

    // header: product, month, generation time
    expect(html).toContain("Close pack · <!-- -->2026-04");
    expect(html).toContain("Showback<!-- --> · Confluent Cloud chargeback");
    expect(html).toMatch(/Generated <!-- -->\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC<!-- --> by <!-- -->viewer@example\.test/);
    // print rules: the app's sidebar goes, sections are not split, the page footer names the month
    expect(html).toContain("aside { display: none !important; }");
    expect(html).toContain("break-inside: avoid");
    expect(html).toContain('@bottom-left { content: "Showback · close pack 2026-04"');
    expect(html).toMatch(/class="[^"]*print:hidden[^"]*" data-testid="close-pack-toolbar"/);

    // 1. reconciliation: current data (org-vendor's export is 28.50 after the restatement; the allocation stays frozen)
    const rec = table(html, "cp-reconciliation-table");
    const vendor = row(rec, 'data-org="org-vendor"');
    expect([value(vendor, "export_total"), value(vendor, "invoice_subtotal"), value(vendor, "variance")]).toEqual([
      "28.5000",
      "27.5000",
      "1.0000",
    ]);
    expect(vendor).toContain("+$1.0000");
    expect(vendor).toContain('data-status="mismatch"');
    expect(vendor).toContain('data-testid="cp-closed-org-vendor"');
    expect(vendor).toMatch(/data-check="allocated_equals_export" data-check-status="fail"/);
    expect(vendor).toContain("allocated total 27.5000 differs from export total 28.5000");
    const orgB = row(rec, 'data-org="org-b"');
    expect([value(orgB, "export_total"), value(orgB, "invoice_subtotal"), value(orgB, "variance")]).toEqual(["27.5000", "", ""]);
    expect(orgB).toContain('data-status="no_invoice"');
    expect(orgB).toContain("Org B");
    expect(orgB).toMatch(/data-check="buckets_complete" data-check-status="pass"/);
    expect(orgB).toMatch(/data-check="allocated_equals_export" data-check-status="pass"/);
    expect(orgB).toMatch(/data-check="coverage" data-check-status="fail"/);
    const all = row(rec, 'data-org="ALL"');
    expect(value(all, "export_total")).toBe("56.0000");
    expect(all).toContain('data-status="no_invoice"');
    expect(all).toContain("not passing: org-vendor (fail)");

    // 2. coverage
    const cov = table(html, "cp-coverage-table");
    expect(value(row(cov, 'data-org="org-b"'), "unmapped")).toBe("5.585925");
    expect(value(row(cov, 'data-org="org-b"'), "coverage")).toBe("0.7969");
    expect(row(cov, 'data-org="org-b"')).toContain("79.69%");
    expect(value(row(cov, 'data-org="org-vendor"'), "coverage")).toBe("1.0000");
    expect(value(row(cov, 'data-org="ALL"'), "coverage")).toBe("0.9003"); // 1 − 5.585925 / 56

    // 3. cost centers: April (org-vendor frozen + org-b) against March (org-vendor)
    const cc = table(html, "cp-cost-centers-table");
    expect(cc).toContain(">2026-04</th>");
    expect(cc).toContain(">2026-03</th>");
    const centers = [...cc.matchAll(/data-cost-center="([^"]+)"/g)].map((m) => m[1]);
    expect(centers).toEqual(["CC-100", "CC-200", "CC-300", "unassigned", "unmapped", "ALL"]);
    const figures = Object.fromEntries(
      centers.map((c) => {
        const r = row(cc, `data-cost-center="${c}"`);
        return [c, [value(r, "total"), value(r, "previous_total"), value(r, "change"), value(r, "change_pct")]];
      }),
    );
    expect(figures).toEqual({
      "CC-100": ["12.0313", "6.49685", "5.53445", "85.19"],
      "CC-200": ["21.914075", "14.85", "7.064075", "47.57"],
      "CC-300": ["10.3124", "5.5688", "4.7436", "85.18"],
      unassigned: ["5.1563", "2.78435", "2.37195", "85.19"], // the frozen analytics total, not the restated one
      unmapped: ["5.585925", "0", "5.585925", ""],
      ALL: ["55", "29.7", "25.3", "85.19"],
    });
    expect(row(cc, 'data-cost-center="CC-200"')).toContain("$21.914075");
    expect(row(cc, 'data-cost-center="CC-200"')).toContain("+47.57 %");
    expect(row(cc, 'data-cost-center="unmapped"')).toMatch(/data-col="change_pct" data-value="">—</);

    // 4. restatements since close: the changed export, pending, with its per-team deltas
    const rs = table(html, "cp-restatements-table");
    expect(rs).toContain(`import #${restatementImportId}<`);
    expect(rs).toContain("pending");
    const deltas = Object.fromEntries(
      ["analytics", "payments", "platform", "search"].map((t) => {
        const r = row(rs, `data-team="${t}"`);
        return [t, [value(r, "old"), value(r, "new"), value(r, "delta")].map((v) => new Decimal(v).toFixed())];
      }),
    );
    expect(deltas).toEqual({
      analytics: ["2.57815", "3.43155", "0.8534"],
      payments: ["6.01565", "6.05095", "0.0353"],
      platform: ["5.1562", "5.1866", "0.0304"],
      search: ["13.75", "13.8309", "0.0809"],
    });
    expect(row(rs, 'data-team="analytics"')).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);

    // 5. who closed, when, why
    const closes = table(html, "cp-closes-table");
    const closed = row(closes, 'data-org="org-vendor"');
    expect(closed).toMatch(/data-col="closed_by">closer@example\.test</);
    expect(closed).toMatch(/data-col="reason">April tie-out</);
    expect(closed).toMatch(/data-col="closed_at" data-value="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"/);
    expect(closed).toContain('data-status="matched"'); // what the reconciliation said at close
    expect(value(closed, "export_total_at_close")).toBe("27.5000");
    expect(value(closed, "variance_at_close")).toBe("0.0000");
    expect(row(closes, 'data-org="org-b"')).toMatch(/data-col="state"><span[^>]*>open</);
    expect(row(closes, 'data-org="org-b"')).toMatch(/data-col="closed_by">—</);
  });

  it("defaults to the reconciliation page's month; a previous month with nothing closed has no restatements", async () => {
    const html = await (await server.viewer.get("/reconciliation/close-pack")).text();
    expect(html).toContain('data-month="2026-04"');
    const march = await (await server.viewer.get("/reconciliation/close-pack?month=2026-03")).text();
    expect(march).toContain('data-testid="cp-no-restatements"');
    expect(value(row(table(march, "cp-cost-centers-table"), 'data-cost-center="ALL"'), "total")).toBe("29.7");
  });

  it("answers 400 to a bad month and sends anonymous visitors to sign in", async () => {
    for (const m of ["2026-13", "April", "2026-4"]) {
      expect((await server.viewer.get(`/reconciliation/close-pack?month=${m}`)).status).toBe(400);
    }
    const anon = await server.app.anonymous().get("/reconciliation/close-pack?month=2026-04");
    expect(anon.status).toBe(302);
    expect(anon.headers.get("location")).toMatch(/^\/login/);
  });

  it("/reconciliation links the close pack and names each download, for all organizations and per org", async () => {
    const html = await (await server.viewer.get("/reconciliation?month=2026-04")).text();
    expect(html).toContain('href="/reconciliation/close-pack?month=2026-04"');
    const dl = html.slice(html.indexOf('data-testid="downloads"'));
    for (const [label, p] of [
      ["FOCUS 1.2 (CSV)", "/finance/focus.csv"],
      ["FOCUS 1.2 (Parquet)", "/finance/focus.parquet"],
      ["FOCUS metadata (JSON)", "/finance/focus-metadata.json"],
      ["GL journal (CSV)", "/finance/journal.csv"],
    ]) {
      expect(dl).toContain(`href="${p}?month=2026-04" download="">${label}</a>`);
      for (const org of ["org-b", "org-vendor"])
        expect(dl).toContain(`href="${p}?month=2026-04&amp;org=${org}" aria-label="${label} for ${org}"`);
    }
    expect(dl).toMatch(/no spreadsheet formula guard/);
    expect(dl).toMatch(/neutralise cells that would start a formula/);
  });

  it("each download names its file, answers 400 to a bad month and 404 to an unknown organization", async () => {
    for (const [p, name, type] of [
      ["/finance/focus.csv", "focus-2026-04-org-b.csv", "text/csv"],
      ["/finance/focus.parquet", "focus-2026-04-org-b.parquet", "application/vnd.apache.parquet"],
      ["/finance/focus-metadata.json", "focus-2026-04-org-b-metadata.json", "application/json"],
      ["/finance/journal.csv", "chargeback-journal-2026-04-org-b.csv", "text/csv"],
    ]) {
      const ok = await server.viewer.get(`${p}?month=2026-04&org=org-b`);
      expect(ok.status, p).toBe(200);
      expect(ok.headers.get("content-disposition"), p).toBe(`attachment; filename="${name}"`);
      expect(ok.headers.get("content-type"), p).toContain(type);
      expect((await server.viewer.get(`${p}?month=2026-4`)).status, p).toBe(400);
      const unknown = await server.viewer.get(`${p}?month=2026-04&org=org-nope`);
      expect(unknown.status, p).toBe(404);
      expect(await unknown.text()).toContain("unknown organization org-nope");
    }
  });

  it("the journal download takes a posting date on or after the month's first day", async () => {
    const dates = async (q: string) => {
      const res = await server.viewer.get(`/finance/journal.csv?month=2026-04&org=org-vendor${q}`);
      expect(res.status).toBe(200);
      const [header, ...lines] = (await res.text())
        .trimEnd()
        .split("\n")
        .map((l) => l.split(","));
      const col = header!.indexOf("posting_date");
      return new Set(lines.map((l) => l[col]));
    };
    expect(await dates("")).toEqual(new Set(["2026-04-30"]));
    expect(await dates("&posting_date=2026-05-03")).toEqual(new Set(["2026-05-03"]));
    for (const bad of ["2026-03-31", "2026-02-30", "May"]) {
      const res = await server.viewer.get(`/finance/journal.csv?month=2026-04&posting_date=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(await res.text(), bad).toMatch(/posting date/);
    }
  });
});
