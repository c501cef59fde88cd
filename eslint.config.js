// Lint: typescript-eslint's recommended rules, the layer boundaries of docs/architecture.md
// (eslint-plugin-boundaries) and no import cycles (eslint-plugin-import-x). Formatting is
// Prettier's (eslint-config-prettier turns off the rules it owns).
import js from "@eslint/js";
import boundaries from "eslint-plugin-boundaries";
import prettier from "eslint-config-prettier";
import importX from "eslint-plugin-import-x";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

/** The layers. A file belongs to the first element whose pattern matches its path. */
export const ELEMENTS = [
  { type: "domain", pattern: "app/domain/**", partialMatch: false },
  { type: "forms", pattern: "app/forms/**", partialMatch: false },
  { type: "db", pattern: "db/**", partialMatch: false },
  { type: "services", pattern: "app/services/**", partialMatch: false },
  { type: "web", pattern: "app/lib/**", partialMatch: false },
  { type: "components", pattern: "app/components/**", partialMatch: false },
  { type: "routes", pattern: "app/routes/**", partialMatch: false },
  { type: "app-shell", pattern: "app/*.{ts,tsx}", partialMatch: false },
  { type: "cli", pattern: "scripts/**", partialMatch: false },
];

const allow = (from, to) => ({ from: { element: { type: from } }, allow: { to: { element: { types: { anyOf: to } } } } });

/** Who may import whom (docs/architecture.md#layers). Anything not listed is refused. */
export const LAYER_POLICIES = [
  allow("domain", ["domain"]),
  allow("forms", ["domain", "forms"]),
  allow("db", ["domain", "db"]),
  allow("services", ["domain", "db", "services"]),
  allow("web", ["domain", "forms", "db", "services", "web", "components"]),
  allow("components", ["domain", "forms", "components", "web"]),
  // Components may name the shape of a read model, never call it.
  { from: { element: { type: "components" } }, allow: { to: { element: { type: "db" } }, dependency: { kind: "type" } } },
  allow("routes", ["domain", "forms", "db", "services", "web", "components"]),
  allow("app-shell", ["domain", "web", "components", "app-shell"]),
  // The HTTP server (scripts/serve.ts) is the web's adapter: it alone of the scripts may use app/lib.
  {
    from: { element: { type: "cli" }, file: { categories: "server" } },
    allow: { to: { element: { types: { anyOf: ["domain", "db", "services", "web", "cli"] } } } },
  },
  allow("cli", ["domain", "db", "services", "cli"]),
];

export default tseslint.config(
  {
    ignores: ["build/**", "build-*/**", "node_modules/**", "public/build/**", "data/**", ".cache/**", "tests/fixtures/**", "**/*.d.ts"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    files: ["app/**/*.{ts,tsx}", "db/**/*.ts", "scripts/**/*.ts"],
    plugins: { boundaries, "import-x": importX, "react-hooks": reactHooks },
    settings: {
      "boundaries/elements": ELEMENTS,
      "boundaries/files": [{ category: "server", pattern: "scripts/serve.ts" }],
      "boundaries/include": ["app/**/*", "db/**/*", "scripts/**/*"],
      "import/resolver": { typescript: { project: "./tsconfig.json" }, node: true },
      "import-x/extensions": [".ts", ".tsx", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      "boundaries/dependencies": ["error", { default: "disallow", policies: LAYER_POLICIES }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
    },
  },
  {
    // The domain is pure: of the outside world it may use only decimal.js and zod.
    files: ["app/domain/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!(decimal\\.js|zod)$)[^.]",
              message: "app/domain imports only decimal.js, zod and itself (docs/architecture.md).",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and test helpers may reach into any layer.
    files: ["**/*.test.ts", "**/*.test.tsx", "tests/**/*.ts"],
    rules: { "boundaries/dependencies": "off", "import-x/no-cycle": "off", "@typescript-eslint/no-explicit-any": "off" },
  },
  prettier,
);
