// Budgets (issue 16): a monthly USD amount per team or cost center, for every organization or one, in force from
// its month until a later one for the same scope, name and organization. The list, one budget set or deleted, a CSV
// import previewed then applied (all-or-nothing), the CSV download. Every change audited. Finance admins only.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { listCostCenters } from "../../db/queries/cost-centers";
import { getBudgetById } from "../../db/queries/budgets";
import { listOrgIds } from "../../db/queries/orgs";
import { listTeams } from "../../db/queries/teams";
import {
  budgetLabel,
  BudgetsCsvError,
  deleteBudget,
  getBudgets,
  importBudgets,
  setBudget,
  toBudget,
  type BudgetImportResult,
} from "~/services/budgets";
import { deleteBudgetSchema, importApplySchema, importPreviewSchema, setBudgetSchema } from "~/forms/budgets";
import { CsrfInput } from "~/components/csrf";
import {
  ActionResult,
  Alert,
  Badge,
  buttonClass,
  Card,
  cx,
  EmptyState,
  HeadRow,
  inputClass,
  labelClass,
  linkButtonClass,
  Money,
  PageHeader,
  RowForm,
  Table,
  TBody,
  td,
  tdNum,
  THead,
} from "~/components/ui";
import { IssuesTable, type Issue } from "~/components/admin/parts";
import { ApplyImportBar } from "~/components/admin/csv-import";
import { fileOrText, requireUploadMutation } from "~/lib/csv-upload.server";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { InputError, inputErrorResponse, parseForm } from "~/lib/forms.server";
import { formatUsd } from "~/lib/format";
import { AT_RISK_PERCENT, BUDGET_CSV_HEADER, BUDGET_SCOPES, budgetPath, type Budget, type BudgetScope } from "~/domain/budgets";

export const meta: MetaFunction = () => [{ title: "Budgets · Showback" }];

/** The series of a budget: (scope, name, org), whose rows follow each other by month. */
const seriesKey = (b: Pick<Budget, "scope" | "name" | "orgId">) => [b.scope, b.name, b.orgId ?? ""].join("\u0000");

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "finance_admin");
  const db = await getDb();
  const [budgets, teams, costCenters, orgs] = [
    await getBudgets(db),
    await listTeams(db, { includeArchived: false }),
    await listCostCenters(db),
    await listOrgIds(db),
  ];
  // each row is in force until the next row of its series (the rows come by series, then month); labelled here so
  // the page's client bundle needs nothing from the service (which reads CSV with Node's csv-parse)
  const rows = budgets.map((b, i) => {
    const next = budgets.slice(i + 1).find((n) => seriesKey(n) === seriesKey(b) && n.fromMonth > b.fromMonth);
    return { ...b, label: budgetLabel(b), until: next?.fromMonth ?? null };
  });
  return {
    budgets: rows,
    teams: teams.map((t) => ({ name: t.name, costCenter: t.cost_center })),
    costCenters: costCenters.map((c) => ({ code: c.code, name: c.name })),
    orgs,
  };
}

type ActionData =
  | { ok: true; intent: string; message: string }
  | { ok: true; intent: "import_preview"; result: BudgetImportResult; csv: string; fileName: string }
  | { ok: false; intent: string; error: string; field?: string; issues?: Issue[]; issueCount?: number };

const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v.trim() : "");
const usd = (amount: string) => formatUsd(amount);
const counts = (r: BudgetImportResult) => `${r.added.length} added, ${r.updated.length} updated, ${r.unchanged.length} unchanged`;

/** The service names the organization `orgId`; the form's field is `org_id`. */
const FORM_FIELD: Record<string, string> = { orgId: "org_id", fromMonth: "from_month" };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUploadMutation(request, 2_000_000);
  const db = await getDb();
  const intent = str(form.get("intent"));
  try {
    switch (intent) {
      case "set": {
        const f = parseForm(form, setBudgetSchema);
        const r = await setBudget(db, user.email, f);
        const b = toBudget(r.row);
        return json<ActionData>({
          ok: true,
          intent,
          message: r.changed
            ? `Budget set: ${budgetLabel(b)}, ${usd(b.amount)} a month.`
            : `${budgetLabel(b)} is already ${usd(b.amount)}.`,
        });
      }
      case "delete": {
        const f = parseForm(form, deleteBudgetSchema);
        const row = await getBudgetById(db, f.id);
        await deleteBudget(db, user.email, f.id);
        return json<ActionData>({
          ok: true,
          intent,
          message: row ? `Deleted the budget ${budgetLabel(toBudget(row))} (was ${usd(row.amount)}).` : "Deleted.",
        });
      }
      case "import_preview": {
        const f = parseForm(form, importPreviewSchema);
        const { text, name } = await fileOrText(form, "csv_file", f.csv_text);
        if (!text.trim()) throw new InputError("Choose a budgets CSV file (or paste its content).", { field: "csv_file" });
        const result = await importBudgets(db, user.email, text, { dryRun: true });
        return json<ActionData>({ ok: true, intent, result, csv: text, fileName: name });
      }
      case "import_apply": {
        const f = parseForm(form, importApplySchema);
        const r = await importBudgets(db, user.email, f.csv);
        return json<ActionData>({
          ok: true,
          intent,
          message:
            r.added.length + r.updated.length > 0
              ? `Budgets imported: ${counts(r)}.`
              : "Nothing to change: the file holds the current budgets.",
        });
      }
      default:
        return json<ActionData>({ ok: false, intent, error: "Unknown action." }, { status: 400 });
    }
  } catch (e) {
    if (e instanceof BudgetsCsvError)
      return json<ActionData>(
        {
          ok: false,
          intent,
          error: `The budgets file has ${e.issueCount} problem${e.issueCount === 1 ? "" : "s"}; nothing was imported.`,
          field: "csv_file",
          issues: e.issues,
          issueCount: e.issueCount,
        },
        { status: 400 },
      );
    if (e instanceof InputError && e.field && FORM_FIELD[e.field])
      return inputErrorResponse(new InputError(e.message, { field: FORM_FIELD[e.field] }), { intent });
    return inputErrorResponse(e, { intent });
  }
}

const SCOPE_LABEL: Record<BudgetScope, string> = { team: "team", cost_center: "cost center" };
const nameHref = (b: Pick<Budget, "scope" | "name">) =>
  b.scope === "team" ? `/teams/${encodeURIComponent(b.name)}` : `/cost-centers/${encodeURIComponent(b.name)}`;

type LoaderData = Awaited<ReturnType<typeof loader>>;

export default function AdminBudgets() {
  const { budgets, teams, costCenters, orgs } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
  const preview = result && result.ok && "result" in result ? result : null;
  const failed = result && !result.ok ? result : null;
  return (
    <div>
      <PageHeader
        title="Budgets"
        description="A monthly amount in USD per team or per cost center, for all organizations together or for one organization's spend."
        actions={
          <a href="/admin/budgets.csv" className={buttonClass.secondary} download data-testid="budgets-download">
            Download CSV
          </a>
        }
      />
      <div className="space-y-6">
        {result && !preview ? (
          failed?.issues ? (
            <div data-testid="action-error">
              <Alert>{failed.error}</Alert>
            </div>
          ) : (
            <ActionResult result={result as { ok: true; message: string } | { ok: false; error: string }} />
          )
        ) : null}
        {failed?.issues ? (
          <Card title="Import problems" padded={false}>
            <IssuesTable issues={failed.issues} total={failed.issueCount ?? failed.issues.length} testId="budget-issues" />
          </Card>
        ) : null}
        {preview ? <PreviewCard preview={preview} busy={busy} /> : null}
        <BudgetsCard budgets={budgets} busy={busy} />
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          <SetCard teams={teams} costCenters={costCenters} orgs={orgs} busy={busy} />
          <ImportCard busy={busy} />
        </div>
        <RulesCard />
      </div>
    </div>
  );
}

function BudgetsCard({ budgets, busy }: { budgets: LoaderData["budgets"]; busy: boolean }) {
  return (
    <Card
      title="Budgets"
      description="Each row is in force from its month until the next row of the same scope, name and organization."
      padded={budgets.length === 0}
      actions={<Badge tone="neutral">{budgets.length}</Badge>}
    >
      {budgets.length === 0 ? (
        <EmptyState title="No budget yet">Set one below or import a CSV.</EmptyState>
      ) : (
        <Table testId="budgets">
          <THead>
            <HeadRow cols={["Scope", "Name", "Organization", "From", "Until", "Amount / month", ""]} num={["Amount / month"]} />
          </THead>
          <TBody>
            {budgets.map((b) => (
              <tr key={b.id} data-testid="budget-row" data-key={budgetPath(b)}>
                <td className={cx(td, "text-xs")}>{SCOPE_LABEL[b.scope]}</td>
                <td className={cx(td, "font-mono text-xs")}>
                  <Link to={nameHref(b)} className="text-indigo-700 hover:underline">
                    {b.name}
                  </Link>
                </td>
                <td className={cx(td, "font-mono text-xs")}>
                  {b.orgId ?? <span className="font-sans text-slate-500">all organizations</span>}
                </td>
                <td className={cx(td, "font-mono text-xs")}>{b.fromMonth}</td>
                <td className={cx(td, "font-mono text-xs text-slate-500")}>{b.until ? `${b.until} (replaced)` : "until changed"}</td>
                <td className={tdNum}>
                  <Money value={b.amount} />
                </td>
                <td className={cx(td, "text-right")}>
                  <RowForm intent="delete" fields={{ id: b.id }} confirmText={`Delete the budget ${b.label}?`}>
                    <button
                      type="submit"
                      className={cx(linkButtonClass, "text-red-700 hover:bg-red-50")}
                      disabled={busy}
                      aria-label={`Delete the budget ${b.label}`}
                    >
                      Delete
                    </button>
                  </RowForm>
                </td>
              </tr>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

function SetCard({
  teams,
  costCenters,
  orgs,
  busy,
}: {
  teams: LoaderData["teams"];
  costCenters: LoaderData["costCenters"];
  orgs: string[];
  busy: boolean;
}) {
  const [scope, setScope] = useState<BudgetScope>("team");
  return (
    <Card
      title="Set a budget"
      description="The same scope, name, organization and month replace the amount; a later month starts a new amount."
    >
      <datalist id="budget-teams">
        {teams.map((t) => (
          <option key={t.name} value={t.name}>
            {t.costCenter ?? ""}
          </option>
        ))}
      </datalist>
      <datalist id="budget-cost-centers">
        {costCenters.map((c) => (
          <option key={c.code} value={c.code}>
            {c.name ?? ""}
          </option>
        ))}
      </datalist>
      <Form method="post" className="grid grid-cols-1 gap-3 sm:grid-cols-2" data-testid="budget-set">
        <CsrfInput />
        <input type="hidden" name="intent" value="set" />
        <label>
          <span className={labelClass}>Scope</span>
          <select
            name="scope"
            className={`mt-1 ${inputClass}`}
            value={scope}
            onChange={(e) => setScope(e.target.value === "cost_center" ? "cost_center" : "team")}
          >
            {BUDGET_SCOPES.map((s) => (
              <option key={s} value={s}>
                {SCOPE_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className={labelClass}>{scope === "team" ? "Team" : "Cost center"}</span>
          <input
            name="name"
            list={scope === "team" ? "budget-teams" : "budget-cost-centers"}
            required
            className={`mt-1 font-mono ${inputClass}`}
            placeholder={scope === "team" ? "payments" : "CC-100"}
          />
        </label>
        <label>
          <span className={labelClass}>Amount per month (USD)</span>
          <input name="amount" required inputMode="decimal" className={`mt-1 font-mono ${inputClass}`} placeholder="12000.00" />
        </label>
        <label>
          <span className={labelClass}>From month</span>
          <input name="from_month" type="month" required className={`mt-1 font-mono ${inputClass}`} placeholder="2026-07" />
        </label>
        <label className="sm:col-span-2">
          <span className={labelClass}>Organization</span>
          <select name="org_id" className={`mt-1 ${inputClass}`} defaultValue="">
            <option value="">all organizations</option>
            {orgs.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <div className="sm:col-span-2">
          <button type="submit" className={buttonClass.primary} disabled={busy}>
            Set budget
          </button>
        </div>
      </Form>
    </Card>
  );
}

function ImportCard({ busy }: { busy: boolean }) {
  return (
    <Card
      title="Import (CSV)"
      description={`Header ${BUDGET_CSV_HEADER.join(",")} (org_id optional; empty = all organizations). All-or-nothing; you see what changes first.`}
    >
      <Form method="post" encType="multipart/form-data" className="space-y-4" data-testid="budget-import">
        <CsrfInput />
        <input type="hidden" name="intent" value="import_preview" />
        <input
          type="file"
          name="csv_file"
          accept=".csv,text/csv"
          aria-label="Budgets CSV file"
          className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium"
        />
        <details className="text-sm">
          <summary className="cursor-pointer text-xs text-slate-500">…or paste CSV text</summary>
          <textarea
            name="csv_text"
            rows={5}
            className={`mt-2 font-mono text-xs ${inputClass}`}
            placeholder={`${BUDGET_CSV_HEADER.join(",")}\nteam,payments,12000,2026-07,`}
          />
        </details>
        <p className="text-xs text-slate-500">
          Rows add budgets or replace the amount of the same scope, name, month and organization; budgets the file does not list are kept.
        </p>
        <button type="submit" className={buttonClass.primary} disabled={busy}>
          Preview import
        </button>
      </Form>
    </Card>
  );
}

function PreviewCard({ preview, busy }: { preview: Extract<ActionData, { intent: "import_preview" }>; busy: boolean }) {
  const r = preview.result;
  const rows = [
    ...r.added.map((b) => ({ kind: "add" as const, b, before: null as string | null })),
    ...r.updated.map((u) => ({ kind: "update" as const, b: u.after, before: u.before as string | null })),
    ...r.unchanged.map((b) => ({ kind: "unchanged" as const, b, before: b.amount as string | null })),
  ];
  const tone = { add: "success", update: "info", unchanged: "neutral" } as const;
  const changes = r.added.length + r.updated.length;
  return (
    <Card
      title="Import preview"
      description={`${preview.fileName} · ${counts(r)}`}
      actions={<Badge tone="success">ready</Badge>}
      padded={false}
    >
      <div data-testid="budget-preview">
        {rows.length ? (
          <Table testId="budget-changes">
            <THead>
              <HeadRow cols={["Change", "Scope", "Name", "Organization", "From", "Before", "After"]} num={["Before", "After"]} />
            </THead>
            <TBody>
              {rows.map((c, i) => (
                <tr key={i} data-testid="budget-change">
                  <td className={td}>
                    <Badge tone={tone[c.kind]}>{c.kind}</Badge>
                  </td>
                  <td className={cx(td, "text-xs")}>{SCOPE_LABEL[c.b.scope]}</td>
                  <td className={cx(td, "font-mono text-xs")}>{c.b.name}</td>
                  <td className={cx(td, "font-mono text-xs")}>{c.b.orgId ?? "all organizations"}</td>
                  <td className={cx(td, "font-mono text-xs")}>{c.b.fromMonth}</td>
                  <td className={tdNum}>{c.before === null ? "—" : <Money value={c.before} />}</td>
                  <td className={tdNum}>
                    <Money value={c.b.amount} />
                  </td>
                </tr>
              ))}
            </TBody>
          </Table>
        ) : (
          <p className="px-5 py-4 text-sm text-slate-500">The file lists no budget.</p>
        )}
        {rows.length > 0 && changes === 0 ? (
          <p className="px-5 py-3 text-sm text-slate-500">Nothing would change: the file holds the current budgets.</p>
        ) : null}
        <ApplyImportBar
          canApply={changes > 0}
          intent="import_apply"
          mode="merge"
          csv={preview.csv}
          busy={busy}
          testId="budget-apply"
          backTo="/admin/budgets"
          backLabel="Back"
        />
      </div>
    </Card>
  );
}

function RulesCard() {
  return (
    <Card title="How budgets apply">
      <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700" data-testid="budget-rules">
        <li>
          A budget applies from its month until a later budget for the same scope, name and organization replaces it. Deleting the later one
          brings the earlier amount back from that month.
        </li>
        <li>
          A budget for all organizations is the budget of the total; an organization&rsquo;s budget is the budget of that
          organization&rsquo;s spend only (neither falls back on the other).
        </li>
        <li>
          The team, cost-center and overview pages compare each month&rsquo;s spend and forecast with the budget in force:{" "}
          <Badge tone="success">on track</Badge>, <Badge tone="warning">at risk</Badge> when the forecast (or the spend) reaches{" "}
          {`${AT_RISK_PERCENT} %`} of the budget, <Badge tone="danger">over</Badge> when the spend is above it.
        </li>
        <li>Every change, on this page or by import, is recorded in the audit log.</li>
      </ul>
    </Card>
  );
}
