/**
 * npm run budgets -- import FILE.csv [--dry-run] | list | set (--team T | --cost-center C) --amount A --from YYYY-MM [--org ORG]
 *   | delete --id ID
 * Monthly budgets (docs/budgets.md) through the same service as /admin/budgets (same checks and
 * messages, audited as the CLI actor). The file's header is scope,name,amount,from_month[,org_id];
 * an import is all-or-nothing. `list` prints the budgets as that CSV, so list → import round-trips.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { budgetLabel, budgetsCsv, deleteBudget, importBudgets, setBudget } from "../app/services/budgets";
import { InputError, UsageError, cliActor, parseCli, runCli, withDb } from "./lib/cli";
import { parseImportArgs } from "./lib/import-args";

const USAGE = [
  "npm run budgets -- import FILE.csv [--dry-run]   (header scope,name,amount,from_month[,org_id]; all-or-nothing)",
  "npm run budgets -- list",
  "npm run budgets -- set --team T|--cost-center C --amount AMOUNT --from YYYY-MM [--org ORG]",
  "npm run budgets -- delete --id ID",
].join("\n");

const noPositionals = <T>(v: T, p: string[]) => {
  if (p.length) throw new UsageError(`unexpected argument ${JSON.stringify(p[0])}\n\n${USAGE}`);
  return v;
};

runCli(async () => {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "import") {
    const a = parseImportArgs(USAGE, rest);
    if (a.replace) throw new UsageError(`budgets import has no --replace: a later from_month replaces a budget\n\n${USAGE}`);
    const text = await readFile(a.file, "utf8").catch(() => {
      throw new InputError(`${a.file}: no such file`);
    });
    const r = await withDb((db) => importBudgets(db, cliActor(), text, { dryRun: a.dryRun }));
    for (const b of r.added) process.stdout.write(`+ ${budgetLabel(b)}: ${b.amount}\n`);
    for (const u of r.updated) process.stdout.write(`~ ${budgetLabel(u.after)}: ${u.before} → ${u.after.amount}\n`);
    const counts = `${r.added.length} added, ${r.updated.length} updated, ${r.unchanged.length} unchanged`;
    process.stdout.write(`${a.file}: ${a.dryRun ? "dry run, nothing changed" : "imported"}: ${counts}\n`);
    return 0;
  }
  if (cmd === "list") {
    parseCli(USAGE, rest, {}, z.object({}), noPositionals);
    process.stdout.write(await withDb((db) => budgetsCsv(db)));
    return 0;
  }
  if (cmd === "set") {
    const a = parseCli(
      USAGE,
      rest,
      {
        team: { type: "string" },
        "cost-center": { type: "string" },
        amount: { type: "string" },
        from: { type: "string" },
        org: { type: "string" },
      },
      z
        .object({
          team: z.string().optional(),
          "cost-center": z.string().optional(),
          amount: z.string({ error: "--amount is required" }),
          from: z.string({ error: "--from YYYY-MM is required" }),
          org: z.string().optional(),
        })
        .refine((v) => (v.team === undefined) !== (v["cost-center"] === undefined), "give exactly one of --team and --cost-center"),
      noPositionals,
    );
    const input = {
      scope: a.team !== undefined ? "team" : "cost_center",
      name: a.team ?? a["cost-center"],
      amount: a.amount,
      fromMonth: a.from,
      orgId: a.org ?? null,
    };
    const r = await withDb((db) => setBudget(db, cliActor(), input));
    const label = budgetLabel({ scope: r.row.scope, name: r.row.name, orgId: r.row.org_id, fromMonth: r.row.from_month });
    process.stdout.write(`${label}: ${r.changed ? "" : "already "}${r.row.amount}\n`);
    return 0;
  }
  if (cmd === "delete") {
    const a = parseCli(
      USAGE,
      rest,
      { id: { type: "string" } },
      z.object({ id: z.coerce.number({ error: "--id is required" }).int().positive() }),
      noPositionals,
    );
    await withDb((db) => deleteBudget(db, cliActor(), a.id));
    process.stdout.write(`budget #${a.id} deleted\n`);
    return 0;
  }
  throw new UsageError(cmd ? `unknown command ${JSON.stringify(cmd)}\n\n${USAGE}` : USAGE);
});
