/**
 * npm run crosswalk -- import [--replace] FILE.csv   (docs/crosswalk.md header; all-or-nothing)
 * npm run crosswalk -- export [--org ORG_ID]         (CSV to stdout)
 * npm run crosswalk -- names FILE.csv                 (org_id,owner_id,display_name)
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { formatIssues } from "../app/domain/csv/issues";
import { validateCrosswalkCsv, validateOwnerNamesCsv } from "../app/domain/csv/crosswalk";
import { crosswalkCsv, readCsvRecords } from "../app/services/csv";
import { CrosswalkConflictError, describeImportConflicts, importCrosswalk, importOwnerNames } from "../app/services/crosswalk";
import { listCrosswalk } from "../db/queries/crosswalk";
import { InputError, UsageError, cliActor, parseCli, runCli, withDb } from "./lib/cli";

const USAGE = `npm run crosswalk -- import [--replace] FILE.csv
npm run crosswalk -- export [--org ORG_ID]
npm run crosswalk -- names FILE.csv`;

async function readRecords(file: string) {
  const text = await readFile(file).catch(() => {
    throw new InputError(`${file}: no such file`);
  });
  const recs = readCsvRecords(text);
  if (recs.syntaxError) throw new InputError(`${file}: rejected, nothing changed.\n${recs.syntaxError.message}`);
  return recs;
}

runCli(async () => {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "import") {
    const a = parseCli(USAGE, rest, { replace: { type: "boolean" } }, z.object({ replace: z.boolean(), file: z.string() }), (v, p) => {
      if (p.length !== 1) throw new UsageError(`import takes exactly one FILE.csv\n\n${USAGE}`);
      return { replace: Boolean(v.replace), file: p[0] };
    });
    const recs = await readRecords(a.file);
    const v = validateCrosswalkCsv(recs.header, recs.rows);
    for (const w of v.warnings) process.stderr.write(`${a.file}: warning: ${w}\n`);
    if (v.errorCount > 0)
      throw new InputError(`${a.file}: rejected, nothing changed. ${v.errorCount} problem(s):\n${formatIssues(v.errors, v.errorCount)}`);
    const r = await withDb((db) =>
      importCrosswalk(db, cliActor(), v.entries, a.replace ? "replace" : "merge").catch((e) => {
        if (e instanceof CrosswalkConflictError)
          throw new InputError(
            `${a.file}: rejected, nothing changed. ${describeImportConflicts(e.conflicts, "use --replace to replace the organizations' crosswalks")}`,
          );
        throw e;
      }),
    );
    process.stdout.write(`${a.file}: ${r.added} added, ${r.unchanged} unchanged, ${r.removed} removed\n`);
    return 0;
  }
  if (cmd === "export") {
    const a = parseCli(USAGE, rest, { org: { type: "string" } }, z.object({ org: z.string().min(1).optional() }), (v, p) => {
      if (p.length) throw new UsageError(`export takes no positional arguments\n\n${USAGE}`);
      return { org: v.org };
    });
    const rows = await withDb((db) => listCrosswalk(db, { orgId: a.org }));
    process.stdout.write(crosswalkCsv(rows));
    return 0;
  }
  if (cmd === "names") {
    const a = parseCli(USAGE, rest, {}, z.object({ file: z.string() }), (_v, p) => {
      if (p.length !== 1) throw new UsageError(`names takes exactly one FILE.csv\n\n${USAGE}`);
      return { file: p[0] };
    });
    const recs = await readRecords(a.file);
    const v = validateOwnerNamesCsv(recs.header, recs.rows);
    if (v.errorCount > 0)
      throw new InputError(`${a.file}: rejected, nothing changed. ${v.errorCount} problem(s):\n${formatIssues(v.errors, v.errorCount)}`);
    const n = await withDb((db) => importOwnerNames(db, cliActor(), v.entries));
    process.stdout.write(`${a.file}: ${n} display names stored\n`);
    return 0;
  }
  throw new UsageError(cmd ? `unknown command "${cmd}"\n\n${USAGE}` : USAGE);
});
