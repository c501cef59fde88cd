/**
 * Tremor charts with their text equivalents. Amounts arrive as decimal strings; they
 * become JS numbers ONLY here, at the chart boundary, through `chartNumber`. Every
 * figure printed (tables, tooltips' source, CSV) stays on the decimal strings.
 */
import { BarChart } from "@tremor/react";
import Decimal from "decimal.js";
import { createContext, useContext, useEffect, useState } from "react";
import { formatUsd } from "~/lib/format";

/** Chart boundary ONLY: a decimal string → a JS number rounded to cents, for Recharts' geometry. */
export function chartNumber(value: string): number {
  return new Decimal(value).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
}

/** Tooltip/axis labels for chart numbers (cents already, so no float noise shows). */
export const chartUsd = (n: number) => formatUsd(new Decimal(n));
const axisUsd = (n: number) => {
  const a = Math.abs(n);
  if (a >= 1_000_000) return `$${new Decimal(n).div(1_000_000).toDecimalPlaces(1).toString()}M`;
  if (a >= 1_000) return `$${new Decimal(n).div(1_000).toDecimalPlaces(1).toString()}k`;
  return formatUsd(new Decimal(n), { decimals: 0 });
};

/** Chart colours: all in tailwind.config.ts's safelist (the last one for "Other"). */
export const SERIES_COLORS = ["indigo", "cyan", "emerald", "amber", "rose", "violet", "blue", "gray"] as const;
export const OTHER_COLOR = "slate";
export const colorsFor = (series: string[]) =>
  series.map((s, i) => (s === "Other" ? OTHER_COLOR : SERIES_COLORS[i % SERIES_COLORS.length]));

/** Recharts measures the DOM: render charts after hydration (the table equivalent is in the HTML). */
function useHydrated() {
  const [h, setH] = useState(false);
  useEffect(() => setH(true), []);
  return h;
}

export function periodLabel(period: string, gran: string): string {
  if (gran === "monthly") {
    const [y, m] = period.split("-");
    return `${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][Number(m) - 1]} ${y}`;
  }
  if (gran === "weekly") return `wk ${period.slice(5)}`;
  return period.slice(5);
}

export function StackedSpendChart({
  periods,
  series,
  gran,
  label,
}: {
  periods: Array<{ period: string; values: Record<string, string> }>;
  series: string[];
  gran: string;
  label: string;
}) {
  const hydrated = useHydrated();
  const data = periods.map((p) => {
    const row: Record<string, string | number> = { period: periodLabel(p.period, gran) };
    for (const s of series) row[s] = chartNumber(p.values[s] ?? "0");
    return row;
  });
  return (
    <figure aria-label={label} data-testid="spend-chart" className="h-72">
      {hydrated ? (
        <BarChart
          className="h-72"
          data={data}
          index="period"
          categories={series}
          colors={colorsFor(series)}
          stack
          valueFormatter={chartUsd}
          yAxisWidth={92}
          showAnimation={false}
        />
      ) : (
        <div className="h-72 animate-pulse rounded bg-slate-50" aria-hidden />
      )}
      <figcaption className="sr-only">{label}. The same figures are in the table below the chart.</figcaption>
    </figure>
  );
}

/** The anchor of a flagged (team, day) on /anomalies (the team page links to it). */
export const anomalyAnchor = (team: string, day: string) => `anomaly-${day}-${encodeURIComponent(team)}`;

/**
 * The flagged days (YYYY-MM-DD) of the daily trend below it (app/services/anomalies.ts): the team
 * page provides them around its body, so the trend chart marks them without every page passing them.
 */
export const FlaggedDaysContext = createContext<readonly string[]>([]);

const FLAGGED = "Flagged day (total)";

export function TrendChart({
  trend,
  gran,
  label,
  color = "indigo",
  flagged: flaggedProp,
}: {
  trend: Array<{ period: string; direct: string; unallocatedShare: string }>;
  gran: string;
  label: string;
  color?: string;
  /** daily trends: flagged days, drawn in rose (default: FlaggedDaysContext) */
  flagged?: readonly string[];
}) {
  const hydrated = useHydrated();
  const fromContext = useContext(FlaggedDaysContext);
  const flagged = new Set(gran === "daily" ? (flaggedProp ?? fromContext) : []);
  const marked = trend.some((t) => flagged.has(t.period));
  const data = trend.map((t) => {
    const f = flagged.has(t.period);
    const direct = chartNumber(t.direct);
    const share = chartNumber(t.unallocatedShare);
    return {
      period: periodLabel(t.period, gran),
      "Direct cost": f ? 0 : direct,
      "Share of unallocated": f ? 0 : share,
      // a flagged day is one rose bar of its total (cents, so the sum has no float noise)
      ...(marked ? { [FLAGGED]: f ? chartNumber(new Decimal(t.direct).plus(t.unallocatedShare).toFixed()) : 0 } : {}),
    };
  });
  const categories = ["Direct cost", "Share of unallocated", ...(marked ? [FLAGGED] : [])];
  const colors = [color, "amber", ...(marked ? ["rose"] : [])];
  return (
    <figure
      aria-label={label}
      data-testid="trend-chart"
      data-flagged={
        marked
          ? trend
              .filter((t) => flagged.has(t.period))
              .map((t) => t.period)
              .join(" ")
          : undefined
      }
      className="h-64"
    >
      {hydrated ? (
        <BarChart
          className="h-64"
          data={data}
          index="period"
          categories={categories}
          colors={colors}
          stack
          valueFormatter={chartUsd}
          yAxisWidth={92}
          showAnimation={false}
        />
      ) : (
        <div className="h-64 animate-pulse rounded bg-slate-50" aria-hidden />
      )}
      <figcaption className="sr-only">
        {label}. The same figures are in the table next to the chart.
        {marked ? " Days flagged as anomalies are drawn in rose." : ""}
      </figcaption>
    </figure>
  );
}

export { axisUsd };
