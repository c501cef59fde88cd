/**
 * Persisted §4 allocation. Results are recomputed for exactly the org, granularities
 * and bucket range a change touches (import, crosswalk edit, policy change); the
 * domain functions do the maths, this module only moves data.
 */
import { Decimal, dec } from "../../app/domain/money";
import { allocateOwners, parsePolicy, type TeamResult } from "../../app/domain/allocation";
import { createResolver, type CrosswalkEntry } from "../../app/domain/crosswalk";
import { copyLine, type Db } from "../client";

export const GRANULARITIES = ["daily", "weekly", "monthly"] as const;

export async function loadCrosswalk(db: Db, orgId?: string): Promise<CrosswalkEntry[]> {
  const rows = await db.query<{ id: number; org_id: string; owner_id: string; team: string; valid_from: string; valid_to: string | null }>(
    `select c.id, c.org_id, c.owner_id, t.name as team, c.valid_from, c.valid_to
       from crosswalk_entries c join teams t on t.id = c.team_id
      ${orgId ? "where c.org_id = $1" : ""}
      order by c.org_id, c.owner_id, c.valid_from`,
    orgId ? [orgId] : [],
  );
  return rows.map((r) => ({ id: r.id, orgId: r.org_id, ownerId: r.owner_id, team: r.team, validFrom: r.valid_from, validTo: r.valid_to }));
}

export interface BucketAllocation {
  bucketStart: string;
  results: TeamResult[];
}

/** Computes (does not store) the allocation of one org/granularity over bucket starts in [from, to] (inclusive; null = unbounded). */
export async function computeAllocation(
  db: Db,
  orgId: string,
  granularity: string,
  from: string | null,
  to: string | null,
): Promise<BucketAllocation[]> {
  const [org] = await db.query<{ policy: string }>(`select policy from organizations where org_id = $1`, [orgId]);
  const policy = parsePolicy(org?.policy ?? "proportional");
  const resolver = createResolver(await loadCrosswalk(db, orgId));
  const rows = await db.query<{ bucket_start: string; owner_id: string; is_unallocated: boolean; cost: string }>(
    `select bucket_start, owner_id, is_unallocated, sum(chargeback_cost) as cost
       from cost_rows
      where active and org_id = $1 and granularity = $2
        and ($3::date is null or bucket_start >= $3::date) and ($4::date is null or bucket_start <= $4::date)
      group by bucket_start, owner_id, is_unallocated
      order by bucket_start, owner_id`,
    [orgId, granularity, from, to],
  );
  const out: BucketAllocation[] = [];
  let i = 0;
  while (i < rows.length) {
    const bucket = rows[i].bucket_start;
    const owners: Array<{ ownerId: string; cost: Decimal }> = [];
    let unallocated = dec("0");
    for (; i < rows.length && rows[i].bucket_start === bucket; i++) {
      const r = rows[i];
      if (r.is_unallocated) unallocated = unallocated.plus(dec(r.cost));
      else owners.push({ ownerId: r.owner_id, cost: dec(r.cost) });
    }
    out.push({ bucketStart: bucket, results: allocateOwners(owners, unallocated, (o) => resolver(orgId, o, bucket), policy) });
  }
  return out;
}

/** Replaces the stored allocation of org/granularity for bucket starts in [from, to] (inclusive; null = unbounded). */
export async function recomputeAllocation(
  db: Db,
  orgId: string,
  granularity: string,
  from: string | null,
  to: string | null,
): Promise<number> {
  const buckets = await computeAllocation(db, orgId, granularity, from, to);
  await db.query(
    `delete from allocation_results where org_id = $1 and granularity = $2
       and ($3::date is null or bucket_start >= $3::date) and ($4::date is null or bucket_start <= $4::date)`,
    [orgId, granularity, from, to],
  );
  let n = 0;
  await db.copyRows(
    "allocation_results",
    ["org_id", "granularity", "bucket_start", "team", "direct_cost", "unallocated_share", "total"],
    (function* () {
      for (const b of buckets)
        for (const r of b.results) {
          n++;
          yield copyLine([orgId, granularity, b.bucketStart, r.team, r.direct.toFixed(), r.unallocatedShare.toFixed(), r.total.toFixed()]);
        }
    })(),
  );
  return n;
}

/** Recomputes every granularity of one org over bucket starts in [from, toExclusive) (null = unbounded). */
export async function recomputeOrgRange(db: Db, orgId: string, from: string | null, toExclusive: string | null): Promise<void> {
  const toInclusive = toExclusive === null ? null : (await db.query<{ d: string }>(`select ($1::date - 1)::text as d`, [toExclusive]))[0].d;
  for (const g of GRANULARITIES) await recomputeAllocation(db, orgId, g, from, toInclusive);
}
