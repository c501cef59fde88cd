// GET /finance/focus.csv?month=YYYY-MM[&org=ORG]: the FOCUS 1.2 cost and usage dataset as CSV, values exactly as they are (docs/focus-mapping.md).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { focusCsv } from "~/services/finance-exports";
import { monthCsvLoader } from "~/lib/month-csv.server";

export const loader = ({ request }: LoaderFunctionArgs) => monthCsvLoader(request, "focus", focusCsv);
