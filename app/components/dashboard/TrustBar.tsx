/** Trust signals shown on every dashboard page: freshness per org, unmapped share, period status. */
import type { PeriodStatusKind } from "~/domain/period-status";
import { Link } from "@remix-run/react";
import { Badge } from "~/components/ui";
import { formatPercent, formatUsd } from "~/lib/format";
import { periodLabel } from "./charts";
import { age, formatIsoUtc, PeriodBadge } from "./parts";

export interface TrustData {
  nowMs: number;
  freshness: Array<{ orgId: string; lastImportAt: string | null; dataThrough: string | null }>;
  /** null for a scoped viewer (its unmapped cost is part of "other teams") */
  unmapped: { amount: string; share: string | null } | null;
  periods: Array<{ period: string; status: PeriodStatusKind; reasons: string[] }>;
  gran: string;
}

export function TrustBar({ trust }: { trust: TrustData }) {
  const count = (k: PeriodStatusKind) => trust.periods.filter((p) => p.status === k).length;
  const [closed, complete, incomplete] = [count("closed"), count("complete"), count("incomplete")];
  const many = trust.periods.length > 14;
  return (
    <section
      aria-label="Data freshness and trust"
      data-testid="trust-bar"
      className="mb-6 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm shadow-sm"
    >
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
        <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
          <span className="text-[11px] font-medium uppercase tracking-wide text-slate-500">Last ingest</span>
          {trust.freshness.length === 0 ? <span className="text-slate-500">no organization yet</span> : null}
          {trust.freshness.map((f) => (
            <span key={f.orgId} className="whitespace-nowrap" data-testid="freshness">
              <Link to={`/orgs/${encodeURIComponent(f.orgId)}`} className="font-medium text-slate-800 hover:underline">
                {f.orgId}
              </Link>{" "}
              <span className="text-slate-500" title={formatIsoUtc(f.lastImportAt)}>
                {f.lastImportAt ? age(f.lastImportAt, trust.nowMs) : "never ingested"}
              </span>
              {f.dataThrough ? <span className="text-slate-400"> · data to {f.dataThrough}</span> : null}
            </span>
          ))}
        </div>
        {trust.unmapped ? (
          <div className="flex items-center gap-2" data-testid="unmapped-signal">
            <span className="text-[11px] font-medium uppercase tracking-wide text-slate-500">Unmapped</span>
            <span className="tabular-nums text-slate-800">
              {formatUsd(trust.unmapped.amount)}
              {trust.unmapped.share !== null ? (
                <span className="text-slate-500"> ({formatPercent(trust.unmapped.share)} of spend)</span>
              ) : null}
            </span>
            <Link to="/crosswalk/unmapped" className="text-indigo-700 hover:underline">
              Map owners →
            </Link>
          </div>
        ) : null}
        <div className="flex items-center gap-2" data-testid="period-status">
          <span className="text-[11px] font-medium uppercase tracking-wide text-slate-500">Periods</span>
          {trust.periods.length === 0 ? <span className="text-slate-500">none in range</span> : null}
          {!many ? (
            trust.periods.map((p) => (
              <span key={p.period} className="inline-flex items-center gap-1 whitespace-nowrap">
                <span className="text-slate-600">{periodLabel(p.period, trust.gran)}</span>
                <PeriodBadge status={p.status} reasons={p.reasons} />
              </span>
            ))
          ) : (
            <span className="inline-flex items-center gap-2">
              {closed ? <Badge tone="success">{closed} closed</Badge> : null}
              {complete ? <Badge tone="info">{complete} complete</Badge> : null}
              {incomplete ? <Badge tone="warning">{incomplete} incomplete</Badge> : null}
            </span>
          )}
        </div>
      </div>
    </section>
  );
}
