/**
 * Month-end in Chromium: enter the invoice figure, see the status turn `matched`, close the
 * month and see the "closed" badge on the reconciliation page and on the overview.
 * Needs a build (SHOWBACK_BUILD_DIR).
 */
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { newPage, screenshot, signIn, useBrowserApp, waitForHydration } from "../helpers/browser";
import { seedVendorExample } from "../helpers/seed";
import { TEST_PASSWORD, TEST_USERS, createUser } from "../helpers/server";

async function seed(db: Db) {
  await seedVendorExample(db);
  await createUser(db, { email: TEST_USERS.finance_admin, role: "finance_admin" });
}

const web = useBrowserApp({ seed });

describe("month-end in a browser", () => {
  it("enters the invoice, sees matched, closes the month and sees the closed badge", async () => {
    const page = await newPage(web.browser);
    await signIn(
      page,
      `${web.app.url}/login?redirectTo=${encodeURIComponent("/reconciliation")}`,
      TEST_USERS.finance_admin,
      TEST_PASSWORD,
      "/reconciliation",
    );
    await page.getByRole("heading", { name: "Reconciliation" }).waitFor();
    await waitForHydration(page);

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
    await page.goto(`${web.app.url}/`);
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    const periods = page.getByTestId("period-status");
    await periods.waitFor();
    await expect.poll(() => periods.textContent()).toMatch(/closed/);
    await screenshot(page, "overview-closed");
    expect(page.errors.filter((e) => !/favicon/i.test(e))).toEqual([]);
  });
});
