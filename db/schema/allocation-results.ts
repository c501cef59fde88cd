import { date, numeric, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/**
 * Persisted allocation (docs/allocation.md) per (org, granularity, bucket, team). `team` is a team
 * name or a pseudo-team (`unmapped`, `unallocated`). Recomputed for the org and
 * buckets an import, crosswalk edit or policy change touches.
 */
export const allocationResults = pgTable(
  "allocation_results",
  {
    orgId: text("org_id").notNull(),
    granularity: text("granularity").notNull(),
    bucketStart: date("bucket_start", { mode: "string" }).notNull(),
    team: text("team").notNull(),
    directCost: numeric("direct_cost").notNull(),
    unallocatedShare: numeric("unallocated_share").notNull(),
    total: numeric("total").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.granularity, t.bucketStart, t.team] })],
);
