/**
 * npm run finance-export -- --month YYYY-MM --kind focus|journal [--org ORG_ID]
 *   [--format csv|parquet] [--out FILE] [--metadata FILE]
 * --kind focus: the FOCUS 1.2 cost and usage dataset, CSV on stdout (values exactly as they are),
 *   or Parquet with `--format parquet --out FILE`; `--metadata FILE` also writes the FOCUS
 *   metadata (JSON). See docs/focus-mapping.md.
 * --kind journal: the general-ledger journal CSV on stdout. See docs/journal.md.
 *   `--posting-date YYYY-MM-DD` posts it on that date instead of the month's last day.
 */
import { writeFile } from "node:fs/promises";
import { z } from "zod";
import { isMonth, isValidDate } from "../app/domain/periods";
import { focusCsv, focusMetadataJson, focusParquet } from "../app/services/finance-exports";
import { journalCsv } from "../app/services/journal";
import { getOrg } from "../db/queries/orgs";
import { InputError, parseCli, runCli, withDb } from "./lib/cli";

const USAGE = `npm run finance-export -- --month YYYY-MM --kind focus|journal [--org ORG_ID] [--format csv|parquet] [--out FILE] [--metadata FILE] [--posting-date YYYY-MM-DD]`;

const Args = z
  .object({
    month: z.string().refine(isMonth, "must be YYYY-MM"),
    kind: z.enum(["journal", "focus"]),
    org: z.string().min(1).optional(),
    format: z.enum(["csv", "parquet"]).default("csv"),
    out: z.string().min(1).optional(),
    metadata: z.string().min(1).optional(),
    "posting-date": z.string().refine(isValidDate, "must be YYYY-MM-DD").optional(),
  })
  .refine((a) => a.format !== "parquet" || a.out !== undefined, { message: "--format parquet needs --out FILE", path: ["out"] })
  .refine((a) => a.kind === "focus" || (a.format === "csv" && a.metadata === undefined), {
    message: "--format and --metadata apply to --kind focus",
    path: ["kind"],
  })
  .refine((a) => a.kind === "journal" || a["posting-date"] === undefined, {
    message: "--posting-date applies to --kind journal",
    path: ["kind"],
  });

runCli(async () => {
  const a = parseCli(
    USAGE,
    process.argv.slice(2),
    {
      month: { type: "string" },
      kind: { type: "string" },
      org: { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
      metadata: { type: "string" },
      "posting-date": { type: "string" },
    },
    Args,
    (v) => v,
  );
  const p = { month: a.month, orgId: a.org };
  await withDb(async (db) => {
    if (a.org && !(await getOrg(db, a.org))) throw new InputError(`unknown organization ${a.org}`);
    if (a.kind === "journal") {
      const csv = await journalCsv(db, { ...p, postingDate: a["posting-date"] });
      if (a.out) await writeFile(a.out, csv);
      else process.stdout.write(csv);
      return;
    }
    if (a.format === "parquet") await writeFile(a.out!, await focusParquet(db, p));
    else {
      const csv = await focusCsv(db, p);
      if (a.out) await writeFile(a.out, csv);
      else process.stdout.write(csv);
    }
    if (a.metadata) await writeFile(a.metadata, await focusMetadataJson(db, p));
  });
  return 0;
});
