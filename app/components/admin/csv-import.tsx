/**
 * The two halves of a CSV import on the finance admin pages (crosswalk bulk import, GL accounts):
 * the upload form (a file or pasted text, merge or replace, "Preview import") and, under the
 * preview, the bar that applies the previewed text or goes back. The route parses the upload
 * (`fileOrText`, app/lib/csv-upload.server.ts) and previews through its service.
 */
import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import { CsrfInput } from "~/components/csrf";
import { buttonClass, inputClass } from "~/components/ui";

export type ImportMode = "merge" | "replace";

export function CsvUploadForm({
  intent,
  testId,
  placeholder,
  modeHelp,
  busy,
}: {
  /** the preview intent */
  intent: string;
  testId: string;
  /** the pasted text's placeholder: the header */
  placeholder: string;
  /** what each mode does, shown beside it */
  modeHelp: Record<ImportMode, string>;
  busy: boolean;
}) {
  const [mode, setMode] = useState<ImportMode>("merge");
  return (
    <Form method="post" encType="multipart/form-data" className="space-y-4" data-testid={testId}>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input
        type="file"
        name="csv_file"
        accept=".csv,text/csv"
        className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium"
      />
      <details className="text-sm">
        <summary className="cursor-pointer text-xs text-slate-500">…or paste CSV text</summary>
        <textarea name="csv_text" rows={5} className={`mt-2 font-mono text-xs ${inputClass}`} placeholder={placeholder} />
      </details>
      <fieldset className="flex flex-wrap gap-4 text-sm">
        {(["merge", "replace"] as const).map((m) => (
          <label key={m} className="flex items-center gap-2">
            <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />{" "}
            {m === "merge" ? "Merge" : "Replace"}
            <span className="text-xs text-slate-500">({modeHelp[m]})</span>
          </label>
        ))}
      </fieldset>
      <button type="submit" className={buttonClass.primary} disabled={busy}>
        Preview import
      </button>
    </Form>
  );
}

/** Under a preview: "Apply import" (the previewed text, posted again with `intent`) when it can apply, and the way back. */
export function ApplyImportBar({
  canApply,
  intent,
  mode,
  csv,
  busy,
  testId,
  backTo,
  backLabel,
}: {
  canApply: boolean;
  intent: string;
  mode: ImportMode;
  csv: string;
  busy: boolean;
  /** the apply button's test id */
  testId: string;
  backTo: string;
  /** the way back's label when there is nothing to apply ("Cancel" when there is) */
  backLabel: string;
}) {
  return (
    <div className="flex gap-3 border-t border-slate-100 px-5 py-3">
      {canApply ? (
        <Form method="post">
          <CsrfInput />
          <input type="hidden" name="intent" value={intent} />
          <input type="hidden" name="mode" value={mode} />
          <input type="hidden" name="csv" value={csv} />
          <button type="submit" className={buttonClass.primary} disabled={busy} data-testid={testId}>
            Apply import
          </button>
        </Form>
      ) : null}
      <Link to={backTo} className={buttonClass.secondary}>
        {canApply ? "Cancel" : backLabel}
      </Link>
    </div>
  );
}
