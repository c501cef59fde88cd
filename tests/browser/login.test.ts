/** Signs in through the real form in Chromium and reaches the overview. Needs `npm run build`. */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { newPage, screenshot, useBrowserApp } from "../helpers/browser";
import { createUser, TEST_PASSWORD } from "../helpers/server";

const web = useBrowserApp({
  seed: async (db) => {
    await createUser(db, { email: "finance@example.test", role: "finance_admin" });
  },
});

describe("sign-in in a browser", () => {
  it("signs in through the form, reaches the overview, and signs out", async () => {
    const page = await newPage(web.browser);
    await page.goto(`${web.app.url}/admin/users`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.waitForFunction(() => "__remixContext" in window && document.readyState === "complete");
    await screenshot(page, "login");

    // a wrong password first: the generic message, no navigation
    await page.getByLabel("Email").fill("finance@example.test");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Invalid email or password.");

    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/admin/users");
    await page.getByRole("heading", { name: "Users" }).waitFor();

    await page.getByRole("link", { name: "Overview" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    expect(await page.getByTestId("current-user").textContent()).toBe("finance@example.test");
    expect(await page.getByTestId("current-role").textContent()).toBe("Finance admin");
    for (const label of [
      "Teams",
      "Organizations",
      "Reconciliation",
      "Imports",
      "Crosswalk",
      "Teams & cost centers",
      "Org settings",
      "Users",
      "Audit log",
    ]) {
      await expect
        .poll(() => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }).count())
        .toBe(1);
    }
    const file = await screenshot(page, "overview");
    expect(existsSync(file)).toBe(true);

    // no CSP violation or script error: the nonce reached every inline script
    // (the 401 of the deliberately wrong password is expected)
    expect(page.errors.filter((e) => !/favicon|status of 401/i.test(e))).toEqual([]);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((u) => u.pathname === "/login");
    await page.goto(`${web.app.url}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
  });
});
