import { index, integer, jsonb, numeric, pgTable, serial, text, date, timestamp } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/** One ingest of one export file (docs/export-format.md). */
export const imports = pgTable(
  "imports",
  {
    id: serial("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.orgId),
    granularity: text("granularity").notNull(),
    firstBucket: date("first_bucket", { mode: "string" }).notNull(),
    lastBucket: date("last_bucket", { mode: "string" }).notNull(),
    fileName: text("file_name").notNull(),
    sha256: text("sha256").notNull(),
    rowCount: integer("row_count").notNull(),
    total: numeric("total").notNull(),
    status: text("status").notNull().default("active"),
    supersededBy: integer("superseded_by"),
    replacedImportIds: jsonb("replaced_import_ids").$type<number[]>().notNull().default([]),
    warnings: jsonb("warnings").$type<string[]>().notNull().default([]),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("imports_org_gran_idx").on(t.orgId, t.granularity), index("imports_org_sha_idx").on(t.orgId, t.sha256)],
);
