/**
 * Persisted allocation (docs/allocation.md). Results are recomputed for exactly the org, granularities
 * and bucket range a change touches (import, crosswalk edit, policy change); the
 * domain functions do the maths, this module only moves data.
 */
import { GRANULARITIES } from "../../app/domain/periods";
import { Decimal, dec } from "../../app/domain/money";
import { allocateOwners, DEFAULT_POLICY, type TeamResult } from "../../app/domain/allocation";
import { createResolver, type CrosswalkEntry } from "../../app/domain/crosswalk";
import { copyLine, type Db } from "../client";
import { diffSnapshots } from "./restatements";
import { orgPolicies } from "./orgs";
import { resolvedTeamJoin } from "./crosswalk-resolution";

export { GRANULARITIES };

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

/**
 * Rebuilds `owner_bucket_costs` (Σ cost per bucket and owner of the active rows) of
 * org/granularity for bucket starts in [from, to] (inclusive). Called by ingest after
 * the rows changed; everything else reads the aggregate.
 */
export async function refreshOwnerBucketCosts(db: Db, orgId: string, granularity: string, from: string, to: string): Promise<void> {
  const params = [orgId, granularity, from, to];
  await db.query(
    `delete from owner_bucket_costs where org_id = $1 and granularity = $2 and bucket_start between $3::date and $4::date`,
    params,
  );
  await db.query(
    `insert into owner_bucket_costs (org_id, granularity, bucket_start, owner_id, is_unallocated, cost)
     select org_id, granularity, bucket_start, owner_id, is_unallocated, sum(chargeback_cost)
       from cost_rows
      where active and org_id = $1 and granularity = $2 and bucket_start between $3::date and $4::date
      group by 1, 2, 3, 4, 5`,
    params,
  );
}

/**
 * Computes (does not store) the allocation of one org/granularity over bucket starts in
 * [from, to] (inclusive; null = unbounded), from the per-owner aggregate or, as an
 * independent check, from the raw rows.
 */
export async function computeAllocation(
  db: Db,
  orgId: string,
  granularity: string,
  from: string | null,
  to: string | null,
  opts: { source?: "aggregate" | "raw" } = {},
): Promise<BucketAllocation[]> {
  const policy = (await orgPolicies(db, [orgId])).get(orgId) ?? DEFAULT_POLICY;
  const resolver = createResolver(await loadCrosswalk(db, orgId));
  const range = `org_id = $1 and granularity = $2
        and ($3::date is null or bucket_start >= $3::date) and ($4::date is null or bucket_start <= $4::date)`;
  const rows = await db.query<{ bucket_start: string; owner_id: string; is_unallocated: boolean; cost: string }>(
    opts.source === "raw"
      ? `select bucket_start, owner_id, is_unallocated, sum(chargeback_cost) as cost from cost_rows
          where active and ${range} group by bucket_start, owner_id, is_unallocated order by bucket_start, owner_id`
      : `select bucket_start, owner_id, is_unallocated, cost from owner_bucket_costs
          where ${range} order by bucket_start, owner_id`,
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

/** Months (YYYY-MM) of an org that are closed: their stored allocation is frozen (docs/reconciliation.md). */
export async function closedMonths(db: Db, orgId: string): Promise<Set<string>> {
  const rows = await db.query<{ month: string }>(`select month from month_closes where org_id = $1 and status = 'closed'`, [orgId]);
  return new Set(rows.map((r) => r.month));
}

export interface RecomputeOptions {
  /** The import that caused the recompute, recorded on closed-month restatements. */
  importId?: number | null;
  /**
   * Only this owner's rows (and the unallocated rows) can have changed team: refresh
   * just those drill-down details (a crosswalk edit). `"unallocated"` alone = a policy change.
   */
  detailsOwnerId?: string;
  /** called after each step with its name (timing hook) */
  onPhase?: (name: string) => void;
}

/**
 * Replaces the stored allocation of org/granularity for bucket starts in [from, to]
 * (inclusive; null = unbounded). Buckets in a closed month are never rewritten: the
 * difference between the frozen figures and the recomputed ones is recorded as a
 * `closed_month` restatement instead, until the month is explicitly reopened.
 */
export async function recomputeAllocation(
  db: Db,
  orgId: string,
  granularity: string,
  from: string | null,
  to: string | null,
  opts: RecomputeOptions = {},
): Promise<number> {
  const computed = await computeAllocation(db, orgId, granularity, from, to);
  opts.onPhase?.("allocate");
  const closed = await closedMonths(db, orgId);
  const monthOf = (d: string) => d.slice(0, 7);
  const open = computed.filter((b) => !closed.has(monthOf(b.bucketStart)));
  if (closed.size > 0) await recordClosedMonthRestatements(db, orgId, granularity, from, to, computed, closed, opts.importId ?? null);
  await db.query(
    `delete from allocation_results where org_id = $1 and granularity = $2
       and ($3::date is null or bucket_start >= $3::date) and ($4::date is null or bucket_start <= $4::date)
       and not (to_char(bucket_start, 'YYYY-MM') = any($5::text[]))`,
    [orgId, granularity, from, to, [...closed]],
  );
  let n = 0;
  await db.copyRows(
    "allocation_results",
    ["org_id", "granularity", "bucket_start", "team", "direct_cost", "unallocated_share", "total"],
    (function* () {
      for (const b of open)
        for (const r of b.results) {
          n++;
          yield copyLine([orgId, granularity, b.bucketStart, r.team, r.direct.toFixed(), r.unallocatedShare.toFixed(), r.total.toFixed()]);
        }
    })(),
  );
  opts.onPhase?.("store_results");
  await refreshDetails(db, orgId, granularity, from, to, opts.detailsOwnerId);
  opts.onPhase?.("details");
  return n;
}

/**
 * Rebuilds `allocation_details` for the whole months that [from, to] touches (the
 * drill-down aggregate; owners resolved by db/queries/crosswalk-resolution.ts, the resolver's
 * rule). Runs after the bucket results are stored: the unallocated row is labelled by where its U went.
 */
export async function refreshDetails(
  db: Db,
  orgId: string,
  granularity: string,
  from: string | null,
  to: string | null,
  ownerId?: string,
): Promise<void> {
  const params = [orgId, granularity, from, to, ownerId ?? null];
  // A month of one org's rows aggregates in a hash table (≈15 MB per 300k rows). Right
  // after a bulk load the planner's group estimate is pessimistic and it sorts them instead
  // (a 280k-row sort on 8 text keys: 0.9 s against 0.25 s), so sorting is ruled out here.
  const pg = db.engine === "pg";
  if (pg) await db.exec(`set local work_mem = '256MB'; set local enable_sort = off`);
  await db.query(
    `delete from allocation_details where org_id = $1 and granularity = $2
       and ($3::date is null or month >= date_trunc('month', $3::date)::date)
       and ($4::date is null or month <= date_trunc('month', $4::date)::date)
       and ($5::text is null or owner_id = $5 or owner_id = 'unallocated')`,
    params,
  );
  await db.query(
    `insert into allocation_details (org_id, granularity, month, team, owner_id, product, metric, unit, environment_id, resource_id, direct)
     select c.org_id, c.granularity, date_trunc('month', c.bucket_start)::date,
            case when c.is_unallocated then
                   case when exists (select 1 from allocation_results a where a.org_id = c.org_id and a.granularity = c.granularity
                                        and a.bucket_start = c.bucket_start and a.team = 'unallocated') then 'unallocated' else '' end
                 else coalesce(t.name, 'unmapped') end,
            c.owner_id, c.product, c.metric, c.unit, c.environment_id, c.resource_id, sum(c.chargeback_cost)
       from cost_rows c
       ${resolvedTeamJoin({ entry: "e", team: "t", orgId: "c.org_id", ownerId: "c.owner_id", day: "c.bucket_start", when: "not c.is_unallocated" })}
      where c.active and c.org_id = $1 and c.granularity = $2
        and ($3::date is null or c.bucket_start >= date_trunc('month', $3::date)::date)
        and ($4::date is null or c.bucket_start < (date_trunc('month', $4::date) + interval '1 month')::date)
        and ($5::text is null or c.owner_id = any(array[$5, 'unallocated']))
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
    params,
  );
  if (pg) await db.exec(`set local enable_sort = on`);
}

async function recordClosedMonthRestatements(
  db: Db,
  orgId: string,
  granularity: string,
  from: string | null,
  to: string | null,
  computed: BucketAllocation[],
  closed: Set<string>,
  importId: number | null,
): Promise<void> {
  const stored = await db.query<{ month: string; team: string; total: string }>(
    `select to_char(bucket_start, 'YYYY-MM') as month, team, sum(total)::text as total from allocation_results
      where org_id = $1 and granularity = $2
        and ($3::date is null or bucket_start >= $3::date) and ($4::date is null or bucket_start <= $4::date)
        and to_char(bucket_start, 'YYYY-MM') = any($5::text[])
      group by 1, 2`,
    [orgId, granularity, from, to, [...closed]],
  );
  const fresh = new Map<string, Decimal>();
  for (const b of computed) {
    const month = b.bucketStart.slice(0, 7);
    if (!closed.has(month)) continue;
    for (const r of b.results) {
      const k = `${month}\u0000${r.team}`;
      fresh.set(k, (fresh.get(k) ?? dec("0")).plus(r.total));
    }
  }
  const before = stored.map((r) => ({ month: r.month, team: r.team, total: r.total }));
  const after = [...fresh.entries()].map(([k, v]) => {
    const [month, team] = k.split("\u0000");
    return { month, team, total: v.toFixed() };
  });
  const deltas = diffSnapshots(before, after);
  for (const month of [...new Set(deltas.map((d) => d.month))].sort())
    await db.query(`insert into restatements (org_id, month, import_id, kind, deltas) values ($1, $2, $3, 'closed_month', $4::jsonb)`, [
      orgId,
      month,
      importId,
      JSON.stringify({ granularity, deltas: deltas.filter((d) => d.month === month) }),
    ]);
}

/** Recomputes every granularity of one org over bucket starts in [from, toExclusive) (null = unbounded). */
export async function recomputeOrgRange(
  db: Db,
  orgId: string,
  from: string | null,
  toExclusive: string | null,
  opts: RecomputeOptions = {},
): Promise<void> {
  const toInclusive = toExclusive === null ? null : (await db.query<{ d: string }>(`select ($1::date - 1)::text as d`, [toExclusive]))[0].d;
  for (const g of GRANULARITIES) await recomputeAllocation(db, orgId, g, from, toInclusive, opts);
}
