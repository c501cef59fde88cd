/**
 * Headless Chromium (Debian's /usr/bin/chromium) through playwright-core.
 *
 *   const browser = await launchBrowser();
 *   const page = await newPage(browser);          // collects console errors in page.errors
 *   ...
 *   await screenshot(page, "my-page");            // test-results/my-page.png
 *   await signIn(page, `${app.url}/login`, email, password, "/");
 *
 * Or, for a whole test file: `const web = useBrowserApp({ seed })` starts the test server and
 * Chromium in beforeAll (web.app, web.browser) and closes both in afterAll.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startTestServer, type StartTestServerOptions, type TestServer } from "./server";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const RESULTS_DIR = path.resolve("test-results");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export type TrackedPage = Page & { errors: string[] };

/** A page (1440×900) that records console errors, CSP violations and uncaught exceptions. */
export async function newPage(browser: Browser): Promise<TrackedPage> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = (await context.newPage()) as TrackedPage;
  page.errors = [];
  page.on("console", (m) => {
    if (m.type() === "error") page.errors.push(m.text());
  });
  page.on("pageerror", (e) => page.errors.push(`pageerror: ${e.message}`));
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Resolves once Remix has hydrated the page (its handlers are attached). */
export function waitForHydration(page: Page): Promise<unknown> {
  return page.waitForFunction(() => "__remixContext" in window && document.readyState === "complete");
}

/**
 * Opens `url` (the sign-in page, or one that shows it), signs in through the form once it is
 * hydrated, and waits until the browser lands on `landing` (a pathname).
 */
export async function signIn(page: Page, url: string, email: string, password: string, landing: string): Promise<void> {
  await page.goto(url);
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === landing);
}

export interface BrowserApp {
  readonly app: TestServer;
  readonly browser: Browser;
}

/** Starts the test server (tests/helpers/server.ts) then Chromium in beforeAll; closes Chromium then the server in afterAll. */
export function useBrowserApp(opts: StartTestServerOptions = {}): BrowserApp {
  let app: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    app = await startTestServer(opts);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("useBrowserApp: read before beforeAll started the server and the browser");
    return v;
  };
  return {
    get app() {
      return ready(app);
    },
    get browser() {
      return ready(browser);
    },
  };
}
