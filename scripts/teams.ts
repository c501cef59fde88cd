/** npm run teams -- import FILE.csv   (header team,cost_center) | npm run teams -- list */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { formatIssues } from "../app/domain/csv/issues";
import { validateTeamsCsv } from "../app/domain/csv/crosswalk";
import { readCsvRecords, toSafeCsv } from "../app/services/csv";
import { importTeams } from "../app/services/teams";
import { listTeams } from "../db/queries/teams";
import { InputError, UsageError, cliActor, parseCli, runCli, withDb } from "./lib/cli";

const USAGE = "npm run teams -- import FILE.csv | npm run teams -- list";

runCli(async () => {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "import") {
    const a = parseCli(USAGE, rest, {}, z.object({ file: z.string() }), (_v, p) => {
      if (p.length !== 1) throw new UsageError(`import takes exactly one FILE.csv\n\n${USAGE}`);
      return { file: p[0] };
    });
    const text = await readFile(a.file).catch(() => {
      throw new InputError(`${a.file}: no such file`);
    });
    const recs = readCsvRecords(text);
    if (recs.syntaxError) throw new InputError(`${a.file}: rejected, nothing changed.\n${recs.syntaxError.message}`);
    const v = validateTeamsCsv(recs.header, recs.rows);
    if (v.errorCount > 0)
      throw new InputError(`${a.file}: rejected, nothing changed. ${v.errorCount} problem(s):\n${formatIssues(v.errors, v.errorCount)}`);
    const r = await withDb((db) => importTeams(db, cliActor(), v.entries));
    process.stdout.write(`${a.file}: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged\n`);
    return 0;
  }
  if (cmd === "list") {
    const teams = await withDb((db) => listTeams(db));
    process.stdout.write(
      toSafeCsv(
        ["team", "cost_center", "archived"],
        teams.map((t) => [t.name, t.cost_center ?? "", String(t.archived)]),
      ),
    );
    return 0;
  }
  throw new UsageError(cmd ? `unknown command "${cmd}"\n\n${USAGE}` : USAGE);
});
