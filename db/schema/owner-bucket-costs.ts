import { boolean, date, index, numeric, pgTable, text } from "drizzle-orm/pg-core";

/**
 * Σ chargeback_cost of the active rows per (org, granularity, bucket, owner, environment,
 * resource, product): what the allocation needs (rules match on environment, resource and
 * product), maintained at ingest, so recomputes after a crosswalk or policy change read one
 * row per usage key and bucket instead of every raw row.
 */
export const ownerBucketCosts = pgTable(
  "owner_bucket_costs",
  {
    orgId: text("org_id").notNull(),
    granularity: text("granularity").notNull(),
    bucketStart: date("bucket_start", { mode: "string" }).notNull(),
    ownerId: text("owner_id").notNull(),
    environmentId: text("environment_id").notNull(),
    resourceId: text("resource_id").notNull(),
    product: text("product").notNull(),
    isUnallocated: boolean("is_unallocated").notNull(),
    cost: numeric("cost").notNull(),
  },
  (t) => [
    // one row per key by construction (a GROUP BY at ingest); an 8-column primary key cost
    // 1.3 s more per million raw rows at ingest than this index (docs/decisions/0009)
    index("owner_bucket_costs_bucket_idx").on(t.orgId, t.granularity, t.bucketStart),
  ],
);
