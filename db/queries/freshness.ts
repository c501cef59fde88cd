/**
 * Freshness, the trust signal of every dashboard page: per org the last import and the last
 * day with data, and the days the data of a scope covers.
 */
import { addDays, periodEnd, type Granularity } from "../../app/domain/periods";
import type { Db } from "../client";
import { isoUtc, orgsParam } from "./view";

/**
 * The days the data covers for these orgs: the first bucket and the last covered day (a daily
 * bucket covers its day, a weekly or monthly one up to its period's end); null without data.
 */
export async function dataSpan(db: Db, orgIds?: string[]): Promise<{ first: string; last: string } | null> {
  const rows = await db.query<{ granularity: Granularity; first: string; last: string }>(
    `select granularity, min(bucket_start)::text as first, max(bucket_start)::text as last from allocation_results
      where ($1::text[] is null or org_id = any($1::text[])) group by granularity`,
    [orgsParam(orgIds)],
  );
  if (!rows.length) return null;
  let first = rows[0]!.first;
  let last = "";
  for (const r of rows) {
    if (r.first < first) first = r.first;
    const end = addDays(periodEnd(r.last, r.granularity), -1);
    if (end > last) last = end;
  }
  return { first, last };
}

/** What every import list shows of an import (timestamps as ISO UTC text). */
export interface ImportHead {
  id: number;
  at: string;
  file_name: string;
  granularity: string;
  first_bucket: string;
  last_bucket: string;
  created_by: string;
}

/** Per org: the last import and the last day with data (the trust signals of every page). */
export async function orgFreshness(db: Db, orgIds?: string[]) {
  const imps = await db.query<ImportHead & { org_id: string; n: number }>(
    `select distinct on (org_id) org_id, id, ${isoUtc("created_at")} as at, file_name, granularity, first_bucket::text, last_bucket::text, created_by,
            count(*) over (partition by org_id)::int as n
       from imports where ($1::text[] is null or org_id = any($1::text[]))
      order by org_id, created_at desc, id desc`,
    [orgsParam(orgIds)],
  );
  const fresh = await db.query<{ org_id: string; granularity: Granularity; last: string }>(
    `select org_id, granularity, max(bucket_start)::text as last from allocation_results
      where ($1::text[] is null or org_id = any($1::text[])) group by 1, 2`,
    [orgsParam(orgIds)],
  );
  const out = new Map<string, { imp: (typeof imps)[number] | undefined; latestBucket: string | null; dataThrough: string | null }>();
  const orgs = new Set([...imps.map((i) => i.org_id), ...fresh.map((f) => f.org_id)]);
  for (const o of orgs) {
    let latest: string | null = null;
    let through: string | null = null;
    for (const f of fresh.filter((x) => x.org_id === o)) {
      const end = periodEnd(f.last, f.granularity);
      if (!through || end > through) through = end;
      if (!latest || f.last > latest) latest = f.last;
    }
    out.set(o, { imp: imps.find((i) => i.org_id === o), latestBucket: latest, dataThrough: through ? addDays(through, -1) : null });
  }
  return out;
}
