/**
 * Reads behind the month-end finance exports (docs/focus-mapping.md): the direct cost rows
 * and the stored unallocated shares of an (org, month). The journal reads the stored
 * allocation through getTeamPeriods (db/queries/report.ts). The lines themselves are built
 * by app/domain/finance-export.ts (app/services/finance-exports.ts puts the two together).
 */
import type { FocusDirectCost } from "../../app/domain/finance-export";
import type { Db } from "../client";

export interface DirectCostRow extends FocusDirectCost {
  bucket_start: string;
}

/** Active direct (not unallocated) cost rows of one org and granularity in [from, to), in file order per bucket. */
export async function directCostRows(
  db: Db,
  p: { orgId: string; granularity: string; from: string; to: string },
): Promise<DirectCostRow[]> {
  return db.query<DirectCostRow>(
    `select bucket_start::text as bucket_start, owner_id, environment_id, resource_id, product, metric, unit, chargeback_cost::text as chargeback_cost
       from cost_rows
      where active and not is_unallocated and org_id = $1 and granularity = $2 and bucket_start >= $3::date and bucket_start < $4::date
      order by bucket_start, import_id, line`,
    [p.orgId, p.granularity, p.from, p.to],
  );
}

/** The stored non-zero unallocated share per (bucket, team) of one org and granularity in [from, to). */
export async function unallocatedShares(
  db: Db,
  p: { orgId: string; granularity: string; from: string; to: string },
): Promise<Array<{ bucket_start: string; team: string; share: string }>> {
  return db.query<{ bucket_start: string; team: string; share: string }>(
    `select bucket_start::text as bucket_start, team, unallocated_share::text as share from allocation_results
      where org_id = $1 and granularity = $2 and bucket_start >= $3::date and bucket_start < $4::date and unallocated_share <> 0
      order by bucket_start, team`,
    [p.orgId, p.granularity, p.from, p.to],
  );
}
