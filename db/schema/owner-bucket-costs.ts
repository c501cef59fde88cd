import { boolean, date, numeric, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/**
 * Σ chargeback_cost of the active rows per (org, granularity, bucket, owner): what the
 * allocation needs, maintained at ingest, so recomputes after a crosswalk or policy
 * change read one row per owner and bucket instead of every raw row.
 */
export const ownerBucketCosts = pgTable(
  "owner_bucket_costs",
  {
    orgId: text("org_id").notNull(),
    granularity: text("granularity").notNull(),
    bucketStart: date("bucket_start", { mode: "string" }).notNull(),
    ownerId: text("owner_id").notNull(),
    isUnallocated: boolean("is_unallocated").notNull(),
    cost: numeric("cost").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.granularity, t.bucketStart, t.ownerId, t.isUnallocated] })],
);
