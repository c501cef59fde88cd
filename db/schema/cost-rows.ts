import { boolean, check, date, index, integer, numeric, pgTable, text } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

/**
 * One line of a vendor export, with the org added. Rows replaced by a later import
 * keep `active = false` and stay linked to their (superseded) import.
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
    index("cost_rows_active_idx")
      .on(t.orgId, t.granularity, t.bucketStart)
      .where(sql`${t.active}`),
    index("cost_rows_owner_idx")
      .on(t.orgId, t.ownerId)
      .where(sql`${t.active}`),
    index("cost_rows_import_idx").on(t.importId),
    // both ingest paths write the unallocated row's owner as "unallocated": owner-scoped
    // queries find it through cost_rows_owner_idx (owner_id = any(array[X, 'unallocated']))
    check("cost_rows_unallocated_owner", sql`${t.isUnallocated} = (${t.ownerId} = 'unallocated')`),
  ],
);
