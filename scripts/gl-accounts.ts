/**
 * npm run gl-accounts -- import FILE.csv [--replace] [--dry-run] | list | set --scope S --key K --account A [--org ORG]
 *   | delete --scope S --key K [--org ORG]
 * The GL account mapping of the journal (docs/journal.md), through the same services as
 * /admin/gl-accounts (same checks and messages, audited as the CLI actor). `list` prints the
 * mapping as the import's CSV, so list → import round-trips.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { GL_SCOPES, glAccountLabel } from "../app/domain/journal";
import {
  deleteGlAccount,
  glAccountsCsv,
  importGlAccounts,
  planCounts,
  planHasChanges,
  planLines,
  saveGlAccount,
} from "../app/services/gl-accounts";
import { InputError, UsageError, cliActor, parseCli, runCli, withDb } from "./lib/cli";
import { parseImportArgs } from "./lib/import-args";

const SCOPES = GL_SCOPES.join("|");
const USAGE = [
  "npm run gl-accounts -- import FILE.csv [--replace] [--dry-run]   (header scope,key,account[,org_id])",
  "npm run gl-accounts -- list",
  `npm run gl-accounts -- set --scope ${SCOPES} --key KEY --account ACCOUNT [--org ORG]`,
  `npm run gl-accounts -- delete --scope ${SCOPES} --key KEY [--org ORG]`,
].join("\n");

const noPositionals = (v: Record<string, unknown>, p: string[]) => {
  if (p.length) throw new UsageError(`unexpected argument ${JSON.stringify(p[0])}\n\n${USAGE}`);
  return v;
};
const scope = z
  .string({ error: "--scope is required" })
  .refine((s) => (GL_SCOPES as readonly string[]).includes(s), `--scope must be ${SCOPES}`);
const key = z.string({ error: "--key is required" }).trim().min(1, "--key is required");

runCli(async () => {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "import") {
    const a = parseImportArgs(USAGE, rest);
    const text = await readFile(a.file, "utf8").catch(() => {
      throw new InputError(`${a.file}: no such file`);
    });
    const plan = await withDb((db) => importGlAccounts(db, cliActor(), text, { replace: a.replace, dryRun: a.dryRun }));
    for (const l of planLines(plan)) process.stdout.write(`${l}\n`);
    const verb = a.dryRun ? "dry run, nothing changed" : planHasChanges(plan) ? "imported" : "nothing to change";
    process.stdout.write(`${a.file}: ${verb}: ${planCounts(plan)}${a.replace ? " (replace)" : ""}\n`);
    return 0;
  }
  if (cmd === "list") {
    parseCli(USAGE, rest, {}, z.object({}), noPositionals);
    process.stdout.write(await withDb((db) => glAccountsCsv(db)));
    return 0;
  }
  if (cmd === "set") {
    const a = parseCli(
      USAGE,
      rest,
      { scope: { type: "string" }, key: { type: "string" }, account: { type: "string" }, org: { type: "string" } },
      z.object({ scope, key, account: z.string({ error: "--account is required" }), org: z.string().optional() }),
      noPositionals,
    );
    const r = await withDb((db) => saveGlAccount(db, cliActor(), { scope: a.scope, key: a.key, orgId: a.org, account: a.account }));
    const at = glAccountLabel(r.after);
    process.stdout.write(
      !r.changed
        ? `${at}: already ${r.after.account}\n`
        : r.before
          ? `${at}: ${r.before.account} → ${r.after.account}\n`
          : `${at} → ${r.after.account}\n`,
    );
    return 0;
  }
  if (cmd === "delete") {
    const a = parseCli(
      USAGE,
      rest,
      { scope: { type: "string" }, key: { type: "string" }, org: { type: "string" } },
      z.object({ scope, key, org: z.string().optional() }),
      noPositionals,
    );
    const gone = await withDb((db) => deleteGlAccount(db, cliActor(), { scope: a.scope, key: a.key, orgId: a.org }));
    process.stdout.write(`deleted ${glAccountLabel(gone)} (was ${gone.account})\n`);
    return 0;
  }
  throw new UsageError(cmd ? `unknown command "${cmd}"\n\n${USAGE}` : USAGE);
});
