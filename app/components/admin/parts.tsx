/** Pieces of the finance admin pages (imports, crosswalk, audit): issue lists, owner labels, JSON diff; primitives from ~/components/ui. */
import { useOptionalUser } from "~/components/root-data";
import { Badge, cx, HeadRow, StatusBadge, Table, TableNote, TBody, td, tdNum, THead } from "~/components/ui";

export function useIsAdmin(): boolean {
  return useOptionalUser()?.role === "finance_admin";
}

export function OwnerLabel({ ownerId, displayName }: { ownerId: string; displayName?: string | null }) {
  return (
    <span className="inline-flex flex-col leading-tight">
      {displayName ? <span className="font-medium text-slate-900">{displayName}</span> : null}
      <span className={cx("whitespace-nowrap font-mono text-xs", displayName ? "text-slate-500" : "text-slate-800")}>{ownerId}</span>
    </span>
  );
}

export interface Issue {
  line: number;
  column: string | null;
  value: string | null;
  rule: string;
  message: string;
}

export function IssuesTable({ issues, total, testId = "issues" }: { issues: Issue[]; total: number; testId?: string }) {
  return (
    <div>
      <Table testId={testId}>
        <THead>
          <HeadRow cols={["Line", "Column", "Value", "Rule", "Problem"]} num={["Line"]} />
        </THead>
        <TBody>
          {issues.map((i, n) => (
            <tr key={n} data-testid="issue-row">
              <td className={cx(tdNum, "font-mono")} data-testid="issue-line">
                {i.line > 0 ? i.line : "—"}
              </td>
              <td className={cx(td, "font-mono text-xs")}>{i.column ?? "—"}</td>
              <td className={cx(td, "max-w-[12rem] truncate font-mono text-xs")} title={i.value ?? undefined}>
                {i.value === null ? "—" : i.value === "" ? <span className="italic text-slate-400">(empty)</span> : i.value}
              </td>
              <td className={td}>
                <Badge tone="danger">{i.rule}</Badge>
              </td>
              <td className={cx(td, "text-xs text-slate-600")}>{i.message}</td>
            </tr>
          ))}
        </TBody>
      </Table>
      {total > issues.length ? (
        <TableNote>
          … and {total - issues.length} more problem{total - issues.length === 1 ? "" : "s"} (the first {issues.length} are listed).
        </TableNote>
      ) : null}
    </div>
  );
}

export function Warnings({ warnings }: { warnings: string[] }) {
  if (!warnings.length) return null;
  return (
    <ul className="space-y-1 text-sm text-amber-900" data-testid="warnings">
      {warnings.slice(0, 50).map((w, i) => (
        <li key={i} className="flex gap-2">
          <span aria-hidden className="mt-1.5 h-1.5 w-1.5 flex-none rounded-full bg-amber-500" />
          <span>{w}</span>
        </li>
      ))}
      {warnings.length > 50 ? <li className="text-xs text-amber-700">… and {warnings.length - 50} more</li> : null}
    </ul>
  );
}

const IMPORT_TONES = { active: "success", superseded: "neutral", rejected: "danger" } as const;

export function ImportStatusBadge({ status }: { status: string }) {
  return <StatusBadge status={status} tones={IMPORT_TONES} label={status === "rejected" ? "rejected attempt" : status} />;
}

export const fmtWhen = (ts: string | null | undefined) => {
  if (!ts) return "—";
  // PostgreSQL text timestamps: "2026-04-01 10:11:12.345+00"
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})/.exec(ts);
  return m ? `${m[1]} ${m[2]} UTC` : ts;
};

// ---------------------------------------------------------------- JSON diff

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function flatten(v: unknown, prefix = "", out: Map<string, string> = new Map()): Map<string, string> {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v as Record<string, unknown>);
    if (keys.length === 0 && prefix) out.set(prefix, "{}");
    for (const k of keys) flatten((v as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(v) && v.length > 0 && v.length <= 20 && v.every((x) => x !== null && typeof x === "object")) {
    v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, out));
  } else {
    out.set(prefix || "(value)", v === undefined ? "" : JSON.stringify(v as Json));
  }
  return out;
}

/** The fields that differ between before and after (for a one-line summary). */
export function changedFields(before: unknown, after: unknown): string[] {
  const b = before == null ? new Map<string, string>() : flatten(before);
  const a = after == null ? new Map<string, string>() : flatten(after);
  return [...new Set([...b.keys(), ...a.keys()])].filter((k) => b.get(k) !== a.get(k));
}

/** Field-by-field before/after: removed in red, added in green, unchanged greyed. */
export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const b = before == null ? new Map<string, string>() : flatten(before);
  const a = after == null ? new Map<string, string>() : flatten(after);
  const keys = [...new Set([...b.keys(), ...a.keys()])];
  if (keys.length === 0) return <p className="text-xs text-slate-400">No details recorded.</p>;
  return (
    <table className="w-full table-fixed text-xs" data-testid="json-diff">
      <thead>
        <tr className="text-left text-[10px] uppercase tracking-wider text-slate-400">
          <th className="w-1/4 py-1 pr-2 font-semibold">Field</th>
          <th className="w-[37.5%] py-1 pr-2 font-semibold">Before</th>
          <th className="w-[37.5%] py-1 font-semibold">After</th>
        </tr>
      </thead>
      <tbody className="font-mono">
        {keys.map((k) => {
          const bv = b.get(k);
          const av = a.get(k);
          const changed = bv !== av;
          return (
            <tr key={k} className={changed ? "" : "text-slate-400"}>
              <td className="break-all py-0.5 pr-2 align-top text-slate-600">{k}</td>
              <td className="break-all py-0.5 pr-2 align-top">
                {bv === undefined ? (
                  <span className="text-slate-300">—</span>
                ) : (
                  <span className={changed ? "rounded bg-rose-50 px-1 text-rose-800 line-through decoration-rose-300" : ""}>{bv}</span>
                )}
              </td>
              <td className="break-all py-0.5 align-top">
                {av === undefined ? (
                  <span className="text-slate-300">—</span>
                ) : (
                  <span className={changed ? "rounded bg-emerald-50 px-1 text-emerald-800" : ""}>{av}</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The team names (with their cost center) an input offers through `list={id}`. */
export function TeamOptions({
  id,
  teams,
}: {
  id: string;
  teams: ReadonlyArray<{ name: string; costCenter: string | null; archived?: boolean }>;
}) {
  return (
    <datalist id={id}>
      {teams
        .filter((t) => !t.archived)
        .map((t) => (
          <option key={t.name} value={t.name}>
            {t.costCenter ?? ""}
          </option>
        ))}
    </datalist>
  );
}

/** The organization ids an input offers through `list={id}`. */
export function OrgOptions({ id, orgs }: { id: string; orgs: readonly string[] }) {
  return (
    <datalist id={id}>
      {orgs.map((o) => (
        <option key={o} value={o} />
      ))}
    </datalist>
  );
}
