/**
 * Reads behind the FOCUS export (docs/focus-mapping.md): the direct cost rows of an (org, month)
 * with their team through the resolved crosswalk and the display names of their environment and
 * resource, and the stored unallocated shares with what the bucket's unallocated row holds. The
 * rows themselves are built by app/domain/focus.ts (app/services/finance-exports.ts).
 */
import type { Db } from "../client";
import { segmentJoin, shareAmount } from "./crosswalk-resolution";

export interface DirectCostRow {
  bucket_start: string;
  owner_id: string;
  environment_id: string;
  environment_name: string | null;
  resource_id: string;
  resource_name: string | null;
  product: string;
  metric: string;
  unit: string;
  chargeback_cost: string;
  /** the row's team through the resolved crosswalk; null = unmapped */
  team: string | null;
  mapped_by: string | null;
  /** the share's percent when the owner is split (parts > 1), else null */
  split_pct: string | null;
}

/**
 * Active direct (not unallocated) cost rows of one org and granularity in [from, to), in file
 * order per bucket (db/queries/crosswalk-resolution.ts): a row mapped to a split comes once per
 * share, `chargeback_cost` being that share's exact part.
 */
export async function directCostRows(
  db: Db,
  p: { orgId: string; granularity: string; from: string; to: string },
): Promise<DirectCostRow[]> {
  return db.query<DirectCostRow>(
    `select c.bucket_start::text as bucket_start, c.owner_id, c.environment_id, en.display_name as environment_name,
            c.resource_id, rn.display_name as resource_name, c.product, c.metric, c.unit,
            (${shareAmount("m", "c.chargeback_cost")})::text as chargeback_cost, m.team, m.mapped_by,
            case when m.parts > 1 then trim_scale(m.pct)::text end as split_pct
       from cost_rows c
       ${segmentJoin({ seg: "m", row: "c", day: "c.bucket_start" })}
       left join owner_names en on en.org_id = c.org_id and en.owner_id = c.environment_id and c.environment_id <> ''
       left join owner_names rn on rn.org_id = c.org_id and rn.owner_id = c.resource_id and c.resource_id <> ''
      where c.active and not c.is_unallocated and c.org_id = $1 and c.granularity = $2 and c.bucket_start >= $3::date and c.bucket_start < $4::date
      order by c.bucket_start, c.import_id, c.line, m.team collate "C"`,
    [p.orgId, p.granularity, p.from, p.to],
  );
}

export interface UnallocatedShareRow {
  bucket_start: string;
  team: string;
  share: string;
  /** product / metric / unit of the bucket's unallocated row ('' when none or when several differ) */
  product: string;
  metric: string;
  unit: string;
  owner_id: string;
}

/** The stored non-zero unallocated share per (bucket, team) of one org and granularity in [from, to). */
export async function unallocatedShares(
  db: Db,
  p: { orgId: string; granularity: string; from: string; to: string },
): Promise<UnallocatedShareRow[]> {
  return db.query<UnallocatedShareRow>(
    `with u as (
       select bucket_start,
              case when count(distinct product) = 1 then min(product) else '' end as product,
              case when count(distinct metric) = 1 then min(metric) else '' end as metric,
              case when count(distinct unit) = 1 then min(unit) else '' end as unit,
              min(owner_id) as owner_id
         from cost_rows
        where active and is_unallocated and org_id = $1 and granularity = $2 and bucket_start >= $3::date and bucket_start < $4::date
        group by bucket_start)
     select a.bucket_start::text as bucket_start, a.team, a.unallocated_share::text as share,
            coalesce(u.product, '') as product, coalesce(u.metric, '') as metric, coalesce(u.unit, '') as unit,
            coalesce(u.owner_id, 'unallocated') as owner_id
       from allocation_results a left join u on u.bucket_start = a.bucket_start
      where a.org_id = $1 and a.granularity = $2 and a.bucket_start >= $3::date and a.bucket_start < $4::date and a.unallocated_share <> 0
      order by a.bucket_start, a.team collate "C"`,
    [p.orgId, p.granularity, p.from, p.to],
  );
}
