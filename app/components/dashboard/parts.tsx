/** Dashboard pieces: change, coverage, period status, group links, freshness; primitives from ~/components/ui. */
import { Link } from "@remix-run/react";
import Decimal from "decimal.js";
import { type BadgeTone, cx, StatusBadge } from "~/components/ui";
import type { PeriodStatusKind } from "~/domain/period-status";
import { isDisplayPseudoGroup, OTHER_TEAMS, type GroupBy } from "~/domain/vocabulary";
import { formatPercent, formatUsd } from "~/lib/format";

/**
 * Change as "+$12.30 (+4.1%)" coloured (spend up = amber, down = emerald). With a
 * `comparison` whose earlier range the data does not fully cover, "n/a (earlier period
 * incomplete)" with the coverage instead: a change against missing data is not a change.
 */
export function Change({
  change,
  pct,
  compact,
  comparison,
}: {
  change: string;
  pct: string | null;
  compact?: boolean;
  comparison?: { complete: boolean; coverage: string };
}) {
  if (comparison && !comparison.complete) {
    const covered = formatPercent(comparison.coverage, 0);
    return (
      <span
        className="whitespace-nowrap text-xs text-slate-500"
        data-testid="change-na"
        title={`The data covers ${covered} of the earlier period, so no change is computed.`}
      >
        {compact ? "n/a" : `n/a (earlier period incomplete, ${covered} covered)`}
      </span>
    );
  }
  const d = new Decimal(change).toDecimalPlaces(2);
  const tone = d.isZero() ? "text-slate-500" : d.isPositive() ? "text-amber-700" : "text-emerald-700";
  const arrow = d.isZero() ? "" : d.isPositive() ? "▲ " : "▼ ";
  return (
    <span className={cx("whitespace-nowrap tabular-nums", tone)}>
      <span aria-hidden>{arrow}</span>
      {formatUsd(change, { signed: true })}
      {pct !== null && !compact ? <span className="ml-1 text-xs">({formatPercent(pct, 1).replace(/^(?!-)/, "+")})</span> : null}
      {pct === null && !compact && !d.isZero() ? <span className="ml-1 text-xs text-slate-400">(new)</span> : null}
    </span>
  );
}

/** FinOps allocation coverage bands: ≥ 90 % good, 80–90 % fair, < 80 % poor. */
export function coverageBand(coverage: string | null): { tone: BadgeTone; label: string } {
  if (coverage === null) return { tone: "neutral", label: "no spend" };
  const c = new Decimal(coverage);
  if (c.gte("0.9")) return { tone: "success", label: "≥ 90 % target met" };
  if (c.gte("0.8")) return { tone: "warning", label: "80–90 %" };
  return { tone: "danger", label: "below 80 %" };
}

export function CoverageMeter({ coverage }: { coverage: string | null }) {
  const pct =
    coverage === null
      ? 0
      : Decimal.max(0, Decimal.min(100, new Decimal(coverage).times(100)))
          .toDecimalPlaces(1)
          .toString();
  const band = coverageBand(coverage);
  const bar = band.tone === "success" ? "bg-emerald-500" : band.tone === "warning" ? "bg-amber-500" : "bg-rose-500";
  return (
    <div className="mt-3" aria-hidden>
      <div className="relative h-1.5 w-full rounded-full bg-slate-100">
        <div className={cx("h-1.5 rounded-full", bar)} style={{ width: `${pct}%` }} />
        <div className="absolute inset-y-[-3px] left-[80%] w-px bg-slate-400" title="80 %" />
        <div className="absolute inset-y-[-3px] left-[90%] w-px bg-slate-400" title="90 %" />
      </div>
      <div className="relative mt-1 h-3 text-[10px] text-slate-400">
        <span className="absolute left-[80%] -translate-x-1/2">80</span>
        <span className="absolute left-[90%] -translate-x-1/2">90</span>
      </div>
    </div>
  );
}

const PERIOD_TONES = { closed: "success", complete: "info", incomplete: "warning" } as const;

/** incomplete (window open or days missing) / complete / closed (app/domain/period-status.ts), with why as its title. */
export function PeriodBadge({ status, reasons }: { status: PeriodStatusKind; reasons: string[] }) {
  return <StatusBadge status={status} tones={PERIOD_TONES} title={reasons.join("; ")} />;
}

/** Link to a team or pseudo-team page. */
export function GroupLink({ group, by, search }: { group: string; by: GroupBy; search: string }) {
  // a scoped viewer's "other teams" line: a sum with no breakdown, so no page
  if (group === OTHER_TEAMS) return <span className="font-medium italic text-slate-600">{group}</span>;
  const href = by === "team" ? `/teams/${encodeURIComponent(group)}${search}` : `/cost-centers/${encodeURIComponent(group)}${search}`;
  const pseudo = isDisplayPseudoGroup(group);
  return (
    <Link to={href} prefetch="intent" className={cx("font-medium hover:underline", pseudo ? "italic text-slate-600" : "text-indigo-700")}>
      {group}
    </Link>
  );
}

export function formatIsoUtc(iso: string | null): string {
  if (!iso) return "never";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "3 h ago" computed from the server's `now` (passed in as ms) so server and client render the same text. */
export function age(iso: string | null, nowMs: number): string {
  if (!iso) return "";
  const mins = Math.round((nowMs - Date.parse(iso)) / 60000);
  if (mins < 0) return formatIsoUtc(iso);
  if (mins < 1) return "just now";
  if (mins < 60) return `${mins} min ago`;
  const h = Math.round(mins / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}
