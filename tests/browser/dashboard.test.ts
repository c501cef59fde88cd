/**
 * Dashboards in Chromium: sign in, overview (chart drawn after hydration), change a filter
 * (URL + back button), follow a team link, download the CSV; screenshots in test-results/.
 * Needs SHOWBACK_BUILD_DIR=build-dash npm run build.
 */
import { readFile } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, screenshot, type TrackedPage } from "../helpers/browser";
import { createUser, startTestServer, TEST_PASSWORD, type TestServer } from "../helpers/server";
import { seedDashboard } from "../integration/dashboard-fixture";

let app: TestServer;
let browser: Browser;
let page: TrackedPage;

beforeAll(async () => {
  process.env.SHOWBACK_NOW = "2026-05-01T09:00:00Z";
  app = await startTestServer({
    seed: async (db) => {
      await seedDashboard(db);
      await createUser(db, { email: "lead@example.test", role: "viewer" });
    },
  });
  browser = await launchBrowser();
  page = await newPage(browser);
});
afterAll(async () => {
  delete process.env.SHOWBACK_NOW;
  await browser?.close();
  await app?.close();
});

describe("dashboards", () => {
  it("sign in, overview, filters, team page, CSV", async () => {
    await page.goto(`${app.url}/`);
    await page.waitForURL(/\/login/);
    await page.fill('input[name="email"]', "lead@example.test");
    await page.fill('input[name="password"]', TEST_PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.click('button[type="submit"]')]);

    // default: the trend anchored on the data (through April 2026), not on the clock (May 2026)
    await page.waitForSelector('[data-testid="spend-chart"] .recharts-bar-rectangle', { state: "attached" });
    expect(await page.textContent('[data-testid="range-label"]')).toContain("May 2025 – Apr 2026");
    expect(await page.textContent('[data-testid="kpi-total"]')).toMatch(/\$[\d,]+\.\d{2}/);
    expect(await page.locator('[data-testid="group-row"]').count()).toBeGreaterThan(3);
    expect(await page.textContent('[data-testid="trust-bar"]')).toContain("org-vendor");
    await screenshot(page, "dashboard-overview");

    // change a filter: granularity daily over the last 3 months → URL changes, more periods
    await page.selectOption("#f-period", "last-3-months");
    await page.waitForURL(/period=last-3-months/);
    await page.locator('label:has(input[name="gran"][value="daily"])').click();
    await page.waitForURL(/gran=daily/);
    await page.waitForSelector('[data-testid="spend-chart"] .recharts-bar-rectangle', { state: "attached" });
    expect(await page.textContent('[data-testid="range-label"]')).toContain("Feb 2026 – Apr 2026");
    await screenshot(page, "dashboard-overview-daily");
    await page.goBack();
    await page.waitForURL((u) => !u.search.includes("gran=daily"));

    // group by cost center
    await page.selectOption("#f-by", "cost_center");
    await page.waitForURL(/by=cost_center/);
    await page.waitForSelector('[data-testid="group-row"] >> text=CC-100');
    await screenshot(page, "dashboard-overview-cost-centers");
    await page.click('[data-testid="group-row"] a:text-is("CC-100")');
    await page.waitForURL(/\/cost-centers\/CC-100/);
    await page.waitForSelector('[data-testid="trend-chart"] .recharts-bar-rectangle', { state: "attached" });
    await screenshot(page, "dashboard-cost-center");
    // the breadcrumb leads to the cost-center list, reached from the sidebar too
    await page.click('nav[aria-label="Breadcrumb"] a:text-is("cost centers")');
    await page.waitForURL((u) => u.pathname === "/cost-centers");
    await page.waitForSelector('[data-testid="cost-center-row"] a:text-is("CC-100")');
    expect(await page.textContent('[data-testid="cost-centers-table"]')).toContain("unassigned");
    await screenshot(page, "dashboard-cost-centers");

    // team page from /teams
    await page.goto(`${app.url}/teams?period=last-3-months&gran=monthly`);
    await screenshot(page, "dashboard-teams");
    await page.click('[data-testid="team-row"] a:text-is("payments")');
    await page.waitForURL(/\/teams\/payments/);
    await page.waitForSelector('[data-testid="trend-chart"] .recharts-bar-rectangle', { state: "attached" });
    expect(await page.textContent('[data-testid="by-metric"]')).toContain("kafka");
    expect(await page.textContent('[data-testid="crosswalk-entries"]')).toContain("sa-abc");
    await screenshot(page, "dashboard-team");

    await page.goto(`${app.url}/teams/unmapped?period=last-3-months&gran=monthly`);
    expect(await page.locator('a[href="/crosswalk/unmapped"]').count()).toBeGreaterThan(0);
    await screenshot(page, "dashboard-unmapped");

    await page.goto(`${app.url}/orgs`);
    await screenshot(page, "dashboard-orgs");
    await page.click('[data-testid="org-row"] a:text-is("org-vendor")');
    await page.waitForURL(/\/orgs\/org-vendor/);
    await screenshot(page, "dashboard-org");

    // CSV download from the overview
    await page.goto(`${app.url}/?period=last-3-months&gran=monthly&sort=group&dir=asc`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="csv-download"]')]);
    const csv = await readFile((await download.path())!, "utf8");
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe(
      "group,direct_cost,unallocated_share,total_cost,share_of_total,previous_total_cost,change,period_from,period_to,granularity,org_ids",
    );
    expect(lines[1]).toMatch(/^'-bad,/);
    expect(lines[2]).toMatch(/^"'=HYPERLINK/);
    expect(lines[3]).toMatch(/^'@x,/);
    expect(page.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
