/**
 * Reads behind the general-ledger journal (docs/journal.md) besides the stored per-team figures
 * (getTeamPeriods, db/queries/report.ts) and the mapping (./gl-accounts.ts): the imports a month's
 * figures come from, for the journal's `reference`.
 */
import { monthRange } from "../../app/domain/periods";
import type { Db } from "../client";

/**
 * The ids of the imports whose active rows make (org, month)'s stored figures: the month's
 * monthly import where the org has one (as the report reads it: db/queries/view.ts `readByView`),
 * else its daily imports. Ascending; empty without data.
 */
export async function monthImportIds(db: Db, orgId: string, month: string): Promise<number[]> {
  const { from, to } = monthRange(month);
  const rows = await db.query<{ id: number }>(
    `with g as (
       select case when exists (select 1 from allocation_results
                                 where org_id = $1 and granularity = 'monthly' and bucket_start = $2::date)
                   then 'monthly' else 'daily' end as granularity)
     select distinct c.import_id as id from cost_rows c, g
      where c.active and c.org_id = $1 and c.granularity = g.granularity and c.bucket_start >= $2::date and c.bucket_start < $3::date
      order by 1`,
    [orgId, from, to],
  );
  return rows.map((r) => Number(r.id));
}
