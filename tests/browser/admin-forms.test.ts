/**
 * The New team and Add an entry forms validate in the browser with the schema the server
 * parses (app/forms/teams.ts, app/forms/crosswalk.ts): a bad value shows its message under the
 * field and nothing is posted; a good one goes through. Needs a build (SHOWBACK_BUILD_DIR).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ensureOrg } from "../../db/queries/orgs";
import { newPage, signIn, useBrowserApp, waitForHydration, type TrackedPage } from "../helpers/browser";
import { createUser, TEST_PASSWORD } from "../helpers/server";

const EMAIL = "forms@example.test";
const web = useBrowserApp({
  seed: async (db) => {
    await createUser(db, { email: EMAIL, role: "finance_admin" });
    await ensureOrg(db, "org-forms");
  },
});
let page: TrackedPage;
const posts: string[] = [];

const hydrated = () => waitForHydration(page);

beforeAll(async () => {
  page = await newPage(web.browser);
  page.on("request", (r) => {
    if (r.method() === "POST") posts.push(new URL(r.url()).pathname);
  });
  await signIn(page, `${web.app.url}/login`, EMAIL, TEST_PASSWORD, "/");
});

describe("forms validated in the browser with the server's schema", () => {
  it("New team: a pseudo-team name is refused under the field without a request; a good name is created", async () => {
    await page.goto(`${web.app.url}/admin/teams`);
    await hydrated();
    posts.length = 0;
    const form = page.getByTestId("create-team");
    await form.getByLabel("Name").fill("Unmapped");
    await form.getByRole("button", { name: "Create team" }).click();
    await expect
      .poll(() => form.getByTestId("field-error").textContent())
      .toBe('"Unmapped" is a pseudo-team name and cannot be used for a team.');
    expect(await form.getByLabel("Name").getAttribute("aria-invalid")).toBe("true");
    expect(posts).toEqual([]);
    expect((await web.app.db.query(`select count(*)::int as n from teams`))[0]).toEqual({ n: 0 });

    // typing revalidates: the message goes away
    await form.getByLabel("Name").fill("payments");
    await expect.poll(() => form.getByTestId("field-error").count()).toBe(0);
    await form.getByRole("button", { name: "Create team" }).click();
    await page.getByText('Team "payments" created.').waitFor();
    expect(posts).toEqual(["/admin/teams"]);
  });

  it("Add an entry: an end before the start is refused under the field without a request", async () => {
    await page.goto(`${web.app.url}/crosswalk`);
    await hydrated();
    posts.length = 0;
    const form = page.getByTestId("create-entry");
    await form.getByLabel("Organization").fill("org-forms");
    await form.getByLabel("Owner id").fill("sa-forms");
    await form.getByLabel("Team", { exact: true }).fill("payments");
    await form.getByLabel("Valid from").fill("2026-05-01");
    await form.getByLabel("Valid to").fill("2026-04-01");
    await form.getByRole("button", { name: "Add entry" }).click();
    await expect.poll(() => form.getByTestId("field-error").textContent()).toBe("valid_to 2026-04-01 must be after valid_from 2026-05-01");
    expect(await form.getByLabel("Valid to").getAttribute("aria-invalid")).toBe("true");
    expect(posts).toEqual([]);

    await form.getByLabel("Valid to").fill("");
    await form.getByRole("button", { name: "Add entry" }).click();
    await page.getByText(/Added entry #\d+: org-forms\/sa-forms → payments from 2026-05-01\./).waitFor();
    expect(posts).toEqual(["/crosswalk"]);
    expect(page.errors).toEqual([]);
  });
});
