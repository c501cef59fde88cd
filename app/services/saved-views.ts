/**
 * Saved views (issue 15): a signed-in user keeps the filters of a dashboard page under a name,
 * lists and deletes them. A view is a link (`path?query`) to a dashboard page: opening it is an
 * ordinary page view, so whoever opens a shared link sees what their own role allows. Any role
 * may save and delete its own views; every change is audited.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import { writeAudit } from "../../db/queries/audit";
import { deleteSavedView, getSavedViewByName, listSavedViews, upsertSavedView, type SavedViewRow } from "../../db/queries/saved-views";
import { InputError } from "../domain/errors";

/** The dashboard pages a view may open: exact paths, and the detail pages with one path segment. */
const DASHBOARD_PAGES = new Set(["/", "/teams", "/cost-centers", "/orgs"]);
const DASHBOARD_DETAIL = /^\/(teams|cost-centers|orgs)\/([^/?#\\\s]+)$/;
/** The dashboard filter parameters (app/lib/filters.ts); nothing else is kept in a view. */
export const VIEW_PARAMS = ["org", "period", "from", "to", "gran", "by", "sort", "dir"] as const;
const MAX_QUERY = 8000;

const nameSchema = z
  .string()
  .trim()
  .min(1, "Give the view a name.")
  .max(100, "The name must be at most 100 characters.")
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127), "The name must not contain control characters.");

/** The page of a view: a dashboard path of this app, never a URL elsewhere. */
export function checkViewPath(input: string): string {
  const p = input.trim();
  const refuse = (): never => {
    throw new InputError(
      `"${p.slice(0, 100)}" is not a dashboard page: a view opens /, /teams, /teams/<team>, /cost-centers, /cost-centers/<code>, /orgs or /orgs/<org>.`,
      {
        field: "path",
      },
    );
  };
  if (!p.startsWith("/") || p.startsWith("//") || /^[a-z][a-z0-9+.-]*:/i.test(p) || p.length > 300) refuse();
  if (DASHBOARD_PAGES.has(p)) return p;
  const m = DASHBOARD_DETAIL.exec(p);
  if (!m) refuse();
  let segment: string;
  try {
    segment = decodeURIComponent(m![2]!);
  } catch {
    return refuse();
  }
  if (segment === "." || segment === ".." || segment.trim() === "") refuse();
  return p;
}

/** The query of a view: only the filter parameters, each a string (values are checked by the caller's filter schema). */
function checkViewQuery(input: string): string {
  if (input.length > MAX_QUERY) throw new InputError("The filters are too long to save.", { field: "query" });
  const params = new URLSearchParams(input.startsWith("?") ? input.slice(1) : input);
  for (const k of params.keys()) {
    if (!(VIEW_PARAMS as readonly string[]).includes(k)) throw new InputError(`"${k}" is not a dashboard filter.`, { field: "query" });
  }
  return params.toString();
}

const publicView = (v: SavedViewRow) => ({ id: v.id, name: v.name, path: v.path, query: v.query });

export interface ViewActor {
  id: number;
  email: string;
}

export const listViews = (db: Db, userId: number) => listSavedViews(db, { userId });

/** Saves the user's view under `name`, replacing a view of the same name (audited create/update). */
export async function saveView(
  db: Db,
  actor: ViewActor,
  input: { name: unknown; path: string; query: string },
): Promise<{ row: SavedViewRow; replaced: boolean }> {
  const r = nameSchema.safeParse(input.name);
  if (!r.success) throw new InputError(r.error.issues[0]!.message, { field: "name" });
  const name = r.data;
  const path = checkViewPath(input.path);
  const query = checkViewQuery(input.query);
  return db.transaction(async (tx) => {
    const before = await getSavedViewByName(tx, { userId: actor.id, name });
    const row = await upsertSavedView(tx, { userId: actor.id, name, path, query });
    await writeAudit(tx, {
      actor: actor.email,
      action: before ? "update" : "create",
      entity: "saved_view",
      entityId: String(row.id),
      before: before ? publicView(before) : undefined,
      after: publicView(row),
    });
    return { row, replaced: before !== null };
  });
}

/** Deletes one of the user's own views (audited); null when the user has no view with this id. */
export async function deleteView(db: Db, actor: ViewActor, id: number): Promise<SavedViewRow | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return db.transaction(async (tx) => {
    const row = await deleteSavedView(tx, { id, userId: actor.id });
    if (row)
      await writeAudit(tx, {
        actor: actor.email,
        action: "delete",
        entity: "saved_view",
        entityId: String(row.id),
        before: publicView(row),
      });
    return row;
  });
}
