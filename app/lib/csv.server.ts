/**
 * CSV downloads over HTTP (docs/security.md). The CSV text itself comes from
 * `app/services/csv.ts`, shared with the CLI.
 */
export { toSafeCsv, crosswalkCsv } from "~/services/csv";

/** A file name part safe for Content-Disposition. */
export const fileNamePart = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

/** A formula-safe CSV download that is never cached. */
export function csvResponse(fileName: string, csv: string): Response {
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
