/**
 * Month-end files and the close pack in Chromium: from /reconciliation, download the FOCUS 1.2
 * CSV and the GL journal through their links and tie them to the export total the page shows
 * (Σ BilledCost; total debits = total credits), then open the close pack through its link, check
 * its sections, and print it: in print media the navigation and the buttons are gone, and
 * `page.pdf()` gives a PDF. Needs a build (SHOWBACK_BUILD_DIR).
 *
 * Columns are found by name (the FOCUS and journal layouts are documented in
 * docs/focus-mapping.md and docs/journal.md; app/domain/journal.ts JOURNAL_HEADER).
 */
import { mkdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "csv-parse/sync";
import type { Download, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { Decimal } from "../../app/domain/money";
import { newPage, RESULTS_DIR, screenshot, signIn, useBrowserApp, waitForHydration } from "../helpers/browser";
import { seedVendorExample } from "../helpers/seed";
import { TEST_PASSWORD, TEST_USERS, createUser } from "../helpers/server";

async function seed(db: Db) {
  await seedVendorExample(db); // org-vendor, April 2026: export total 27.50
  await createUser(db, { email: TEST_USERS.viewer, role: "viewer" });
}

const web = useBrowserApp({ seed });

/** Clicks the link and returns the downloaded file's name and text. */
async function download(page: Page, linkName: string): Promise<{ name: string; text: string }> {
  const [d] = (await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: linkName, exact: true }).click()])) as [
    Download,
    unknown,
  ];
  const file = await d.path();
  return { name: d.suggestedFilename(), text: await readFile(file, "utf8") };
}

/** The CSV as records keyed by the header row (the header is returned too). */
function records(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const [header, ...lines] = parse(text, { bom: true }) as string[][];
  return { header: header!, rows: lines.map((l) => Object.fromEntries(header!.map((h, i) => [h, l[i] ?? ""]))) };
}

const total = (rows: Array<Record<string, string>>, col: string) => rows.reduce((s, r) => s.plus(r[col] || "0"), new Decimal(0));

describe("close pack in a browser", () => {
  it("downloads the FOCUS CSV and the GL journal, opens the close pack and prints it", async () => {
    const page = await newPage(web.browser);
    await signIn(
      page,
      `${web.app.url}/login?redirectTo=${encodeURIComponent("/reconciliation?month=2026-04")}`,
      TEST_USERS.viewer,
      TEST_PASSWORD,
      "/reconciliation",
    );
    await page.getByRole("heading", { name: "Reconciliation" }).waitFor();
    await waitForHydration(page);

    // the export total the page shows for all organizations ("$27.50")
    const shown = (await page.getByTestId("reconciliation-table").locator('tr[data-org="ALL"] td').nth(1).textContent())!;
    const exportTotal = new Decimal(shown.replace(/[$,]/g, ""));
    expect(exportTotal.toFixed(2)).toBe("27.50");
    await expect.poll(() => page.getByTestId("downloads-note").textContent()).toMatch(/no spreadsheet formula guard/);

    // FOCUS 1.2 (CSV): Σ BilledCost = the export total
    const focus = await download(page, "FOCUS 1.2 (CSV)");
    expect(focus.name).toMatch(/2026-04.*\.csv$/);
    const f = records(focus.text);
    for (const col of ["BilledCost", "BillingAccountId", "BillingPeriodStart", "ChargePeriodStart"]) expect(f.header).toContain(col);
    expect(f.rows.length).toBeGreaterThan(0);
    expect(new Set(f.rows.map((r) => r.BillingAccountId))).toEqual(new Set(["org-vendor"]));
    expect(total(f.rows, "BilledCost").toFixed(2)).toBe(exportTotal.toFixed(2));

    // GL journal (CSV), double entry: total debits = the export total, Σ debit = Σ credit
    const journal = await download(page, "GL journal (CSV)");
    expect(journal.name).toMatch(/2026-04.*\.csv$/);
    const j = records(journal.text);
    expect(j.header).toContain("debit");
    expect(j.header).toContain("credit");
    expect(j.rows.length).toBeGreaterThanOrEqual(2);
    const debits = total(j.rows, "debit");
    expect(debits.toFixed(2)).toBe(exportTotal.toFixed(2));
    expect(total(j.rows, "credit").eq(debits)).toBe(true);

    // the close pack, through its link
    await page.getByRole("link", { name: "Close pack", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/reconciliation/close-pack" && u.searchParams.get("month") === "2026-04");
    await page.getByRole("heading", { name: "Close pack · 2026-04" }).waitFor();
    for (const h of [
      "1. Reconciliation",
      "2. Coverage",
      "3. Cost centers: 2026-04 against 2026-03",
      "4. Restatements since close",
      "5. Closes",
    ]) {
      await expect.poll(() => page.getByRole("heading", { name: h, exact: true }).isVisible()).toBe(true);
    }
    const pack = page.getByTestId("close-pack");
    expect(
      await pack.getByTestId("cp-reconciliation-table").locator('tr[data-org="org-vendor"] td[data-col="export_total"]').textContent(),
    ).toBe("$27.5000");
    expect(
      await pack.getByTestId("cp-cost-centers-table").locator('tr[data-cost-center="ALL"] td[data-col="total"]').getAttribute("data-value"),
    ).toBe("27.5");
    expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Print / Save as PDF" }).isVisible()).toBe(true);
    await screenshot(page, "close-pack");

    // print media: no navigation, no buttons; the header and the sections stay
    await page.emulateMedia({ media: "print" });
    expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(false);
    expect(await page.getByTestId("close-pack-toolbar").isVisible()).toBe(false);
    expect(await page.locator("button:visible").count()).toBe(0);
    expect(await page.getByTestId("close-pack-header").isVisible()).toBe(true);
    expect(await page.getByTestId("cp-closes").isVisible()).toBe(true);
    // the content starts at the page's left edge (the sidebar's margin is gone)
    expect(await page.locator("main").evaluate((e) => getComputedStyle(e).marginLeft)).toBe("0px");
    expect(await page.getByTestId("cp-reconciliation").evaluate((e) => getComputedStyle(e.querySelector("section")!).breakInside)).toBe(
      "avoid",
    );

    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    mkdirSync(RESULTS_DIR, { recursive: true });
    await writeFile(path.join(RESULTS_DIR, "close-pack.pdf"), pdf);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(10_000);
    const pages = pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(1);

    await page.emulateMedia({ media: "screen" });
    expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(true);
    expect(page.errors.filter((e) => !/favicon/i.test(e))).toEqual([]);
  });
});
