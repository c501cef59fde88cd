/**
 * /anomalies — the flagged days of each team's daily spend (issue 16, docs/forecasting.md "Anomalies"): the
 * last 30 days of daily data by default (anchored on the data's last day, not the calendar), or
 * `?from=YYYY-MM-DD&to=YYYY-MM-DD`; each with its baseline, score and top movers. A finance admin
 * acknowledges one (audited). A team_viewer sees its visible teams only (the service filters).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { anomalyAnchor } from "~/components/dashboard/charts";
import {
  ActionResult,
  Badge,
  buttonClass,
  Card,
  cx,
  EmptyState,
  HeadRow,
  inlineInput,
  Money,
  PageHeader,
  RowForm,
  Table,
  TBody,
  td,
  tdNum,
  THead,
  TitleWith,
} from "~/components/ui";
import { addDays, isValidDate, toDayNumber } from "~/domain/periods";
import { requireMutation } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { parseFilters } from "~/lib/filters";
import { dashboardBase, timing } from "~/lib/filters.server";
import { handleInput, parseForm } from "~/lib/forms.server";
import { formatUsd } from "~/lib/format";
import { acknowledgeAnomaly, acknowledgeSchema, ANOMALY_RANGE_MAX_DAYS, listAnomalies } from "~/services/anomalies";
import { lastDailyDay } from "../../db/queries/anomalies";

export const meta: MetaFunction = () => [{ title: "Anomalies · Showback" }];

/** Days listed by default, ending on the last day of daily data. */
const DEFAULT_DAYS = 30;

/** The range asked for in the URL (`from`, `to`), within ANOMALY_RANGE_MAX_DAYS; null when absent or invalid. */
function rangeFromUrl(url: URL): { from: string; to: string } | null {
  const from = url.searchParams.get("from") ?? "";
  const to = url.searchParams.get("to") ?? "";
  if (!isValidDate(from) || !isValidDate(to) || from > to) return null;
  const min = addDays(to, -(ANOMALY_RANGE_MAX_DAYS - 1));
  return { from: from < min ? min : from, to };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const base = await dashboardBase(request);
  const { db, view } = base;
  const url = new URL(request.url);
  const orgIds = view.orgIds;
  let range = rangeFromUrl(url);
  if (!range) {
    const last = await lastDailyDay(db, orgIds);
    range = last ? { from: addDays(last, -(DEFAULT_DAYS - 1)), to: last } : null;
  }
  const anomalies = range ? await listAnomalies(db, { ...range, orgIds, visible: base.visible }) : [];
  return json(
    {
      range,
      anomalies,
      isAdmin: base.isAdmin,
      days: range ? toDayNumber(range.to) - toDayNumber(range.from) + 1 : 0,
    },
    { headers: timing(base.started) },
  );
}

type ActionData = { ok: true; message: string } | { ok: false; error: string; field?: string };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "finance_admin");
  const db = await getDb();
  const orgs = parseFilters(new URL(request.url).searchParams).org;
  return handleInput(async () => {
    const intent = String(form.get("intent") ?? "");
    if (intent !== "acknowledge") return json<ActionData>({ ok: false, error: "Unknown action." }, { status: 400 });
    const f = parseForm(form, acknowledgeSchema);
    const r = await acknowledgeAnomaly(db, user.email, { ...f, orgIds: orgs.length ? orgs : undefined });
    return json<ActionData>({
      ok: true,
      message: r.already ? `${f.team} on ${f.day} was already acknowledged.` : `Acknowledged the anomaly of ${f.team} on ${f.day}.`,
    });
  });
}

export default function Anomalies() {
  const { range, anomalies, isAdmin, days } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state === "submitting";
  const open = anomalies.filter((a) => !a.ack).length;
  return (
    <>
      <PageHeader
        title="Anomalies"
        description={
          range
            ? `Days whose spend is far from the team's trailing 28-day median (robust score ≥ 4), ${range.from} to ${range.to} (${days} days of data)`
            : "Days whose spend is far from the team's trailing 28-day median"
        }
      />
      <div className="space-y-6">
        <ActionResult result={result} />
        {anomalies.length === 0 ? (
          <EmptyState title="No anomalies">
            {range
              ? `No team's daily spend was flagged between ${range.from} and ${range.to}.`
              : "Anomalies are found in daily data: ingest a daily export to see them."}
          </EmptyState>
        ) : (
          <>
            <p className="text-sm text-slate-600" data-testid="anomaly-count">
              {anomalies.length} flagged day{anomalies.length === 1 ? "" : "s"}, {open} not acknowledged
            </p>
            {anomalies.map((a) => (
              <section
                key={`${a.team}|${a.date}`}
                id={anomalyAnchor(a.team, a.date)}
                data-testid="anomaly"
                data-team={a.team}
                data-day={a.date}
              >
                <Card
                  title={
                    <TitleWith
                      title={
                        <Link to={`/teams/${encodeURIComponent(a.team)}`} className="text-indigo-700 hover:underline">
                          {a.team}
                        </Link>
                      }
                    >
                      <span className="text-slate-700">{a.date}</span>
                      <Badge tone={a.direction === "spike" ? "danger" : "info"}>{a.direction}</Badge>
                      {a.ack ? <Badge tone="success">acknowledged</Badge> : null}
                    </TitleWith>
                  }
                  description={
                    <>
                      Cost <span data-testid="anomaly-cost">{formatUsd(a.cost)}</span> vs baseline{" "}
                      <span data-testid="anomaly-baseline">{formatUsd(a.baseline)}</span> (
                      <Money value={a.delta} signed />
                      ), score <span data-testid="anomaly-score">{a.score.toFixed(2)}</span>
                    </>
                  }
                  padded={false}
                >
                  <Table caption={`What moved for ${a.team} on ${a.date}`} testId="movers">
                    <THead>
                      <HeadRow cols={["Owner", "Metric", "Resource", "Day", "Baseline", "Delta"]} num={["Day", "Baseline", "Delta"]} />
                    </THead>
                    <TBody>
                      {a.movers.map((m) => (
                        <tr key={`${m.ownerId}|${m.metric}|${m.resourceId}`} data-testid="mover" data-owner={m.ownerId}>
                          <td className={td} title={m.ownerId}>
                            {m.displayName ? (
                              <>
                                <span className="font-medium text-slate-800">{m.displayName}</span>{" "}
                                <span className="text-xs text-slate-400">{m.ownerId}</span>
                              </>
                            ) : (
                              <span className="font-mono text-xs">{m.ownerId}</span>
                            )}
                          </td>
                          <td className={td}>{m.metric}</td>
                          <td className={cx(td, "font-mono text-xs")}>{m.resourceId || "—"}</td>
                          <td className={tdNum}>
                            <Money value={m.cost} />
                          </td>
                          <td className={tdNum}>
                            <Money value={m.baseline} />
                          </td>
                          <td className={tdNum}>
                            <Money value={m.delta} signed />
                          </td>
                        </tr>
                      ))}
                      {a.movers.length === 0 ? (
                        <tr>
                          <td className={cx(td, "text-slate-400")} colSpan={6}>
                            No single owner, metric and resource moved (the change is in the share of unallocated).
                          </td>
                        </tr>
                      ) : null}
                    </TBody>
                  </Table>
                  <div className="border-t border-slate-100 px-5 py-3 text-sm">
                    {a.ack ? (
                      <p className="text-slate-600" data-testid="anomaly-ack">
                        Acknowledged by {a.ack.by} on {a.ack.at.slice(0, 16)}
                        {a.ack.note ? <>: {a.ack.note}</> : null}
                      </p>
                    ) : isAdmin ? (
                      <RowForm
                        intent="acknowledge"
                        fields={{ team: a.team, day: a.date }}
                        className="flex items-center gap-2"
                        testId="ack-form"
                      >
                        <input
                          name="note"
                          maxLength={1000}
                          placeholder="Note (optional)"
                          aria-label={`Note on the anomaly of ${a.team} on ${a.date}`}
                          className={cx(inlineInput, "w-80")}
                        />
                        <button type="submit" className={buttonClass.secondary} disabled={busy}>
                          Acknowledge
                        </button>
                      </RowForm>
                    ) : (
                      <p className="text-slate-400">Not acknowledged yet.</p>
                    )}
                  </div>
                </Card>
              </section>
            ))}
          </>
        )}
      </div>
    </>
  );
}
