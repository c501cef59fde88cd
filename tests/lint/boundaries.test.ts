// The layer rules of docs/architecture.md are enforced by `npm run lint`: each fixture in
// tests/fixtures/lint is linted with the project's own ESLint config as if it sat at the path
// its first line names, and a cross-layer import must be reported by boundaries/dependencies.
import fs from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const dir = path.join(root, "tests/fixtures/lint");
const eslint = new ESLint({ cwd: root });

async function lintAs(fixture: string, rule = "boundaries/dependencies") {
  const text = fs.readFileSync(path.join(dir, fixture), "utf8");
  const as = /^\/\/ lint-as: (\S+)/.exec(text)?.[1];
  if (!as) throw new Error(`${fixture}: first line must be "// lint-as: <path>"`);
  const [result] = await eslint.lintText(text, { filePath: path.join(root, as) });
  return result.messages.filter((m) => m.ruleId === rule);
}

describe("layer boundaries (npm run lint)", () => {
  it.each([
    ["domain-imports-db.ts", /elements of type "domain" to elements of type "db"/],
    ["services-import-web.ts", /elements of type "services" to elements of type "web"/],
    ["cli-imports-web.ts", /elements of type "cli" to elements of type "web"/],
    ["db-imports-service.ts", /elements of type "db" to elements of type "services"/],
  ])("%s is refused", async (fixture, message) => {
    const errors = await lintAs(fixture);
    expect(errors.length).toBe(1);
    expect(errors[0].severity).toBe(2);
    expect(errors[0].message).toMatch(message);
  });

  it("the domain may use decimal.js and zod, and no other package", async () => {
    const errors = await lintAs("domain-imports-library.ts", "no-restricted-imports");
    expect(errors.map((e) => [e.line, e.severity])).toEqual([[3, 2]]);
    expect(errors[0].message).toMatch(/app\/domain imports only decimal\.js, zod/);
  });

  it("an allowed import (route → service, route → read query) passes", async () => {
    expect(await lintAs("route-imports-service.ts")).toEqual([]);
  });
});
