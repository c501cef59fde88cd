/**
 * Reads behind the month-end finance exports (docs/focus-mapping.md): the direct cost rows
 * and the stored unallocated shares of an (org, month). The journal reads the stored
 * allocation through getTeamPeriods (db/queries/report.ts). The lines themselves are built
 * by app/domain/finance-export.ts (app/services/finance-exports.ts puts the two together).
 */
import type { FocusDirectCost } from "../../app/domain/finance-export";
import type { Db } from "../client";
import { segmentJoin, shareAmount } from "./crosswalk-resolution";

export interface DirectCostRow extends FocusDirectCost {
  bucket_start: string;
  /** the row's team through the resolved crosswalk; null = unmapped */
  team: string | null;
}

/**
 * Active direct (not unallocated) cost rows of one org and granularity in [from, to), in file
 * order per bucket, each with its team (db/queries/crosswalk-resolution.ts): a row mapped to a
 * split comes once per share, `chargeback_cost` being that share's exact part.
 */
export async function directCostRows(
  db: Db,
  p: { orgId: string; granularity: string; from: string; to: string },
): Promise<DirectCostRow[]> {
  return db.query<DirectCostRow>(
    `select c.bucket_start::text as bucket_start, c.owner_id, c.environment_id, c.resource_id, c.product, c.metric, c.unit,
            (${shareAmount("m", "c.chargeback_cost")})::text as chargeback_cost, m.team
       from cost_rows c
       ${segmentJoin({ seg: "m", row: "c", day: "c.bucket_start" })}
      where c.active and not c.is_unallocated and c.org_id = $1 and c.granularity = $2 and c.bucket_start >= $3::date and c.bucket_start < $4::date
      order by c.bucket_start, c.import_id, c.line, m.team`,
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
