/**
 * npm run finance-export -- --month YYYY-MM --kind journal|focus [--org ORG_ID]
 * Prints the chargeback journal or the FOCUS-shaped cost-and-usage CSV to stdout
 * (formula-safe). See docs/focus-mapping.md.
 */
import { z } from "zod";
import { isMonth } from "../app/domain/periods";
import { focusCsv } from "../app/services/finance-exports";
import { journalCsv } from "../app/services/journal";
import { getOrg } from "../db/queries/orgs";
import { InputError, parseCli, runCli, withDb } from "./lib/cli";

const USAGE = `npm run finance-export -- --month YYYY-MM --kind journal|focus [--org ORG_ID]`;

const Args = z.object({
  month: z.string().refine(isMonth, "must be YYYY-MM"),
  kind: z.enum(["journal", "focus"]),
  org: z.string().min(1).optional(),
});

runCli(async () => {
  const a = parseCli(
    USAGE,
    process.argv.slice(2),
    { month: { type: "string" }, kind: { type: "string" }, org: { type: "string" } },
    Args,
    (v) => v,
  );
  const csv = await withDb(async (db) => {
    if (a.org && !(await getOrg(db, a.org))) throw new InputError(`unknown organization ${a.org}`);
    return (a.kind === "journal" ? journalCsv : focusCsv)(db, { month: a.month, orgId: a.org });
  });
  process.stdout.write(csv);
  return 0;
});
