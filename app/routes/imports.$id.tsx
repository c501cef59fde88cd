// One import: figures, warnings, what it replaced, and the restatement diff per team and per metric.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { listRestatements } from "../../db/queries/restatements";
import { getImportDetail, metricRestatementDiff } from "../../db/queries/imports";
import {
  Alert,
  buttonClass,
  Card,
  cx,
  EmptyState,
  HeadRow,
  Money,
  PageHeader,
  Stat,
  Table,
  TBody,
  td,
  tdNum,
  THead,
} from "~/components/ui";
import { fmtWhen, ImportStatusBadge, Warnings } from "~/components/admin/parts";
import { requireFullReader } from "~/lib/scope.server";
import { getDb } from "~/lib/db.server";
import { formatNumber } from "~/lib/format";
import { dec } from "~/domain/money";
import { labelOf } from "~/domain/csv/labels";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Import #${data?.imp.id ?? ""} · Showback` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireFullReader(request);
  const id = /^\d{1,9}$/.test(params.id ?? "") ? Number(params.id) : NaN;
  const db = await getDb();
  const detail = Number.isFinite(id) ? await getImportDetail(db, id) : null;
  if (!detail) throw json({ message: `Import ${params.id} does not exist.` }, { status: 404 });
  const [restatements, metrics] = await Promise.all([listRestatements(db, { importId: id }), metricRestatementDiff(db, id)]);
  const teams = restatements
    .flatMap((r) => (r.deltas?.deltas ?? []).map((d) => ({ ...d })))
    .sort((a, b) => (a.month === b.month ? (a.team < b.team ? -1 : 1) : a.month < b.month ? -1 : 1));
  const total = (xs: Array<{ old: string; new: string; delta: string }>) => {
    let o = dec("0"),
      n = dec("0"),
      d = dec("0");
    for (const x of xs) {
      o = o.plus(dec(x.old));
      n = n.plus(dec(x.new));
      d = d.plus(dec(x.delta));
    }
    return { old: o.toFixed(), new: n.toFixed(), delta: d.toFixed() };
  };
  return {
    imp: detail.import,
    replaced: detail.replaced,
    supersededBy: detail.supersededBy,
    activeRows: detail.activeRows,
    teams,
    teamTotal: total(teams),
    metrics,
    metricTotal: total(metrics),
    hasRestatement: restatements.length > 0 || (detail.import.replaced_import_ids ?? []).length > 0,
  };
}

function DiffCells({ r }: { r: { old: string; new: string; delta: string } }) {
  return (
    <>
      <td className={tdNum}>
        <Money value={r.old} decimals={4} />
      </td>
      <td className={tdNum}>
        <Money value={r.new} decimals={4} />
      </td>
      <td className={cx(tdNum, "font-medium")}>
        <Money value={r.delta} signed decimals={4} />
      </td>
    </>
  );
}

export default function ImportDetail() {
  const { imp, replaced, supersededBy, activeRows, teams, teamTotal, metrics, metricTotal, hasRestatement } =
    useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const status = imp.status;
  return (
    <div>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            Import #{imp.id} <ImportStatusBadge status={status} />
          </span>
        }
        description={`${imp.file_name} · ${imp.org_id} · loaded by ${imp.created_by} on ${fmtWhen(imp.created_at)}`}
        actions={
          <Link to="/imports" className={buttonClass.secondary}>
            All imports
          </Link>
        }
      />
      <div className="space-y-6">
        {params.get("created") ? (
          <Alert tone="success">
            <span data-testid="import-done">
              Imported {formatNumber(String(imp.row_count), 0)} rows ({<Money value={imp.total} />}) into {imp.org_id}. Reports now include
              this file.
            </span>
          </Alert>
        ) : null}
        <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
          <Stat label="Organization" value={<span className="font-mono text-base">{imp.org_id}</span>} />
          <Stat label="Granularity" value={<span className="capitalize">{imp.granularity}</span>} />
          <Stat
            label="Range"
            value={imp.first_bucket === imp.last_bucket ? imp.first_bucket : `${imp.first_bucket} → ${imp.last_bucket}`}
          />
          <Stat
            label="Rows"
            value={formatNumber(String(imp.row_count), 0)}
            hint={`${formatNumber(String(activeRows), 0)} still active`}
            testId="import-rows"
          />
          <Stat label="Total chargeback" value={<Money value={imp.total} />} hint={<>exact: {imp.total}</>} testId="import-total" />
        </div>

        <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
          <Card title="Lineage" className="lg:col-span-1">
            <dl className="space-y-3 text-sm">
              <div>
                <dt className="text-xs text-slate-500">Replaced</dt>
                <dd>
                  {replaced.length === 0 ? (
                    <span className="text-slate-400">nothing (first load of this range)</span>
                  ) : (
                    replaced.map((r) => (
                      <Link key={r.id} to={`/imports/${r.id}`} className="mr-2 text-indigo-700 hover:underline">
                        #{r.id} ({r.first_bucket} → {r.last_bucket})
                      </Link>
                    ))
                  )}
                </dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">Superseded by</dt>
                <dd>
                  {supersededBy ? (
                    <Link to={`/imports/${supersededBy.id}`} className="text-indigo-700 hover:underline">
                      #{supersededBy.id}
                    </Link>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">SHA-256</dt>
                <dd className="break-all font-mono text-xs text-slate-600">{imp.sha256}</dd>
              </div>
            </dl>
          </Card>
          <Card title={`Warnings (${(imp.warnings ?? []).length})`} className="lg:col-span-2">
            {(imp.warnings ?? []).length ? <Warnings warnings={imp.warnings} /> : <p className="text-sm text-slate-500">No warnings.</p>}
          </Card>
        </div>

        {hasRestatement ? (
          <>
            <Card
              title="Restatement by team"
              description="Allocated totals (direct + share of unallocated) per month, before and after this import."
              padded={false}
            >
              {teams.length === 0 ? (
                <p className="p-5 text-sm text-slate-500">No team's total changed.</p>
              ) : (
                <Table testId="restatement-teams">
                  <THead>
                    <HeadRow cols={["Month", "Team", "Old", "New", "Delta"]} num={["Old", "New", "Delta"]} />
                  </THead>
                  <TBody>
                    {teams.map((t) => (
                      <tr key={`${t.month}/${t.team}`} data-testid={`team-delta-${t.team}`}>
                        <td className={cx(td, "tabular-nums")}>{t.month}</td>
                        <td className={cx(td, "font-medium text-slate-900")}>{t.team}</td>
                        <DiffCells r={t} />
                      </tr>
                    ))}
                    <tr className="bg-slate-50 font-semibold">
                      <td className={td} colSpan={2}>
                        Total
                      </td>
                      <DiffCells r={teamTotal} />
                    </tr>
                  </TBody>
                </Table>
              )}
            </Card>
            <Card
              title="Restatement by metric"
              description="Σ chargeback_cost of the replaced rows vs this file's rows over the covered range."
              padded={false}
            >
              {metrics.length === 0 ? (
                <p className="p-5 text-sm text-slate-500">No metric changed.</p>
              ) : (
                <Table testId="restatement-metrics">
                  <THead>
                    <HeadRow cols={["Product", "Metric", "Old", "New", "Delta"]} num={["Old", "New", "Delta"]} />
                  </THead>
                  <TBody>
                    {metrics.map((m) => (
                      <tr
                        key={`${m.product}/${m.metric}`}
                        data-testid={`metric-delta-${m.metric}`}
                        className={dec(m.delta).isZero() ? "opacity-50" : undefined}
                      >
                        <td className={td}>{labelOf(m.product)}</td>
                        <td className={cx(td, "font-mono text-xs")}>{labelOf(m.metric)}</td>
                        <DiffCells r={m} />
                      </tr>
                    ))}
                    <tr className="bg-slate-50 font-semibold">
                      <td className={td} colSpan={2}>
                        Total
                      </td>
                      <DiffCells r={metricTotal} />
                    </tr>
                  </TBody>
                </Table>
              )}
            </Card>
          </>
        ) : (
          <EmptyState title="No restatement">This import did not replace previously loaded data.</EmptyState>
        )}
      </div>
    </div>
  );
}
