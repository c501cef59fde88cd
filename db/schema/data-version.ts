import { sql } from "drizzle-orm";
import { bigint, check, integer, pgTable } from "drizzle-orm/pg-core";

/**
 * One row: a counter bumped at commit by deferred constraint triggers on every table a
 * figure depends on (imports, crosswalk, teams, cost centers, orgs, closes, invoices,
 * owner names, restatements). Readers cache answers under the version they saw, so a
 * change made by any process (the web server, a CLI ingest) invalidates every cache.
 * See docs/decisions/0005-read-cache.md.
 */
export const dataVersion = pgTable(
  "data_version",
  {
    id: integer("id").primaryKey().default(1),
    version: bigint("version", { mode: "bigint" })
      .notNull()
      .default(sql`0`),
  },
  (t) => [check("data_version_single_row", sql`${t.id} = 1`)],
);
