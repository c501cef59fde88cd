// GET /crosswalk.csv[?org=…]: the crosswalk as §3 CSV, formula-safe (§6).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { listCrosswalk } from "../../db/queries/crosswalk";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { toSafeCsv } from "~/lib/csv.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const url = new URL(request.url);
  const org = url.searchParams.get("org") || undefined;
  const rows = await listCrosswalk(await getDb(), { orgId: org });
  const csv = toSafeCsv(
    ["org_id", "owner_id", "team", "valid_from", "valid_to", "cost_center", "note"],
    rows.map((r) => [r.orgId, r.ownerId, r.team, r.validFrom, r.validTo ?? "", r.costCenter ?? "", r.note ?? ""]),
  );
  const name = `crosswalk${org ? `-${org.replace(/[^A-Za-z0-9._-]/g, "_")}` : ""}.csv`;
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
