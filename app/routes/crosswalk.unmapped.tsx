// Unmapped queue: the finance admin's work list. Owners with cost in the chosen month that no
// crosswalk entry or rule covers, largest first, where their cost is, a suggested team where the
// owners around them agree (app/domain/suggestions.ts), one-click accept, bulk assign, and a
// rule per environment.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { listOrgs } from "../../db/queries/orgs";
import { listTeams } from "../../db/queries/teams";
import { listUnmappedOwners, type UnmappedOwner } from "../../db/queries/owners";
import { listMappedCost } from "../../db/queries/suggestions";
import { CsrfInput } from "~/components/csrf";
import {
  ActionResult,
  Badge,
  buttonClass,
  Card,
  cx,
  EmptyState,
  FilterField,
  HeadRow,
  inlineInput,
  linkButtonClass,
  Money,
  PageHeader,
  smallInput,
  Stat,
  Table,
  TBody,
  td,
  tdNum,
  th,
  THead,
  thNum,
} from "~/components/ui";
import { OwnerLabel, useIsAdmin, TeamOptions } from "~/components/admin/parts";
import { createCrosswalkEntry, CrosswalkConflictError, describeEntry, importCrosswalk, type ImportEntry } from "~/services/crosswalk";
import { listRules } from "~/services/mapping";
import { acceptSuggestionSchema, assignEntrySchema, bulkAssignSchema } from "~/forms/crosswalk";
import { requireMutation } from "~/lib/auth.server";
import { requireFullReader } from "~/lib/scope.server";
import { getDb } from "~/lib/db.server";
import { handleInput, InputError, parseForm } from "~/lib/forms.server";
import { formatNumber } from "~/lib/format";
import { isMonth, monthRange } from "~/domain/periods";
import { listMonthsWithRows } from "../../db/queries/reconcile";
import { dec } from "~/domain/money";
import { labelOf } from "~/domain/csv/labels";
import { validFromPhrase } from "~/domain/crosswalk";
import { createSuggester, environmentRuleName, groupByEnvironment, hasNameRule, type Suggestion } from "~/domain/suggestions";

export const meta: MetaFunction = () => [{ title: "Unmapped queue · Showback" }];

/** The owner's unmapped cost per resource (over its environments), for the suggestion. */
function resourcesOf(o: UnmappedOwner): Array<{ id: string; cost: string }> {
  const m = new Map<string, ReturnType<typeof dec>>();
  for (const e of o.environments) for (const r of e.resources) m.set(r.resourceId, (m.get(r.resourceId) ?? dec("0")).plus(dec(r.cost)));
  return [...m.entries()].map(([id, c]) => ({ id, cost: c.toFixed() }));
}

/** The create-rule page prefilled for one environment (the rules page reads these query params). */
function ruleLink(orgId: string, environmentId: string, name: string, team: string | null): string {
  const q = new URLSearchParams({ org: orgId, environment_id: environmentId, name });
  if (team) q.set("team", team);
  return `/crosswalk/rules?${q.toString()}`;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFullReader(request);
  const db = await getDb();
  const url = new URL(request.url);
  const months = await listMonthsWithRows(db, 60);
  const reqMonth = url.searchParams.get("month") ?? "";
  const month = isMonth(reqMonth) ? reqMonth : (months[0] ?? new Date().toISOString().slice(0, 7));
  const org = url.searchParams.get("org") ?? "";
  const { from, to } = monthRange(month);
  const [owners, orgs, teams, rules] = await Promise.all([
    listUnmappedOwners(db, { from, toExclusive: to, orgId: org || undefined }),
    listOrgs(db),
    listTeams(db, { includeArchived: false }),
    listRules(db),
  ]);
  const mapped = await listMappedCost(db, { from, toExclusive: to, orgIds: [...new Set(owners.map((o) => o.orgId))] });
  const suggester = createSuggester(mapped, (orgId) => hasNameRule(rules, orgId));
  let total = dec("0");
  for (const o of owners) total = total.plus(dec(o.cost));
  const envName = new Map<string, string | null>();
  for (const o of owners) for (const e of o.environments) envName.set(`${o.orgId}\u0000${e.environmentId}`, e.displayName);
  const byEnvironment = groupByEnvironment(
    owners.map((o) => ({ ...o, environments: o.environments.map((e) => ({ id: e.environmentId, cost: e.cost })) })),
  ).map((g) => {
    const displayName = envName.get(`${g.orgId}\u0000${g.environmentId}`) ?? null;
    const suggestion = suggester.forScope(g.orgId, "environment", g.environmentId);
    const team = suggestion?.team ?? null;
    return {
      ...g,
      displayName,
      suggestion: suggestion ? { team: suggestion.team, evidence: suggestion.evidence } : null,
      ruleLink: g.environmentId ? ruleLink(g.orgId, g.environmentId, environmentRuleName(g.environmentId, displayName, team), team) : null,
    };
  });
  return {
    owners: owners.map((o) => ({
      ...o,
      suggestion: suggester.forOwner({
        orgId: o.orgId,
        ownerId: o.ownerId,
        hasDisplayName: !!o.displayName,
        resources: resourcesOf(o),
        environments: o.environments.map((e) => ({ id: e.environmentId, cost: e.cost })),
      }),
    })),
    byEnvironment,
    month,
    months,
    org,
    orgs: orgs.map((o) => o.org_id),
    teams: teams.map((t) => ({ name: t.name, costCenter: t.cost_center })),
    total: total.toFixed(),
    from,
  };
}

type ActionData = { ok: true; message: string; owner: string } | { ok: false; error: string; field?: string; owner: string };

/** The bulk assign's refusal: which ticked owners already have an overlapping entry (nothing changed). */
function bulkConflictMessage(e: CrosswalkConflictError): InputError {
  const n = e.conflicts.length;
  const lines = e.conflicts
    .slice(0, 50)
    .map((c) => `${c.candidate.orgId}/${c.candidate.ownerId} overlaps existing entry ${describeEntry(c.existing)}`);
  return new InputError(
    `Nothing was assigned: ${n} of the ticked owners ${n === 1 ? "has an entry" : "have entries"} overlapping the new period. ` +
      `Untick ${n === 1 ? "it" : "them"} or pick a later valid from.\n` +
      lines.join("\n"),
    { field: "owners" },
  );
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "finance_admin");
  const db = await getDb();
  const intent = String(form.get("intent") ?? "");
  const owner = String(form.get("owner_id") ?? "");
  return handleInput(
    async () => {
      if (intent === "bulk_assign") {
        const b = parseForm(form, bulkAssignSchema);
        const entries: ImportEntry[] = b.owners.map((o) => ({
          ...o,
          team: b.team,
          validFrom: b.validFrom,
          validTo: null,
          costCenter: b.costCenter,
        }));
        let r: Awaited<ReturnType<typeof importCrosswalk>>;
        try {
          r = await importCrosswalk(db, user.email, entries, "merge");
        } catch (e) {
          if (e instanceof CrosswalkConflictError) throw bulkConflictMessage(e);
          throw e;
        }
        const n = (k: number) => `${k} owner${k === 1 ? "" : "s"}`;
        return json<ActionData>({
          ok: true,
          owner: "",
          message:
            `Mapped ${n(r.added)} to ${b.team} ${validFromPhrase(b.validFrom)}` +
            (r.unchanged ? ` (${n(r.unchanged)} already had that entry)` : "") +
            ". Reports are updated.",
        });
      }
      if (intent === "accept") {
        const e = parseForm(form, acceptSuggestionSchema);
        const id = await createCrosswalkEntry(db, user.email, e);
        return json<ActionData>({
          ok: true,
          owner,
          message: `Mapped ${e.ownerId} (${e.orgId}) to ${e.team} ${validFromPhrase(e.validFrom)} as suggested (entry #${id}). Reports are updated.`,
        });
      }
      if (intent !== "") throw new InputError(`Unknown action "${intent}".`);
      const e = parseForm(form, assignEntrySchema);
      const id = await createCrosswalkEntry(db, user.email, e);
      return json<ActionData>({
        ok: true,
        owner,
        message: `Mapped ${e.ownerId} (${e.orgId}) to ${e.team} ${validFromPhrase(e.validFrom)} (entry #${id}). Reports are updated.`,
      });
    },
    { owner },
  );
}

const BULK_FORM = "bulk-assign";

export default function UnmappedQueue() {
  const { owners, byEnvironment, month, months, org, orgs, teams, total, from } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const isAdmin = useIsAdmin();
  const nav = useNavigation();
  const submitting = nav.state === "submitting" ? nav.formData : undefined;
  const submittingOwner = submitting ? String(submitting.get("owner_id") ?? "") : "";
  const bulkSubmitting = submitting?.get("intent") === "bulk_assign";
  const toggleAll = (checked: boolean) => {
    document.querySelectorAll<HTMLInputElement>(`input[form="${BULK_FORM}"][name="owners"]`).forEach((c) => (c.checked = checked));
  };
  return (
    <div>
      <PageHeader
        title="Unmapped queue"
        description="Owners with cost in the month that no crosswalk entry or rule covers. Their cost sits on the pseudo-team “unmapped” until you assign a team or write a rule."
        actions={
          <>
            <Link to="/crosswalk" className={buttonClass.secondary}>
              Crosswalk
            </Link>
            <Link to="/crosswalk/rules" className={buttonClass.secondary}>
              Rules
            </Link>
          </>
        }
      />
      <TeamOptions id="queue-teams" teams={teams} />
      <div className="space-y-6">
        <ActionResult result={result} />
        <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
          <Card padded={false} className="md:col-span-2">
            <Form method="get" className="flex flex-wrap items-end gap-3 px-4 py-3">
              <FilterField label="Month" className="w-40">
                <select name="month" defaultValue={month} className={smallInput}>
                  {(months.includes(month) ? months : [month, ...months]).map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              </FilterField>
              <FilterField label="Organization" className="w-48">
                <select name="org" defaultValue={org} className={smallInput}>
                  <option value="">All</option>
                  {orgs.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              </FilterField>
              <button type="submit" className={buttonClass.secondary}>
                Show
              </button>
            </Form>
          </Card>
          <Stat label="Unmapped owners" value={formatNumber(String(owners.length), 0)} testId="unmapped-count" />
          <Stat label="Unmapped cost" value={<Money value={total} />} hint={month} testId="unmapped-total" />
        </div>

        {isAdmin && owners.length > 0 ? (
          <Card
            title="Assign the ticked owners"
            description="One team for every owner ticked below, in one all-or-nothing change"
            padded={false}
          >
            <Form method="post" id={BULK_FORM} className="flex flex-wrap items-center gap-2 px-4 py-3" data-testid="bulk-assign-form">
              <CsrfInput />
              <input type="hidden" name="intent" value="bulk_assign" />
              <input
                name="team"
                list="queue-teams"
                required
                placeholder="team (existing or new)"
                aria-label="Team for the ticked owners"
                className={`${inlineInput} w-48`}
              />
              <input
                name="cost_center"
                placeholder="cost center (new team)"
                aria-label="Cost center (new team)"
                className={`${inlineInput} w-40`}
              />
              <input
                type="date"
                name="valid_from"
                defaultValue={from}
                required
                aria-label="Valid from (ticked owners)"
                className={`${inlineInput} w-40`}
              />
              <button type="submit" className={buttonClass.primary} disabled={bulkSubmitting}>
                {bulkSubmitting ? "Assigning…" : "Assign ticked owners"}
              </button>
            </Form>
          </Card>
        ) : null}

        <Card padded={false}>
          {owners.length === 0 ? (
            <div className="p-5">
              <EmptyState title="Nothing to map">Every owner with cost in {month} has a team.</EmptyState>
            </div>
          ) : (
            <Table testId="unmapped-table">
              <THead>
                <tr>
                  {isAdmin ? (
                    <th scope="col" className="px-3 py-2">
                      <input type="checkbox" aria-label="Tick every owner" onChange={(e) => toggleAll(e.currentTarget.checked)} />
                    </th>
                  ) : null}
                  <HeadRowCells
                    cols={[
                      "Owner",
                      "Organization",
                      "Cost",
                      "Environments and clusters",
                      "Product mix",
                      "Suggested team",
                      isAdmin && "Assign to team",
                    ]}
                    num={["Cost"]}
                  />
                </tr>
              </THead>
              <TBody>
                {owners.map((o) => {
                  const key = `${o.orgId}/${o.ownerId}`;
                  return (
                    <tr
                      key={key}
                      data-testid={`unmapped-${o.ownerId}`}
                      className={cx(result && !result.ok && result.owner === o.ownerId && "bg-rose-50/50")}
                    >
                      {isAdmin ? (
                        <td className={td}>
                          <input
                            type="checkbox"
                            name="owners"
                            form={BULK_FORM}
                            value={JSON.stringify([o.orgId, o.ownerId])}
                            aria-label={`Tick ${o.ownerId}`}
                          />
                        </td>
                      ) : null}
                      <td className={td}>
                        <OwnerLabel ownerId={o.ownerId} displayName={o.displayName} />
                        <div className="mt-1 whitespace-nowrap text-xs tabular-nums text-slate-500" title="first / last seen">
                          {o.firstSeen}
                          {o.lastSeen !== o.firstSeen ? <> → {o.lastSeen}</> : null}
                        </div>
                        <div className="whitespace-nowrap text-xs text-slate-400">
                          {o.granularity}, {formatNumber(String(o.rows), 0)} rows
                        </div>
                      </td>
                      <td className={cx(td, "font-mono text-xs")}>{o.orgId}</td>
                      <td className={cx(tdNum, "font-semibold")} data-testid="unmapped-cost">
                        <Money value={o.cost} />
                      </td>
                      <td className={td}>
                        <Where environments={o.environments} />
                      </td>
                      <td className={td}>
                        <ProductMix products={o.products} total={o.cost} />
                      </td>
                      <td className={td}>
                        <SuggestionCell
                          suggestion={o.suggestion}
                          orgId={o.orgId}
                          ownerId={o.ownerId}
                          from={from}
                          isAdmin={isAdmin}
                          busy={submittingOwner === o.ownerId}
                        />
                      </td>
                      {isAdmin ? (
                        <td className={td}>
                          <Form method="post" className="grid w-[16rem] grid-cols-[1fr_9.5rem] gap-1.5" data-testid="assign-form">
                            <CsrfInput />
                            <input type="hidden" name="org_id" value={o.orgId} />
                            <input type="hidden" name="owner_id" value={o.ownerId} />
                            <input
                              name="team"
                              list="queue-teams"
                              required
                              placeholder="team (existing or new)"
                              aria-label={`Team for ${o.ownerId}`}
                              className={`${inlineInput} col-span-2 w-full`}
                            />
                            <input
                              name="cost_center"
                              placeholder="cost center"
                              aria-label={`Cost center for ${o.ownerId}`}
                              className={`${inlineInput} w-full`}
                            />
                            <input
                              type="date"
                              name="valid_from"
                              defaultValue={from}
                              required
                              aria-label={`Valid from for ${o.ownerId}`}
                              className={`${inlineInput} w-full`}
                            />
                            <button
                              type="submit"
                              className={cx(buttonClass.primary, "col-span-2")}
                              disabled={submittingOwner === o.ownerId}
                            >
                              {submittingOwner === o.ownerId ? "Assigning…" : "Assign"}
                            </button>
                          </Form>
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </TBody>
            </Table>
          )}
        </Card>

        {byEnvironment.length > 0 ? (
          <Card
            title="By environment"
            description="Unmapped cost per environment. One rule on an environment maps every owner there that no entry covers."
            padded={false}
          >
            <Table caption="Unmapped cost per environment" testId="unmapped-by-environment">
              <THead>
                <HeadRow
                  cols={["Environment", "Organization", "Unmapped cost", "Owners", "Suggested team", isAdmin && "Rule"]}
                  num={["Unmapped cost"]}
                />
              </THead>
              <TBody>
                {byEnvironment.map((g) => (
                  <tr key={`${g.orgId}/${g.environmentId}`} data-testid={`env-group-${g.environmentId || "org-level"}`}>
                    <td className={td}>
                      {g.environmentId ? (
                        <OwnerLabel ownerId={g.environmentId} displayName={g.displayName} />
                      ) : (
                        <span className="text-slate-400">org-level (no environment)</span>
                      )}
                    </td>
                    <td className={cx(td, "font-mono text-xs")}>{g.orgId}</td>
                    <td className={cx(tdNum, "font-semibold")}>
                      <Money value={g.cost} />
                    </td>
                    <td className={cx(td, "text-xs")}>
                      {formatNumber(String(g.owners.length), 0)}
                      <span className="ml-1 font-mono text-slate-400">
                        {g.owners.slice(0, 4).join(", ")}
                        {g.owners.length > 4 ? ` +${g.owners.length - 4} more` : ""}
                      </span>
                    </td>
                    <td className={td}>
                      {g.suggestion ? (
                        <span className="flex flex-col">
                          <span className="font-medium text-slate-900">{g.suggestion.team}</span>
                          <span className="text-xs text-slate-500">{g.suggestion.evidence}</span>
                        </span>
                      ) : (
                        <span className="text-slate-400">—</span>
                      )}
                    </td>
                    {isAdmin ? (
                      <td className={td}>
                        {g.ruleLink ? (
                          <Link to={g.ruleLink} className={linkButtonClass} data-testid="env-rule-link">
                            Create a rule for this environment
                          </Link>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </TBody>
            </Table>
          </Card>
        ) : null}
      </div>
    </div>
  );
}

/** HeadRow's cells without its <tr> (the queue's header starts with the tick-all box). */
function HeadRowCells({ cols, num }: { cols: Array<string | false | null>; num: string[] }) {
  return (
    <>
      {cols.map((c) =>
        c ? (
          <th key={c} scope="col" className={num.includes(c) ? thNum : th}>
            {c}
          </th>
        ) : null,
      )}
    </>
  );
}

/** The owner's unmapped cost per environment, and per resource (cluster, connector…) in it. */
function Where({ environments }: { environments: UnmappedOwner["environments"] }) {
  return (
    <ul className="min-w-[11rem] space-y-1 text-xs" data-testid="owner-where">
      {environments.map((e) => (
        <li key={e.environmentId}>
          <div className="flex items-baseline justify-between gap-3">
            <span>
              {e.environmentId ? (
                <>
                  <span className="font-mono text-slate-800">{e.environmentId}</span>
                  {e.displayName ? <span className="ml-1 text-slate-500">{e.displayName}</span> : null}
                </>
              ) : (
                <span className="text-slate-400">org-level</span>
              )}
            </span>
            <Money value={e.cost} className="text-slate-600" />
          </div>
          {e.resources.some((r) => r.resourceId) ? (
            <ul className="ml-3 text-slate-500">
              {e.resources
                .filter((r) => r.resourceId)
                .map((r) => (
                  <li key={r.resourceId} className="flex items-baseline justify-between gap-3">
                    <span>
                      <span className="font-mono">{r.resourceId}</span>
                      {r.displayName ? <span className="ml-1">{r.displayName}</span> : null}
                    </span>
                    <Money value={r.cost} />
                  </li>
                ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function SuggestionCell({
  suggestion,
  orgId,
  ownerId,
  from,
  isAdmin,
  busy,
}: {
  suggestion: Suggestion | null;
  orgId: string;
  ownerId: string;
  from: string;
  isAdmin: boolean;
  busy: boolean;
}) {
  if (!suggestion) return <span className="text-slate-400">—</span>;
  if (suggestion.kind === "hint")
    return (
      <span className="block max-w-[16rem] text-xs text-amber-800" data-testid="name-hint">
        {suggestion.evidence}
      </span>
    );
  return (
    <div className="flex max-w-[18rem] flex-col gap-1" data-testid="suggestion">
      <span className="flex items-center gap-2">
        <Badge tone="info">{suggestion.team}</Badge>
        {isAdmin ? (
          <Form method="post" data-testid="accept-form">
            <CsrfInput />
            <input type="hidden" name="intent" value="accept" />
            <input type="hidden" name="org_id" value={orgId} />
            <input type="hidden" name="owner_id" value={ownerId} />
            <input type="hidden" name="team" value={suggestion.team} />
            <input type="hidden" name="valid_from" value={from} />
            <input type="hidden" name="note" value={`suggested: ${suggestion.evidence}`} />
            <button
              type="submit"
              className={linkButtonClass}
              disabled={busy}
              aria-label={`Accept ${suggestion.team} for ${ownerId}`}
              title={`Map ${ownerId} to ${suggestion.team} from ${from}`}
            >
              Accept
            </button>
          </Form>
        ) : null}
      </span>
      <span className="text-xs text-slate-500" data-testid="suggestion-evidence">
        {suggestion.evidence}
      </span>
    </div>
  );
}

const MIX_COLORS = ["bg-indigo-500", "bg-teal-500", "bg-amber-500", "bg-rose-500", "bg-violet-500", "bg-slate-400"];

function ProductMix({ products, total }: { products: Array<{ product: string; cost: string }>; total: string }) {
  const t = dec(total);
  const pct = (c: string) => (t.isZero() ? "0" : dec(c).div(t).times(100).toDecimalPlaces(1).toString());
  return (
    <div className="min-w-[9rem]">
      <div className="flex h-1.5 w-full overflow-hidden rounded bg-slate-100">
        {products.map((p, i) => {
          const w = pct(p.cost);
          return dec(w).gt(0) ? <div key={p.product} className={MIX_COLORS[i % MIX_COLORS.length]} style={{ width: `${w}%` }} /> : null;
        })}
      </div>
      <div className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-slate-600">
        {products.slice(0, 4).map((p, i) => (
          <span key={p.product} className="inline-flex items-center gap-1">
            <span className={cx("h-2 w-2 rounded-sm", MIX_COLORS[i % MIX_COLORS.length])} />
            {labelOf(p.product)} <span className="tabular-nums text-slate-400">{pct(p.cost)}%</span>
          </span>
        ))}
        {products.length > 4 ? <span className="text-slate-400">+{products.length - 4} more</span> : null}
      </div>
    </div>
  );
}
