/**
 * The GL accounts page's forms (app/routes/admin.gl-accounts.tsx), one schema per intent. The
 * mapping itself is checked by the service (app/domain/journal.ts `glAccountProblems`), which
 * knows the cost centers and organizations.
 */
import { z } from "zod";
import { rawText, text } from "./admin-fields";

const mappingKey = { scope: text(), key: text(), org_id: text() };

/** Add a mapping or change its account (the same (scope, key, org_id) overwrites). */
export const saveGlAccountSchema = z
  .object({ intent: z.literal("save"), ...mappingKey, account: text() })
  .transform((v) => ({ scope: v.scope, key: v.key, orgId: v.org_id, account: v.account }));

export const deleteGlAccountSchema = z
  .object({ intent: z.literal("delete"), ...mappingKey })
  .transform((v) => ({ scope: v.scope, key: v.key, orgId: v.org_id }));

const mode = () => text().transform((m): "merge" | "replace" => (m === "replace" ? "replace" : "merge"));

/** The CSV import's preview: the file itself (`csv_file`) is read by the route; pasted text is the fallback. */
export const importPreviewSchema = z.object({ intent: z.literal("import_preview"), mode: mode(), csv_text: rawText() });

/** The CSV import itself, with the text the preview showed. */
export const importApplySchema = z.object({
  intent: z.literal("import_apply"),
  mode: mode(),
  csv: rawText().refine((v) => v.trim() !== "", "The import has no CSV text: preview the file again."),
});
