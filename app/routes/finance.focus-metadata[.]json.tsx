// GET /finance/focus-metadata.json?month=YYYY-MM[&org=ORG]: the FOCUS metadata (Schema, DataGenerator) of the month's dataset.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { focusMetadataJson } from "~/services/finance-exports";
import { monthFileDownload } from "~/lib/month-csv.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  monthFileDownload(request, "focus", async (db, p) => ({
    body: await focusMetadataJson(db, p),
    contentType: "application/json; charset=utf-8",
    extension: "-metadata.json",
  }));
