/**
 * Month-end in Chromium: enter the invoice figure, see the status turn `matched`, close the
 * month and see the "closed" badge on the reconciliation page and on the overview.
 * Needs a build (SHOWBACK_BUILD_DIR).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { importCrosswalk, type ImportEntry } from "../../app/services/crosswalk";
import { ingestFile } from "../../app/services/ingest";
import { launchBrowser, newPage, screenshot } from "../helpers/browser";
import { startTestServer, TEST_PASSWORD, TEST_USERS, createUser, type TestServer } from "../helpers/server";

const FIX = path.resolve(__dirname, "../fixtures/vendor-example");

async function seed(db: Db) {
  const [, ...lines] = (await readFile(path.join(FIX, "crosswalk.csv"), "utf8")).trim().split("\n");
  const entries: ImportEntry[] = lines.map((l, i) => {
    const [orgId, ownerId, team, validFrom, validTo, costCenter] = l.split(",");
    return {
      orgId: orgId!,
      ownerId: ownerId!,
      team: team!,
      validFrom: validFrom!,
      validTo: validTo || null,
      costCenter: costCenter || null,
      line: i + 2,
    };
  });
  await importCrosswalk(db, "seed", entries, "merge");
  const r = await ingestFile(db, {
    orgId: "org-vendor",
    filePath: path.join(FIX, "export-2026-04-monthly.csv"),
    granularity: "monthly",
    actor: "seed",
  });
  if (r.status !== "imported") throw new Error(JSON.stringify(r));
  await createUser(db, { email: TEST_USERS.finance_admin, role: "finance_admin" });
}

let app: TestServer;
let browser: Browser;

beforeAll(async () => {
  app = await startTestServer({ seed });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("month-end in a browser", () => {
  it("enters the invoice, sees matched, closes the month and sees the closed badge", async () => {
    const page = await newPage(browser);
    await page.goto(`${app.url}/login?redirectTo=${encodeURIComponent("/reconciliation")}`);
    await page.waitForFunction(() => "__remixContext" in window && document.readyState === "complete");
    await page.getByLabel("Email").fill(TEST_USERS.finance_admin);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/reconciliation");
    await page.getByRole("heading", { name: "Reconciliation" }).waitFor();
    await page.waitForFunction(() => "__remixContext" in window && document.readyState === "complete");

    const status = page.getByTestId("status-org-vendor");
    expect(await status.getAttribute("data-status")).toBe("no_invoice");

    await page.getByLabel("Invoice usage subtotal for org-vendor").fill("27.50");
    await page.getByRole("button", { name: "Save invoice" }).click();
    await expect.poll(() => status.getAttribute("data-status")).toBe("matched");
    expect(await page.getByRole("status").first().textContent()).toContain("$27.50");
    expect(await page.getByTestId("variance-org-vendor").textContent()).toBe("$0.0000");
    await screenshot(page, "reconciliation-matched");

    await page.getByRole("button", { name: "Close 2026-04" }).click();
    await page.getByTestId("closed-org-vendor").waitFor();
    await page.getByTestId("reopen-form-org-vendor").waitFor();
    await screenshot(page, "reconciliation-closed");

    // the overview reads month_closes: its period status shows the month closed
    await page.goto(`${app.url}/`);
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    const periods = page.getByTestId("period-status");
    await periods.waitFor();
    await expect.poll(() => periods.textContent()).toMatch(/closed/);
    await screenshot(page, "overview-closed");
    expect(page.errors.filter((e) => !/favicon/i.test(e))).toEqual([]);
  });
});
