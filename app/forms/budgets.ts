/**
 * The budgets page's forms (app/routes/admin.budgets.tsx), one schema per intent. The budget
 * itself is checked by the service (app/services/budgets.ts `setBudget`, with the rules of
 * app/domain/budgets.ts), which knows the teams, cost centers and organizations.
 */
import { z } from "zod";
import { rawText, rowId, text } from "./admin-fields";

/** Set a budget: the same (scope, name, org, from month) replaces its amount. `org_id` "" = all organizations. */
export const setBudgetSchema = z
  .object({ intent: z.literal("set"), scope: text(), name: text(), amount: text(), from_month: text(), org_id: text() })
  .transform((v) => ({
    scope: v.scope,
    name: v.name,
    amount: v.amount,
    fromMonth: v.from_month,
    orgId: v.org_id === "" ? null : v.org_id,
  }));

/** Delete one budget row by its id. */
export const deleteBudgetSchema = z.object({ intent: z.literal("delete"), id: rowId() });

/** The CSV import's preview: the file itself (`csv_file`) is read by the route; pasted text is the fallback. */
export const importPreviewSchema = z.object({ intent: z.literal("import_preview"), csv_text: rawText() });

/** The CSV import itself, with the text the preview showed. */
export const importApplySchema = z.object({
  intent: z.literal("import_apply"),
  csv: rawText().refine((v) => v.trim() !== "", "The import has no CSV text: preview the file again."),
});
