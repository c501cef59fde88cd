import { boolean, check, date, integer, numeric, pgTable, text } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

/**
 * One line of a vendor export, with the org added. Rows replaced by a later import
 * keep `active = false` and stay linked to their (superseded) import.
 *
 * Partitioned (docs/decisions/0009-partitioned-cost-rows.md; the DDL is hand-written in
 * migration 0016, drizzle-kit does not generate partitioned tables): by LIST (org_id), one
 * partition per org, each by RANGE (import_id), one leaf per import. An ingest loads its
 * leaf as a plain unindexed table, builds the leaf's indexes after the load and attaches it
 * (db/queries/cost-partitions.ts), so no row pays per-row index maintenance. The indexes
 * are the leaves' own, (granularity, bucket_start) and (owner_id), both `where active`.
 */
export const costRows = pgTable(
  "cost_rows",
  {
    importId: integer("import_id").notNull(),
    orgId: text("org_id").notNull(),
    granularity: text("granularity").notNull(),
    bucketStart: date("bucket_start", { mode: "string" }).notNull(),
    ownerId: text("owner_id").notNull(),
    environmentId: text("environment_id").notNull().default(""),
    resourceId: text("resource_id").notNull().default(""),
    product: text("product").notNull(),
    metric: text("metric").notNull(),
    unit: text("unit").notNull(),
    chargebackCost: numeric("chargeback_cost").notNull(),
    originalAmount: numeric("original_amount").notNull(),
    usageShare: numeric("usage_share").notNull(),
    isUnallocated: boolean("is_unallocated").notNull(),
    line: integer("line").notNull(),
    active: boolean("active").notNull().default(true),
  },
  (t) => [
    // both ingest paths write the unallocated row's owner as "unallocated": owner-scoped
    // queries find it through each leaf's owner index (owner_id = any(array[X, 'unallocated']))
    check("cost_rows_unallocated_owner", sql`${t.isUnallocated} = (${t.ownerId} = 'unallocated')`),
  ],
);
