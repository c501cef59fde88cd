// GET /api/v1/report (docs/api.md): the report CLI's rows (db/queries/report.ts getReport), paginated, amounts as decimal strings.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getReport } from "../../db/queries/report";
import { REPORT_PARAMS, ReportResponseSchema, reportRowFields } from "~/domain/api-schemas";
import type { Granularity, GroupBy } from "~/domain/vocabulary";
import { apiError, apiHandler, apiJson, compareStrings, paginate, parseQuery } from "~/lib/api.server";

export async function loader({ request }: LoaderFunctionArgs) {
  // a team_viewer token: its teams, and every other team summed as "other teams"
  return apiHandler(request, { role: "team_viewer" }, async ({ db, url, visible }) => {
    const q = parseQuery(url, REPORT_PARAMS) as {
      granularity: Granularity;
      from: string;
      to: string;
      org?: string[];
      by: GroupBy;
      limit: number;
      cursor?: string;
    };
    if (q.from > q.to) return apiError("invalid_parameter", "from: must not be after to", { parameter: "from" });
    const rows = await getReport(db, { granularity: q.granularity, from: q.from, to: q.to, orgIds: q.org, by: q.by, visible });
    const page = paginate(rows, {
      key: (r) => [r.periodStart, r.orgId, r.group],
      arity: 3,
      compare: compareStrings,
      cursor: q.cursor,
      limit: q.limit,
    });
    return apiJson(
      ReportResponseSchema.parse({
        rows: page.rows.map(reportRowFields),
        next_cursor: page.next_cursor,
      }),
    );
  });
}
