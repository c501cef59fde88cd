/**
 * Persisted allocation (docs/allocation.md): the SQL that reads what allocation needs and
 * stores its results. The recompute itself (app/services/allocation.ts) runs the domain's
 * maths between these reads and writes.
 */
import type { TeamResult } from "../../app/domain/allocation";
import { UNALLOCATED, UNALLOCATED_OWNER_ID, UNMAPPED } from "../../app/domain/vocabulary";
import type { TeamMonthTotal } from "../../app/domain/restatements";
import { copyLine, type Db } from "../client";
import { segmentAppliesAt, segmentJoin, shareAmount } from "./crosswalk-resolution";

/** A stored allocation_results row with its money as decimal text (as queries read it). */
export interface AllocationResultText {
  org_id: string;
  granularity: string;
  bucket_start: string;
  team: string;
  direct_cost: string;
  unallocated_share: string;
  total: string;
}

/** Bucket starts in [$3, $4] (inclusive; a null bound is unbounded): the range every recompute query takes. */
const IN_RANGE = `($3::date is null or bucket_start >= $3::date) and ($4::date is null or bucket_start <= $4::date)`;

/** One org and granularity over bucket starts in [from, to] (inclusive; null = unbounded). */
export interface BucketRange {
  orgId: string;
  granularity: string;
  from: string | null;
  to: string | null;
}

export interface BucketAllocation {
  bucketStart: string;
  results: TeamResult[];
}

/**
 * Rebuilds `owner_bucket_costs` (Σ cost per bucket and usage key of the active rows) of
 * org/granularity for bucket starts in [from, to] (inclusive). Called by ingest after
 * the rows changed; everything else reads the aggregate. `leaf`: the import's own leaf of
 * cost_rows, read instead of cost_rows: after the import replaced [from, to], the active
 * rows there are exactly that leaf's, so only its rows are scanned (and hashed, not sorted).
 */
export async function refreshOwnerBucketCosts(
  db: Db,
  orgId: string,
  granularity: string,
  from: string,
  to: string,
  leaf?: string,
): Promise<void> {
  const params = [orgId, granularity, from, to];
  if (leaf !== undefined && !/^cost_rows_i\d+$/.test(leaf)) throw new Error(`not an import leaf: ${leaf}`);
  await db.query(
    `delete from owner_bucket_costs where org_id = $1 and granularity = $2 and bucket_start between $3::date and $4::date`,
    params,
  );
  if (db.engine === "pg") await db.exec(`set local work_mem = '256MB'; set local enable_sort = off`);
  await db.query(
    `insert into owner_bucket_costs (org_id, granularity, bucket_start, owner_id, environment_id, resource_id, product, is_unallocated, cost)
     select org_id, granularity, bucket_start, owner_id, environment_id, resource_id, product, is_unallocated, sum(chargeback_cost)
       from ${leaf ?? "cost_rows"}
      where active and org_id = $1 and granularity = $2 and bucket_start between $3::date and $4::date
      group by 1, 2, 3, 4, 5, 6, 7, 8`,
    params,
  );
  if (db.engine === "pg") await db.exec(`set local enable_sort = on`);
  // statistics that know this org's new rows before the recompute joins them: with none, a
  // new org's rows look like a handful, and the planner probed the aggregate's range index
  // once per resolved segment (minutes at 1.7M rows; docs/decisions/0009)
  await db.exec(`analyze owner_bucket_costs`);
}

/** One bucket's direct cost of one team (`team` null: the bucket's unallocated amount U). */
export interface BucketTeamCost {
  bucket_start: string;
  team: string | null;
  cost: string;
}

/**
 * Direct cost per (bucket, team) of one org/granularity over bucket starts in [from, to] (null =
 * unbounded), in bucket order, each row resolved through the stored segments
 * (db/queries/crosswalk-resolution.ts): a team, `unmapped`, or (the unallocated row) team null.
 * Split owners are split row by row from the raw rows (`shareAmount`, exactly `splitAmount`);
 * the rest is read from the per-key aggregate or, as an independent check, from the raw rows.
 */
export async function bucketTeamCosts(db: Db, r: BucketRange, source: "aggregate" | "raw" = "aggregate"): Promise<BucketTeamCost[]> {
  const src =
    source === "raw"
      ? `(select bucket_start, org_id, owner_id, environment_id, resource_id, product, is_unallocated, chargeback_cost as cost
            from cost_rows where active and org_id = $1 and granularity = $2 and ${IN_RANGE})`
      : `(select bucket_start, org_id, owner_id, environment_id, resource_id, product, is_unallocated, cost
            from owner_bucket_costs where org_id = $1 and granularity = $2 and ${IN_RANGE})`;
  // hash aggregation: a year of one org is ~500k key-bucket rows; sorting them for the group by
  // costs twice the hashing (PostgreSQL; PGlite plans its own way)
  return db.transaction(async (tx) => {
    const pg = tx.engine === "pg";
    if (pg) await tx.exec(`set local work_mem = '256MB'; set local enable_sort = off`);
    const rows = await tx.query<BucketTeamCost>(
      `with plain as (
       select o.bucket_start, case when o.is_unallocated then null else coalesce(m.team, '${UNMAPPED}') end as team, o.cost
         from ${src} o
         ${segmentJoin({ seg: "m", row: "o", day: "o.bucket_start", when: "not o.is_unallocated" })}
        where m.parts is null or m.parts = 1),
     split_owners as (select distinct owner_id from mapping_segments where org_id = $1 and parts > 1),
     split_rows as (
       select c.bucket_start, m.team, ${shareAmount("m", "c.chargeback_cost")} as cost
         from split_owners so
         join cost_rows c on c.org_id = $1 and c.owner_id = so.owner_id
         join mapping_segments m on m.parts > 1 and ${segmentAppliesAt({ seg: "m", row: "c", day: "c.bucket_start" })}
        where c.active and c.granularity = $2 and ${IN_RANGE.replaceAll("bucket_start", "c.bucket_start")})
     select bucket_start::text, team, cost::text from (
       select bucket_start, team, sum(cost) as cost
         from (select * from plain union all select * from split_rows) u
        group by 1, 2) g
      order by 1, 2`,
      [r.orgId, r.granularity, r.from, r.to],
    );
    if (pg) await tx.exec(`set local enable_sort = on`);
    return rows;
  });
}

/** Months (YYYY-MM) of an org that are closed: their stored allocation is frozen (docs/reconciliation.md). */
export async function closedMonths(db: Db, orgId: string): Promise<Set<string>> {
  const rows = await db.query<{ month: string }>(`select month from month_closes where org_id = $1 and status = 'closed'`, [orgId]);
  return new Set(rows.map((r) => r.month));
}

/**
 * Replaces the stored bucket results of org/granularity for bucket starts in [from, to]
 * (null = unbounded) with `buckets`, leaving the buckets of the `closed` months (YYYY-MM) as
 * they are. Returns the number of rows written.
 */
export async function replaceAllocationResults(
  db: Db,
  r: BucketRange,
  closed: ReadonlySet<string>,
  buckets: readonly BucketAllocation[],
): Promise<number> {
  const { orgId, granularity, from, to } = r;
  await db.query(
    `delete from allocation_results where org_id = $1 and granularity = $2
       and ${IN_RANGE}
       and not (to_char(bucket_start, 'YYYY-MM') = any($5::text[]))`,
    [orgId, granularity, from, to, [...closed]],
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

/**
 * Rebuilds `allocation_details` for the whole months that [from, to] touches (the drill-down
 * aggregate; rows resolved through the stored segments, db/queries/crosswalk-resolution.ts, with
 * where each team came from in `mapped_by`). Runs after the bucket results are stored: the
 * unallocated row is labelled by where its U went. `ownerIds`: only these owners' details (and
 * the unallocated row's) can have changed.
 */
export async function refreshDetails(
  db: Db,
  orgId: string,
  granularity: string,
  from: string | null,
  to: string | null,
  ownerIds?: readonly string[],
): Promise<void> {
  const params = [orgId, granularity, from, to, ownerIds ? [...ownerIds, UNALLOCATED_OWNER_ID] : null];
  // A month of one org's rows aggregates in a hash table (≈15 MB per 300k rows). Right
  // after a bulk load the planner's group estimate is pessimistic and it sorts them instead
  // (a 280k-row sort on 8 text keys: 0.9 s against 0.25 s), so sorting is ruled out here.
  const pg = db.engine === "pg";
  if (pg) await db.exec(`set local work_mem = '256MB'; set local enable_sort = off`);
  await db.query(
    `delete from allocation_details where org_id = $1 and granularity = $2
       and ($3::date is null or month >= date_trunc('month', $3::date)::date)
       and ($4::date is null or month <= date_trunc('month', $4::date)::date)
       and ${ownerIds ? "owner_id = any($5::text[])" : "$5::text[] is null"}`,
    params,
  );
  // (the owner filter is written only when given, so the planner can use cost_rows_owner_idx)
  const rows = `c.active and c.org_id = $1 and c.granularity = $2
        and ($3::date is null or c.bucket_start >= date_trunc('month', $3::date)::date)
        and ($4::date is null or c.bucket_start < (date_trunc('month', $4::date) + interval '1 month')::date)
        and ${ownerIds ? "c.owner_id = any($5::text[])" : "$5::text[] is null"}`;
  const keep = `c.org_id, c.granularity, date_trunc('month', c.bucket_start)::date as month`;
  const after = `c.owner_id, c.product, c.metric, c.unit, c.environment_id, c.resource_id`;
  await db.query(
    `insert into allocation_details (org_id, granularity, month, team, owner_id, product, metric, unit, environment_id, resource_id, mapped_by, direct)
     select org_id, granularity, month, team, owner_id, product, metric, unit, environment_id, resource_id, mapped_by, sum(direct)
       from (
         select ${keep},
                case when c.is_unallocated then
                       case when exists (select 1 from allocation_results a where a.org_id = c.org_id and a.granularity = c.granularity
                                            and a.bucket_start = c.bucket_start and a.team = '${UNALLOCATED}') then '${UNALLOCATED}' else '' end
                     else coalesce(m.team, '${UNMAPPED}') end as team,
                ${after}, coalesce(m.mapped_by, '') as mapped_by, c.chargeback_cost as direct
           from cost_rows c
           ${segmentJoin({ seg: "m", row: "c", day: "c.bucket_start", when: "not c.is_unallocated" })}
          where ${rows} and (m.parts is null or m.parts = 1)
         union all
         select ${keep}, m.team, ${after}, m.mapped_by, ${shareAmount("m", "c.chargeback_cost")}
           from (select distinct owner_id from mapping_segments where org_id = $1 and parts > 1) so
           join cost_rows c on c.org_id = $1 and c.owner_id = so.owner_id
           join mapping_segments m on m.parts > 1 and ${segmentAppliesAt({ seg: "m", row: "c", day: "c.bucket_start" })}
          where ${rows}) d
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11`,
    params,
  );
  if (pg) await db.exec(`set local enable_sort = on`);
}

/** Stored totals per (month, team) of the `closed` months of org/granularity over bucket starts in [from, to]. */
export async function closedMonthTotals(db: Db, r: BucketRange, closed: ReadonlySet<string>): Promise<TeamMonthTotal[]> {
  const { orgId, granularity, from, to } = r;
  return db.query<TeamMonthTotal>(
    `select to_char(bucket_start, 'YYYY-MM') as month, team, sum(total)::text as total from allocation_results
      where org_id = $1 and granularity = $2
        and ${IN_RANGE}
        and to_char(bucket_start, 'YYYY-MM') = any($5::text[])
      group by 1, 2`,
    [orgId, granularity, from, to, [...closed]],
  );
}
