/**
 * The one UI kit: page header, cards, stats, badges, alerts, tables, money cells and form classes.
 * Neutral finance look, tabular figures. Feature pieces live in app/components/<feature>/parts.tsx
 * and build on these primitives.
 */
import { Form, Link } from "@remix-run/react";
import Decimal from "decimal.js";
import type { ReactNode } from "react";
import { formatUsd } from "~/lib/format";
import { CsrfInput } from "./csrf";

export const cx = (...c: Array<string | false | null | undefined>) => c.filter(Boolean).join(" ");

// ---------------------------------------------------------------- page

export function PageHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4 border-b border-slate-200 pb-4">
      <div className="min-w-0">
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-500">{description}</p> : null}
      </div>
      {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
    </div>
  );
}

/** "Parent / Parent / current" above a page header. */
export function Breadcrumb({ links, current }: { links: Array<{ to: string; label: ReactNode }>; current: ReactNode }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
      {links.map((l) => (
        <span key={l.to}>
          <Link to={l.to} className="hover:underline">
            {l.label}
          </Link>{" "}
          /{" "}
        </span>
      ))}
      <span className="text-slate-700">{current}</span>
    </nav>
  );
}

/** A page title with a muted aside (an id next to a display name, a badge). */
export function TitleWith({ title, aside, children }: { title: ReactNode; aside?: ReactNode; children?: ReactNode }) {
  return (
    <span className="flex items-center gap-2">
      {title}
      {aside ? <span className="text-base font-normal text-slate-500">{aside}</span> : null}
      {children}
    </span>
  );
}

export function Card({
  title,
  description,
  actions,
  children,
  className,
  padded = true,
}: {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
  className?: string;
  padded?: boolean;
}) {
  return (
    <section className={cx("rounded-lg border border-slate-200 bg-white shadow-sm", className)}>
      {title || actions ? (
        <header className="flex items-start justify-between gap-4 border-b border-slate-100 px-5 py-3">
          <div>
            {title ? <h2 className="text-sm font-semibold text-slate-900">{title}</h2> : null}
            {description ? <p className="mt-0.5 text-xs text-slate-500">{description}</p> : null}
          </div>
          {actions}
        </header>
      ) : null}
      <div className={padded ? "p-5" : undefined}>{children}</div>
    </section>
  );
}

/**
 * A figure with its label: `size="sm"` for the compact admin stat, `size="lg"` for a dashboard KPI card
 * (with an optional badge next to the label). `testId` marks the value itself.
 */
export function Stat({
  label,
  value,
  hint,
  badge,
  testId,
  size = "sm",
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  badge?: ReactNode;
  testId?: string;
  size?: "sm" | "lg";
}) {
  const lg = size === "lg";
  return (
    <div className={cx("rounded-lg border border-slate-200 bg-white shadow-sm", lg ? "p-5" : "px-4 py-3")}>
      <div className="flex items-start justify-between gap-2">
        <p className="text-[11px] font-semibold uppercase tracking-wider text-slate-500">{label}</p>
        {badge}
      </div>
      <p
        className={cx("font-semibold tabular-nums text-slate-900", lg ? "mt-2 text-2xl tracking-tight" : "mt-1 text-lg")}
        data-testid={testId}
      >
        {value}
      </p>
      {hint ? <div className={lg ? "mt-1 text-sm text-slate-500" : "mt-0.5 text-xs text-slate-500"}>{hint}</div> : null}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: ReactNode; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
      <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
      {children ? <div className="mx-auto mt-1 max-w-md text-sm text-slate-500">{children}</div> : null}
      {action ? <div className="mt-4">{action}</div> : null}
    </div>
  );
}

/** A centred "nothing here" line inside a card (charts, tables with no rows). */
export function Muted({ children, className = "py-12 text-center" }: { children: ReactNode; className?: string }) {
  return <p className={cx("text-sm text-slate-500", className)}>{children}</p>;
}

// ---------------------------------------------------------------- badges and alerts

export type BadgeTone = "neutral" | "success" | "warning" | "danger" | "info";
const TONES: Record<BadgeTone, string> = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-200",
  success: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  warning: "bg-amber-50 text-amber-800 ring-amber-200",
  danger: "bg-rose-50 text-rose-700 ring-rose-200",
  info: "bg-indigo-50 text-indigo-700 ring-indigo-200",
};

export function Badge({ tone = "neutral", children }: { tone?: BadgeTone; children: ReactNode }) {
  return (
    <span className={cx("inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset", TONES[tone])}>
      {children}
    </span>
  );
}

/** A badge for a status word: `tones` maps the status to a tone (neutral when unlisted); the wrapper carries the test hooks. */
export function StatusBadge<S extends string>({
  status,
  tones,
  label,
  title,
  testId,
}: {
  status: S;
  tones: Partial<Record<S, BadgeTone>>;
  label?: ReactNode;
  title?: string;
  testId?: string;
}) {
  return (
    <span className="whitespace-nowrap" data-testid={testId} data-status={status} title={title}>
      <Badge tone={tones[status] ?? "neutral"}>{label ?? status}</Badge>
    </span>
  );
}

export function Alert({ tone = "danger", children }: { tone?: "danger" | "success" | "warning" | "info"; children: ReactNode }) {
  const c = {
    danger: "border-rose-200 bg-rose-50 text-rose-800",
    success: "border-emerald-200 bg-emerald-50 text-emerald-800",
    warning: "border-amber-200 bg-amber-50 text-amber-900",
    info: "border-indigo-200 bg-indigo-50 text-indigo-800",
  }[tone];
  return (
    <div role={tone === "danger" ? "alert" : "status"} className={cx("rounded-md border px-4 py-3 text-sm", c)}>
      {children}
    </div>
  );
}

/** The outcome of a form action: `{ ok: true, message }` in green, `{ ok: false, error }` in red (test hook "action-error"). */
export function ActionResult({ result }: { result: { ok: true; message: string } | { ok: false; error: string } | null | undefined }) {
  if (!result) return null;
  return result.ok ? (
    <Alert tone="success">{result.message}</Alert>
  ) : (
    <div data-testid="action-error">
      <Alert>{result.error}</Alert>
    </div>
  );
}

// ---------------------------------------------------------------- tables

/** Right-aligned tabular number cell helper class for tables. */
export const numCell = "whitespace-nowrap text-right tabular-nums";

const cell = "px-3 py-2 align-top text-sm";
export const th = "px-3 py-2 text-left text-[11px] font-semibold uppercase tracking-wider text-slate-500";
export const thNum = `${th} text-right`;
export const td = `${cell} text-slate-700`;
export const tdNum = `${cell} text-slate-900 ${numCell}`;

export function Table({
  caption,
  children,
  testId,
  className,
}: {
  /** read by screen readers only */
  caption?: string;
  children: ReactNode;
  testId?: string;
  className?: string;
}) {
  return (
    <div className={cx("overflow-x-auto", className)}>
      <table className="min-w-full divide-y divide-slate-200" data-testid={testId}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        {children}
      </table>
    </div>
  );
}

export function THead({ children, className }: { children: ReactNode; className?: string }) {
  return <thead className={cx("bg-slate-50", className)}>{children}</thead>;
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-slate-100 bg-white">{children}</tbody>;
}

/** A header row of column labels; the labels listed in `num` are right-aligned (figures). `false` skips a column. */
export function HeadRow({ cols, num = [] }: { cols: Array<string | false | null>; num?: string[] }) {
  return (
    <tr>
      {cols.map((c) =>
        c ? (
          <th key={c} scope="col" className={num.includes(c) ? thNum : th}>
            {c}
          </th>
        ) : null,
      )}
    </tr>
  );
}

/** A footer line under a table ("… and 12 more", "showing 50 of 80"). */
export function TableNote({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500" data-testid={testId}>
      {children}
    </p>
  );
}

// ---------------------------------------------------------------- money

/**
 * A money amount from a decimal string. `tone`: "negative" (default) shows amounts below zero in red;
 * "sign" also shows amounts above zero in green (deltas; the default when `signed`); "none" keeps the text colour.
 * The sign is read at the displayed precision, so "-0.001" at 2 decimals is not red.
 */
export function Money({
  value,
  signed,
  decimals,
  tone = signed ? "sign" : "negative",
  className,
}: {
  value: string | null | undefined;
  /** "+" before positive amounts */
  signed?: boolean;
  decimals?: number;
  tone?: "negative" | "sign" | "none";
  className?: string;
}) {
  const sign = moneySign(value, decimals ?? 2);
  return (
    <span
      className={cx(
        "tabular-nums",
        tone !== "none" && sign < 0 && "text-rose-700",
        tone === "sign" && sign > 0 && "text-emerald-700",
        className,
      )}
    >
      {formatUsd(value, { signed, decimals })}
    </span>
  );
}

function moneySign(value: string | null | undefined, decimals: number): number {
  if (value == null || value.trim() === "") return 0;
  try {
    return new Decimal(value.trim()).toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP).comparedTo(0);
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------- forms

export const buttonClass = {
  primary:
    "inline-flex items-center justify-center rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-50",
  secondary:
    "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-50",
  danger:
    "inline-flex items-center justify-center rounded-md border border-rose-300 bg-white px-3 py-1.5 text-sm font-medium text-rose-700 shadow-sm hover:bg-rose-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-rose-500 focus-visible:ring-offset-2 disabled:opacity-50",
} as const;

export const inputClass = "block w-full rounded-md border-slate-300 text-sm shadow-sm focus:border-indigo-500 focus:ring-indigo-500";
export const labelClass = "block text-xs font-medium uppercase tracking-wide text-slate-500";

export const smallInput = "block w-full rounded-md border-slate-300 py-1 text-sm shadow-sm focus:border-indigo-500 focus:ring-indigo-500";

/** A compact input that keeps the width given next to it (no w-full). */
export const inlineInput = "rounded-md border-slate-300 py-1 text-sm shadow-sm focus:border-indigo-500 focus:ring-indigo-500";

/** A labelled control in a filter row. */
export function FilterField({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <label className={cx("block", className)}>
      <span className="block text-[11px] font-semibold uppercase tracking-wider text-slate-500">{label}</span>
      <span className="mt-1 block">{children}</span>
    </label>
  );
}

/** A small text button next to an inline input (rename, move). */
export const linkButtonClass = "rounded px-2 py-1 text-xs font-medium text-indigo-700 hover:bg-indigo-50";

/** A POST form for one row action: the CSRF token, the intent and the row's hidden fields. */
export function RowForm({
  intent,
  fields = {},
  className,
  confirmText,
  testId,
  children,
}: {
  intent: string;
  fields?: Record<string, string | number>;
  className?: string;
  /** ask before submitting */
  confirmText?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <Form
      method="post"
      className={className}
      data-testid={testId}
      onSubmit={
        confirmText
          ? (e) => {
              if (!confirm(confirmText)) e.preventDefault();
            }
          : undefined
      }
    >
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {children}
    </Form>
  );
}
