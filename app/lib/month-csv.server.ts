/** The loader of the month CSV downloads (/finance/focus.csv, /finance/journal.csv): ?month=YYYY-MM[&org=ORG]. */
import { isMonth } from "~/domain/periods";
import { requireUser } from "~/lib/auth.server";
import { csvResponse, fileNamePart } from "~/lib/csv.server";
import { getDb } from "~/lib/db.server";

type Db = Awaited<ReturnType<typeof getDb>>;

/** Checks sign-in and the month, builds the CSV and names the file `<prefix>-<month>[-<org>].csv`. */
export async function monthCsvLoader(
  request: Request,
  fileNamePrefix: string,
  build: (db: Db, params: { month: string; orgId: string | undefined }) => Promise<string>,
): Promise<Response> {
  await requireUser(request);
  const url = new URL(request.url);
  const month = url.searchParams.get("month");
  const org = url.searchParams.get("org") || undefined;
  if (!isMonth(month))
    return new Response("month=YYYY-MM is required\n", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  const csv = await build(await getDb(), { month, orgId: org });
  return csvResponse(`${fileNamePrefix}-${month}${org ? `-${fileNamePart(org)}` : ""}.csv`, csv);
}
