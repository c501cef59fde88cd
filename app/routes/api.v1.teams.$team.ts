// GET /api/v1/teams/:team (docs/api.md): the team page's read (db/queries/drilldown.ts getDrilldown, getTeamInfo) as JSON.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDrilldown } from "../../db/queries/drilldown";
import { getTeamInfo } from "../../db/queries/teams";
import { TEAM_PARAMS, TeamResponseSchema } from "~/domain/api-schemas";
import { dec } from "~/domain/money";
import { isVisible, OTHER_TEAMS } from "~/domain/scope";
import { UNALLOCATED, UNMAPPED, type Granularity } from "~/domain/vocabulary";
import { apiError, apiHandler, apiJson, compareStrings, paginate, parseQuery } from "~/lib/api.server";

type Key = [string, string, string];
/** Principals: direct cost descending, then org and owner id. */
const compare = (a: Key, b: Key) => dec(b[0]).comparedTo(dec(a[0])) || compareStrings(a.slice(1), b.slice(1));

export async function loader({ request, params }: LoaderFunctionArgs) {
  return apiHandler(request, { role: "team_viewer" }, async ({ db, url, visible, outOfScope }) => {
    const q = parseQuery(url, TEAM_PARAMS) as {
      granularity: Granularity;
      from: string;
      to: string;
      org?: string[];
      limit: number;
      cursor?: string;
    };
    if (q.from > q.to) return apiError("invalid_parameter", "from: must not be after to", { parameter: "from" });
    const team = params.team ?? "";
    if (!isVisible(visible, team) || (visible !== null && team === OTHER_TEAMS)) {
      return outOfScope(`team ${JSON.stringify(team)} is outside this token's scope`);
    }
    const d = await getDrilldown(db, "team", team, { granularity: q.granularity, from: q.from, to: q.to, orgIds: q.org, visible });
    const info = await getTeamInfo(db, team);
    // the team page's rule: unknown unless it exists, has cost in the range, or is a pseudo-team
    if (!info && d.trend.length === 0 && team !== UNMAPPED && team !== UNALLOCATED) {
      return apiError("not_found", `no team named ${JSON.stringify(team)}`);
    }
    const principals = [...d.principals].sort((a, b) => compare([a.direct, a.orgId, a.ownerId], [b.direct, b.orgId, b.ownerId]));
    const page = paginate(principals, {
      key: (p): Key => [p.direct, p.orgId, p.ownerId],
      arity: 3,
      compare,
      cursor: q.cursor,
      limit: q.limit,
    });
    const amounts = (x: { direct: string; unallocatedShare: string; total: string }) => ({
      direct_cost: x.direct,
      unallocated_share: x.unallocatedShare,
      total_cost: x.total,
    });
    return apiJson(
      TeamResponseSchema.parse({
        team: d.key,
        cost_center: info?.cost_center ?? null,
        archived: info?.archived ?? false,
        totals: amounts(d.totals),
        trend: d.trend.map((t) => ({ period_start: t.period, ...amounts(t) })),
        by_org: d.byOrgReport.map((o) => ({ org_id: o.orgId, ...amounts(o) })),
        by_product: d.byProduct.map((p) => ({ product: p.product, direct_cost: p.direct })),
        principals: page.rows.map((p) => ({
          org_id: p.orgId,
          owner_id: p.ownerId,
          display_name: p.displayName,
          mapped_by: p.mappedBy,
          direct_cost: p.direct,
        })),
        next_cursor: page.next_cursor,
      }),
    );
  });
}
