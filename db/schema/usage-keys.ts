import { pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/**
 * Every usage key (owner, environment, resource, product) an org's exports have contained:
 * what the resolved crosswalk (mapping_segments) is computed for. Maintained at ingest
 * (keys are added, never removed: a key whose rows were replaced costs nothing), so a
 * crosswalk or rule edit reads thousands of keys instead of scanning the cost aggregate.
 */
export const usageKeys = pgTable(
  "usage_keys",
  {
    orgId: text("org_id").notNull(),
    ownerId: text("owner_id").notNull(),
    environmentId: text("environment_id").notNull(),
    resourceId: text("resource_id").notNull(),
    product: text("product").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.ownerId, t.environmentId, t.resourceId, t.product] })],
);
