// GET /api/v1/unmapped?month=YYYY-MM (docs/api.md, finance admins): the unmapped queue (db/queries/owners.ts listUnmappedOwners).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { listUnmappedOwners } from "../../db/queries/owners";
import { UNMAPPED_PARAMS, UnmappedResponseSchema } from "~/domain/api-schemas";
import { dec } from "~/domain/money";
import { monthRange } from "~/domain/periods";
import { apiHandler, apiJson, compareStrings, paginate, parseQuery } from "~/lib/api.server";

type Key = [string, string, string];
/** The queue's order: cost descending, then org and owner id. */
const compare = (a: Key, b: Key) => dec(b[0]).comparedTo(dec(a[0])) || compareStrings(a.slice(1), b.slice(1));

export async function loader({ request }: LoaderFunctionArgs) {
  return apiHandler(request, { role: "finance_admin" }, async ({ db, url }) => {
    const q = parseQuery(url, UNMAPPED_PARAMS) as { month: string; org?: string; limit: number; cursor?: string };
    const { from, to } = monthRange(q.month);
    const owners = await listUnmappedOwners(db, { from, toExclusive: to, orgId: q.org });
    const page = paginate(owners, {
      key: (o): Key => [o.cost, o.orgId, o.ownerId],
      arity: 3,
      compare,
      cursor: q.cursor,
      limit: q.limit,
    });
    return apiJson(
      UnmappedResponseSchema.parse({
        month: q.month,
        rows: page.rows.map((o) => ({
          org_id: o.orgId,
          owner_id: o.ownerId,
          display_name: o.displayName,
          cost: o.cost,
          rows: o.rows,
          granularity: o.granularity,
          products: o.products,
          environments: o.environments.map((e) => ({
            environment_id: e.environmentId,
            display_name: e.displayName,
            cost: e.cost,
            resources: e.resources.map((r) => ({ resource_id: r.resourceId, display_name: r.displayName, cost: r.cost })),
          })),
          first_seen: o.firstSeen,
          last_seen: o.lastSeen,
        })),
        next_cursor: page.next_cursor,
      }),
    );
  });
}
