import { date, integer, json, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Mapping rules (docs/crosswalk.md): ordered (`position`, the first match wins), named,
 * effective-dated [valid_from, valid_to); `org_id` null = every org. `when` and `then` are
 * stored in the rules file's own JSON shape (app/domain/rules.ts), so export is a read.
 */
export const crosswalkRules = pgTable(
  "crosswalk_rules",
  {
    id: serial("id").primaryKey(),
    position: integer("position").notNull(),
    orgId: text("org_id"),
    name: text("name").notNull(),
    when: json("when").notNull(),
    then: json("then").notNull(),
    validFrom: date("valid_from", { mode: "string" }).notNull(),
    validTo: date("valid_to", { mode: "string" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("crosswalk_rules_name_idx").on(t.name)],
);
