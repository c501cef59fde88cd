/**
 * Money and number formatting for the UI, from decimal STRINGS (never floats).
 *   formatUsd("1234567.891")            → "$1,234,567.89"
 *   formatUsd("-12.5")                  → "-$12.50"
 *   formatUsd("-12.5", { accounting: true }) → "($12.50)"
 *   formatUsd("0.00004", { decimals: 4 })    → "$0.0000"
 *   formatPercent("0.8734")             → "87.3%"
 */
import Decimal from "decimal.js";

export type DecimalInput = string | Decimal;

function toDecimal(v: DecimalInput): Decimal {
  return v instanceof Decimal ? v : new Decimal(v.trim());
}

/** Groups the integer part with commas: "1234567.5" → "1,234,567.5". Input: an unsigned fixed string. */
function group(fixed: string): string {
  const [int, frac] = fixed.split(".");
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

export interface MoneyOptions {
  /** Fraction digits (default 2), rounded half-up. */
  decimals?: number;
  /** Negative amounts in parentheses instead of a minus sign. */
  accounting?: boolean;
  /** "+" before positive amounts (deltas). */
  signed?: boolean;
  /** Currency symbol (default "$"); "" for a plain number. */
  symbol?: string;
}

export function formatUsd(value: DecimalInput | null | undefined, opts: MoneyOptions = {}): string {
  if (value === null || value === undefined || (typeof value === "string" && value.trim() === "")) return "—";
  const d = toDecimal(value);
  if (!d.isFinite()) return "—";
  const decimals = opts.decimals ?? 2;
  const symbol = opts.symbol ?? "$";
  const rounded = d.toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
  const negative = rounded.isNegative() && !rounded.isZero();
  const body = symbol + group(rounded.abs().toFixed(decimals));
  if (negative) return opts.accounting ? `(${body})` : `-${body}`;
  if (opts.signed && !rounded.isZero()) return `+${body}`;
  return body;
}

/** A decimal number with thousands separators and no currency symbol. */
export function formatNumber(value: DecimalInput | null | undefined, decimals = 2): string {
  return formatUsd(value, { decimals, symbol: "" });
}

/** A ratio ("0.8734") as a percentage ("87.3%"). */
export function formatPercent(ratio: DecimalInput | null | undefined, decimals = 1): string {
  if (ratio === null || ratio === undefined || (typeof ratio === "string" && ratio.trim() === "")) return "—";
  const d = toDecimal(ratio).times(100);
  return `${formatUsd(d, { decimals, symbol: "" })}%`;
}
