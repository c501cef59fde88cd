/**
 * What the anomalies of a team's daily spend are made of (app/services/anomalies.ts,
 * docs/forecasting.md "Anomalies"): the last day of daily data, and the "mover" rows of a team over a short
 * range of days, the active daily cost rows its usage keys resolve to, per (day, owner, metric,
 * resource).
 *
 * The team of a cost row is the resolved crosswalk at the row's day (mapping_segments: entries >
 * rules in order > unmapped, decision 0007), exactly as the report and the drill-down read it: an
 * owner whose usage is split between teams counts here with its share (`shareAmount`), and an
 * owner who moved team mid-month counts for each team on its own days. Only direct cost: the
 * team's share of the unallocated row is not a mover (it follows the direct cost by policy).
 */
import { addDays, isValidDate } from "../../app/domain/periods";
import { InputError } from "../../app/domain/errors";
import type { Db } from "../client";
import { segmentJoin, shareAmount } from "./crosswalk-resolution";
import { orgsParam } from "./view";

/** The longest range of days `getTeamMoverRows` reads at once (a flagged day and its 28-day baseline fit). */
export const MOVER_RANGE_MAX_DAYS = 35;

export interface MoverDbRow {
  day: string;
  owner_id: string;
  metric: string;
  resource_id: string;
  cost: string;
}

/** The last day with daily allocation results (for these orgs), or null without daily data. */
export async function lastDailyDay(db: Db, orgIds?: string[]): Promise<string | null> {
  const rows = await db.query<{ last: string | null }>(
    `select max(bucket_start)::text as last from allocation_results
      where granularity = 'daily' and ($1::text[] is null or org_id = any($1::text[]))`,
    [orgsParam(orgIds)],
  );
  return rows[0]?.last ?? null;
}

/**
 * The direct cost of `team` per (day, owner, metric, resource) over [from, to] (at most
 * MOVER_RANGE_MAX_DAYS days): the active daily cost rows whose usage key the resolved crosswalk
 * puts in the team on that day, with the team's share of a split. Zero sums are left out.
 */
export async function getTeamMoverRows(db: Db, p: { team: string; from: string; to: string; orgIds?: string[] }): Promise<MoverDbRow[]> {
  if (!isValidDate(p.from) || !isValidDate(p.to) || p.from > p.to) {
    throw new InputError(`invalid day range ${p.from}..${p.to}`);
  }
  if (addDays(p.from, MOVER_RANGE_MAX_DAYS - 1) < p.to) {
    throw new InputError(`the movers of a team are read over at most ${MOVER_RANGE_MAX_DAYS} days, got ${p.from}..${p.to}`);
  }
  return db.query<MoverDbRow>(
    `with chosen as (
       select c.* from cost_rows c
        where c.active and c.granularity = 'daily' and not c.is_unallocated
          and c.bucket_start between $2::date and $3::date
          and ($4::text[] is null or c.org_id = any($4::text[]))),
     mapped as (
       select c.bucket_start, c.owner_id, c.metric, c.resource_id, ${shareAmount("m", "c.chargeback_cost")} as amount
         from chosen c
         ${segmentJoin({ seg: "m", row: "c", day: "c.bucket_start" })}
        where m.team = $1)
     select bucket_start::text as day, owner_id, metric, resource_id, sum(amount)::text as cost
       from mapped
      group by bucket_start, owner_id, metric, resource_id
     having sum(amount) <> 0
      order by 1, 2, 3, 4`,
    [p.team, p.from, p.to, orgsParam(p.orgIds)],
  );
}

/** Display names of owners (any of these orgs; the first by org id when several orgs name the same id). */
export async function ownerDisplayNames(db: Db, ownerIds: string[], orgIds?: string[]): Promise<Map<string, string>> {
  if (ownerIds.length === 0) return new Map();
  const rows = await db.query<{ owner_id: string; display_name: string }>(
    `select distinct on (owner_id) owner_id, display_name from owner_names
      where owner_id = any($1::text[]) and ($2::text[] is null or org_id = any($2::text[]))
      order by owner_id, org_id`,
    [ownerIds, orgsParam(orgIds)],
  );
  return new Map(rows.map((r) => [r.owner_id, r.display_name]));
}

/** The days in [from, to] with daily allocation results (for these orgs): the days a team without a row spent 0. */
export async function dailyDataDays(db: Db, p: { from: string; to: string; orgIds?: string[] }): Promise<string[]> {
  const rows = await db.query<{ day: string }>(
    `select distinct bucket_start::text as day from allocation_results
      where granularity = 'daily' and bucket_start between $1 and $2 and ($3::text[] is null or org_id = any($3::text[]))
      order by 1`,
    [p.from, p.to, orgsParam(p.orgIds)],
  );
  return rows.map((r) => r.day);
}
