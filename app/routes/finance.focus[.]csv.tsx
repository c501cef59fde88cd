// GET /finance/focus.csv?month=YYYY-MM[&org=ORG]: FOCUS 1.2-shaped cost and usage (formula-safe CSV; docs/focus-mapping.md).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isMonth } from "~/domain/periods";
import { focusCsv } from "~/services/finance-exports";
import { requireUser } from "~/lib/auth.server";
import { csvResponse, fileNamePart } from "~/lib/csv.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const url = new URL(request.url);
  const month = url.searchParams.get("month");
  const org = url.searchParams.get("org") || undefined;
  if (!isMonth(month))
    return new Response("month=YYYY-MM is required\n", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  const csv = await focusCsv(await getDb(), { month, orgId: org });
  return csvResponse(`focus-${month}${org ? `-${fileNamePart(org)}` : ""}.csv`, csv);
}
