/**
 * Month-end input typed by a person (docs/reconciliation.md): the month and the invoice
 * usage subtotal. Shared by the reconcile CLI, the reconciliation page and the services.
 */
import { InputError } from "./errors";
import { dec, parseDecimal } from "./money";
import { isMonth } from "./periods";

/** The month as given, refused (InputError on `month`) unless it is YYYY-MM. */
export function assertMonth(s: unknown): string {
  if (!isMonth(s)) throw new InputError(`month must be YYYY-MM, got ${JSON.stringify(s)}`, { field: "month" });
  return s;
}

/** Normalises an invoice amount typed by a person: "1,234.50", "$1234.5", " 12 " → exact decimal string. */
export function parseInvoiceAmount(raw: unknown): string {
  if (typeof raw !== "string") throw new InputError("invoice amount is required", { field: "amount" });
  const s = raw
    .trim()
    .replace(/^\$/, "")
    .replace(/,(?=\d{3}(\D|$))/g, "")
    .replace(/^\+(?=[\d.])/, "");
  // the one decimal rule of the app (app/domain/money.ts parseDecimal); "$", "+" and thousands commas are stripped
  // first; no space may remain inside ("$ 12" is refused)
  if (s === "" || s !== s.trim() || !parseDecimal(s).ok)
    throw new InputError(`invoice amount must be a decimal number (e.g. 1234.56), got ${JSON.stringify(raw)}`, { field: "amount" });
  dec(s); // validated
  return s;
}
