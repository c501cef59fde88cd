import { date, index, numeric, pgTable, text } from "drizzle-orm/pg-core";

/**
 * Drill-down aggregate: active cost rows per (org, granularity, month) with the owner's
 * team resolved (`unmapped` when none; for the unallocated row `unallocated` when the
 * bucket's U stayed on that pseudo-team, else ""), summed over the month's buckets.
 * Maintained with allocation_results, so team pages read thousands of rows, not millions.
 */
export const allocationDetails = pgTable(
  "allocation_details",
  {
    orgId: text("org_id").notNull(),
    granularity: text("granularity").notNull(),
    month: date("month", { mode: "string" }).notNull(),
    team: text("team").notNull(),
    ownerId: text("owner_id").notNull(),
    product: text("product").notNull(),
    metric: text("metric").notNull(),
    unit: text("unit").notNull(),
    environmentId: text("environment_id").notNull(),
    resourceId: text("resource_id").notNull(),
    /** where the team came from (`entry #3`, `rule "x" (#2)`, `split 40 % of …`); "" unmapped / unallocated */
    mappedBy: text("mapped_by").notNull().default(""),
    direct: numeric("direct").notNull(),
  },
  (t) => [
    index("allocation_details_team_idx").on(t.team, t.month),
    index("allocation_details_org_idx").on(t.orgId, t.granularity, t.month),
  ],
);
