import { integer, pgTable, serial, text, timestamp, unique } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Saved dashboard views (issue 15): a user's named filters on one dashboard page. `path` is one
 * of the dashboard pages (`/`, `/teams`, `/teams/:team`, …) and `query` its normalized filter
 * query string (app/forms/saved-views.ts). The link `path?query` is the shared view: the page
 * checks access itself. One name per user.
 */
export const savedViews = pgTable(
  "saved_views",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    path: text("path").notNull(),
    query: text("query").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("saved_views_user_name_key").on(t.userId, t.name)],
);
