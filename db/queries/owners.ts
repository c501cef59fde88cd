/**
 * Owner reads: the unmapped queue (owners with cost in a period that no entry or rule covers),
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
  /** where the unmapped cost is: per environment ("" = org-level rows), its resources ("" = none) */
  environments: Array<{
    environmentId: string;
    displayName: string | null;
    cost: string;
    resources: Array<{ resourceId: string; displayName: string | null; cost: string }>;
  }>;
  firstSeen: string;
  lastSeen: string;
}

const byCostDesc =
  <T extends { cost: string }>(key: (x: T) => string) =>
  (a: T, b: T) =>
    dec(b.cost).comparedTo(dec(a.cost)) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * Owners with cost in [from, toExclusive) whose rows no crosswalk entry or rule covers at the
 * bucket start (`unmappedRowAt`), largest cost first (ties by org, then owner id), with their
 * products, environments and resources (display names from owner_names, which also holds the
 * names of environments and clusters). Per org the month's source is the monthly import if
 * there is one, else daily, else weekly (never two at once).
 */
export async function listUnmappedOwners(db: Db, p: { from: string; toExclusive: string; orgId?: string }): Promise<UnmappedOwner[]> {
  const rows = await db.query<{
    org_id: string;
    owner_id: string;
    granularity: string;
    product: string;
    environment_id: string;
    resource_id: string;
    cost: string;
    n: number;
    first_seen: string;
    last_seen: string;
    display_name: string | null;
    environment_name: string | null;
    resource_name: string | null;
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
          and ${unmappedRowAt({ row: "c", day: "c.bucket_start" })}),
     g as (
       select u.org_id, u.owner_id, u.granularity, u.product, u.environment_id, u.resource_id, sum(u.chargeback_cost)::text as cost,
              count(*)::int as n, min(u.bucket_start)::text as first_seen, max(u.bucket_start)::text as last_seen
         from un u
        group by u.org_id, u.owner_id, u.granularity, u.product, u.environment_id, u.resource_id)
     select g.*, n.display_name, en.display_name as environment_name, rn.display_name as resource_name
       from g
       left join owner_names n on n.org_id = g.org_id and n.owner_id = g.owner_id
       left join owner_names en on en.org_id = g.org_id and en.owner_id = g.environment_id
       left join owner_names rn on rn.org_id = g.org_id and rn.owner_id = g.resource_id`,
    [p.from, p.toExclusive, p.orgId ?? null],
  );
  type Env = UnmappedOwner["environments"][number] & { total: Decimal; res: Map<string, { name: string | null; total: Decimal }> };
  const acc = new Map<string, { o: UnmappedOwner; total: Decimal; products: Map<string, Decimal>; envs: Map<string, Env> }>();
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
          environments: [],
          firstSeen: r.first_seen,
          lastSeen: r.last_seen,
        },
        total: dec("0"),
        products: new Map(),
        envs: new Map(),
      };
      acc.set(k, e);
    }
    const cost = dec(r.cost);
    e.total = e.total.plus(cost);
    e.o.rows += r.n;
    e.products.set(r.product, (e.products.get(r.product) ?? dec("0")).plus(cost));
    let env = e.envs.get(r.environment_id);
    if (!env) {
      env = { environmentId: r.environment_id, displayName: r.environment_name, cost: "0", resources: [], total: dec("0"), res: new Map() };
      e.envs.set(r.environment_id, env);
    }
    env.total = env.total.plus(cost);
    const res = env.res.get(r.resource_id) ?? { name: r.resource_name, total: dec("0") };
    res.total = res.total.plus(cost);
    env.res.set(r.resource_id, res);
    if (r.first_seen < e.o.firstSeen) e.o.firstSeen = r.first_seen;
    if (r.last_seen > e.o.lastSeen) e.o.lastSeen = r.last_seen;
  }
  const out = [...acc.values()].map(({ o, total, products, envs }) => {
    o.cost = total.toFixed();
    o.products = [...products.entries()].map(([product, c]) => ({ product, cost: c.toFixed() })).sort(byCostDesc((x) => x.product));
    o.environments = [...envs.values()]
      .map(({ environmentId, displayName, total: t, res }) => ({
        environmentId,
        displayName,
        cost: t.toFixed(),
        resources: [...res.entries()]
          .map(([resourceId, x]) => ({ resourceId, displayName: x.name, cost: x.total.toFixed() }))
          .sort(byCostDesc((x) => x.resourceId)),
      }))
      .sort(byCostDesc((x) => x.environmentId));
    return { o, total };
  });
  const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  out.sort((a, b) => b.total.comparedTo(a.total) || cmpText(a.o.orgId, b.o.orgId) || cmpText(a.o.ownerId, b.o.ownerId));
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
