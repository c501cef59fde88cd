/**
 * Owner reads: the unmapped queue (owners with cost in a period and no crosswalk entry),
 * the range an owner was seen in, and display names (docs/crosswalk.md).
 */
import { dec, type Decimal } from "../../app/domain/money";
import type { Db } from "../client";
import { unmappedRowAt } from "./crosswalk-resolution";

export interface UnmappedOwner {
  orgId: string;
  ownerId: string;
  displayName: string | null;
  cost: string;
  rows: number;
  granularity: string;
  products: Array<{ product: string; cost: string }>;
  firstSeen: string;
  lastSeen: string;
}

/**
 * Owners with cost in [from, toExclusive) whose rows have no crosswalk entry
 * effective at the bucket start, largest cost first. Per org the month's source is
 * the monthly import if there is one, else daily, else weekly (never two at once).
 */
export async function listUnmappedOwners(db: Db, p: { from: string; toExclusive: string; orgId?: string }): Promise<UnmappedOwner[]> {
  const rows = await db.query<{
    org_id: string;
    owner_id: string;
    granularity: string;
    product: string;
    cost: string;
    n: number;
    first_seen: string;
    last_seen: string;
    display_name: string | null;
  }>(
    `with src as (
       select org_id,
              (array_agg(granularity order by case granularity when 'monthly' then 1 when 'daily' then 2 else 3 end))[1] as granularity
         from cost_rows
        where active and bucket_start >= $1::date and bucket_start < $2::date and ($3::text is null or org_id = $3)
        group by org_id),
     un as (
       select c.org_id, c.owner_id, c.granularity, c.product, c.chargeback_cost, c.bucket_start, c.environment_id, c.resource_id
         from cost_rows c join src s on s.org_id = c.org_id and s.granularity = c.granularity
        where c.active and not c.is_unallocated and c.bucket_start >= $1::date and c.bucket_start < $2::date
          and ${unmappedRowAt({ row: "c", day: "c.bucket_start" })})
     select u.org_id, u.owner_id, u.granularity, u.product, sum(u.chargeback_cost)::text as cost, count(*)::int as n,
            min(u.bucket_start)::text as first_seen, max(u.bucket_start)::text as last_seen, n.display_name
       from un u left join owner_names n on n.org_id = u.org_id and n.owner_id = u.owner_id
      group by u.org_id, u.owner_id, u.granularity, u.product, n.display_name`,
    [p.from, p.toExclusive, p.orgId ?? null],
  );
  const acc = new Map<string, { o: UnmappedOwner; total: Decimal }>();
  for (const r of rows) {
    const k = `${r.org_id}\u0000${r.owner_id}`;
    let e = acc.get(k);
    if (!e) {
      e = {
        o: {
          orgId: r.org_id,
          ownerId: r.owner_id,
          displayName: r.display_name,
          cost: "0",
          rows: 0,
          granularity: r.granularity,
          products: [],
          firstSeen: r.first_seen,
          lastSeen: r.last_seen,
        },
        total: dec("0"),
      };
      acc.set(k, e);
    }
    e.total = e.total.plus(dec(r.cost));
    e.o.rows += r.n;
    e.o.products.push({ product: r.product, cost: r.cost });
    if (r.first_seen < e.o.firstSeen) e.o.firstSeen = r.first_seen;
    if (r.last_seen > e.o.lastSeen) e.o.lastSeen = r.last_seen;
  }
  const out = [...acc.values()].map(({ o, total }) => {
    o.cost = total.toFixed();
    o.products.sort((a, b) => dec(b.cost).comparedTo(dec(a.cost)) || (a.product < b.product ? -1 : 1));
    return { o, total };
  });
  out.sort((a, b) => b.total.comparedTo(a.total) || (a.o.orgId + a.o.ownerId < b.o.orgId + b.o.ownerId ? -1 : 1));
  return out.map((x) => x.o);
}

/** First and last bucket any owner was seen at all (all time, active rows). */
export async function ownerSeenRange(db: Db, orgId: string, ownerId: string): Promise<{ first: string | null; last: string | null }> {
  const [r] = await db.query<{ first: string | null; last: string | null }>(
    `select min(bucket_start)::text as first, max(bucket_start)::text as last from cost_rows where active and org_id = $1 and owner_id = $2`,
    [orgId, ownerId],
  );
  return r;
}

export async function ownerNames(db: Db, orgId?: string): Promise<Map<string, string>> {
  const rows = await db.query<{ org_id: string; owner_id: string; display_name: string }>(
    `select org_id, owner_id, display_name from owner_names where ($1::text is null or org_id = $1)`,
    [orgId ?? null],
  );
  return new Map(rows.map((r) => [`${r.org_id}\u0000${r.owner_id}`, r.display_name]));
}
