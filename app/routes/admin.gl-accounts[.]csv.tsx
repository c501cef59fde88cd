// GET /admin/gl-accounts.csv: the GL account mapping as the import's CSV (scope,key,account,org_id; docs/journal.md),
// so a download edited and uploaded again round-trips. Finance admins, as the page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { glAccountsCsv } from "~/services/gl-accounts";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { csvResponse } from "~/lib/csv.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "finance_admin");
  return csvResponse("gl-accounts.csv", await glAccountsCsv(await getDb()));
}
