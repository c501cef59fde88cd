// GET /finance/focus.parquet?month=YYYY-MM[&org=ORG]: the FOCUS 1.2 cost and usage dataset as Parquet (docs/focus-mapping.md).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { focusParquet } from "~/services/finance-exports";
import { monthFileDownload } from "~/lib/month-csv.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  monthFileDownload(request, "focus", async (db, p) => ({
    body: await focusParquet(db, p),
    contentType: "application/vnd.apache.parquet",
    extension: ".parquet",
  }));
