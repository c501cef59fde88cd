/**
 * The status badge of a view period (docs/reconciliation.md "Period status"), pure:
 *
 * - **closed**: every org with data in the period has closed every month it touches (the
 *   figures are frozen);
 * - **incomplete**: the period is not over, or the vendor's 48 h window after its end is
 *   still open (Confluent may still add or change cost for it), or the data ingested for it
 *   was exported inside that window and not re-ingested since, or days are missing (an org
 *   with data in the period has no data for some of its days);
 * - **complete**: none of the above, but not closed yet.
 */
import { addDays, dayDiff } from "./periods";

export const PERIOD_STATUSES = ["incomplete", "complete", "closed"] as const;
export type PeriodStatusKind = (typeof PERIOD_STATUSES)[number];

/** The vendor's window: cost for a day may still change up to 48 hours after it ends. */
export const VENDOR_WINDOW_MS = 48 * 3600 * 1000;

/** A span of days, `to` exclusive (YYYY-MM-DD). */
export interface DaySpan {
  from: string;
  to: string;
}

const dayMs = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));

/** The days of [from, to) that no span covers. */
export function uncoveredDays(range: DaySpan, spans: readonly DaySpan[]): number {
  const len = dayDiff(range.from, range.to);
  if (len <= 0) return 0;
  const clipped = spans
    .map((s) => ({ from: s.from > range.from ? s.from : range.from, to: s.to < range.to ? s.to : range.to }))
    .filter((s) => s.from < s.to)
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  let covered = 0;
  let end = range.from;
  for (const s of clipped) {
    const from = s.from > end ? s.from : end;
    if (s.to > from) {
      covered += dayDiff(from, s.to);
      end = s.to;
    }
  }
  return len - covered;
}

export interface PeriodFacts {
  /** first day of the period */
  start: string;
  /** the day after its last day */
  end: string;
  nowMs: number;
  /** every org with data in the period has closed every month it touches */
  closed: boolean;
  /** per org with data in the period: the day spans its active imports cover */
  coverage: ReadonlyArray<{ orgId: string; spans: readonly DaySpan[] }>;
  /** some import with data in the period was made before the 48 h window of the data it covers had passed */
  ingestedInWindow: boolean;
}

export interface PeriodStatusResult {
  status: PeriodStatusKind;
  reasons: string[];
}

/** The badge of one period and why. */
export function periodStatus(f: PeriodFacts): PeriodStatusResult {
  if (f.closed) return { status: "closed", reasons: ["month closed: figures frozen"] };
  const reasons: string[] = [];
  const endMs = dayMs(f.end);
  if (endMs > f.nowMs) reasons.push("period not over yet");
  else if (f.nowMs < endMs + VENDOR_WINDOW_MS) reasons.push("the vendor's 48 h window after the period is still open");
  else if (f.ingestedInWindow) reasons.push("ingested less than 48 h after the period ended: data may still change, re-ingest it");
  const lastDay = addDays(f.end, -1);
  for (const c of f.coverage) {
    // a running period is only checked up to yesterday
    const until = endMs > f.nowMs ? new Date(f.nowMs).toISOString().slice(0, 10) : f.end;
    const missing = uncoveredDays({ from: f.start, to: until < f.end ? until : f.end }, c.spans);
    if (missing > 0) reasons.push(`${c.orgId}: ${missing} day${missing === 1 ? "" : "s"} missing between ${f.start} and ${lastDay}`);
  }
  if (reasons.length) return { status: "incomplete", reasons };
  return { status: "complete", reasons: ["every day in and the 48 h window passed; month not closed yet"] };
}
