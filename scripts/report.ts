/**
 * npm run report -- --granularity daily|weekly|monthly --from YYYY-MM-DD --to YYYY-MM-DD
 *                   [--org ORG_ID] [--by team|cost_center] [--format csv|json]
 * --from/--to are inclusive bucket-start dates.
 */
import { z } from "zod";
import { parseDate } from "../app/domain/csv/values";
import { dec, fmt4 } from "../app/domain/money";
import { GRANULARITIES, GROUP_BYS, REPORT_FORMATS } from "../app/domain/vocabulary";
import { toSafeCsv } from "../app/services/csv";
import { getReport } from "../db/queries/report";
import { parseCli, runCli, withDb } from "./lib/cli";

const USAGE = `npm run report -- --granularity daily|weekly|monthly --from YYYY-MM-DD --to YYYY-MM-DD [--org ORG_ID] [--by team|cost_center] [--format csv|json]`;
const date = z.string().refine((d) => parseDate(d).ok, "must be a calendar date YYYY-MM-DD");

const Args = z
  .object({
    granularity: z.enum(GRANULARITIES),
    from: date,
    to: date,
    org: z.array(z.string().min(1)).optional(),
    by: z.enum(GROUP_BYS).default("team"),
    format: z.enum(REPORT_FORMATS).default("csv"),
  })
  .refine((a) => a.from <= a.to, { message: "--from must not be after --to", path: ["from"] });

export const REPORT_HEADER = ["period_start", "org_id", "group", "direct_cost", "unallocated_share", "total_cost"];

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
    },
    Args,
    (v) => v,
  );
  const rows = await withDb((db) => getReport(db, { granularity: a.granularity, from: a.from, to: a.to, orgIds: a.org, by: a.by }));
  if (a.format === "json") {
    process.stdout.write(
      JSON.stringify(
        rows.map((r) => ({
          period_start: r.periodStart,
          org_id: r.orgId,
          group: r.group,
          direct_cost: r.direct,
          unallocated_share: r.unallocatedShare,
          total_cost: r.total,
        })),
        null,
        2,
      ) + "\n",
    );
  } else {
    const f4 = (s: string) => fmt4(dec(s));
    process.stdout.write(
      toSafeCsv(
        REPORT_HEADER,
        rows.map((r) => [r.periodStart, r.orgId, r.group, f4(r.direct), f4(r.unallocatedShare), f4(r.total)]),
      ),
    );
  }
  return 0;
});
