// Audit log: every change, filterable by who, what and when, with before/after diffs.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { listAudit } from "../../db/queries/audit";
import { auditFacets, countAudit } from "../../db/queries/audit";
import {
  Badge,
  type BadgeTone,
  buttonClass,
  Card,
  cx,
  EmptyState,
  FilterField,
  PageHeader,
  smallInput,
  Table,
  TBody,
  td,
  th,
  THead,
} from "~/components/ui";
import { changedFields, fmtWhen, JsonDiff } from "~/components/admin/parts";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { isValidDate, addDays } from "~/domain/periods";

export const meta: MetaFunction = () => [{ title: "Audit log · Showback" }];

const PAGE = 50;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "finance_admin");
  const db = await getDb();
  const url = new URL(request.url);
  const q = (k: string) => url.searchParams.get(k) ?? "";
  const from = q("from");
  const to = q("to");
  const f = {
    actor: q("actor") || undefined,
    entity: q("entity") || undefined,
    action: q("action") || undefined,
    from: isValidDate(from) ? `${from}T00:00:00Z` : undefined,
    to: isValidDate(to) ? `${addDays(to, 1)}T00:00:00Z` : undefined,
  };
  const page = Math.max(0, Number(q("page") || "0") || 0);
  const [rows, total, facets] = await Promise.all([
    listAudit(db, { ...f, limit: PAGE, offset: page * PAGE }),
    countAudit(db, f),
    auditFacets(db),
  ]);
  return {
    rows,
    total,
    facets,
    page,
    pages: Math.max(1, Math.ceil(total / PAGE)),
    filters: { actor: q("actor"), entity: q("entity"), action: q("action"), from, to },
  };
}

const ACTION_TONE: Record<string, BadgeTone> = {
  create: "success",
  ingest: "success",
  bulk_import: "info",
  update: "info",
  rename: "info",
  move: "info",
  end_date: "warning",
  archive: "warning",
  delete: "danger",
  ingest_rejected: "danger",
  sign_in_failed: "danger",
  close: "info",
  reopen: "warning",
};

export default function AuditLog() {
  const { rows, total, facets, page, pages, filters } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const pageLink = (p: number) => {
    const s = new URLSearchParams(params);
    s.set("page", String(p));
    return `?${s.toString()}`;
  };
  return (
    <div>
      <PageHeader
        title="Audit log"
        description="Who changed what, when: crosswalk, teams, organizations, imports, users and month closes."
      />
      <Card padded={false}>
        <Form
          method="get"
          className="grid grid-cols-2 items-end gap-3 border-b border-slate-100 px-4 py-3 md:grid-cols-6"
          data-testid="audit-filter"
        >
          <FilterField label="Who">
            <select name="actor" defaultValue={filters.actor} className={smallInput}>
              <option value="">Anyone</option>
              {facets.actors.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </FilterField>
          <FilterField label="What">
            <select name="entity" defaultValue={filters.entity} className={smallInput}>
              <option value="">Anything</option>
              {facets.entities.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </FilterField>
          <FilterField label="Action">
            <select name="action" defaultValue={filters.action} className={smallInput}>
              <option value="">Any action</option>
              {facets.actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </FilterField>
          <FilterField label="From">
            <input type="date" name="from" defaultValue={filters.from} className={smallInput} />
          </FilterField>
          <FilterField label="To (inclusive)">
            <input type="date" name="to" defaultValue={filters.to} className={smallInput} />
          </FilterField>
          <div className="flex gap-2">
            <button type="submit" className={buttonClass.secondary}>
              Filter
            </button>
            <Link to="/audit" className="self-center text-xs text-slate-500 hover:text-slate-800">
              Clear
            </Link>
          </div>
        </Form>
        {rows.length === 0 ? (
          <div className="p-5">
            <EmptyState title="No entries">Nothing matches these filters.</EmptyState>
          </div>
        ) : (
          <Table testId="audit-table">
            <THead>
              <tr>
                <th className={cx(th, "w-40")}>When</th>
                <th className={cx(th, "w-48")}>Who</th>
                <th className={cx(th, "w-56")}>What</th>
                <th className={th}>Before → after</th>
              </tr>
            </THead>
            <TBody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="audit-row">
                  <td className={cx(td, "whitespace-nowrap text-xs tabular-nums text-slate-500")}>{fmtWhen(r.at)}</td>
                  <td className={cx(td, "break-all text-xs")}>{r.actor}</td>
                  <td className={td}>
                    <div className="flex flex-wrap items-center gap-1.5">
                      <Badge tone={ACTION_TONE[r.action] ?? "neutral"}>{r.action}</Badge>
                      <span className="text-xs font-medium text-slate-700">{r.entity}</span>
                    </div>
                    {r.entity_id ? <div className="mt-0.5 break-all font-mono text-xs text-slate-500">{r.entity_id}</div> : null}
                  </td>
                  <td className={td}>
                    <details open={rows.length <= 10} className="group">
                      <summary className="cursor-pointer text-xs text-slate-600 group-open:mb-1">
                        <Summary before={r.before} after={r.after} />
                      </summary>
                      <JsonDiff before={r.before} after={r.after} />
                    </details>
                  </td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
        <div className="flex items-center justify-between border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
          <span>
            {total} entr{total === 1 ? "y" : "ies"}
          </span>
          <span className="flex items-center gap-2">
            {page > 0 ? (
              <Link to={pageLink(page - 1)} className="text-indigo-700 hover:underline">
                ← Newer
              </Link>
            ) : null}
            <span>
              page {page + 1} of {pages}
            </span>
            {page + 1 < pages ? (
              <Link to={pageLink(page + 1)} className="text-indigo-700 hover:underline">
                Older →
              </Link>
            ) : null}
          </span>
        </div>
      </Card>
    </div>
  );
}

function Summary({ before, after }: { before: unknown; after: unknown }) {
  const changed = changedFields(before, after);
  if (before == null && after == null) return <span className="text-slate-400">no details</span>;
  const label =
    before == null ? "created" : after == null ? "removed" : `${changed.length} field${changed.length === 1 ? "" : "s"} changed`;
  const shown = changed.slice(0, 4).join(", ");
  return (
    <span>
      <span className="font-medium text-indigo-700">{label}</span>
      {shown ? (
        <span className="ml-1.5 font-mono text-slate-500">
          {shown}
          {changed.length > 4 ? ", …" : ""}
        </span>
      ) : null}
    </span>
  );
}
