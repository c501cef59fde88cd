import { sql } from "drizzle-orm";
import { check, date, index, integer, json, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { teams } from "./teams";

/** (org_id, owner_id) → team over [valid_from, valid_to); valid_to null = open-ended (docs/crosswalk.md). */
export const crosswalkEntries = pgTable(
  "crosswalk_entries",
  {
    id: serial("id").primaryKey(),
    orgId: text("org_id").notNull(),
    ownerId: text("owner_id").notNull(),
    /** null when the entry splits (`split`) */
    teamId: integer("team_id").references(() => teams.id),
    /** a split target, `{ "payments": "60", "search": "40" }` (app/domain/splits.ts), or null */
    split: json("split"),
    validFrom: date("valid_from", { mode: "string" }).notNull(),
    validTo: date("valid_to", { mode: "string" }),
    note: text("note"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("crosswalk_team_or_split", sql`(${t.teamId} is null) <> (${t.split} is null)`),
    index("crosswalk_org_owner_idx").on(t.orgId, t.ownerId),
    index("crosswalk_team_idx").on(t.teamId),
  ],
);
