// GET /finance/journal.csv?month=YYYY-MM[&org=ORG]: the chargeback journal (formula-safe CSV).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { journalCsv } from "~/services/journal";
import { monthCsvLoader } from "~/lib/month-csv.server";

export const loader = ({ request }: LoaderFunctionArgs) => monthCsvLoader(request, "chargeback-journal", journalCsv);
