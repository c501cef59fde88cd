/**
 * Static checks of the container files (no Docker engine runs here): a multi-stage
 * Dockerfile with a production-only, non-root runtime and a health check, and a
 * compose file that builds it and ships no default secret. docs/security.md.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const read = (f: string) => readFileSync(path.join(root, f), "utf8");

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Array<{ op: string; args: string }> {
  return text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const m = /^(\w+)\s+(.*)$/.exec(l)!;
      return { op: m[1]!.toUpperCase(), args: m[2]! };
    });
}

describe("Dockerfile", () => {
  const ins = instructions(read("Dockerfile"));
  const stages: Array<{ name: string; body: Array<{ op: string; args: string }> }> = [];
  for (const i of ins) {
    if (i.op === "FROM") stages.push({ name: /\bAS\s+(\S+)/i.exec(i.args)?.[1] ?? "", body: [] });
    else stages.at(-1)?.body.push(i);
  }
  const runtime = stages.at(-1)!;
  const has = (body: typeof ins, op: string, re: RegExp) => body.some((i) => i.op === op && re.test(i.args));

  it("is multi-stage: a build stage runs npm ci and npm run build", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((s) => has(s.body, "RUN", /npm run build/))!;
    expect(build).toBeTruthy();
    expect(has(build.body, "RUN", /npm ci(?!\s+--omit)/)).toBe(true);
    expect(build).not.toBe(runtime);
  });

  it("runtime: production dependencies only, the build copied in, non-root, HOST=0.0.0.0, HEALTHCHECK on /healthz", () => {
    const omitDev = stages.filter((s) => has(s.body, "RUN", /npm ci\b[^&]*--omit=dev/));
    expect(omitDev.length).toBeGreaterThan(0);
    // node_modules of the runtime come from a --omit=dev stage (or are installed there)
    const modulesFrom = /--from=(\S+)\s+\S*node_modules/.exec(
      runtime.body
        .filter((i) => i.op === "COPY")
        .map((i) => i.args)
        .join("\n"),
    )?.[1];
    expect(omitDev.map((s) => s.name)).toContain(modulesFrom ?? runtime.name);
    expect(has(runtime.body, "COPY", /--from=\S+\s+\S*build\b/)).toBe(true);
    const users = runtime.body.filter((i) => i.op === "USER");
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(has(runtime.body, "ENV", /HOST=0\.0\.0\.0/)).toBe(true);
    expect(has(runtime.body, "HEALTHCHECK", /\/healthz/)).toBe(true);
    expect(runtime.body.some((i) => i.op === "CMD" || i.op === "ENTRYPOINT")).toBe(true);
  });

  it("what the runtime runs (tsx) is a production dependency", () => {
    const cmd = runtime.body.filter((i) => i.op === "CMD").at(-1)!.args;
    const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(cmd.includes("tsx") || pkg.scripts.start!.includes("tsx")).toBe(true);
    expect(pkg.dependencies.tsx).toBeTruthy();
  });

  it(".dockerignore keeps node_modules, builds, data and .env out of the context", () => {
    const lines = read(".dockerignore")
      .split(/\r?\n/)
      .map((l) => l.trim());
    for (const p of ["node_modules", "build", "data", ".env", ".git"]) expect(lines, p).toContain(p);
  });
});

describe("docker-compose.yml", () => {
  const text = read("docker-compose.yml");
  const app = text.slice(text.indexOf("\n  app:"));
  it("builds the image instead of installing at every start", () => {
    expect(app).toMatch(/\n {4}build: \./);
    expect(app).not.toMatch(/npm ci/);
    expect(app).not.toMatch(/\n {4}image:/);
  });
  it("takes SESSION_SECRET from the environment with no default", () => {
    const line = /SESSION_SECRET:\s*(.+)/.exec(app)?.[1]?.trim();
    expect(line).toMatch(/^\$\{SESSION_SECRET:\?[^}]+\}$/);
    expect(text).not.toMatch(/change-me/i);
  });
});
