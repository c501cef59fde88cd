/**
 * OIDC single sign-on in Chromium: the login page's button, the provider's own sign-in page
 * (oidc-provider in this process), and back on the app signed in with the mapped role.
 * Needs `npm run build`.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newPage, screenshot, waitForHydration } from "../helpers/browser";
import { startOidcApp, startTestIdp, type OidcApp, type TestIdp } from "../helpers/oidc-provider";
import { createUser } from "../helpers/server";

let idp: TestIdp;
let app: OidcApp;
let browser: Browser;

beforeAll(async () => {
  idp = await startTestIdp();
  app = await startOidcApp(idp, {
    env: { SHOWBACK_OIDC_ROLE_MAP: "showback-admins=finance_admin,showback-viewers=viewer" },
    seed: (db) => createUser(db, { email: "breakglass@example.test", role: "finance_admin" }).then(() => undefined),
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await idp?.stop();
});

describe("single sign-on in a browser", () => {
  it("goes to the identity provider and back, signed in with the mapped role", async () => {
    idp.users.set("kim-123", { email: "kim@example.test", email_verified: true, groups: ["showback-admins"] });
    idp.current = null; // the provider shows its sign-in form
    const page = await newPage(browser);
    // the provider's pages have no favicon (a 404 there is theirs); the app's must have no failure
    const appFailures: string[] = [];
    page.on("response", (r) => {
      if (r.url().startsWith(app.url) && r.status() >= 400 && !r.url().includes("favicon")) appFailures.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${app.url}/admin/users`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await waitForHydration(page);
    expect(await page.getByText("break-glass").count()).toBe(1);
    await screenshot(page, "login-sso");

    await page.getByRole("link", { name: "Sign in with single sign-on" }).click();
    await page.waitForURL((u) => u.origin === idp.issuer && u.pathname.startsWith("/interaction/"));
    await page.getByLabel("Username").fill("kim-123");
    await page.getByRole("button", { name: "Continue" }).click();

    await page.waitForURL((u) => u.origin === app.url && u.pathname === "/admin/users");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    expect(await page.getByTestId("current-user").textContent()).toBe("kim@example.test");
    expect(await page.getByTestId("current-role").textContent()).toBe("Finance admin");
    await screenshot(page, "sso-signed-in");
    expect(appFailures).toEqual([]);
    expect(page.errors.filter((e) => !/favicon|status of 404/i.test(e))).toEqual([]); // no CSP violation or script error

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((u) => u.pathname === "/login");

    // removed from the group at the provider: the next sign-in (the provider remembers Kim) is refused
    idp.users.set("kim-123", { email: "kim@example.test", email_verified: true, groups: [] });
    await waitForHydration(page);
    await page.getByRole("link", { name: "Sign in with single sign-on" }).click();
    await page.waitForURL((u) => u.origin === app.url && u.pathname === "/login" && u.searchParams.get("error") === "sso_refused");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("no access to Showback");
  });
});
