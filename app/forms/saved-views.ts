/**
 * The saved views forms (app/routes/views.tsx, the "Save view" control of the dashboard filter
 * bar), one schema per intent. The service checks the page and the filters (app/services/saved-views.ts).
 */
import { z } from "zod";
import { rawText, rowId, text } from "./admin-fields";

/** Save the current page and filters under a name (the same name replaces the user's view). */
export const saveViewSchema = z.object({ intent: z.literal("save"), name: text(), path: rawText(), query: rawText() });

export const deleteViewSchema = z.object({ intent: z.literal("delete"), id: rowId() });
