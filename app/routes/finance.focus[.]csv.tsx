// GET /finance/focus.csv?month=YYYY-MM[&org=ORG]: the FOCUS 1.2 cost and usage dataset as CSV, values exactly as they are (docs/focus-mapping.md).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { focusCsv } from "~/services/finance-exports";
import { focusDownload } from "~/lib/focus-download.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  focusDownload(request, async (db, p) => ({ body: await focusCsv(db, p), contentType: "text/csv; charset=utf-8", extension: ".csv" }));
