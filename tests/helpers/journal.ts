/**
 * Reading the general-ledger journal CSV (docs/journal.md) in tests: the rows by column name,
 * grouped per journal, and the double-entry checks every journal must pass.
 */
import { expect } from "vitest";
import { JOURNAL_HEADER, type JournalColumn } from "../../app/domain/journal";
import { Decimal } from "../../app/domain/money";
import { readCsvRecords } from "../../app/services/csv";

export type JournalRow = Record<JournalColumn, string>;

/** The journal CSV's rows by column; fails unless the header is JOURNAL_HEADER and the CSV parses. */
export function parseJournal(csv: string): JournalRow[] {
  const recs = readCsvRecords(csv);
  expect(recs.syntaxError).toBeNull();
  expect(recs.header).toEqual([...JOURNAL_HEADER]);
  return recs.rows.map((r) => Object.fromEntries(JOURNAL_HEADER.map((h, i) => [h, r.fields[i] ?? ""])) as JournalRow);
}

const amt = (s: string) => new Decimal(s === "" ? "0" : s);
export const sumOf = (rows: readonly JournalRow[], col: "debit" | "credit" | "amount") =>
  rows.reduce((s, r) => s.plus(amt(r[col])), new Decimal(0));

/** The clearing line is the one credit (or debit) line without a cost center whose memo ends "(clearing)". */
export const isClearing = (r: JournalRow) => r.cost_center === "" && r.memo.endsWith("(clearing)");

/**
 * The double-entry checks of one journal (the rows of one org): one journal id, posting date,
 * currency and reference; lines numbered 1…n; exactly one of debit / credit set, amount = debit −
 * credit, two decimals; Σ amount = 0 and Σ debit = Σ credit; one clearing line. Returns the
 * posted total (Σ amount of the lines other than the clearing one).
 */
export function expectBalancedJournal(rows: readonly JournalRow[], label: string): Decimal {
  expect(rows.length, label).toBeGreaterThan(1);
  for (const c of ["journal_id", "posting_date", "currency", "org_id", "reference"] as const)
    expect(new Set(rows.map((r) => r[c])).size, `${label}: one ${c}`).toBe(1);
  expect(
    rows.map((r) => r.line),
    label,
  ).toEqual(rows.map((_, i) => String(i + 1)));
  for (const r of rows) {
    expect((r.debit === "") !== (r.credit === ""), `${label} line ${r.line}: debit xor credit`).toBe(true);
    for (const c of ["debit", "credit", "amount"] as const)
      if (r[c] !== "") expect(r[c], `${label} line ${r.line} ${c}`).toMatch(/^-?\d+\.\d\d$/);
    expect(amt(r.debit).minus(amt(r.credit)).eq(amt(r.amount)), `${label} line ${r.line}: amount = debit − credit`).toBe(true);
    expect(r.account, `${label} line ${r.line}: account`).not.toBe("");
  }
  expect(sumOf(rows, "amount").isZero(), `${label}: Σ amount = 0`).toBe(true);
  expect(sumOf(rows, "debit").eq(sumOf(rows, "credit")), `${label}: Σ debit = Σ credit`).toBe(true);
  expect(rows.filter(isClearing).length, `${label}: one clearing line`).toBe(1);
  return sumOf(
    rows.filter((r) => !isClearing(r)),
    "amount",
  );
}

/** The rows of each org, in order of first appearance. */
export function journalsByOrg(rows: readonly JournalRow[]): Map<string, JournalRow[]> {
  const by = new Map<string, JournalRow[]>();
  for (const r of rows) by.set(r.org_id, [...(by.get(r.org_id) ?? []), r]);
  return by;
}
