// Unmapped queue: owners with cost but no crosswalk entry in the chosen month, largest first.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { listOrgs } from "../../db/queries/orgs";
import { listTeams } from "../../db/queries/teams";
import { listUnmappedOwners } from "../../db/queries/owners";
import { CsrfInput } from "~/components/csrf";
import {
  ActionResult,
  buttonClass,
  Card,
  cx,
  EmptyState,
  FilterField,
  HeadRow,
  inlineInput,
  Money,
  PageHeader,
  smallInput,
  Stat,
  Table,
  TBody,
  td,
  tdNum,
  THead,
} from "~/components/ui";
import { OwnerLabel, useIsAdmin } from "~/components/admin/parts";
import { createCrosswalkEntry } from "~/services/crosswalk";
import { assignEntrySchema } from "~/forms/crosswalk";
import { requireMutation, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { handleInput, parseForm } from "~/lib/forms.server";
import { formatNumber } from "~/lib/format";
import { isMonth, monthRange } from "~/domain/periods";
import { listMonthsWithRows } from "../../db/queries/reconcile";
import { dec } from "~/domain/money";
import { labelOf } from "~/domain/csv/labels";
import { validFromPhrase } from "~/domain/crosswalk";

export const meta: MetaFunction = () => [{ title: "Unmapped queue · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const db = await getDb();
  const url = new URL(request.url);
  const months = await listMonthsWithRows(db, 60);
  const reqMonth = url.searchParams.get("month") ?? "";
  const month = isMonth(reqMonth) ? reqMonth : (months[0] ?? new Date().toISOString().slice(0, 7));
  const org = url.searchParams.get("org") ?? "";
  const { from, to } = monthRange(month);
  const [owners, orgs, teams] = await Promise.all([
    listUnmappedOwners(db, { from, toExclusive: to, orgId: org || undefined }),
    listOrgs(db),
    listTeams(db, { includeArchived: false }),
  ]);
  let total = dec("0");
  for (const o of owners) total = total.plus(dec(o.cost));
  return {
    owners,
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

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "finance_admin");
  const db = await getDb();
  const owner = String(form.get("owner_id") ?? "");
  return handleInput(
    async () => {
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

export default function UnmappedQueue() {
  const { owners, month, months, org, orgs, teams, total, from } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const isAdmin = useIsAdmin();
  const nav = useNavigation();
  const submittingOwner = nav.state === "submitting" ? String(nav.formData?.get("owner_id") ?? "") : "";
  return (
    <div>
      <PageHeader
        title="Unmapped queue"
        description="Owners with cost in the month and no crosswalk entry in effect. Their cost sits on the pseudo-team “unmapped” until you assign a team."
        actions={
          <Link to="/crosswalk" className={buttonClass.secondary}>
            Crosswalk
          </Link>
        }
      />
      <datalist id="queue-teams">
        {teams.map((t) => (
          <option key={t.name} value={t.name}>
            {t.costCenter ?? ""}
          </option>
        ))}
      </datalist>
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

        <Card padded={false}>
          {owners.length === 0 ? (
            <div className="p-5">
              <EmptyState title="Nothing to map">Every owner with cost in {month} has a team.</EmptyState>
            </div>
          ) : (
            <Table testId="unmapped-table">
              <THead>
                <HeadRow
                  cols={["Owner", "Organization", "Cost", "Product mix", "First / last seen", isAdmin && "Assign to team"]}
                  num={["Cost"]}
                />
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
                      <td className={td}>
                        <OwnerLabel ownerId={o.ownerId} displayName={o.displayName} />
                      </td>
                      <td className={cx(td, "font-mono text-xs")}>{o.orgId}</td>
                      <td className={cx(tdNum, "font-semibold")} data-testid="unmapped-cost">
                        <Money value={o.cost} />
                      </td>
                      <td className={td}>
                        <ProductMix products={o.products} total={o.cost} />
                      </td>
                      <td className={cx(td, "whitespace-nowrap text-xs tabular-nums text-slate-600")}>
                        {o.firstSeen}
                        {o.lastSeen !== o.firstSeen ? <> → {o.lastSeen}</> : null}
                        <div className="text-slate-400">
                          {o.granularity}, {formatNumber(String(o.rows), 0)} rows
                        </div>
                      </td>
                      {isAdmin ? (
                        <td className={td}>
                          <Form method="post" className="flex min-w-[34rem] flex-nowrap items-center gap-1.5" data-testid="assign-form">
                            <CsrfInput />
                            <input type="hidden" name="org_id" value={o.orgId} />
                            <input type="hidden" name="owner_id" value={o.ownerId} />
                            <input
                              name="team"
                              list="queue-teams"
                              required
                              placeholder="team (existing or new)"
                              aria-label={`Team for ${o.ownerId}`}
                              className={`${inlineInput} w-44`}
                            />
                            <input
                              name="cost_center"
                              placeholder="cost center (new team)"
                              aria-label={`Cost center for ${o.ownerId}`}
                              className={`${inlineInput} w-36`}
                            />
                            <input
                              type="date"
                              name="valid_from"
                              defaultValue={from}
                              required
                              aria-label={`Valid from for ${o.ownerId}`}
                              className={`${inlineInput} w-36`}
                            />
                            <button type="submit" className={buttonClass.primary} disabled={submittingOwner === o.ownerId}>
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
      </div>
    </div>
  );
}

const MIX_COLORS = ["bg-indigo-500", "bg-teal-500", "bg-amber-500", "bg-rose-500", "bg-violet-500", "bg-slate-400"];

function ProductMix({ products, total }: { products: Array<{ product: string; cost: string }>; total: string }) {
  const t = dec(total);
  const pct = (c: string) => (t.isZero() ? "0" : dec(c).div(t).times(100).toDecimalPlaces(1).toString());
  return (
    <div className="min-w-[12rem]">
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
