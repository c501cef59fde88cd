// Mapping rules (docs/crosswalk.md): the ordered list; for finance admins create, edit, reorder,
// delete and a rules file import (JSON or CSV), each previewed first (what-if) and saved with the same values.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { useState, type ReactNode } from "react";
import type { z } from "zod";
import { listOrgs } from "../../db/queries/orgs";
import { listTeams } from "../../db/queries/teams";
import { displayNamesOf, type NamedId } from "../../db/queries/rules-view";
import {
  createRule,
  deleteRule,
  importRules,
  listRules,
  moveRule,
  parseRulesText,
  updateRule,
  whatIf,
  type WhatIf,
} from "~/services/mapping";
import {
  createRuleSchema,
  deleteRuleSchema,
  importRulesSchema,
  moveRuleSchema,
  NAME_OPS,
  OWNER_KINDS,
  previewCreateRuleSchema,
  previewDeleteRuleSchema,
  previewImportRulesSchema,
  previewMoveRuleSchema,
  previewUpdateRuleSchema,
  RULE_FIELDS,
  ruleFieldValues,
  ruleIssuesOfMessage,
  updateRuleSchema,
  type RuleField,
} from "~/forms/rules";
import { CsrfInput } from "~/components/csrf";
import {
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
  tdNum,
  THead,
} from "~/components/ui";
import { useIsAdmin, TeamOptions, OrgOptions } from "~/components/admin/parts";
import { WhatIfPanel } from "~/components/admin/what-if";
import { requireFullReader } from "~/lib/scope.server";
import { requireUploadMutation } from "~/lib/csv-upload.server";
import { getDb } from "~/lib/db.server";
import { inputErrorResponse } from "~/lib/forms.server";
import { InputError } from "~/domain/errors";
import { BEGINNING_OF_TIME, validFromLabel } from "~/domain/crosswalk";
import { formatRuleIssue, parseRulesFile, type NameOp, type OwnerKind, type Rule, type RuleFileIssue } from "~/domain/rules";

export const meta: MetaFunction = () => [{ title: "Mapping rules · Showback" }];

/** Query parameters that prefill the create form (`?org=` is the org_id field). */
const PREFILL: ReadonlyArray<[string, RuleField]> = [
  ["org", "org_id"],
  ...RULE_FIELDS.filter((f) => f !== "org_id").map((f): [string, RuleField] => [f, f]),
];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFullReader(request);
  const db = await getDb();
  const url = new URL(request.url);
  const [rules, orgs, teams] = await Promise.all([listRules(db), listOrgs(db), listTeams(db, { includeArchived: false })]);
  const ids = rules.flatMap((r) => [r.when.ownerId, r.when.environmentId, r.when.resourceId]).filter((x): x is string => !!x);
  const prefill: Values = {};
  for (const [param, field] of PREFILL) {
    const v = url.searchParams.get(param);
    if (v) prefill[field] = v.trim();
  }
  return {
    rules: rules.map((r, i) => ({ id: r.id as number, position: i + 1, rule: r, fields: ruleFieldValues(r) })),
    names: await displayNamesOf(db, ids),
    orgs: orgs.map((o) => o.org_id),
    teams: teams.map((t) => ({ name: t.name, costCenter: t.cost_center })),
    prefill,
    edit: Number(url.searchParams.get("edit") ?? "0") || 0,
  };
}

type Values = Record<string, string>;
type Kind = "create" | "update" | "delete" | "move" | "import";

interface Preview {
  kind: Kind;
  /** the change in words */
  summary: string;
  whatIf: WhatIf;
  /** the fields the Save button sends again, with intent = kind */
  save: Values;
}

type ActionData =
  | { ok: true; intent: string; message: string }
  | { ok: true; intent: `preview-${Kind}`; preview: Preview; values: Values }
  | {
      ok: false;
      intent: string;
      error: string;
      field?: string;
      /** every field's first problem */
      fieldErrors?: Record<string, string>;
      values?: Values;
      issues?: RuleFileIssue[];
    };

const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v.trim() : "");

const valuesOf = (form: FormData): Values => {
  const v: Values = {};
  for (const k of [...RULE_FIELDS, "position", "id"]) v[k] = str(form.get(k));
  return v;
};

/** A form whose fields have problems: all of them, by field. */
class FieldErrors extends InputError {
  constructor(readonly fieldErrors: Record<string, string>) {
    const [field, message] = Object.entries(fieldErrors)[0] ?? ["", "The form is incomplete."];
    super(message, { field: field || undefined });
  }
}

/** Parses `form` with `schema`; throws FieldErrors with every field's first problem. */
function parseFields<S extends z.ZodType>(form: FormData, schema: S): z.output<S> {
  const submission = parseWithZod(form, { schema });
  if (submission.status === "success") return submission.value as z.output<S>;
  const out: Record<string, string> = {};
  for (const [k, m] of Object.entries(submission.error ?? {})) if (Array.isArray(m) && m.length) out[k || "name"] ??= m[0];
  throw new FieldErrors(out);
}

/** A service's refusal of the rules list (`[2].name: …` per line) on the fields of the rule typed in. */
function fieldErrorsOf(e: InputError): Record<string, string> | null {
  if (e.field !== "rules") return null;
  const out: Record<string, string> = {};
  for (const i of ruleIssuesOfMessage(e.message)) if (i.field) out[i.field] ??= i.message;
  return Object.keys(out).length ? out : null;
}

type RulesFormat = "json" | "csv";

/** A rules file's spelling by its content: the JSON is an array (`[`, or an object by mistake), the CSV starts with its header. */
const formatOfText = (text: string): RulesFormat => (/^\s*[[{]/.test(text) ? "json" : "csv");

/**
 * The uploaded rules file's text and spelling (by its name: `.csv` / `.json`, else by content),
 * else the pasted (or carried, after a preview) text, by content.
 */
async function fileOrText(form: FormData, pasted: string): Promise<{ text: string; format: RulesFormat }> {
  const f = form.get("rules_file");
  if (f && typeof f !== "string" && f.size > 0) {
    const text = await f.text();
    const name = f.name.toLowerCase();
    return { text, format: name.endsWith(".csv") ? "csv" : name.endsWith(".json") ? "json" : formatOfText(text) };
  }
  return { text: pasted, format: formatOfText(pasted) };
}

function parseImport({ text, format }: { text: string; format: RulesFormat }): Rule[] {
  if (!text.trim()) throw new InputError("Choose a rules file, JSON or CSV (or paste its content).", { field: "rules_file" });
  if (format === "json") {
    const parsed = parseRulesFile(text);
    if (!parsed.ok) throw new RulesFileErrors(parsed.errors);
    return parsed.rules;
  }
  // the CSV's problems are located by line and column (`line 4, column "owner_name_value": …`)
  const parsed = parseRulesText(text, "csv");
  if (!parsed.ok) throw new RulesFileErrors(parsed.errors.map((message) => ({ index: null, path: "", message })));
  return parsed.rules;
}

class RulesFileErrors extends InputError {
  constructor(readonly issues: RuleFileIssue[]) {
    super(`The rules file has ${issues.length} problem${issues.length === 1 ? "" : "s"}; nothing was imported.`, { field: "rules_file" });
  }
}

// ids as "id N": "#N" is a position in the mapped-by labels (`rule "x" (#2)`)
const ruleLabel = (r: Pick<Rule, "id" | "name">) => `rule ${JSON.stringify(r.name)} (id ${r.id})`;

async function ruleById(db: Awaited<ReturnType<typeof getDb>>, id: number): Promise<{ rule: Rule; position: number }> {
  const list = await listRules(db);
  const i = list.findIndex((r) => r.id === id);
  if (i < 0) throw new InputError(`rule id ${id} does not exist (it may have been deleted meanwhile)`, { field: "id" });
  return { rule: list[i], position: i + 1 };
}

const importCounts = (c: { added: string[]; updated: string[]; unchanged: string[]; removed: string[] }) =>
  `${c.added.length} added, ${c.updated.length} updated, ${c.unchanged.length} unchanged, ${c.removed.length} removed`;

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUploadMutation(request, 5_000_000);
  const db = await getDb();
  const actor = user.email;
  const intent = str(form.get("intent"));
  const values = valuesOf(form);
  const preview = (kind: Kind, summary: string, w: WhatIf, save: Values) =>
    json<ActionData>({ ok: true, intent: `preview-${kind}` as const, preview: { kind, summary, whatIf: w, save }, values });
  const ruleSave = (extra: Values = {}) => {
    const s: Values = { ...extra };
    for (const k of RULE_FIELDS) s[k] = values[k];
    return s;
  };
  try {
    switch (intent) {
      case "preview-create": {
        const f = parseFields(form, previewCreateRuleSchema);
        const w = await whatIf(db, (tx) => createRule(tx, actor, f.rule, f.position));
        const at = f.position ? ` at position ${f.position}` : " at the end of the list";
        return preview("create", `Create rule ${JSON.stringify(f.rule.name)}${at}.`, w, ruleSave({ position: values.position }));
      }
      case "create": {
        const f = parseFields(form, createRuleSchema);
        const r = await createRule(db, actor, f.rule, f.position);
        const { position } = await ruleById(db, r.id as number);
        return json<ActionData>({ ok: true, intent, message: `Created ${ruleLabel(r)} at position ${position}. Reports are updated.` });
      }
      case "preview-update": {
        const f = parseFields(form, previewUpdateRuleSchema);
        const { rule } = await ruleById(db, f.id);
        const w = await whatIf(db, (tx) => updateRule(tx, actor, f.id, f.rule));
        return preview("update", `Save the changes to ${ruleLabel(rule)}.`, w, ruleSave({ id: String(f.id) }));
      }
      case "update": {
        const f = parseFields(form, updateRuleSchema);
        await updateRule(db, actor, f.id, f.rule);
        return json<ActionData>({ ok: true, intent, message: `Saved ${ruleLabel({ id: f.id, name: f.rule.name })}. Reports are updated.` });
      }
      case "preview-delete": {
        const f = parseFields(form, previewDeleteRuleSchema);
        const { rule, position } = await ruleById(db, f.id);
        const w = await whatIf(db, (tx) => deleteRule(tx, actor, f.id));
        return preview("delete", `Delete ${ruleLabel(rule)} (position ${position}).`, w, { id: String(f.id) });
      }
      case "delete": {
        const f = parseFields(form, deleteRuleSchema);
        const { rule } = await ruleById(db, f.id);
        await deleteRule(db, actor, f.id);
        return json<ActionData>({ ok: true, intent, message: `Deleted ${ruleLabel(rule)}. Reports are updated.` });
      }
      case "preview-move": {
        const f = parseFields(form, previewMoveRuleSchema);
        const { rule, position } = await ruleById(db, f.id);
        const w = await whatIf(db, (tx) => moveRule(tx, actor, f.id, f.position));
        return preview("move", `Move ${ruleLabel(rule)} from position ${position} to ${f.position}.`, w, {
          id: String(f.id),
          position: String(f.position),
        });
      }
      case "move": {
        const f = parseFields(form, moveRuleSchema);
        const { rule } = await ruleById(db, f.id);
        await moveRule(db, actor, f.id, f.position);
        const { position } = await ruleById(db, f.id);
        return json<ActionData>({ ok: true, intent, message: `Moved ${ruleLabel(rule)} to position ${position}. Reports are updated.` });
      }
      case "preview-import": {
        const f = parseFields(form, previewImportRulesSchema);
        const file = await fileOrText(form, f.rules_text);
        const rules = parseImport(file);
        let counts: Awaited<ReturnType<typeof importRules>> | null = null;
        const w = await whatIf(db, async (tx) => {
          counts = await importRules(tx, actor, rules, { replace: f.mode === "replace" });
        });
        const c = counts as Awaited<ReturnType<typeof importRules>> | null;
        const summary = `Import ${rules.length} rule${rules.length === 1 ? "" : "s"} (${f.mode}): ${c ? importCounts(c) : ""}.`;
        // the text is sent again on save; its spelling is recognised again by its content
        return preview("import", summary, w, { mode: f.mode, rules_text: file.text });
      }
      case "import": {
        const f = parseFields(form, importRulesSchema);
        const rules = parseImport(await fileOrText(form, f.rules_text));
        const c = await importRules(db, actor, rules, { replace: f.mode === "replace" });
        return json<ActionData>({ ok: true, intent, message: `Rules imported (${f.mode}): ${importCounts(c)}.` });
      }
      default:
        return json<ActionData>({ ok: false, intent, error: "Unknown action." }, { status: 400 });
    }
  } catch (e) {
    if (e instanceof FieldErrors) return inputErrorResponse(e, { intent, values, fieldErrors: e.fieldErrors });
    if (e instanceof RulesFileErrors) return inputErrorResponse(e, { intent, values, issues: e.issues });
    if (e instanceof InputError) {
      const fieldErrors = fieldErrorsOf(e);
      if (fieldErrors) {
        const [field, message] = Object.entries(fieldErrors)[0];
        return inputErrorResponse(new InputError(message, { field }), { intent, values, fieldErrors });
      }
    }
    return inputErrorResponse(e, { intent, values });
  }
}

// ---------------------------------------------------------------- the rules in words

type NameOf = (orgId: string | null, id: string) => string | null;

function nameLookup(names: readonly NamedId[]): NameOf {
  return (orgId, id) => {
    const found = [...new Set(names.filter((n) => n.id === id && (orgId === null || n.orgId === orgId)).map((n) => n.displayName))];
    return found.length ? found.join(" / ") : null;
  };
}

const KIND_WORDS: Record<OwnerKind, string> = {
  service_account: "a service account",
  user: "a user",
  identity_pool: "an identity pool",
  resource: "a resource",
};

const OP_WORDS: Record<NameOp, string> = {
  equals: "is",
  starts_with: "starts with",
  ends_with: "ends with",
  contains: "contains",
  regex: "matches the regular expression",
};

function Id({ id, name }: { id: string; name: string | null }) {
  return (
    <>
      <span className="font-mono text-xs text-slate-800">{id}</span>
      {name ? <span className="ml-1 text-slate-500">{`(${name})`}</span> : null}
    </>
  );
}

/** The conditions of a rule in words, each with the display names known for its ids. */
function conditionsInWords(r: Rule, nameOf: NameOf): ReactNode[] {
  const w = r.when;
  const out: ReactNode[] = [];
  if (w.ownerId !== undefined)
    out.push(
      <>
        owner id is <Id id={w.ownerId} name={nameOf(r.orgId, w.ownerId)} />
      </>,
    );
  if (w.ownerIdPrefix !== undefined)
    out.push(
      <>
        owner id starts with <span className="font-mono text-xs text-slate-800">{w.ownerIdPrefix}</span>
      </>,
    );
  if (w.ownerName !== undefined)
    out.push(
      <>
        owner name {OP_WORDS[w.ownerName.op]} <span className="font-mono text-xs text-slate-800">{JSON.stringify(w.ownerName.value)}</span>
        {w.ownerName.caseSensitive ? null : <span className="text-slate-500"> (case-insensitive)</span>}
      </>,
    );
  if (w.ownerKind !== undefined) out.push(<>owner is {KIND_WORDS[w.ownerKind]}</>);
  if (w.environmentId !== undefined)
    out.push(
      <>
        environment <Id id={w.environmentId} name={nameOf(r.orgId, w.environmentId)} />
      </>,
    );
  if (w.resourceId !== undefined)
    out.push(
      <>
        resource <Id id={w.resourceId} name={nameOf(r.orgId, w.resourceId)} />
      </>,
    );
  if (w.product !== undefined)
    out.push(
      <>
        product <span className="font-mono text-xs text-slate-800">{w.product}</span>
      </>,
    );
  return out;
}

function Conditions({ rule, nameOf }: { rule: Rule; nameOf: NameOf }) {
  const parts = conditionsInWords(rule, nameOf);
  if (!parts.length) return <span className="text-slate-500">every row (catch-all)</span>;
  return (
    <ul className="space-y-0.5">
      {parts.map((p, i) => (
        <li key={i}>
          {i > 0 ? <span className="text-xs uppercase text-slate-400">and </span> : null}
          {p}
        </li>
      ))}
    </ul>
  );
}

/** `payments` or `payments 60 % · search 40 %`. */
function targetInWords(then: Rule["then"]): string {
  return "team" in then ? then.team : then.split.map((s) => `${s.team} ${s.pct} %`).join(" · ");
}

// ---------------------------------------------------------------- page

export default function RulesPage() {
  const { rules, names, orgs, teams, prefill, edit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const isAdmin = useIsAdmin();
  const nav = useNavigation();
  const location = useLocation();
  const busy = nav.state !== "idle";
  const nameOf = nameLookup(names);
  const editing = isAdmin && edit ? rules.find((r) => r.id === edit) : undefined;
  const failed = result && !result.ok ? result : null;
  const pending = result && result.ok && "preview" in result ? result : null;
  const done = result && result.ok && "message" in result ? result : null;
  const kindOf = (intent: string) => intent.replace(/^preview-/, "");
  const formKind = editing ? "update" : "create";
  // what the rule form shows: what was last sent with its intent (previewed or refused), else the rule or the prefill
  const sent = failed ?? pending;
  const sentValues = sent && kindOf(sent.intent) === formKind ? sent.values : undefined;
  const formValues: Values = sentValues ?? (editing ? editing.fields : prefill);
  const fieldErrors = failed && kindOf(failed.intent) === formKind ? (failed.fieldErrors ?? {}) : {};
  const editHref = (id: number) => `/crosswalk/rules?edit=${id}`;

  return (
    <div>
      <PageHeader
        title="Mapping rules"
        description="Ordered rules that map cost to a team or a split when no crosswalk entry does: the first rule whose conditions all hold wins. Every change is previewed before it is saved."
        actions={
          <>
            <Link to="/crosswalk" className={buttonClass.secondary}>
              Crosswalk
            </Link>
            <Link to="/crosswalk/unmapped" className={buttonClass.secondary}>
              Unmapped queue
            </Link>
            <a href="/crosswalk/rules.json" className={buttonClass.secondary} data-testid="export-json" download>
              Export JSON
            </a>
            <a href="/crosswalk/rules.csv" className={buttonClass.secondary} data-testid="export-csv" download>
              Export CSV
            </a>
          </>
        }
      />
      <TeamOptions id="rule-teams" teams={teams} />
      <OrgOptions id="rule-orgs" orgs={orgs} />

      <div className="space-y-6">
        {done ? <Alert tone="success">{done.message}</Alert> : null}
        {failed ? (
          <div data-testid="action-error" data-field={failed.field}>
            <Alert>
              <p className="font-medium">Nothing was changed.</p>
              <p className="mt-1 whitespace-pre-line">
                {failed.fieldErrors && Object.keys(failed.fieldErrors).length > 1
                  ? `${Object.keys(failed.fieldErrors).length} fields need attention (marked below).`
                  : failed.error}
              </p>
            </Alert>
            {failed.issues?.length ? (
              <ul className="mt-3 space-y-1 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm" data-testid="rules-file-issues">
                {failed.issues.slice(0, 200).map((i, n) => (
                  <li key={n} className="font-mono text-xs text-rose-800" data-testid="rules-file-issue">
                    {formatRuleIssue(i)}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}

        {isAdmin && pending ? (
          <WhatIfPanel result={pending.preview.whatIf} title="Preview" description={pending.preview.summary}>
            <Form method="post" data-testid="what-if-save-form">
              <CsrfInput />
              <input type="hidden" name="intent" value={pending.preview.kind} />
              {Object.entries(pending.preview.save).map(([k, v]) => (
                <input key={k} type="hidden" name={k} value={v} />
              ))}
              <button type="submit" className={buttonClass.primary} disabled={busy} data-testid="what-if-save">
                Save
              </button>
            </Form>
            <Link to={`${location.pathname}${location.search}`} className={buttonClass.secondary} replace>
              Discard
            </Link>
          </WhatIfPanel>
        ) : null}

        {isAdmin ? (
          <RuleForm
            key={`${formKind}-${editing?.id ?? ""}-${JSON.stringify(formValues)}`}
            kind={formKind}
            id={editing?.id}
            values={formValues}
            serverErrors={fieldErrors}
            busy={busy}
            cancelHref={editing ? "/crosswalk/rules" : undefined}
          />
        ) : null}

        <Card title="Rules" description={`${rules.length} rule${rules.length === 1 ? "" : "s"}, in priority order`} padded={false}>
          {rules.length === 0 ? (
            <div className="p-5">
              <EmptyState title="No mapping rules">
                {isAdmin
                  ? "Create one above or import a rules file (JSON or CSV) below."
                  : "Cost that no crosswalk entry maps stays unmapped. Ask a finance admin to add rules."}
              </EmptyState>
            </div>
          ) : (
            <Table testId="rules-table">
              <THead>
                <HeadRow
                  cols={["#", "Name", "Organization", "When", "Then", "Valid from", "Valid to", isAdmin && "Actions"]}
                  num={["#", "Actions"]}
                />
              </THead>
              <TBody>
                {rules.map((r) => (
                  <tr key={r.id} data-testid="rule-row" data-rule-id={r.id} className={cx(editing?.id === r.id && "bg-indigo-50/40")}>
                    <td className={cx(tdNum, "text-slate-500")} data-testid="rule-position">
                      {r.position}
                    </td>
                    <td className={cx(td, "font-medium text-slate-900")} data-testid="rule-name">
                      {r.rule.name}
                      <div className="text-xs font-normal text-slate-400">id {r.id}</div>
                    </td>
                    <td className={cx(td, "whitespace-nowrap")}>
                      {r.rule.orgId === null ? (
                        <span className="italic text-slate-500">all orgs</span>
                      ) : (
                        <span className="font-mono text-xs">{r.rule.orgId}</span>
                      )}
                    </td>
                    <td className={cx(td, "text-sm")} data-testid="rule-when">
                      <Conditions rule={r.rule} nameOf={nameOf} />
                    </td>
                    <td className={td} data-testid="rule-then">
                      {"team" in r.rule.then ? (
                        <span className="font-medium text-slate-900">{r.rule.then.team}</span>
                      ) : (
                        <span>
                          <Badge tone="info">split</Badge> {targetInWords(r.rule.then)}
                        </span>
                      )}
                    </td>
                    <td className={cx(td, "whitespace-nowrap tabular-nums")}>
                      <span className={cx(r.rule.validFrom === BEGINNING_OF_TIME && "text-slate-400")}>
                        {validFromLabel(r.rule.validFrom)}
                      </span>
                    </td>
                    <td className={cx(td, "whitespace-nowrap tabular-nums")}>
                      {r.rule.validTo ?? <span className="text-slate-400">open</span>}
                    </td>
                    {isAdmin ? (
                      <td className={cx(td, "whitespace-nowrap text-right")}>
                        <div className="flex items-center justify-end gap-1">
                          <Link to={editHref(r.id)} className={linkButtonClass} preventScrollReset>
                            Edit
                          </Link>
                          {r.position > 1 ? (
                            <RowForm intent="preview-move" fields={{ id: r.id, position: r.position - 1 }}>
                              <button
                                type="submit"
                                className={linkButtonClass}
                                disabled={busy}
                                title="Move up (preview first)"
                                aria-label={`Move rule ${r.rule.name} up`}
                              >
                                ↑
                              </button>
                            </RowForm>
                          ) : null}
                          {r.position < rules.length ? (
                            <RowForm intent="preview-move" fields={{ id: r.id, position: r.position + 1 }}>
                              <button
                                type="submit"
                                className={linkButtonClass}
                                disabled={busy}
                                title="Move down (preview first)"
                                aria-label={`Move rule ${r.rule.name} down`}
                              >
                                ↓
                              </button>
                            </RowForm>
                          ) : null}
                          <RowForm intent="preview-delete" fields={{ id: r.id }}>
                            <button
                              type="submit"
                              className="rounded px-2 py-1 text-xs font-medium text-rose-700 hover:bg-rose-50"
                              disabled={busy}
                              title="Delete (preview first)"
                            >
                              Delete…
                            </button>
                          </RowForm>
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </TBody>
            </Table>
          )}
        </Card>

        {isAdmin ? <ImportCard busy={busy} /> : null}
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- the rule form

const KIND_OPTIONS: Record<OwnerKind, string> = {
  service_account: "service account",
  user: "user",
  identity_pool: "identity pool",
  resource: "resource",
};

function RuleForm({
  kind,
  id,
  values,
  serverErrors,
  busy,
  cancelHref,
}: {
  kind: "create" | "update";
  id?: number;
  values: Values;
  serverErrors: Record<string, string>;
  busy: boolean;
  cancelHref?: string;
}) {
  const schema = kind === "create" ? previewCreateRuleSchema : previewUpdateRuleSchema;
  // the same schema as the server: problems show by their fields before anything is sent
  const [form, fields] = useForm({
    id: `rule-${kind}`,
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  const meta = fields as unknown as Record<string, { errors?: string[]; errorId: string } | undefined>;
  const errorOf = (name: string) => meta[name]?.errors?.[0] ?? serverErrors[name];
  const errorId = (name: string) => `rule-${kind}-${name}-error`;
  const invalid = (name: string) => (errorOf(name) ? { "aria-invalid": true, "aria-describedby": errorId(name) } : {});
  const v = (name: string) => values[name] ?? "";
  const fieldError = (name: string) =>
    errorOf(name) ? (
      <p id={errorId(name)} className="mt-1 text-xs text-rose-700" data-testid={`field-error-${name}`}>
        {errorOf(name)}
      </p>
    ) : null;
  const text = (
    name: RuleField | "position",
    label: string,
    extra: { placeholder?: string; list?: string; mono?: boolean; hint?: string } = {},
  ) => (
    <label className="block">
      <span className={labelClass}>{label}</span>
      <input
        name={name}
        defaultValue={v(name)}
        placeholder={extra.placeholder}
        list={extra.list}
        title={extra.hint}
        {...invalid(name)}
        className={cx("mt-1", extra.mono && "font-mono", inputClass)}
      />
      {fieldError(name)}
    </label>
  );
  return (
    <Card
      title={kind === "create" ? "Create a rule" : `Edit rule ${JSON.stringify(values.name ?? "")} (id ${id})`}
      description="Every condition given must hold (leave them all empty for a catch-all). Preview shows what would move before you save."
    >
      <Form method="post" {...getFormProps(form)} className="space-y-5" data-testid={`rule-form-${kind}`}>
        <CsrfInput />
        <input type="hidden" name="intent" value={`preview-${kind}`} />
        {id !== undefined ? <input type="hidden" name="id" value={id} /> : null}
        <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
          <div className="md:col-span-2">{text("name", "Name", { placeholder: "e.g. env-abc to platform" })}</div>
          {text("org_id", "Organization", { list: "rule-orgs", placeholder: "empty = all orgs", mono: true })}
          {kind === "create" ? text("position", "Position", { placeholder: "empty = last" }) : <div />}
        </div>
        <fieldset className="rounded-md border border-slate-200 p-4">
          <legend className="px-1 text-xs font-semibold uppercase tracking-wider text-slate-500">When</legend>
          <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
            {text("owner_id", "Owner id", { placeholder: "sa-…, u-…, pool-…, lkc-…", mono: true })}
            {text("owner_id_prefix", "Owner id starts with", { placeholder: "e.g. sa-pay", mono: true })}
            <label className="block">
              <span className={labelClass}>Owner kind</span>
              <select name="owner_kind" defaultValue={v("owner_kind")} {...invalid("owner_kind")} className={`mt-1 ${inputClass}`}>
                <option value="">any</option>
                {OWNER_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_OPTIONS[k]}
                  </option>
                ))}
              </select>
              {fieldError("owner_kind")}
            </label>
            {text("product", "Product", { placeholder: "e.g. kafka", mono: true })}
            <div className="md:col-span-2">
              <span className={labelClass}>Owner name</span>
              <div className="mt-1 flex gap-2">
                <select
                  name="owner_name_op"
                  defaultValue={v("owner_name_op") || "equals"}
                  aria-label="Owner name test"
                  {...invalid("owner_name_op")}
                  className={`${inlineInput} w-48 flex-none`}
                >
                  {NAME_OPS.map((op) => (
                    <option key={op} value={op}>
                      {OP_WORDS[op]}
                    </option>
                  ))}
                </select>
                <input
                  name="owner_name_value"
                  defaultValue={v("owner_name_value")}
                  aria-label="Owner name value"
                  placeholder="display name, e.g. payments-"
                  {...invalid("owner_name_value")}
                  className={`${inlineInput} min-w-0 flex-1`}
                />
              </div>
              <label className="mt-1 flex items-center gap-2 text-xs text-slate-600">
                <input type="checkbox" name="owner_name_ci" defaultChecked={v("owner_name_ci") === "on"} /> case-insensitive
              </label>
              {fieldError("owner_name_op")}
              {fieldError("owner_name_value")}
            </div>
            {text("environment_id", "Environment", { placeholder: "env-…", mono: true })}
            {text("resource_id", "Resource", { placeholder: "lkc-…, lcc-…", mono: true })}
          </div>
        </fieldset>
        <fieldset className="rounded-md border border-slate-200 p-4">
          <legend className="px-1 text-xs font-semibold uppercase tracking-wider text-slate-500">Then</legend>
          <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
            {text("team", "Team", { list: "rule-teams", placeholder: "a team (new teams are created)" })}
            <div className="md:col-span-2">{text("split", "…or a split", { placeholder: "payments:60;search:40", mono: true })}</div>
          </div>
        </fieldset>
        <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
          <label className="block">
            <span className={labelClass}>Valid from</span>
            <input
              type="date"
              name="valid_from"
              defaultValue={v("valid_from")}
              title="Empty: since the beginning"
              {...invalid("valid_from")}
              className={`mt-1 ${inputClass}`}
            />
            {fieldError("valid_from")}
          </label>
          <label className="block">
            <span className={labelClass}>Valid to (exclusive)</span>
            <input
              type="date"
              name="valid_to"
              defaultValue={v("valid_to")}
              title="Empty: open-ended"
              {...invalid("valid_to")}
              className={`mt-1 ${inputClass}`}
            />
            {fieldError("valid_to")}
          </label>
          <div className="flex items-end gap-2 md:col-span-2">
            <button type="submit" className={buttonClass.primary} disabled={busy} data-testid={`rule-preview-${kind}`}>
              Preview
            </button>
            {cancelHref ? (
              <Link to={cancelHref} className={buttonClass.secondary}>
                Cancel
              </Link>
            ) : null}
          </div>
        </div>
        {fieldError("id")}
      </Form>
    </Card>
  );
}

function ImportCard({ busy }: { busy: boolean }) {
  const [mode, setMode] = useState("merge");
  return (
    <Card
      title="Import rules (JSON or CSV)"
      description="A rules file as exported: a JSON array, or the rules CSV, in priority order. All-or-nothing; you see a preview first."
    >
      <Form method="post" encType="multipart/form-data" className="space-y-4" data-testid="rules-import-form">
        <CsrfInput />
        <input type="hidden" name="intent" value="preview-import" />
        <input
          type="file"
          name="rules_file"
          accept=".json,.csv,application/json,text/csv"
          className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium"
        />
        <details className="text-sm">
          <summary className="cursor-pointer text-xs text-slate-500">…or paste the JSON or the CSV (with its header line)</summary>
          <textarea
            name="rules_text"
            rows={6}
            className={`mt-2 font-mono text-xs ${inputClass}`}
            placeholder={'[{ "org_id": null, … }]\n…or\nposition,org_id,name,…'}
          />
        </details>
        <fieldset className="flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" value="merge" checked={mode === "merge"} onChange={() => setMode("merge")} /> Merge
            <span className="text-xs text-slate-500">(by name: a rule of the file replaces the stored one; new rules go last)</span>
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" value="replace" checked={mode === "replace"} onChange={() => setMode("replace")} /> Replace
            <span className="text-xs text-slate-500">(the list becomes exactly the file)</span>
          </label>
        </fieldset>
        <button type="submit" className={buttonClass.primary} disabled={busy} data-testid="rules-import-preview">
          Preview import
        </button>
      </Form>
    </Card>
  );
}
