/**
 * Headless Chromium (Debian's /usr/bin/chromium) through playwright-core.
 *
 *   const browser = await launchBrowser();
 *   const page = await newPage(browser);          // collects console errors in page.errors
 *   ...
 *   await screenshot(page, "my-page");            // test-results/my-page.png
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

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
