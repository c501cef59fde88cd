/**
 * Display labels of the export's descriptive columns (docs/export-format.md). An empty
 * `product`, `metric` or `unit` is stored as the empty string (the unallocated row gathers
 * credits and adjustments that have none) and shown as EMPTY_LABEL in reports, drill-downs
 * and exports. Pure.
 */

/** What an empty product, metric or unit reads as wherever it is shown or exported. */
export const EMPTY_LABEL = "(none)";

/** `v`, or EMPTY_LABEL when it is empty (or only blanks, or null). */
export function labelOf(v: string | null | undefined): string {
  return v === null || v === undefined || v.trim() === "" ? EMPTY_LABEL : v;
}
