/**
 * Layout at a common laptop width (1440 × 900), issue 16: the sidebar's dark background reaches
 * the bottom of long pages, and no table hides a column: every cell of the imports list and the
 * unmapped queue (its cost-center input included) lies inside the visible part of its table.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, screenshot, type TrackedPage } from "../helpers/browser";
import { createUser, startTestServer, TEST_PASSWORD, type TestServer } from "../helpers/server";
import { seedDashboard } from "../integration/dashboard-fixture";

let app: TestServer;
let browser: Browser;
let page: TrackedPage;

beforeAll(async () => {
  app = await startTestServer({
    seed: async (db) => {
      await seedDashboard(db);
      await createUser(db, { email: "layout@example.test", role: "finance_admin" });
    },
  });
  browser = await launchBrowser();
  page = await newPage(browser);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${app.url}/login`);
  await page.fill('input[name="email"]', "layout@example.test");
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.click('button[type="submit"]')]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Cells whose right edge lies beyond the visible box of their table's container, as "table: header". */
function hiddenCells(p: TrackedPage, testId: string) {
  return p.evaluate((id) => {
    const table = document.querySelector(`[data-testid="${id}"]`);
    if (!table) return [`no table ${id}`];
    // the box the reader sees: the nearest ancestor that clips
    let box: Element | null = table.parentElement;
    while (box && getComputedStyle(box).overflowX === "visible") box = box.parentElement;
    const visible = (box ?? document.documentElement).getBoundingClientRect();
    const right = Math.min(visible.right, window.innerWidth);
    const out: string[] = [];
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim() ?? "");
    for (const row of [...table.querySelectorAll("tr")].slice(0, 5)) {
      [...row.children].forEach((cell, i) => {
        const r = cell.getBoundingClientRect();
        if (r.width > 0 && r.right > right + 1)
          out.push(
            `${id}: ${heads[i] ?? i} (right ${Math.round(r.right)} > ${Math.round(right)}; widths ${[...row.children].map((c) => Math.round(c.getBoundingClientRect().width)).join(",")})`,
          );
      });
    }
    return out;
  }, testId);
}

describe("layout at 1440 px", () => {
  it("the imports list and the unmapped queue show every column", async () => {
    await page.goto(`${app.url}/imports`);
    await page.waitForSelector('[data-testid="imports-table"]');
    await screenshot(page, "layout-imports");
    expect(await hiddenCells(page, "imports-table")).toEqual([]);
    await page.goto(`${app.url}/crosswalk/unmapped?month=2026-04`);
    await page.waitForSelector('[data-testid="unmapped-table"]');
    await screenshot(page, "layout-unmapped");
    expect(await hiddenCells(page, "unmapped-table")).toEqual([]);
  });

  it("the sidebar's background reaches the bottom of a long page", async () => {
    await page.goto(`${app.url}/teams/payments?period=custom&from=2026-03-01&to=2026-04-30&gran=daily`);
    await page.waitForSelector('[data-testid="trend-chart"]');
    const m = await page.evaluate(() => {
      window.scrollTo(0, 0);
      const aside = document.querySelector("aside")!;
      const bg = aside.closest("[data-sidebar]") ?? aside;
      return {
        page: document.documentElement.scrollHeight,
        view: window.innerHeight,
        bottom: bg.getBoundingClientRect().bottom + window.scrollY,
        color: getComputedStyle(bg).backgroundColor,
      };
    });
    expect(m.page).toBeGreaterThan(m.view); // a long page
    // measured at the top of the page: a fixed sidebar would end at the viewport's bottom
    expect(m.bottom).toBeGreaterThanOrEqual(m.page - 1);
    expect(m.color).not.toBe("rgba(0, 0, 0, 0)");
    await page.screenshot({ path: "test-results/layout-team-full.png", fullPage: true });
  });

  it("every page of the sidebar loads without a script error (no server code in the browser bundle)", async () => {
    const links = await page.locator('nav[aria-label="Main"] a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).pathname));
    expect(links).toEqual(expect.arrayContaining(["/anomalies", "/admin/budgets", "/admin/gl-accounts"]));
    for (const path of links) {
      page.errors.length = 0;
      await page.goto(`${app.url}${path}`);
      await page.waitForFunction(() => "__remixContext" in window && document.readyState === "complete");
      await page.waitForTimeout(100);
      expect(page.errors, path).toEqual([]);
    }
  });
});
