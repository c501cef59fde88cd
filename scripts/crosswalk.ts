/**
 * npm run crosswalk -- import [--replace] [--dry-run] FILE.csv   (docs/crosswalk.md header; all-or-nothing)
 * npm run crosswalk -- export [--org ORG_ID]         (CSV to stdout)
 * npm run crosswalk -- names FILE.csv                 (org_id,owner_id,display_name)
 * npm run crosswalk -- names --org ORG FILE.json      (a Confluent CLI list: `confluent iam service-account list -o json`, …)
 * npm run crosswalk -- rules import [--replace] [--dry-run] FILE.json|FILE.csv   (mapping rules in priority order; all-or-nothing)
 * npm run crosswalk -- rules export [--org ORG_ID] [--format json|csv]   (the rules file to stdout; default json)
 * --dry-run: what the import would change per team (docs/crosswalk.md "Command line"); nothing is stored.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { formatIssues } from "../app/domain/csv/issues";
import { validateCrosswalkCsv, validateOwnerNamesCsv } from "../app/domain/csv/crosswalk";
import { crosswalkCsv, readCsvRecords, toSafeCsv } from "../app/services/csv";
import { CrosswalkConflictError, describeImportConflicts, importCrosswalk, importOwnerNames } from "../app/services/crosswalk";
import { CONFLUENT_LISTS, namesJsonErrorText, parseConfluentNamesJson, toOwnerNames } from "../app/domain/names-json";
import { dec, fmtExact } from "../app/domain/money";
import { exportRules, exportRulesCsv, importRules, parseRulesText, planRulesImport, whatIf, type WhatIf } from "../app/services/mapping";
import { listCrosswalk } from "../db/queries/crosswalk";
import { InputError, UsageError, cliActor, parseCli, runCli, withDb } from "./lib/cli";
import { parseImportArgs } from "./lib/import-args";

const RULES_USAGE = `npm run crosswalk -- rules import [--replace] [--dry-run] FILE.json|FILE.csv   (a .csv is the rules CSV)
npm run crosswalk -- rules export [--org ORG_ID] [--format json|csv]         (default json)`;

const USAGE = `npm run crosswalk -- import [--replace] [--dry-run] FILE.csv
npm run crosswalk -- export [--org ORG_ID]
npm run crosswalk -- names FILE.csv
npm run crosswalk -- names --org ORG_ID FILE.json
${RULES_USAGE}`;

const NAMES_USAGE = `npm run crosswalk -- names FILE.csv
npm run crosswalk -- names --org ORG_ID FILE.json   (the JSON of: confluent iam service-account list -o json,
                                                    confluent iam user list -o json, confluent iam pool list -o json,
                                                    confluent environment list -o json, confluent kafka cluster list -o json)`;

/** A file is read as the Confluent CLI's JSON when it is named .json or its text starts like JSON. */
const isJson = (file: string, text: string) => file.toLowerCase().endsWith(".json") || /^\s*[[{]/.test(text);

async function readRecords(file: string) {
  const text = await readFile(file).catch(() => {
    throw new InputError(`${file}: no such file`);
  });
  const recs = readCsvRecords(text);
  if (recs.syntaxError) throw new InputError(`${file}: rejected, nothing changed.\n${recs.syntaxError.message}`);
  return recs;
}

const DELTAS_HEADER = ["month", "org_id", "team", "before", "after", "delta"];

/**
 * The preview of a dry run (`whatIf`), the same for every import: per (month, org, team) whose
 * total would change, a CSV table on stdout, then one `closed_month_untouched=ORG:YYYY-MM` line
 * per closed month that would get a restatement instead of a change. Amounts exact.
 */
function writeDeltas(w: WhatIf): void {
  const f = (s: string) => fmtExact(dec(s));
  process.stdout.write(
    toSafeCsv(
      DELTAS_HEADER,
      w.deltas.map((d) => [d.month, d.orgId, d.team, f(d.before), f(d.after), f(d.delta)]),
    ),
  );
  for (const c of w.closedUntouched) process.stdout.write(`closed_month_untouched=${c.orgId}:${c.month}\n`);
  process.stderr.write(
    w.months.length
      ? `note: team totals compared for ${w.months.join(" and ")} (the latest month with data and the one before)\n`
      : "note: no data yet: no team totals to compare\n",
  );
}

async function rules(rest: string[]): Promise<number> {
  const [sub, ...args] = rest;
  if (sub === "import") {
    const a = parseCli(
      RULES_USAGE,
      args,
      { replace: { type: "boolean" }, "dry-run": { type: "boolean" } },
      z.object({ replace: z.boolean(), dryRun: z.boolean(), file: z.string() }),
      (v, p) => {
        if (p.length !== 1) throw new UsageError(`rules import takes exactly one FILE.json or FILE.csv\n\n${RULES_USAGE}`);
        return { replace: Boolean(v.replace), dryRun: Boolean(v["dry-run"]), file: p[0] };
      },
    );
    const text = await readFile(a.file, "utf8").catch(() => {
      throw new InputError(`${a.file}: no such file`);
    });
    // the rules CSV by its extension, the JSON otherwise
    const parsed = parseRulesText(text, a.file.toLowerCase().endsWith(".csv") ? "csv" : "json");
    if (!parsed.ok)
      throw new InputError(`${a.file}: rejected, nothing changed. ${parsed.errors.length} problem(s):\n${parsed.errors.join("\n")}`);
    const opts = { replace: a.replace };
    const counts = (r: { added: string[]; updated: string[]; unchanged: string[]; removed: string[] }) =>
      `${r.added.length} added, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.removed.length} removed`;
    if (a.dryRun) {
      const { plan, preview } = await withDb(async (db) => {
        const plan = await planRulesImport(db, parsed.rules, opts);
        const preview = await whatIf(db, (tx) => importRules(tx, cliActor(), parsed.rules, opts));
        return { plan, preview };
      });
      process.stdout.write(`${a.file}: dry run, nothing changed: ${counts(plan)}\n`);
      writeDeltas(preview);
      return 0;
    }
    const r = await withDb((db) => importRules(db, cliActor(), parsed.rules, opts));
    process.stdout.write(`${a.file}: ${counts(r)}\n`);
    return 0;
  }
  if (sub === "export") {
    const a = parseCli(
      RULES_USAGE,
      args,
      { org: { type: "string" }, format: { type: "string" } },
      z.object({ org: z.string().min(1).optional(), format: z.enum(["json", "csv"], { error: () => "--format is json or csv" }) }),
      (v, p) => {
        if (p.length) throw new UsageError(`rules export takes no positional arguments\n\n${RULES_USAGE}`);
        return { org: v.org, format: v.format ?? "json" };
      },
    );
    process.stdout.write(await withDb((db) => (a.format === "csv" ? exportRulesCsv(db, a.org) : exportRules(db, a.org))));
    return 0;
  }
  throw new UsageError(sub ? `unknown rules command "${sub}"\n\n${RULES_USAGE}` : RULES_USAGE);
}

runCli(async () => {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "import") {
    const a = parseImportArgs(USAGE, rest);
    const recs = await readRecords(a.file);
    const v = validateCrosswalkCsv(recs.header, recs.rows, { splits: true });
    for (const w of v.warnings) process.stderr.write(`${a.file}: warning: ${w}\n`);
    if (v.errorCount > 0)
      throw new InputError(`${a.file}: rejected, nothing changed. ${v.errorCount} problem(s):\n${formatIssues(v.errors, v.errorCount)}`);
    const conflicts = (e: unknown) => {
      if (e instanceof CrosswalkConflictError)
        throw new InputError(
          `${a.file}: rejected, nothing changed. ${describeImportConflicts(e.conflicts, "use --replace to replace the organizations' crosswalks")}`,
        );
      throw e;
    };
    const mode = a.replace ? "replace" : "merge";
    const counts = (r: { added: number; unchanged: number; removed: number }) =>
      `${r.added} added, ${r.unchanged} unchanged, ${r.removed} removed`;
    if (a.dryRun) {
      let r: Awaited<ReturnType<typeof importCrosswalk>> | undefined;
      const preview = await withDb((db) =>
        whatIf(db, async (tx) => {
          r = await importCrosswalk(tx, cliActor(), v.entries, mode);
        }).catch(conflicts),
      );
      process.stdout.write(`${a.file}: dry run, nothing changed: ${counts(r!)}\n`);
      writeDeltas(preview);
      return 0;
    }
    const r = await withDb((db) => importCrosswalk(db, cliActor(), v.entries, mode).catch(conflicts));
    process.stdout.write(`${a.file}: ${counts(r)}\n`);
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
    const a = parseCli(
      NAMES_USAGE,
      rest,
      { org: { type: "string" } },
      z.object({ file: z.string(), org: z.string().min(1).optional() }),
      (v, p) => {
        if (p.length !== 1) throw new UsageError(`names takes exactly one FILE.csv or FILE.json\n\n${NAMES_USAGE}`);
        return { file: p[0], org: v.org };
      },
    );
    const text = await readFile(a.file, "utf8").catch(() => {
      throw new InputError(`${a.file}: no such file`);
    });
    if (isJson(a.file, text)) {
      if (!a.org) throw new UsageError(`${a.file}: the Confluent CLI's JSON names no organization: give --org ORG_ID\n\n${NAMES_USAGE}`);
      const org = a.org;
      const r = parseConfluentNamesJson(text);
      if (!r.ok)
        throw new InputError(`${a.file}: rejected, nothing changed. ${r.errors.length} problem(s):\n${namesJsonErrorText(r.errors)}`);
      const n = await withDb((db) => importOwnerNames(db, cliActor(), toOwnerNames(org, r.names)));
      for (const sk of r.skipped) process.stderr.write(`${a.file}: warning: ${sk.reason}, skipped\n`);
      const list = r.kind ? ` from a Confluent ${CONFLUENT_LISTS[r.kind].label} list` : "";
      process.stdout.write(`${a.file}: ${n} display names stored${list}\n`);
      return 0;
    }
    if (a.org) throw new UsageError(`--org is for the Confluent CLI's JSON; a CSV names the org on each line\n\n${NAMES_USAGE}`);
    const recs = await readRecords(a.file);
    const v = validateOwnerNamesCsv(recs.header, recs.rows);
    if (v.errorCount > 0)
      throw new InputError(`${a.file}: rejected, nothing changed. ${v.errorCount} problem(s):\n${formatIssues(v.errors, v.errorCount)}`);
    const n = await withDb((db) => importOwnerNames(db, cliActor(), v.entries));
    process.stdout.write(`${a.file}: ${n} display names stored\n`);
    return 0;
  }
  if (cmd === "rules") return rules(rest);
  throw new UsageError(cmd ? `unknown command "${cmd}"\n\n${USAGE}` : USAGE);
});
