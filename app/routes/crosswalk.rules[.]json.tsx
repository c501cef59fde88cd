// GET /crosswalk/rules.json[?org=…]: the mapping rules as a rules file (docs/crosswalk.md; all, or those that apply to the org).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportRules } from "~/services/mapping";
import { requireFullReader } from "~/lib/scope.server";
import { getDb } from "~/lib/db.server";
import { fileNamePart } from "~/lib/csv.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFullReader(request);
  const org = new URL(request.url).searchParams.get("org") || null;
  const text = await exportRules(await getDb(), org);
  return new Response(text, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="mapping-rules${org ? `-${fileNamePart(org)}` : ""}.json"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
