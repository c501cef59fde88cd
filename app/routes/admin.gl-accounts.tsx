// GL accounts of the month-end journal (docs/journal.md): the mapping per scope, one mapping added, changed or
// deleted, a CSV import previewed then applied (all-or-nothing), the CSV download, and the cost centers without
// an account (their journal lines post to suspense). Finance admins only.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { listCostCenters } from "../../db/queries/cost-centers";
import { listOrgIds } from "../../db/queries/orgs";
import {
  costCentersWithoutAccount,
  deleteGlAccount,
  GlAccountsCsvError,
  importGlAccounts,
  listGlAccounts,
  planCounts,
  planGlAccountsImport,
  planHasChanges,
  saveGlAccount,
  type GlImportPlan,
} from "~/services/gl-accounts";
import { deleteGlAccountSchema, importApplySchema, importPreviewSchema, saveGlAccountSchema } from "~/forms/gl-accounts";
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
  inlineInput,
  inputClass,
  labelClass,
  linkButtonClass,
  PageHeader,
  RowForm,
  Table,
  TBody,
  td,
  THead,
} from "~/components/ui";
import { fmtWhen, IssuesTable, OrgOptions, type Issue } from "~/components/admin/parts";
import { ApplyImportBar, CsvUploadForm } from "~/components/admin/csv-import";
import { fileOrText, requireUploadMutation } from "~/lib/csv-upload.server";
import { requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { InputError, inputErrorResponse, parseForm } from "~/lib/forms.server";
import {
  ALL_KEY,
  DEFAULT_CLEARING_ACCOUNT,
  DEFAULT_SUSPENSE_ACCOUNT,
  GL_SCOPES,
  glAccountLabel,
  PSEUDO_COST_CENTERS,
  type GlScope,
} from "~/domain/journal";

export const meta: MetaFunction = () => [{ title: "GL accounts · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "finance_admin");
  const db = await getDb();
  const [accounts, missing, costCenters, orgs] = [
    await listGlAccounts(db),
    await costCentersWithoutAccount(db),
    await listCostCenters(db),
    await listOrgIds(db),
  ];
  return { accounts, missing, costCenters: costCenters.map((c) => c.code), orgs };
}

type ActionData =
  | { ok: true; intent: string; message: string }
  | { ok: true; intent: "import_preview"; plan: GlImportPlan; counts: string; csv: string; mode: "merge" | "replace"; fileName: string }
  | { ok: false; intent: string; error: string; field?: string; issues?: Issue[]; issueCount?: number };

const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v.trim() : "");
const label = glAccountLabel;

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUploadMutation(request, 2_000_000);
  const db = await getDb();
  const intent = str(form.get("intent"));
  try {
    switch (intent) {
      case "save": {
        const f = parseForm(form, saveGlAccountSchema);
        const r = await saveGlAccount(db, user.email, f);
        const what = label(r.after);
        return json<ActionData>({
          ok: true,
          intent,
          message: !r.changed
            ? `${what} already posts to ${r.after.account}.`
            : r.before
              ? `${what}: ${r.before.account} → ${r.after.account}.`
              : `${what} now posts to ${r.after.account}.`,
        });
      }
      case "delete": {
        const f = parseForm(form, deleteGlAccountSchema);
        const gone = await deleteGlAccount(db, user.email, f);
        return json<ActionData>({ ok: true, intent, message: `Deleted ${label(gone)} (was ${gone.account}).` });
      }
      case "import_preview": {
        const f = parseForm(form, importPreviewSchema);
        const { text, name } = await fileOrText(form, "csv_file", f.csv_text);
        if (!text.trim()) throw new InputError("Choose a GL accounts CSV file (or paste its content).", { field: "csv_file" });
        const plan = await planGlAccountsImport(db, text, { replace: f.mode === "replace" });
        // counted here: the services' CSV code must not reach the browser bundle
        return json<ActionData>({ ok: true, intent, plan, counts: planCounts(plan), csv: text, mode: f.mode, fileName: name });
      }
      case "import_apply": {
        const f = parseForm(form, importApplySchema);
        const plan = await importGlAccounts(db, user.email, f.csv, { replace: f.mode === "replace" });
        return json<ActionData>({
          ok: true,
          intent,
          message: planHasChanges(plan)
            ? `GL accounts imported (${f.mode}): ${planCounts(plan)}.`
            : "Nothing to change: the file is the current mapping.",
        });
      }
      default:
        return json<ActionData>({ ok: false, intent, error: "Unknown action." }, { status: 400 });
    }
  } catch (e) {
    if (e instanceof GlAccountsCsvError)
      return json<ActionData>(
        {
          ok: false,
          intent,
          error: `The GL accounts file has ${e.issueCount} problem${e.issueCount === 1 ? "" : "s"}; nothing was imported.`,
          field: "csv_file",
          issues: e.issues,
          issueCount: e.issueCount,
        },
        { status: 400 },
      );
    return inputErrorResponse(e, { intent });
  }
}

const SCOPE_INFO: Record<GlScope, { title: string; key: string; help: string }> = {
  cost_center: {
    title: "Cost centers",
    key: "Cost center",
    help: "The expense account of a cost center (debit). An organization narrows it to that organization's journal.",
  },
  org_default: {
    title: "Organization defaults",
    key: "Organization",
    help: "The expense account of an organization's cost centers without their own.",
  },
  clearing: {
    title: "Clearing",
    key: "Organization",
    help: `The clearing (payable) account of an organization's credit line; ${ALL_KEY} = every organization. Default ${DEFAULT_CLEARING_ACCOUNT}.`,
  },
  suspense: {
    title: "Suspense",
    key: "Pseudo cost center",
    help: `Where ${PSEUDO_COST_CENTERS.join(", ")} and cost centers without an account post; ${ALL_KEY} = every one. Default ${DEFAULT_SUSPENSE_ACCOUNT}.`,
  },
};

export default function AdminGlAccounts() {
  const { accounts, missing, costCenters, orgs } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
  const preview = result && result.ok && "plan" in result ? result : null;
  const failed = result && !result.ok ? result : null;
  return (
    <div>
      <PageHeader
        title="GL accounts"
        description="The general-ledger accounts of the month-end journal: an expense account per cost center (or an organization default), a clearing account per organization, and the suspense account."
        actions={
          <a href="/admin/gl-accounts.csv" className={buttonClass.secondary} download data-testid="gl-accounts-download">
            Download CSV
          </a>
        }
      />
      <datalist id="gl-keys">
        {[...costCenters, ...orgs, ...PSEUDO_COST_CENTERS, ALL_KEY].map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      <OrgOptions id="gl-orgs" orgs={orgs} />
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
            <IssuesTable issues={failed.issues} total={failed.issueCount ?? failed.issues.length} testId="gl-issues" />
          </Card>
        ) : null}
        {preview ? <PreviewCard preview={preview} busy={busy} /> : null}
        <MissingCard missing={missing} />
        {GL_SCOPES.map((s) => (
          <ScopeCard key={s} scope={s} rows={accounts.filter((a) => a.scope === s)} busy={busy} />
        ))}
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          <SaveCard busy={busy} />
          <ImportCard busy={busy} />
        </div>
      </div>
    </div>
  );
}

function MissingCard({ missing }: { missing: Awaited<ReturnType<typeof loader>>["missing"] }) {
  return (
    <Card
      title="Cost centers without an account"
      description="Their journal lines post to the suspense account, flagged “no GL account mapped” in the memo."
      padded={missing.length === 0}
      actions={missing.length ? <Badge tone="warning">{missing.length}</Badge> : <Badge tone="success">none</Badge>}
    >
      {missing.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="gl-missing-none">
          Every cost center has an expense account.
        </p>
      ) : (
        <Table testId="gl-missing">
          <THead>
            <HeadRow cols={["Cost center", "Teams", "Posts to suspense for"]} />
          </THead>
          <TBody>
            {missing.map((m) => (
              <tr key={m.code} data-testid="gl-missing-row">
                <td className={cx(td, "font-mono text-xs")}>
                  <Link to={`/cost-centers/${encodeURIComponent(m.code)}`} className="text-indigo-700 hover:underline">
                    {m.code}
                  </Link>
                  {m.name ? <span className="ml-2 font-sans text-slate-500">{m.name}</span> : null}
                </td>
                <td className={cx(td, "text-xs")}>
                  {m.teams.length ? m.teams.join(", ") : <span className="text-slate-400">no team</span>}
                </td>
                <td className={cx(td, "font-mono text-xs")}>{m.orgs.length ? m.orgs.join(", ") : "every organization"}</td>
              </tr>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

function ScopeCard({ scope, rows, busy }: { scope: GlScope; rows: Awaited<ReturnType<typeof loader>>["accounts"]; busy: boolean }) {
  const info = SCOPE_INFO[scope];
  return (
    <Card title={info.title} description={info.help} padded={rows.length === 0}>
      {rows.length === 0 ? (
        <EmptyState title="No mapping yet">Add one below or import a CSV.</EmptyState>
      ) : (
        <Table testId={`gl-${scope}`}>
          <THead>
            <HeadRow cols={[info.key, scope === "cost_center" || scope === "suspense" ? "Organization" : null, "Account", "Updated", ""]} />
          </THead>
          <TBody>
            {rows.map((a) => {
              const k = { scope: a.scope, key: a.key, org_id: a.orgId };
              return (
                <tr key={`${a.key}\u0000${a.orgId}`} data-testid="gl-row">
                  <td className={cx(td, "font-mono text-xs")}>{a.key}</td>
                  {scope === "cost_center" || scope === "suspense" ? (
                    <td className={cx(td, "font-mono text-xs")}>
                      {a.orgId || <span className="font-sans text-slate-500">every organization</span>}
                    </td>
                  ) : null}
                  <td className={td}>
                    <RowForm intent="save" fields={k} className="flex items-center gap-2">
                      <input
                        name="account"
                        defaultValue={a.account}
                        aria-label={`Account of ${label(a)}`}
                        className={cx(inlineInput, "w-36 font-mono")}
                        required
                      />
                      <button type="submit" className={linkButtonClass} disabled={busy}>
                        Save
                      </button>
                    </RowForm>
                  </td>
                  <td className={cx(td, "whitespace-nowrap text-xs text-slate-500")}>
                    {fmtWhen(a.updatedAt)} · {a.updatedBy}
                  </td>
                  <td className={cx(td, "text-right")}>
                    <RowForm intent="delete" fields={k} confirmText={`Delete the mapping ${label(a)}?`}>
                      <button type="submit" className={cx(linkButtonClass, "text-red-700 hover:bg-red-50")} disabled={busy}>
                        Delete
                      </button>
                    </RowForm>
                  </td>
                </tr>
              );
            })}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

function SaveCard({ busy }: { busy: boolean }) {
  return (
    <Card title="Add or change a mapping" description="The same scope, key and organization replace the account.">
      <Form method="post" className="grid grid-cols-1 gap-3 sm:grid-cols-2" data-testid="gl-save">
        <CsrfInput />
        <input type="hidden" name="intent" value="save" />
        <label>
          <span className={labelClass}>Scope</span>
          <select name="scope" className={`mt-1 ${inputClass}`} defaultValue="cost_center">
            {GL_SCOPES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className={labelClass}>Key</span>
          <input name="key" list="gl-keys" required className={`mt-1 font-mono ${inputClass}`} placeholder="CC-100, org id, unmapped, *" />
        </label>
        <label>
          <span className={labelClass}>Account</span>
          <input name="account" required className={`mt-1 font-mono ${inputClass}`} placeholder="6100" />
        </label>
        <label>
          <span className={labelClass}>Organization (optional)</span>
          <input name="org_id" list="gl-orgs" className={`mt-1 font-mono ${inputClass}`} placeholder="every organization" />
        </label>
        <div className="sm:col-span-2">
          <button type="submit" className={buttonClass.primary} disabled={busy}>
            Save mapping
          </button>
        </div>
      </Form>
    </Card>
  );
}

function ImportCard({ busy }: { busy: boolean }) {
  return (
    <Card title="Import (CSV)" description="Header scope,key,account[,org_id]. All-or-nothing; you see what changes first.">
      <CsvUploadForm
        intent="import_preview"
        testId="gl-import"
        placeholder="scope,key,account,org_id"
        modeHelp={{ merge: "add and change; keep the others", replace: "also delete the mappings the file does not list" }}
        busy={busy}
      />
    </Card>
  );
}

function PreviewCard({ preview, busy }: { preview: Extract<ActionData, { intent: "import_preview" }>; busy: boolean }) {
  const p = preview.plan;
  const changes = [
    ...p.added.map((a) => ({ kind: "add", a, before: null as string | null, after: a.account as string | null })),
    ...p.updated.map((u) => ({ kind: "change", a: u.after, before: u.before.account, after: u.after.account })),
    ...p.removed.map((a) => ({ kind: "remove", a, before: a.account, after: null })),
  ];
  const tone = { add: "success", change: "info", remove: "danger" } as const;
  return (
    <Card
      title="Import preview"
      description={`${preview.fileName} · ${preview.mode} mode · ${preview.counts}`}
      actions={<Badge tone="success">ready</Badge>}
      padded={false}
    >
      <div data-testid="gl-preview">
        {changes.length ? (
          <Table testId="gl-changes">
            <THead>
              <HeadRow cols={["Change", "Scope", "Key", "Organization", "Before", "After"]} />
            </THead>
            <TBody>
              {changes.map((c, i) => (
                <tr key={i}>
                  <td className={td}>
                    <Badge tone={tone[c.kind as keyof typeof tone]}>{c.kind}</Badge>
                  </td>
                  <td className={cx(td, "font-mono text-xs")}>{c.a.scope}</td>
                  <td className={cx(td, "font-mono text-xs")}>{c.a.key}</td>
                  <td className={cx(td, "font-mono text-xs")}>{c.a.orgId || "—"}</td>
                  <td className={cx(td, "font-mono text-xs")}>{c.before ?? "—"}</td>
                  <td className={cx(td, "font-mono text-xs")}>{c.after ?? "—"}</td>
                </tr>
              ))}
            </TBody>
          </Table>
        ) : (
          <p className="px-5 py-4 text-sm text-slate-500">Nothing would change: the file is the current mapping.</p>
        )}
        <ApplyImportBar
          canApply={changes.length > 0}
          intent="import_apply"
          mode={preview.mode}
          csv={preview.csv}
          busy={busy}
          testId="gl-apply"
          backTo="/admin/gl-accounts"
          backLabel="Back"
        />
      </div>
    </Card>
  );
}
