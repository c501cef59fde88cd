import { pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/** Optional display names for owners (a service account's name). */
export const ownerNames = pgTable(
  "owner_names",
  {
    orgId: text("org_id").notNull(),
    ownerId: text("owner_id").notNull(),
    displayName: text("display_name").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.ownerId] })],
);
