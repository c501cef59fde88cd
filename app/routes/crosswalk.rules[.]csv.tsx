// GET /crosswalk/rules.csv[?org=…]: the mapping rules as the rules CSV (docs/crosswalk.md "Rules"; all, or those that apply
// to the org), the same rules as /crosswalk/rules.json in the CSV spelling. Any signed-in user, as the JSON.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportRulesCsv } from "~/services/mapping";
import { requireFullReader } from "~/lib/scope.server";
import { getDb } from "~/lib/db.server";
import { csvResponse, fileNamePart } from "~/lib/csv.server";
import { InputError } from "~/domain/errors";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFullReader(request);
  const org = new URL(request.url).searchParams.get("org") || null;
  let csv: string;
  try {
    csv = await exportRulesCsv(await getDb(), org);
  } catch (e) {
    // a split team whose name contains ";" has no CSV form: say so (the JSON export has no such limit)
    if (e instanceof InputError)
      return new Response(`${e.message}\n`, {
        status: 422,
        headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff" },
      });
    throw e;
  }
  return csvResponse(`mapping-rules${org ? `-${fileNamePart(org)}` : ""}.csv`, csv);
}
