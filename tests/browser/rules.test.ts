/**
 * Issue 13, in a real browser: from the unmapped queue, create an environment rule, see its
 * what-if deltas, save it, then see coverage rise on the overview and the rule as the
 * explanation on the team page. Needs a build (SHOWBACK_BUILD_DIR).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { dec } from "../../app/domain/money";
import { newPage, screenshot, signIn, useBrowserApp, waitForHydration, type TrackedPage } from "../helpers/browser";
import { createUser, TEST_PASSWORD } from "../helpers/server";
import { seedVendorExample } from "../helpers/seed";

const EMAIL = "rules@example.test";
// the two search owners (sa-ghi, sa-jkl) are left unmapped: 16.00 of April's direct cost
const web = useBrowserApp({
  seed: async (db) => {
    await createUser(db, { email: EMAIL, role: "finance_admin" });
    await seedVendorExample(db, { except: ["sa-ghi", "sa-jkl"] });
  },
});
let page: TrackedPage;
const APRIL = "period=custom&from=2026-04-01&to=2026-04-30&gran=monthly";

beforeAll(async () => {
  page = await newPage(web.browser);
  await signIn(page, `${web.app.url}/login`, EMAIL, TEST_PASSWORD, "/");
});

const coverage = async () => {
  await page.goto(`${web.app.url}/?${APRIL}`);
  return (await page.getByTestId("kpi-coverage").textContent())?.trim() ?? "";
};

describe("an environment rule from the unmapped queue", () => {
  it("previews its deltas, saves, raises coverage and explains the team's figures", async () => {
    const before = await coverage();
    expect(Number.parseFloat(before)).toBeLessThan(100);

    // 1. the unmapped queue lists the two owners and offers a rule for their environment
    await page.goto(`${web.app.url}/crosswalk/unmapped?month=2026-04`);
    await waitForHydration(page);
    await page.getByText("sa-ghi").first().waitFor();
    const link = page.getByTestId("env-rule-link").first();
    expect(await link.getAttribute("href")).toContain("environment_id=env-xxx");

    // 2. it opens the rules page with the rule prefilled; the team is chosen here
    await link.click();
    await page.waitForURL(/\/crosswalk\/rules\?/);
    await waitForHydration(page);
    const form = page.getByTestId("rule-form-create");
    expect(await form.locator('input[name="environment_id"]').inputValue()).toBe("env-xxx");
    expect(await form.locator('input[name="org_id"]').inputValue()).toBe("org-vendor");
    await form.locator('input[name="name"]').fill("env-xxx unclaimed to search");
    await form.locator('input[name="team"]').fill("search");
    await form.getByTestId("rule-preview-create").click();

    // 3. the what-if: search gains what was unmapped in April, unmapped loses it; nothing saved yet
    const whatIf = page.getByTestId("what-if");
    await whatIf.waitFor();
    const rows = await whatIf.getByTestId("what-if-row").allTextContents();
    // checked against the stored figures once saved (below)
    expect(rows).toHaveLength(2);
    expect((await web.app.db.query<{ n: number }>(`select count(*)::int as n from crosswalk_rules`))[0].n).toBe(0);
    await screenshot(page, "rules-what-if");

    const aprilTotal = async (team: string) =>
      (
        await web.app.db.query<{ t: string }>(
          `select to_char(coalesce(sum(total), 0), 'FM999990.0000') as t from allocation_results where team = $1 and bucket_start = '2026-04-01'`,
          [team],
        )
      )[0].t;
    const unmappedBefore = await aprilTotal("unmapped");

    // 4. save
    await page.getByTestId("what-if-save").click();
    await page.getByTestId("rule-row").first().waitFor();
    expect(await page.getByTestId("rule-name").allTextContents()).toEqual([expect.stringMatching(/^env-xxx unclaimed to search/)]);
    // the preview said exactly what saving did: April (March had no data), search up, unmapped down by the same
    const searchAfter = await aprilTotal("search");
    const moved = dec(unmappedBefore)
      .minus(dec(await aprilTotal("unmapped")))
      .toFixed(4);
    expect(searchAfter).toBe(moved); // (4-decimal figures: exact as shown)
    expect(rows).toEqual([`search$0.0000+$${searchAfter}`, `unmapped$0.0000-$${moved}`]);

    // 5. coverage rises on the overview, and the team page says why search has the cost
    // the support rows of the two owners have no environment: they stay unmapped
    const after = await coverage();
    expect(Number.parseFloat(after)).toBeGreaterThan(Number.parseFloat(before));
    await page.goto(`${web.app.url}/teams/search?${APRIL}`);
    const explained = await page.getByTestId("mapped-by").allTextContents();
    expect(explained.some((t) => t.includes('rule "env-xxx unclaimed to search" (#1)'))).toBe(true);
    await screenshot(page, "rules-team-explained");
    expect(page.errors).toEqual([]);
  });
});
