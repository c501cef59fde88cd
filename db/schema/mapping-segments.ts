import { date, index, integer, numeric, pgTable, text } from "drizzle-orm/pg-core";

/**
 * The crosswalk resolved (docs/crosswalk.md): for each usage key seen in an org's exports
 * (owner, environment, resource, product), the team (or split share) over [valid_from, valid_to)
 * of bucket-start dates, computed by the domain resolver (entries > rules in order > unmapped)
 * and kept in step by app/services/mapping.ts. One row per share: `parts` = 1 for a team, the
 * number of shares for a split (each with its `pct`). Unmapped periods have no row.
 */
export const mappingSegments = pgTable(
  "mapping_segments",
  {
    orgId: text("org_id").notNull(),
    ownerId: text("owner_id").notNull(),
    environmentId: text("environment_id").notNull(),
    resourceId: text("resource_id").notNull(),
    product: text("product").notNull(),
    validFrom: date("valid_from", { mode: "string" }).notNull(),
    validTo: date("valid_to", { mode: "string" }),
    team: text("team").notNull(),
    pct: numeric("pct").notNull(),
    parts: integer("parts").notNull(),
    mappedBy: text("mapped_by").notNull(),
  },
  (t) => [index("mapping_segments_key_idx").on(t.orgId, t.ownerId, t.environmentId, t.resourceId, t.product)],
);
