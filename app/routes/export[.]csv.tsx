/**
 * GET /export.csv?<dashboard filters>: the overview's table as CSV, formula-neutralised
 * (toSafeCsv, docs/security.md). Amounts are the report's decimal strings at 4 decimals (like the CLI).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { dec, fmt4 } from "~/domain/money";
import { csvResponse, toSafeCsv } from "~/lib/csv.server";
import { dashboardBase } from "~/lib/filters.server";
import { sortOverviewRows } from "../../db/queries/overview";

const CSV_HEADER = [
  "group",
  "direct_cost",
  "unallocated_share",
  "total_cost",
  "share_of_total",
  "previous_total_cost",
  "change",
  "period_from",
  "period_to",
  "granularity",
  "org_ids",
];

export async function loader({ request }: LoaderFunctionArgs) {
  const { filters, view, reads } = await dashboardBase(request);
  const ov = await reads.getOverview({ ...view, by: filters.by, previous: filters.previous });
  const rows = sortOverviewRows(ov.rows, filters.sort, filters.dir).map((r) => [
    r.group,
    fmt4(dec(r.direct)),
    fmt4(dec(r.unallocatedShare)),
    fmt4(dec(r.total)),
    r.pctOfTotal === null ? "" : dec(r.pctOfTotal).toDecimalPlaces(6).toFixed(6),
    fmt4(dec(r.previousTotal)),
    fmt4(dec(r.change)),
    filters.range.from,
    filters.range.to,
    filters.gran,
    filters.orgs.join(" "),
  ]);
  const body = toSafeCsv(CSV_HEADER, rows);
  const name = `showback-${filters.by}-${filters.range.from}-${filters.range.to}.csv`;
  return csvResponse(name, body);
}
