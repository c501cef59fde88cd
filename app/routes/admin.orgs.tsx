// Organizations: display name, unallocated policy (recomputes), reconciliation tolerance.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { listOrgSettings } from "../../db/queries/orgs";
import { listTeams } from "../../db/queries/teams";
import { createOrg, saveOrgSettings } from "~/services/orgs";
import { createOrgSchema, POLICY_FIELD_NAMES, saveOrgSchema } from "~/forms/orgs";
import { CsrfInput } from "~/components/csrf";
import { ActionResult, Badge, buttonClass, Card, EmptyState, inputClass, labelClass, PageHeader, smallInput } from "~/components/ui";
import { requireMutation, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { handleInput, parseForm } from "~/lib/forms.server";
import { POLICY_KINDS, POLICY_REGISTRY, type Policy, type PolicyKind } from "~/domain/policies";

export const meta: MetaFunction = () => [{ title: "Organizations · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "finance_admin");
  const db = await getDb();
  const [orgs, teams] = await Promise.all([listOrgSettings(db), listTeams(db, { includeArchived: false })]);
  return { orgs, teams: teams.map((t) => t.name) };
}

type ActionData = { ok: true; message: string; org?: string } | { ok: false; error: string; field?: string; org?: string };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "finance_admin");
  const db = await getDb();
  const intent = String(form.get("intent") ?? "");
  const org = String(form.get("org_id") ?? "").trim();
  return handleInput(
    async () => {
      if (intent === "create") {
        const f = parseForm(form, createOrgSchema);
        const o = await createOrg(db, user.email, f.org_id, f.display_name);
        return json<ActionData>({ ok: true, org: o.org_id, message: `Organization ${o.org_id} added.` });
      }
      if (intent === "save") {
        const f = parseForm(form, saveOrgSchema);
        const r = await saveOrgSettings(db, user.email, f.orgId, { displayName: f.displayName, policy: f.policy, tolerance: f.tolerance });
        return json<ActionData>({
          ok: true,
          org,
          message: r.recomputed
            ? `${org} saved. Policy is now “${r.org.policy}”; every period of the organization was recomputed.`
            : `${org} saved.`,
        });
      }
      return json<ActionData>({ ok: false, error: "Unknown action." }, { status: 400 });
    },
    { org },
  );
}

/** The form field of each policy kind that has parameters: its value is the text after `<kind>:`. */
const POLICY_FIELDS: Partial<Record<PolicyKind, { name: string; Field: (p: { policy: Policy; teams: string[] }) => JSX.Element }>> = {
  shared: {
    name: POLICY_FIELD_NAMES.shared!,
    Field: ({ policy, teams }) => (
      <select
        name="shared_team"
        defaultValue={policy.kind === "shared" ? policy.team : ""}
        className={`${smallInput} mt-1.5`}
        aria-label="Shared team"
      >
        {teams.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
    ),
  },
  fixed: {
    name: POLICY_FIELD_NAMES.fixed!,
    Field: ({ policy }) => (
      <input
        name="fixed_shares"
        defaultValue={policy.kind === "fixed" ? policy.shares.map((s) => `${s.team}=${s.pct}`).join(", ") : ""}
        placeholder="payments=60, search=40"
        className={`${smallInput} mt-1.5 w-full font-mono`}
        aria-label="Fixed percentages (team=percent, …, summing to 100)"
      />
    ),
  },
};

export default function AdminOrgs() {
  const { orgs, teams } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
  return (
    <div>
      <PageHeader
        title="Organizations"
        description="How each organization's unallocated amount (credits, refunds, unattributed usage) is spread, and the reconciliation tolerance."
        actions={
          <Link to="/imports/new" className={buttonClass.secondary}>
            Upload an export
          </Link>
        }
      />
      <div className="space-y-6">
        <ActionResult result={result} />
        {orgs.length === 0 ? (
          <EmptyState title="No organizations yet">Add one below, or upload an export for a new organization.</EmptyState>
        ) : (
          orgs.map((o) => <OrgCard key={o.org_id} o={o} teams={teams} busy={busy} />)
        )}
        <Card title="Add an organization">
          <Form method="post" className="grid grid-cols-1 items-end gap-3 sm:grid-cols-3" data-testid="create-org">
            <CsrfInput />
            <input type="hidden" name="intent" value="create" />
            <label>
              <span className={labelClass}>Organization id</span>
              <input name="org_id" required className={`mt-1 font-mono ${inputClass}`} placeholder="as in Confluent Cloud" />
            </label>
            <label>
              <span className={labelClass}>Display name</span>
              <input name="display_name" className={`mt-1 ${inputClass}`} />
            </label>
            <button type="submit" className={buttonClass.primary} disabled={busy}>
              Add organization
            </button>
          </Form>
        </Card>
      </div>
    </div>
  );
}

function OrgCard({ o, teams, busy }: { o: Awaited<ReturnType<typeof loader>>["orgs"][number]; teams: string[]; busy: boolean }) {
  const [kind, setKind] = useState<string>(o.policy_value.kind);
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          {o.display_name ?? o.org_id}
          {o.display_name ? <span className="font-mono text-xs font-normal text-slate-500">{o.org_id}</span> : null}
        </span>
      }
      description={`${o.imports} active import${o.imports === 1 ? "" : "s"}${o.last_bucket ? `, data to ${o.last_bucket}` : ""} · ${o.entries} crosswalk entr${o.entries === 1 ? "y" : "ies"}`}
      actions={
        <span title={o.policy_explain}>
          <Badge tone="info">policy: {o.policy}</Badge>
        </span>
      }
    >
      <Form method="post" className="grid grid-cols-1 gap-5 lg:grid-cols-4" data-testid={`org-${o.org_id}`}>
        <CsrfInput />
        <input type="hidden" name="intent" value="save" />
        <input type="hidden" name="org_id" value={o.org_id} />
        <label>
          <span className={labelClass}>Display name</span>
          <input name="display_name" defaultValue={o.display_name ?? ""} className={`mt-1 ${inputClass}`} />
        </label>
        <fieldset className="lg:col-span-2">
          <legend className={labelClass}>Unallocated policy</legend>
          <div className="mt-1 grid grid-cols-1 gap-1.5 sm:grid-cols-2">
            {POLICY_KINDS.map((v) => {
              const p = POLICY_REGISTRY[v];
              const F = POLICY_FIELDS[v]?.Field;
              return (
                <label
                  key={v}
                  className={`flex cursor-pointer items-start gap-2 rounded-md border px-3 py-2 text-sm ${kind === v ? "border-indigo-400 bg-indigo-50/50" : "border-slate-200"}`}
                >
                  <input type="radio" name="policy_kind" value={v} checked={kind === v} onChange={() => setKind(v)} className="mt-0.5" />
                  <span className="min-w-0 flex-1">
                    <span className="font-medium text-slate-900">{p.label}</span>
                    <span className="block text-xs text-slate-500">{p.hint}</span>
                    {F && kind === v ? <F policy={o.policy_value as Policy} teams={teams} /> : null}
                  </span>
                </label>
              );
            })}
          </div>
          <p className="mt-1.5 text-xs text-slate-500" data-testid="policy-explain">
            Now: {o.policy_explain}
          </p>
        </fieldset>
        <div className="space-y-3">
          <label className="block">
            <span className={labelClass}>Reconciliation tolerance (USD)</span>
            <input name="tolerance" defaultValue={o.tolerance} inputMode="decimal" className={`mt-1 tabular-nums ${inputClass}`} />
          </label>
          <button type="submit" className={`${buttonClass.primary} w-full`} disabled={busy}>
            Save
          </button>
          <p className="text-xs text-slate-500">Changing the policy recomputes every period of this organization.</p>
        </div>
      </Form>
    </Card>
  );
}
