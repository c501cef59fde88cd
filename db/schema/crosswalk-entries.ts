import { date, index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { teams } from "./teams";

/** (org_id, owner_id) → team over [valid_from, valid_to); valid_to null = open-ended (docs/crosswalk.md). */
export const crosswalkEntries = pgTable(
  "crosswalk_entries",
  {
    id: serial("id").primaryKey(),
    orgId: text("org_id").notNull(),
    ownerId: text("owner_id").notNull(),
    teamId: integer("team_id")
      .notNull()
      .references(() => teams.id),
    validFrom: date("valid_from", { mode: "string" }).notNull(),
    validTo: date("valid_to", { mode: "string" }),
    note: text("note"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("crosswalk_org_owner_idx").on(t.orgId, t.ownerId), index("crosswalk_team_idx").on(t.teamId)],
);
