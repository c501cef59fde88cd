/**
 * npm run report -- --granularity daily|weekly|monthly --from YYYY-MM-DD --to YYYY-MM-DD
 *                   [--org ORG_ID] [--by team|cost_center] [--format csv|json] [--explain]
 * --from/--to are inclusive bucket-start dates. --explain: a row per (period, org, group, mapped_by),
 * `mapped_by` the last column (docs/crosswalk.md "Command line"), amounts exact (at least 4 decimals).
 */
import { z } from "zod";
import { reportRowFields } from "../app/domain/api-schemas";
import { parseDate } from "../app/domain/csv/values";
import { dec, fmt4, fmtExact } from "../app/domain/money";
import { GRANULARITIES, GROUP_BYS, REPORT_FORMATS } from "../app/domain/vocabulary";
import { toSafeCsv } from "../app/services/csv";
import { getReport, type ReportRow } from "../db/queries/report";
import { getExplainedReport } from "../db/queries/report-explain";
import { parseCli, runCli, withDb } from "./lib/cli";

const USAGE = `npm run report -- --granularity daily|weekly|monthly --from YYYY-MM-DD --to YYYY-MM-DD [--org ORG_ID] [--by team|cost_center] [--format csv|json] [--explain]`;
const date = z.string().refine((d) => parseDate(d).ok, "must be a calendar date YYYY-MM-DD");

const Args = z
  .object({
    granularity: z.enum(GRANULARITIES),
    from: date,
    to: date,
    org: z.array(z.string().min(1)).optional(),
    by: z.enum(GROUP_BYS).default("team"),
    format: z.enum(REPORT_FORMATS).default("csv"),
    explain: z.boolean().default(false),
  })
  .refine((a) => a.from <= a.to, { message: "--from must not be after --to", path: ["from"] });

export const REPORT_HEADER = ["period_start", "org_id", "group", "direct_cost", "unallocated_share", "total_cost"];
/** `--explain`: the report's header and, last, where the cost came from. */
export const EXPLAIN_HEADER = [...REPORT_HEADER, "mapped_by"];

runCli(async () => {
  const a = parseCli(
    USAGE,
    process.argv.slice(2),
    {
      granularity: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      org: { type: "string", multiple: true },
      by: { type: "string" },
      format: { type: "string" },
      explain: { type: "boolean" },
    },
    Args,
    (v) => v,
  );
  const params = { granularity: a.granularity, from: a.from, to: a.to, orgIds: a.org, by: a.by };
  const rows: Array<ReportRow & { mappedBy?: string }> = await withDb((db) =>
    a.explain ? getExplainedReport(db, params) : getReport(db, params),
  );
  if (a.format === "json") {
    process.stdout.write(
      JSON.stringify(
        rows.map((r) => ({ ...reportRowFields(r), ...(a.explain ? { mapped_by: r.mappedBy } : {}) })),
        null,
        2,
      ) + "\n",
    );
  } else {
    // --explain: exact amounts, so that the rows of a (period, org, group) add up to the report's unrounded figures
    const f = (s: string) => (a.explain ? fmtExact : fmt4)(dec(s));
    process.stdout.write(
      toSafeCsv(
        a.explain ? EXPLAIN_HEADER : REPORT_HEADER,
        rows.map((r) => [
          r.periodStart,
          r.orgId,
          r.group,
          f(r.direct),
          f(r.unallocatedShare),
          f(r.total),
          ...(a.explain ? [r.mappedBy] : []),
        ]),
      ),
    );
  }
  return 0;
});
