/** Month-end badges: reconciliation status, check status, closed. */
import { Badge, type BadgeTone, StatusBadge } from "~/components/ui";

import type { CheckStatus, ReconcileStatus } from "~/domain/vocabulary";

export type { CheckStatus, ReconcileStatus } from "~/domain/vocabulary";

const STATUS_TONE: Record<ReconcileStatus, BadgeTone> = {
  matched: "success",
  mismatch: "danger",
  no_invoice: "warning",
  no_data: "neutral",
};

export function ReconcileStatusBadge({ status, testId }: { status: ReconcileStatus; testId?: string }) {
  return <StatusBadge status={status} tones={STATUS_TONE} testId={testId} />;
}

const CHECK_TONE: Record<CheckStatus, BadgeTone> = { pass: "success", warn: "warning", fail: "danger" };
const CHECK_ICON: Record<CheckStatus, string> = { pass: "✓", warn: "!", fail: "✕" };

export const CHECK_LABELS: Record<string, string> = {
  buckets_complete: "Buckets complete",
  ingested_after_48h: "Ingested ≥ 48 h after month end",
  allocated_equals_export: "Allocated = export total",
  coverage: "Coverage (90 % / 80 % bands)",
};

export function CheckLine({ name, status, detail }: { name: string; status: CheckStatus; detail: string }) {
  return (
    <li className="flex items-start gap-2 text-xs" data-check={name} data-check-status={status}>
      <Badge tone={CHECK_TONE[status]}>
        <span aria-hidden="true">{CHECK_ICON[status]}</span>&nbsp;{status}
      </Badge>
      <span>
        <span className="font-medium text-slate-700">{CHECK_LABELS[name] ?? name}</span>
        <span className="text-slate-500">: {detail}</span>
      </span>
    </li>
  );
}

export function ClosedBadge({ testId }: { testId?: string }) {
  return (
    <span data-testid={testId}>
      <Badge tone="info">closed</Badge>
    </span>
  );
}

/** The reconciliation checks, in their fixed order (docs/reconciliation.md). */
export const CHECK_NAMES = ["buckets_complete", "ingested_after_48h", "allocated_equals_export", "coverage"] as const;

/** A row's checks, one line each, in CHECK_NAMES order. */
export function CheckList({ checks }: { checks: Record<string, { status: string; detail: string }> }) {
  return (
    <ul className="space-y-1">
      {CHECK_NAMES.map((n) => (
        <CheckLine key={n} name={n} status={checks[n].status as CheckStatus} detail={checks[n].detail} />
      ))}
    </ul>
  );
}

/** A check's status alone (e.g. the coverage band). */
export function CheckStatusBadge({ status }: { status: string }) {
  return <Badge tone={CHECK_TONE[status as CheckStatus] ?? "neutral"}>{status}</Badge>;
}
