/**
 * GET /export/rows.csv?<dashboard filters>: the allocation per period, org and team over the
 * filters' range at their granularity (a year of daily rows with gran=daily), streamed a month
 * at a time (app/services/period-rows.ts), formula-neutralised (docs/security.md). A scoped
 * viewer's other teams are one "other teams" line per period and org.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvStreamResponse } from "~/lib/csv.server";
import { dashboardBase } from "~/lib/filters.server";
import { periodRowsCsv } from "~/services/period-rows";

export async function loader({ request }: LoaderFunctionArgs) {
  const { db, filters, view } = await dashboardBase(request);
  const name = `showback-rows-${filters.gran}-${filters.range.from}-${filters.range.to}.csv`;
  return csvStreamResponse(name, periodRowsCsv(db, view), request.signal);
}
