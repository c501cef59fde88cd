/**
 * CSV in and out for small files (crosswalk, teams, display names) and for every
 * download, shared by the CLI and the web. Output neutralises spreadsheet formulas
 * (docs/security.md).
 */
import { formatSplitText } from "../domain/splits";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { validFromField } from "../domain/crosswalk";
import type { CrosswalkCsvEntry } from "../domain/csv/crosswalk";

export interface CsvRecords {
  header: string[];
  rows: Array<{ fields: string[]; line: number }>;
  syntaxError: { line: number; message: string } | null;
}

/** Parses CSV text with line numbers (header is line 1); a syntax error is reported, not thrown. */
export function readCsvRecords(text: string | Buffer): CsvRecords {
  try {
    const recs = parse(text, { relax_column_count: true, skip_empty_lines: true, info: true, bom: false }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
    if (recs.length === 0) return { header: [], rows: [], syntaxError: null };
    return { header: recs[0].record, rows: recs.slice(1).map((r) => ({ fields: r.record, line: r.info.lines })), syntaxError: null };
  } catch (e) {
    const err = e as Error & { lines?: number };
    return {
      header: [],
      rows: [],
      syntaxError: { line: err.lines ?? 0, message: `line ${err.lines ?? "?"}: not valid CSV (${err.message})` },
    };
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A cell starting with = + - @ (or tab/CR) that is not a number gets a leading apostrophe. */
export function neutraliseCell(v: string): string {
  if (v.length === 0) return v;
  if (/^[=+\-@\t\r]/.test(v) && !NUMBER.test(v)) return `'${v}`;
  return v;
}

/** CSV with every value exactly as given (FOCUS files: no formula guard; docs/security.md says which files have one). */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null | undefined>>): string {
  return stringify([header as string[], ...rows.map((r) => r.map((c) => c ?? ""))], { eof: true });
}

export function toSafeCsv(header: string[], rows: Array<Array<string | null | undefined>>): string {
  return stringify([header, ...rows.map((r) => r.map((c) => neutraliseCell(c ?? "")))]);
}

/**
 * The crosswalk as the crosswalk CSV (docs/crosswalk.md; with cost_center and note), for the CLI
 * export and the download. A last `split` column (`payments:60;search:40`) is written only when
 * some entry splits, so files without splits keep their header.
 */
export function crosswalkCsv(
  rows: ReadonlyArray<Pick<CrosswalkCsvEntry, "orgId" | "ownerId" | "team" | "split" | "validFrom" | "validTo" | "costCenter" | "note">>,
): string {
  const splits = rows.some((r) => r.split);
  const header = ["org_id", "owner_id", "team", "valid_from", "valid_to", "cost_center", "note"];
  return toSafeCsv(
    splits ? [...header, "split"] : header,
    rows.map((r) => {
      const line = [r.orgId, r.ownerId, r.team, validFromField(r.validFrom), r.validTo ?? "", r.costCenter ?? "", r.note ?? ""];
      return splits ? [...line, r.split ? formatSplitText(r.split) : ""] : line;
    }),
  );
}
