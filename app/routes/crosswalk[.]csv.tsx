// GET /crosswalk.csv[?org=…]: the crosswalk as the crosswalk CSV (docs/crosswalk.md), formula-safe (docs/security.md).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { listCrosswalk } from "../../db/queries/crosswalk";
import { requireFullReader } from "~/lib/scope.server";
import { getDb } from "~/lib/db.server";
import { crosswalkCsv, csvResponse, fileNamePart } from "~/lib/csv.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFullReader(request);
  const url = new URL(request.url);
  const org = url.searchParams.get("org") || undefined;
  const rows = await listCrosswalk(await getDb(), { orgId: org });
  return csvResponse(`crosswalk${org ? `-${fileNamePart(org)}` : ""}.csv`, crosswalkCsv(rows));
}
