/**
 * The evidence behind the unmapped queue's suggested teams (app/domain/suggestions.ts): the
 * mapped cost of every owner per (environment, resource, team) in a period, from the
 * month-level drill-down aggregate (allocation_details). Per org the source granularity is the
 * monthly one if there is one, else daily, else weekly, as the queue itself reads.
 */
import type { MappedCost } from "../../app/domain/suggestions";
import { UNALLOCATED, UNMAPPED } from "../../app/domain/vocabulary";
import type { Db } from "../client";

/**
 * Mapped cost (teams only: not `unmapped`, `unallocated` or "") per (org, owner, environment,
 * resource, team) of the months in [from, toExclusive), for the orgs given (null = every org).
 */
export async function listMappedCost(
  db: Db,
  p: { from: string; toExclusive: string; orgIds: readonly string[] | null },
): Promise<MappedCost[]> {
  if (p.orgIds !== null && p.orgIds.length === 0) return [];
  const rows = await db.query<{
    org_id: string;
    owner_id: string;
    environment_id: string;
    resource_id: string;
    team: string;
    cost: string;
  }>(
    `with src as (
       select org_id,
              (array_agg(granularity order by case granularity when 'monthly' then 1 when 'daily' then 2 else 3 end))[1] as granularity
         from allocation_details
        where month >= date_trunc('month', $1::date)::date and month < $2::date and ($3::text[] is null or org_id = any($3::text[]))
        group by org_id)
     select d.org_id, d.owner_id, d.environment_id, d.resource_id, d.team, sum(d.direct)::text as cost
       from allocation_details d join src s on s.org_id = d.org_id and s.granularity = d.granularity
      where d.month >= date_trunc('month', $1::date)::date and d.month < $2::date
        and d.team not in ('${UNMAPPED}', '${UNALLOCATED}', '')
      group by d.org_id, d.owner_id, d.environment_id, d.resource_id, d.team
      order by 1, 2, 3, 4, 5`,
    [p.from, p.toExclusive, p.orgIds === null ? null : [...p.orgIds]],
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    ownerId: r.owner_id,
    environmentId: r.environment_id,
    resourceId: r.resource_id,
    team: r.team,
    cost: r.cost,
  }));
}
