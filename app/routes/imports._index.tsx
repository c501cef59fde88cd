// Import history: every import (active / superseded) and every rejected upload attempt.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { listImports } from "../../db/queries/ingest";
import { listOrgs } from "../../db/queries/orgs";
import { listRejectedAttempts } from "../../db/queries/imports";
import {
  buttonClass,
  Card,
  cx,
  EmptyState,
  FilterField,
  HeadRow,
  Money,
  PageHeader,
  smallInput,
  Table,
  TBody,
  td,
  tdNum,
  THead,
} from "~/components/ui";
import { fmtWhen, ImportStatusBadge, useIsAdmin } from "~/components/admin/parts";
import { requireFullReader } from "~/lib/scope.server";
import { getDb } from "~/lib/db.server";
import { formatNumber } from "~/lib/format";

export const meta: MetaFunction = () => [{ title: "Imports · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFullReader(request);
  const db = await getDb();
  const url = new URL(request.url);
  const org = url.searchParams.get("org") || undefined;
  const status = url.searchParams.get("status") || "";
  const [imports, rejected, orgs] = await Promise.all([
    listImports(db, { orgId: org, limit: 500 }),
    listRejectedAttempts(db, { orgId: org, limit: 200 }),
    listOrgs(db),
  ]);
  type Row = {
    key: string;
    kind: "import" | "rejected";
    id: number;
    at: string;
    orgId: string | null;
    granularity: string | null;
    range: string | null;
    rows: number | null;
    total: string | null;
    status: string;
    warnings: number;
    errors: number;
    by: string;
    fileName: string | null;
    replaced: number[];
    supersededBy: number | null;
    firstError: string | null;
  };
  const rows: Row[] = [
    ...imports.map((i): Row => ({
      key: `i${i.id}`,
      kind: "import",
      id: i.id,
      at: i.created_at,
      orgId: i.org_id,
      granularity: i.granularity,
      range: i.first_bucket === i.last_bucket ? i.first_bucket : `${i.first_bucket} → ${i.last_bucket}`,
      rows: i.row_count,
      total: i.total,
      status: i.status,
      warnings: (i.warnings ?? []).length,
      errors: 0,
      by: i.created_by,
      fileName: i.file_name,
      replaced: (i.replaced_import_ids ?? []).map(Number),
      supersededBy: i.superseded_by,
      firstError: null,
    })),
    ...rejected.map((r): Row => ({
      key: `r${r.id}`,
      kind: "rejected",
      id: r.id,
      at: r.at,
      orgId: r.orgId,
      granularity: r.granularity,
      range: null,
      rows: r.rowCount,
      total: null,
      status: "rejected",
      warnings: 0,
      errors: r.errorCount ?? 0,
      by: r.actor,
      fileName: r.fileName,
      replaced: [],
      supersededBy: null,
      firstError: r.errors[0]?.message ?? null,
    })),
  ]
    .filter((r) => !status || r.status === status)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return { rows, orgs: orgs.map((o) => o.org_id), org: org ?? "", status };
}

export default function ImportsIndex() {
  const { rows, orgs, org, status } = useLoaderData<typeof loader>();
  const isAdmin = useIsAdmin();
  return (
    <div>
      <PageHeader
        title="Imports"
        description="Every export loaded, what it replaced, and every rejected upload attempt."
        actions={
          isAdmin ? (
            <Link to="/imports/new" className={buttonClass.primary} data-testid="new-import">
              Upload an export
            </Link>
          ) : null
        }
      />
      <Card padded={false}>
        <Form method="get" className="flex flex-wrap items-end gap-3 border-b border-slate-100 px-4 py-3">
          <FilterField label="Organization" className="w-56">
            <select name="org" defaultValue={org} className={smallInput}>
              <option value="">All organizations</option>
              {orgs.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </FilterField>
          <FilterField label="Status" className="w-48">
            <select name="status" defaultValue={status} className={smallInput}>
              <option value="">Any status</option>
              <option value="active">Active</option>
              <option value="superseded">Superseded</option>
              <option value="rejected">Rejected attempts</option>
            </select>
          </FilterField>
          <button type="submit" className={buttonClass.secondary}>
            Filter
          </button>
        </Form>
        {rows.length === 0 ? (
          <div className="p-5">
            <EmptyState
              title="No imports yet"
              action={
                isAdmin ? (
                  <Link to="/imports/new" className={buttonClass.primary}>
                    Upload an export
                  </Link>
                ) : null
              }
            >
              Exports loaded from this page or with <code>npm run ingest</code> appear here.
            </EmptyState>
          </div>
        ) : (
          <Table testId="imports-table">
            <THead>
              <HeadRow
                cols={["Import", "Organization", "Granularity", "Range", "Rows", "Total", "Status", "Notes", "By / when"]}
                num={["Rows", "Total"]}
              />
            </THead>
            <TBody>
              {rows.map((r) => (
                <tr
                  key={r.key}
                  className={cx(r.kind === "rejected" && "bg-rose-50/40")}
                  data-testid={r.kind === "rejected" ? "rejected-row" : `import-row-${r.id}`}
                >
                  <td className={td}>
                    {r.kind === "import" ? (
                      <Link to={`/imports/${r.id}`} className="font-medium text-indigo-700 hover:underline">
                        #{r.id}
                      </Link>
                    ) : (
                      <span className="text-slate-400">—</span>
                    )}
                    <div className="max-w-[14rem] truncate text-xs text-slate-500" title={r.fileName ?? undefined}>
                      {r.fileName}
                    </div>
                  </td>
                  <td className={cx(td, "font-mono text-xs")}>{r.orgId ?? "—"}</td>
                  <td className={cx(td, "capitalize")}>{r.granularity ?? "—"}</td>
                  <td className={cx(td, "whitespace-nowrap tabular-nums")}>{r.range ?? "—"}</td>
                  <td className={tdNum}>{r.rows === null ? "—" : formatNumber(String(r.rows), 0)}</td>
                  <td className={tdNum}>{r.total === null ? "—" : <Money value={r.total} />}</td>
                  <td className={td}>
                    <ImportStatusBadge status={r.status} />
                  </td>
                  <td className={cx(td, "max-w-xs text-xs")}>
                    {r.kind === "rejected" ? (
                      <span className="text-rose-700" title={r.firstError ?? undefined}>
                        {r.errors} error{r.errors === 1 ? "" : "s"}
                        {r.firstError ? `: ${r.firstError.slice(0, 90)}${r.firstError.length > 90 ? "…" : ""}` : ""}
                      </span>
                    ) : (
                      <span className="space-x-2 text-slate-500">
                        {r.warnings ? (
                          <span className="text-amber-700">
                            {r.warnings} warning{r.warnings === 1 ? "" : "s"}
                          </span>
                        ) : null}
                        {r.replaced.length ? <span>{`replaced ${r.replaced.map((x) => `#${x}`).join(", ")}`}</span> : null}
                        {r.supersededBy ? <span>{`superseded by #${r.supersededBy}`}</span> : null}
                      </span>
                    )}
                  </td>
                  <td className={cx(td, "whitespace-nowrap text-xs")}>
                    <div className="text-slate-700">{r.by}</div>
                    <div className="text-slate-400">{fmtWhen(r.at)}</div>
                  </td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
    </div>
  );
}
