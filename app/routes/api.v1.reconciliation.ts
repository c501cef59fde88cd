// GET /api/v1/reconciliation?month=YYYY-MM (docs/api.md): what `npm run reconcile` prints (db/queries/reconcile.ts), one row per org.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getMonthClose } from "../../db/queries/closes";
import { reconcileMonth } from "../../db/queries/reconcile";
import { RECONCILIATION_PARAMS, ReconciliationResponseSchema, reconcileFields } from "~/domain/api-schemas";
import { apiHandler, apiJson, compareStrings, paginate, parseQuery } from "~/lib/api.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return apiHandler(request, { role: "viewer" }, async ({ db, url }) => {
    const q = parseQuery(url, RECONCILIATION_PARAMS) as { month: string; org?: string[]; limit: number; cursor?: string };
    const { orgs, total } = await reconcileMonth(db, q.month, { orgIds: q.org ? [...new Set(q.org)] : undefined });
    const sorted = [...orgs].sort((a, b) => compareStrings([a.orgId], [b.orgId]));
    const page = paginate(sorted, { key: (r) => [r.orgId], arity: 1, compare: compareStrings, cursor: q.cursor, limit: q.limit });
    const rows = [];
    for (const r of page.rows) {
      const c = await getMonthClose(db, r.orgId, q.month);
      rows.push({
        ...reconcileFields(r),
        source: r.source,
        close: c ? { status: c.status, reason: c.reason, closed_by: c.closed_by, closed_at: String(c.closed_at) } : null,
      });
    }
    return apiJson(
      ReconciliationResponseSchema.parse({
        month: q.month,
        rows,
        total: total ? reconcileFields(total) : null,
        next_cursor: page.next_cursor,
      }),
    );
  });
}
