// GET /admin/budgets.csv: the budgets as the import's CSV (scope,name,amount,from_month,org_id; app/domain/budgets.ts),
// so a download edited and uploaded again round-trips. Finance admins, as the page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { budgetsCsv } from "~/services/budgets";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { csvResponse } from "~/lib/csv.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "finance_admin");
  return csvResponse("budgets.csv", await budgetsCsv(await getDb()));
}
