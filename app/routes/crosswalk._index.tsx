// Crosswalk editor: filter, add, edit, end-date, delete; bulk CSV import with preview; display names.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { listCrosswalk } from "../../db/queries/crosswalk";
import { listOrgs } from "../../db/queries/orgs";
import { listTeams } from "../../db/queries/teams";
import {
  CrosswalkConflictError,
  createCrosswalkEntry,
  deleteCrosswalkEntry,
  describeImportConflicts,
  endDateCrosswalkEntry,
  importCrosswalk,
  importOwnerNames,
  parseCrosswalkCsv,
  parseOwnerNamesCsv,
  previewCrosswalkImport,
  toImportEntries,
  updateCrosswalkEntry,
  type BulkPreview,
} from "~/services/crosswalk";
import {
  bulkApplySchema,
  bulkPreviewSchema,
  createEntrySchema,
  deleteEntrySchema,
  endDateSchema,
  ownerNamesSchema,
  updateEntrySchema,
} from "~/forms/crosswalk";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { CsrfInput } from "~/components/csrf";
import { WhatIfPanel } from "~/components/admin/what-if";
import { whatIf, type WhatIf } from "~/services/mapping";
import {
  Alert,
  Badge,
  buttonClass,
  Card,
  cx,
  EmptyState,
  FilterField,
  HeadRow,
  inlineInput,
  inputClass,
  labelClass,
  PageHeader,
  smallInput,
  Table,
  TBody,
  td,
  THead,
} from "~/components/ui";
import { IssuesTable, OwnerLabel, useIsAdmin, TeamOptions, OrgOptions } from "~/components/admin/parts";
import { ApplyImportBar, CsvUploadForm } from "~/components/admin/csv-import";
import { fileOrText, requireUploadMutation } from "~/lib/csv-upload.server";
import { requireFullReader } from "~/lib/scope.server";
import { getDb } from "~/lib/db.server";
import { InputError, inputErrorResponse, parseForm } from "~/lib/forms.server";
import { isValidDate } from "~/domain/periods";
import { BEGINNING_OF_TIME, SINCE_THE_BEGINNING, validFromField, validFromLabel, validFromPhrase } from "~/domain/crosswalk";

export const meta: MetaFunction = () => [{ title: "Crosswalk · Showback" }];

const today = () => new Date().toISOString().slice(0, 10);

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFullReader(request);
  const db = await getDb();
  const url = new URL(request.url);
  const f = {
    org: url.searchParams.get("org") ?? "",
    team: url.searchParams.get("team") ?? "",
    owner: url.searchParams.get("owner") ?? "",
    on: url.searchParams.get("on") ?? "",
  };
  const on = isValidDate(f.on) ? f.on : undefined;
  const [entries, orgs, teams] = await Promise.all([
    listCrosswalk(db, { orgId: f.org || undefined, team: f.team || undefined, ownerId: f.owner || undefined, effectiveOn: on }),
    listOrgs(db),
    listTeams(db, { includeArchived: true }),
  ]);
  return {
    entries,
    orgs: orgs.map((o) => o.org_id),
    teams: teams.map((t) => ({ name: t.name, costCenter: t.cost_center, archived: t.archived })),
    filters: f,
    today: today(),
    edit: Number(url.searchParams.get("edit") ?? "0") || 0,
  };
}

type Values = Record<string, string>;
type ActionData =
  | { ok: true; intent: string; message: string }
  | { ok: false; intent: string; error: string; field?: string; values?: Values; issues?: BulkPreview["errors"]; issueCount?: number }
  | {
      ok: true;
      intent: "bulk_preview";
      preview: BulkPreview;
      csv: string;
      mode: "merge" | "replace";
      fileName: string;
      whatIf: WhatIf | null;
    }
  | { ok: true; intent: "create_preview"; whatIf: WhatIf; values: Values; message: string };

const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v.trim() : "");

const valuesOf = (form: FormData): Values => {
  const v: Values = {};
  for (const k of ["org_id", "owner_id", "team", "cost_center", "valid_from", "valid_to", "note"]) v[k] = str(form.get(k));
  return v;
};

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUploadMutation(request, 20_000_000);
  const db = await getDb();
  const intent = str(form.get("intent"));
  try {
    switch (intent) {
      case "create": {
        const e = parseForm(form, createEntrySchema);
        if (str(form.get("preview")) === "1") {
          // what-if: the same service call, rolled back
          const w = await whatIf(db, (tx) => createCrosswalkEntry(tx, user.email, e));
          return json<ActionData>({
            ok: true,
            intent: "create_preview",
            whatIf: w,
            values: valuesOf(form),
            message: `${e.orgId}/${e.ownerId} → ${e.team} ${validFromPhrase(e.validFrom)}${e.validTo ? ` to ${e.validTo}` : ""}`,
          });
        }
        const newId = await createCrosswalkEntry(db, user.email, e);
        return json<ActionData>({
          ok: true,
          intent,
          message: `Added entry #${newId}: ${e.orgId}/${e.ownerId} → ${e.team} ${validFromPhrase(e.validFrom)}${e.validTo ? ` to ${e.validTo}` : ""}.`,
        });
      }
      case "update": {
        const e = parseForm(form, updateEntrySchema);
        await updateCrosswalkEntry(db, user.email, e.id, { team: e.team, validFrom: e.validFrom, validTo: e.validTo, note: e.note });
        return json<ActionData>({ ok: true, intent, message: `Entry #${e.id} saved.` });
      }
      case "end_date": {
        const f = parseForm(form, endDateSchema);
        await endDateCrosswalkEntry(db, user.email, f.id, f.valid_to);
        return json<ActionData>({ ok: true, intent, message: `Entry #${f.id} now ends on ${f.valid_to} (exclusive).` });
      }
      case "delete": {
        const f = parseForm(form, deleteEntrySchema);
        await deleteCrosswalkEntry(db, user.email, f.id);
        return json<ActionData>({ ok: true, intent, message: `Entry #${f.id} deleted.` });
      }
      case "bulk_preview": {
        const f = parseForm(form, bulkPreviewSchema);
        const { text, name } = await fileOrText(form, "csv_file", f.csv_text);
        if (!text.trim()) throw new InputError("Choose a crosswalk CSV file (or paste its content).", { field: "csv_file" });
        const preview = await previewCrosswalkImport(db, text, f.mode);
        const entries = preview.ok ? toImportEntries(parseCrosswalkCsv(text).entries) : null;
        const w = entries ? await whatIf(db, (tx) => importCrosswalk(tx, user.email, entries, f.mode)) : null;
        return json<ActionData>({ ok: true, intent: "bulk_preview", preview, csv: text, mode: f.mode, fileName: name, whatIf: w });
      }
      case "bulk_apply": {
        const f = parseForm(form, bulkApplySchema);
        const v = parseCrosswalkCsv(f.csv);
        if (v.errorCount)
          return json<ActionData>(
            {
              ok: false,
              intent,
              error: `The file has ${v.errorCount} error(s); nothing was imported.`,
              issues: v.errors,
              issueCount: v.errorCount,
            },
            { status: 400 },
          );
        const r = await importCrosswalk(db, user.email, toImportEntries(v.entries), f.mode).catch((e: unknown) => {
          // the crosswalk changed since the preview: say how to get past the overlaps on this page
          if (e instanceof CrosswalkConflictError)
            throw new InputError(describeImportConflicts(e.conflicts, "use Replace mode to replace the organizations' crosswalks"));
          throw e;
        });
        return json<ActionData>({
          ok: true,
          intent,
          message: `Crosswalk imported (${f.mode}): ${r.added} added, ${r.removed} removed, ${r.unchanged} unchanged.`,
        });
      }
      case "names": {
        const f = parseForm(form, ownerNamesSchema);
        const { text } = await fileOrText(form, "names_file", f.names_text);
        if (!text.trim()) throw new InputError("Choose a display-names CSV file (org_id,owner_id,display_name).", { field: "names_file" });
        const v = parseOwnerNamesCsv(text);
        if (v.errorCount)
          return json<ActionData>(
            {
              ok: false,
              intent,
              error: `The display-names file has ${v.errorCount} error(s); nothing was imported.`,
              issues: v.errors,
              issueCount: v.errorCount,
            },
            { status: 400 },
          );
        const n = await importOwnerNames(
          db,
          user.email,
          v.entries.map((e) => ({ orgId: e.orgId, ownerId: e.ownerId, displayName: e.displayName })),
        );
        return json<ActionData>({ ok: true, intent, message: `${n} display name${n === 1 ? "" : "s"} imported.` });
      }
      default:
        return json<ActionData>({ ok: false, intent, error: "Unknown action." }, { status: 400 });
    }
  } catch (e) {
    return inputErrorResponse(e, { intent, values: valuesOf(form) });
  }
}

function entryStatus(validFrom: string, validTo: string | null, on: string) {
  if (validFrom > on) return <Badge tone="info">future</Badge>;
  if (validTo !== null && validTo <= on) return <Badge>ended</Badge>;
  return <Badge tone="success">effective</Badge>;
}

export default function CrosswalkPage() {
  const { entries, orgs, teams, filters, today, edit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const isAdmin = useIsAdmin();
  const nav = useNavigation();
  const busy = nav.state !== "idle";
  const [params] = useSearchParams();
  const exportHref = `/crosswalk.csv${filters.org ? `?org=${encodeURIComponent(filters.org)}` : ""}`;
  const failed = result && !result.ok ? result : null;
  const createPreview = result && result.ok && result.intent === "create_preview" && "whatIf" in result ? result : null;
  const createValues = failed?.intent === "create" ? failed.values : (createPreview?.values ?? undefined);
  const bulk = result && result.ok && result.intent === "bulk_preview" && "preview" in result ? result : null;
  // the same schema as the server: an entry's problems show under its first field before anything is sent
  const [createForm, createFields] = useForm({
    id: "create-entry",
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: createEntrySchema }),
  });
  const invalid = (f: { errors?: string[]; errorId: string }) => (f.errors ? { "aria-invalid": true, "aria-describedby": f.errorId } : {});
  const editQuery = (id: number) => {
    const p = new URLSearchParams(params);
    p.set("edit", String(id));
    return `?${p.toString()}`;
  };
  const noEditQuery = () => {
    const p = new URLSearchParams(params);
    p.delete("edit");
    const s = p.toString();
    return s ? `/crosswalk?${s}` : "/crosswalk";
  };

  return (
    <div>
      <PageHeader
        title="Crosswalk"
        description="Who owns which principal or resource, and from when. Periods are [valid from, valid to): the end date is exclusive."
        actions={
          <>
            <Link to="/crosswalk/unmapped" className={buttonClass.secondary}>
              Unmapped queue
            </Link>
            <Link to="/crosswalk/rules" className={buttonClass.secondary}>
              Rules
            </Link>
            <a href={exportHref} className={buttonClass.secondary} data-testid="export-csv" download>
              Export CSV
            </a>
          </>
        }
      />
      <TeamOptions id="team-names" teams={teams} />
      <OrgOptions id="org-ids" orgs={orgs} />

      <div className="space-y-6">
        {result && result.ok && "message" in result ? <Alert tone="success">{result.message}</Alert> : null}
        {failed ? (
          <div data-testid="action-error">
            <Alert>
              <p className="font-medium">
                {failed.intent === "create" || failed.intent === "update" || failed.intent === "end_date"
                  ? "The change was refused."
                  : "Nothing was changed."}
              </p>
              <p className="mt-1 whitespace-pre-line">{failed.error}</p>
            </Alert>
            {failed.issues?.length ? (
              <div className="mt-3 rounded-lg border border-slate-200 bg-white">
                <IssuesTable issues={failed.issues} total={failed.issueCount ?? failed.issues.length} />
              </div>
            ) : null}
          </div>
        ) : null}

        <Card padded={false}>
          <Form method="get" className="grid grid-cols-2 items-end gap-3 px-4 py-3 md:grid-cols-6" data-testid="crosswalk-filter">
            <FilterField label="Organization">
              <select name="org" defaultValue={filters.org} className={smallInput}>
                <option value="">All</option>
                {orgs.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </FilterField>
            <FilterField label="Team">
              <select name="team" defaultValue={filters.team} className={smallInput}>
                <option value="">All</option>
                {teams.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.name}
                    {t.archived ? " (archived)" : ""}
                  </option>
                ))}
              </select>
            </FilterField>
            <FilterField label="Owner" className="md:col-span-2">
              <input name="owner" defaultValue={filters.owner} placeholder="id or display name contains…" className={smallInput} />
            </FilterField>
            <FilterField label="Effective on">
              <input type="date" name="on" defaultValue={filters.on} className={smallInput} />
            </FilterField>
            <div className="flex gap-2">
              <button type="submit" className={buttonClass.secondary}>
                Filter
              </button>
              {filters.org || filters.team || filters.owner || filters.on ? (
                <Link to="/crosswalk" className="self-center text-xs text-slate-500 hover:text-slate-800">
                  Clear
                </Link>
              ) : null}
            </div>
          </Form>
        </Card>

        {isAdmin ? (
          <>
            {createPreview ? (
              <div className="mb-4" data-testid="entry-what-if">
                <WhatIfPanel result={createPreview.whatIf} description={`Add ${createPreview.message}`}>
                  <Form method="post">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="create" />
                    {Object.entries(createPreview.values).map(([k, v]) => (
                      <input key={k} type="hidden" name={k} value={v} />
                    ))}
                    <button type="submit" className={buttonClass.primary} disabled={busy} data-testid="entry-save">
                      Save the entry
                    </button>
                  </Form>
                </WhatIfPanel>
              </div>
            ) : null}
            <Card
              title="Add an entry"
              description="A team named for the first time is created (with the cost center, if given). Overlapping periods of one owner are refused."
            >
              <Form
                method="post"
                {...getFormProps(createForm)}
                className="grid grid-cols-2 items-end gap-3 md:grid-cols-8"
                data-testid="create-entry"
                key={result && result.ok ? `ok-${nav.state}` : "form"}
              >
                <CsrfInput />
                <input type="hidden" name="intent" value="create" />
                <label className="md:col-span-1">
                  <span className={labelClass}>Organization</span>
                  <input
                    name="org_id"
                    list="org-ids"
                    required
                    defaultValue={createValues?.org_id || filters.org || orgs[0] || ""}
                    {...invalid(createFields.org_id)}
                    className={`mt-1 ${inputClass}`}
                  />
                </label>
                <label className="md:col-span-2">
                  <span className={labelClass}>Owner id</span>
                  <input
                    name="owner_id"
                    required
                    placeholder="sa-…, u-…, lkc-…"
                    defaultValue={createValues?.owner_id}
                    {...invalid(createFields.owner_id)}
                    className={`mt-1 font-mono ${inputClass}`}
                  />
                </label>
                <label>
                  <span className={labelClass}>Team</span>
                  <input
                    name="team"
                    list="team-names"
                    required
                    defaultValue={createValues?.team}
                    {...invalid(createFields.team)}
                    className={`mt-1 ${inputClass}`}
                  />
                </label>
                <label>
                  <span className={labelClass}>Cost center</span>
                  <input
                    name="cost_center"
                    placeholder="new team only"
                    defaultValue={createValues?.cost_center}
                    className={`mt-1 ${inputClass}`}
                  />
                </label>
                <label>
                  <span className={labelClass}>Valid from</span>
                  <input
                    type="date"
                    name="valid_from"
                    defaultValue={createValues?.valid_from ?? today}
                    title="Leave empty for an entry effective since the beginning"
                    {...invalid(createFields.valid_from)}
                    className={`mt-1 ${inputClass}`}
                  />
                </label>
                <label>
                  <span className={labelClass}>Valid to</span>
                  <input
                    type="date"
                    name="valid_to"
                    defaultValue={createValues?.valid_to}
                    {...invalid(createFields.valid_to)}
                    className={`mt-1 ${inputClass}`}
                  />
                </label>
                <div className="flex gap-2">
                  <button
                    type="submit"
                    name="preview"
                    value="1"
                    className={`${buttonClass.secondary} w-full`}
                    disabled={busy}
                    data-testid="entry-preview"
                  >
                    Preview
                  </button>
                  <button type="submit" className={`${buttonClass.primary} w-full`} disabled={busy}>
                    Add entry
                  </button>
                </div>
                <label className="col-span-2 md:col-span-8">
                  <span className={labelClass}>Note</span>
                  <input
                    name="note"
                    defaultValue={createValues?.note}
                    placeholder="optional, e.g. ticket or reason"
                    className={`mt-1 ${inputClass}`}
                  />
                </label>
                {(["org_id", "owner_id", "team", "valid_from", "valid_to"] as const).map((k) =>
                  createFields[k].errors?.length ? (
                    <p
                      key={k}
                      id={createFields[k].errorId}
                      className="col-span-2 text-sm text-rose-700 md:col-span-8"
                      data-testid="field-error"
                    >
                      {createFields[k].errors![0]}
                    </p>
                  ) : null,
                )}
              </Form>
            </Card>
          </>
        ) : null}

        <Card
          title="Entries"
          description={`${entries.length} entr${entries.length === 1 ? "y" : "ies"}${filters.on ? ` effective on ${filters.on}` : ""}`}
          padded={false}
        >
          {entries.length === 0 ? (
            <div className="p-5">
              <EmptyState title="No crosswalk entries match">
                {isAdmin
                  ? "Add one above, import a CSV below, or work through the unmapped queue."
                  : "Ask a finance admin to map owners to teams."}
              </EmptyState>
            </div>
          ) : (
            <Table testId="crosswalk-table">
              <THead>
                <HeadRow
                  cols={["#", "Organization", "Owner", "Team", "Valid from", "Valid to", "Status", "Note", isAdmin && "Actions"]}
                  num={["Actions"]}
                />
              </THead>
              <TBody>
                {entries.map((e) =>
                  isAdmin && edit === e.id ? (
                    <tr key={e.id} className="bg-indigo-50/40" data-testid={`entry-${e.id}`}>
                      <td className={cx(td, "text-xs text-slate-400")}>{e.id}</td>
                      <td className={cx(td, "font-mono text-xs")}>{e.orgId}</td>
                      <td className={td}>
                        <OwnerLabel ownerId={e.ownerId} displayName={e.displayName} />
                      </td>
                      <td className={td} colSpan={6}>
                        <Form method="post" className="flex flex-wrap items-end gap-2" data-testid="edit-entry">
                          <CsrfInput />
                          <input type="hidden" name="intent" value="update" />
                          <input type="hidden" name="id" value={e.id} />
                          <input type="hidden" name="org_id" value={e.orgId} />
                          <input type="hidden" name="owner_id" value={e.ownerId} />
                          <input name="team" list="team-names" defaultValue={e.team} aria-label="Team" className={`${inlineInput} w-36`} />
                          <input
                            type="date"
                            name="valid_from"
                            defaultValue={validFromField(e.validFrom)}
                            aria-label="Valid from"
                            title="Empty: since the beginning"
                            className={`${inlineInput} w-40`}
                          />
                          <input
                            type="date"
                            name="valid_to"
                            defaultValue={e.validTo ?? ""}
                            aria-label="Valid to"
                            className={`${inlineInput} w-40`}
                          />
                          <input
                            name="note"
                            defaultValue={e.note ?? ""}
                            aria-label="Note"
                            placeholder="note"
                            className={`${inlineInput} w-40`}
                          />
                          <button type="submit" className={buttonClass.primary} disabled={busy}>
                            Save
                          </button>
                          <Link to={noEditQuery()} className={buttonClass.secondary}>
                            Cancel
                          </Link>
                        </Form>
                      </td>
                    </tr>
                  ) : (
                    <tr key={e.id} data-testid={`entry-${e.id}`}>
                      <td className={cx(td, "text-xs text-slate-400")}>{e.id}</td>
                      <td className={cx(td, "font-mono text-xs")}>{e.orgId}</td>
                      <td className={td}>
                        <OwnerLabel ownerId={e.ownerId} displayName={e.displayName} />
                      </td>
                      <td className={td}>
                        <span className="font-medium text-slate-900">
                          {e.split ? e.split.map((sh) => `${sh.team} ${sh.pct} %`).join(" · ") : e.team}
                        </span>
                        {e.costCenter ? <span className="ml-1.5 text-xs text-slate-500">{e.costCenter}</span> : null}
                      </td>
                      <td className={cx(td, "whitespace-nowrap tabular-nums")}>
                        {e.validFrom === BEGINNING_OF_TIME ? <span className="text-slate-400">{SINCE_THE_BEGINNING}</span> : e.validFrom}
                      </td>
                      <td className={cx(td, "whitespace-nowrap tabular-nums")}>
                        {e.validTo ?? <span className="text-slate-400">open</span>}
                      </td>
                      <td className={td}>{entryStatus(e.validFrom, e.validTo, today)}</td>
                      <td className={cx(td, "max-w-[12rem] truncate text-xs text-slate-500")} title={e.note ?? undefined}>
                        {e.note}
                      </td>
                      {isAdmin ? (
                        <td className={cx(td, "whitespace-nowrap text-right")}>
                          <div className="flex items-center justify-end gap-1.5">
                            <Link
                              to={editQuery(e.id)}
                              className="rounded px-2 py-1 text-xs font-medium text-indigo-700 hover:bg-indigo-50"
                              preventScrollReset
                            >
                              Edit
                            </Link>
                            {e.validTo === null ? (
                              <details className="relative">
                                <summary className="cursor-pointer list-none rounded px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100">
                                  End…
                                </summary>
                                <Form
                                  method="post"
                                  className="absolute right-0 z-10 mt-1 flex w-64 items-center gap-1.5 rounded-md border border-slate-200 bg-white p-2 shadow-lg"
                                >
                                  <CsrfInput />
                                  <input type="hidden" name="intent" value="end_date" />
                                  <input type="hidden" name="id" value={e.id} />
                                  <input
                                    type="date"
                                    name="valid_to"
                                    defaultValue={today > e.validFrom ? today : ""}
                                    required
                                    aria-label={`End date of entry ${e.id}`}
                                    className={`${inlineInput} w-40`}
                                  />
                                  <button type="submit" className={buttonClass.primary} disabled={busy}>
                                    End
                                  </button>
                                </Form>
                              </details>
                            ) : null}
                            <Form
                              method="post"
                              onSubmit={(ev) => {
                                if (!confirm(`Delete entry #${e.id} (${e.ownerId} → ${e.team})? Prefer end-dating to keep history.`))
                                  ev.preventDefault();
                              }}
                            >
                              <CsrfInput />
                              <input type="hidden" name="intent" value="delete" />
                              <input type="hidden" name="id" value={e.id} />
                              <button
                                type="submit"
                                className="rounded px-2 py-1 text-xs font-medium text-rose-700 hover:bg-rose-50"
                                disabled={busy}
                              >
                                Delete
                              </button>
                            </Form>
                          </div>
                        </td>
                      ) : null}
                    </tr>
                  ),
                )}
              </TBody>
            </Table>
          )}
        </Card>

        {isAdmin ? (
          <div className="grid grid-cols-1 gap-6 xl:grid-cols-3">
            <div className="xl:col-span-2">{bulk ? <BulkPreviewCard bulk={bulk} busy={busy} /> : <BulkUploadCard busy={busy} />}</div>
            <Card
              title="Owner display names"
              description="CSV org_id,owner_id,display_name. Names show next to owner ids; exports keep ids only."
            >
              <Form method="post" encType="multipart/form-data" className="space-y-3" data-testid="names-form">
                <CsrfInput />
                <input type="hidden" name="intent" value="names" />
                <input
                  type="file"
                  name="names_file"
                  accept=".csv,text/csv"
                  required
                  className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium"
                />
                <button type="submit" className={buttonClass.secondary} disabled={busy}>
                  Import names
                </button>
              </Form>
            </Card>
          </div>
        ) : null}
      </div>
    </div>
  );
}

function BulkUploadCard({ busy }: { busy: boolean }) {
  return (
    <Card
      title="Bulk import (CSV)"
      description="Header org_id,owner_id,team,valid_from,valid_to[,cost_center][,note]. All-or-nothing; you see a preview first."
    >
      <CsvUploadForm
        intent="bulk_preview"
        testId="bulk-form"
        placeholder="org_id,owner_id,team,valid_from,valid_to"
        modeHelp={{ merge: "add new entries; overlaps are errors", replace: "replace every entry of the organizations in the file" }}
        busy={busy}
      />
    </Card>
  );
}

const KIND: Record<string, { label: string; tone: "success" | "info" | "warning" | "danger" }> = {
  add: { label: "add", tone: "success" },
  change: { label: "change", tone: "info" },
  end_date: { label: "end-date", tone: "warning" },
  remove: { label: "remove", tone: "danger" },
};

function BulkPreviewCard({ bulk, busy }: { bulk: Extract<ActionData, { intent: "bulk_preview"; preview: BulkPreview }>; busy: boolean }) {
  const p = bulk.preview;
  const period = (x: { validFrom: string; validTo: string | null } | null) =>
    x ? `${validFromLabel(x.validFrom)} → ${x.validTo ?? "open"}` : "";
  return (
    <Card
      title="Bulk import preview"
      description={`${bulk.fileName} · ${p.entries} entr${p.entries === 1 ? "y" : "ies"} · ${bulk.mode} mode`}
      actions={p.ok ? <Badge tone="success">ready</Badge> : <Badge tone="danger">cannot import</Badge>}
      padded={false}
    >
      <div data-testid="bulk-preview">
        {bulk.whatIf ? (
          <div className="border-b border-slate-100 px-5 py-3" data-testid="bulk-what-if">
            <WhatIfPanel result={bulk.whatIf} description="What this import would do to the team totals" />
          </div>
        ) : null}
        <div className="flex flex-wrap gap-2 border-b border-slate-100 px-5 py-3 text-sm" data-testid="bulk-counts">
          <Badge tone="success">
            {p.counts.add} add{p.counts.add === 1 ? "" : "s"}
          </Badge>
          <Badge tone="info">
            {p.counts.change} change{p.counts.change === 1 ? "" : "s"}
          </Badge>
          <Badge tone="warning">
            {p.counts.end_date} end-date{p.counts.end_date === 1 ? "" : "s"}
          </Badge>
          <Badge tone="danger">
            {p.counts.remove} removal{p.counts.remove === 1 ? "" : "s"}
          </Badge>
          <Badge>{p.unchanged} unchanged</Badge>
          {p.conflicts.length ? (
            <Badge tone="danger">
              {p.conflicts.length} conflict{p.conflicts.length === 1 ? "" : "s"}
            </Badge>
          ) : null}
        </div>
        {p.errorCount ? <IssuesTable issues={p.errors} total={p.errorCount} /> : null}
        {p.conflicts.length ? (
          <div className="px-5 py-3">
            <Alert>
              <p className="font-medium">
                These entries overlap existing ones (use Replace mode to replace the organizations' crosswalks):
              </p>
              <ul className="mt-2 list-disc space-y-0.5 pl-5 text-xs">
                {p.conflicts.slice(0, 50).map((c, i) => (
                  <li key={i}>
                    {c.line ? `line ${c.line}: ` : ""}
                    {c.message}
                  </li>
                ))}
              </ul>
            </Alert>
          </div>
        ) : null}
        {p.changes.length ? (
          <Table testId="bulk-changes">
            <THead>
              <HeadRow cols={["Change", "Organization", "Owner", "Before", "After"]} />
            </THead>
            <TBody>
              {p.changes.slice(0, 500).map((c, i) => (
                <tr key={i}>
                  <td className={td}>
                    <Badge tone={KIND[c.kind].tone}>{KIND[c.kind].label}</Badge>
                  </td>
                  <td className={cx(td, "font-mono text-xs")}>{c.orgId}</td>
                  <td className={cx(td, "font-mono text-xs")}>{c.ownerId}</td>
                  <td className={cx(td, "text-xs")}>
                    {c.before ? (
                      <>
                        <span className="font-medium">{c.before.team}</span> <span className="text-slate-500">{period(c.before)}</span>
                      </>
                    ) : (
                      <span className="text-slate-300">—</span>
                    )}
                  </td>
                  <td className={cx(td, "text-xs")}>
                    {c.after ? (
                      <>
                        <span className="font-medium">{c.after.team}</span> <span className="text-slate-500">{period(c.after)}</span>
                      </>
                    ) : (
                      <span className="text-slate-300">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </TBody>
          </Table>
        ) : p.ok ? (
          <p className="px-5 py-4 text-sm text-slate-500">Nothing would change: every entry already exists.</p>
        ) : null}
        <ApplyImportBar
          canApply={p.ok}
          intent="bulk_apply"
          mode={bulk.mode}
          csv={bulk.csv}
          busy={busy}
          testId="bulk-apply"
          backTo="/crosswalk"
          backLabel="Start over"
        />
      </div>
    </Card>
  );
}
