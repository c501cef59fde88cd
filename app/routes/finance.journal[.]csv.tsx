// GET /finance/journal.csv?month=YYYY-MM[&org=ORG]: the chargeback journal (formula-safe CSV).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { isMonth } from "~/domain/periods";
import { journalCsv } from "~/services/finance-exports";
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
  const csv = await journalCsv(await getDb(), { month, orgId: org });
  return csvResponse(`chargeback-journal-${month}${org ? `-${fileNamePart(org)}` : ""}.csv`, csv);
}
