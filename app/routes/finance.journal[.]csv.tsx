// GET /finance/journal.csv?month=YYYY-MM[&org=ORG][&posting_date=YYYY-MM-DD]: the double-entry GL journal
// (formula-safe CSV, docs/journal.md), posted on the month's last day unless posting_date says otherwise.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { journalCsv } from "~/services/journal";
import { monthCsvLoader } from "~/lib/month-csv.server";

export const loader = ({ request }: LoaderFunctionArgs) => {
  const postingDate = new URL(request.url).searchParams.get("posting_date") || null;
  return monthCsvLoader(request, "chargeback-journal", (db, p) => journalCsv(db, { ...p, postingDate }));
};
