// Alerts (issue 16, docs/alerts.md): subscribe to a team's or a cost center's budget and anomaly
// alerts. Everyone signed in subscribes their own email to what they may see (a team viewer: its
// teams); finance admins also add other addresses and webhooks, see every subscription and the
// delivery log. Every change goes through app/services/alerts.ts (audited).
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  ActionResult,
  Badge,
  buttonClass,
  Card,
  cx,
  EmptyState,
  HeadRow,
  inputClass,
  PageHeader,
  RowForm,
  Table,
  TBody,
  td,
  THead,
} from "~/components/ui";
import { CsrfInput } from "~/components/csrf";
import { subscribeSchema, unsubscribeSchema } from "~/forms/alerts";
import { hasRole, requireMutation } from "~/lib/auth.server";
import { handleInput, InputError, parseForm } from "~/lib/forms.server";
import { requireScopedReader } from "~/lib/scope.server";
import { listSubscriptions, subscribe, unsubscribe } from "~/services/alerts";
import { listAlertDeliveries } from "../../db/queries/alerts";
import { listCostCenters } from "../../db/queries/cost-centers";
import { listTeams } from "../../db/queries/teams";

export const meta: MetaFunction = () => [{ title: "Alerts · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, db, visible } = await requireScopedReader(request);
  const admin = hasRole(user, "finance_admin");
  const all = await listSubscriptions(db);
  // a person sees their own email subscriptions; a finance admin every one
  const subs = admin ? all : all.filter((s) => s.channel === "email" && s.target === user.email);
  const teams = (await listTeams(db)).map((t) => t.name).filter((t) => visible === null || visible.includes(t));
  const costCenters = visible === null ? (await listCostCenters(db)).map((c) => c.code) : [];
  const deliveries = admin
    ? (await listAlertDeliveries(db, { limit: 50 })).map((d) => ({
        id: d.id,
        event: d.event_key,
        kind: d.kind,
        name: d.name,
        channel: d.channel,
        status: d.status,
        attempts: d.attempts,
        at: d.sent_at ?? d.last_attempt_at ?? d.created_at,
        error: d.last_error,
      }))
    : [];
  return json({ admin, email: user.email, subs, teams, costCenters, deliveries });
}

type ActionData = { ok: true; message: string } | { ok: false; error: string; field?: string };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "team_viewer");
  const { db, visible } = await requireScopedReader(request);
  const admin = hasRole(user, "finance_admin");
  const intent = String(form.get("intent") ?? "");
  return handleInput(async () => {
    if (intent === "subscribe") {
      const f = parseForm(form, subscribeSchema);
      if (!admin && f.channel === "webhook") throw new InputError("Only finance admins add webhooks.", { field: "channel" });
      if (!admin && f.target && f.target.toLowerCase() !== user.email) {
        throw new InputError("You can subscribe your own email address only.", { field: "target" });
      }
      if (visible !== null && (f.scope !== "team" || !visible.includes(f.name))) {
        throw new InputError(`No team “${f.name}” in your scope.`, { field: "name" });
      }
      const target = f.channel === "email" ? f.target || user.email : f.target;
      const { subscription, secret } = await subscribe(db, user.email, {
        team: f.scope === "team" ? f.name : undefined,
        costCenter: f.scope === "cost_center" ? f.name : undefined,
        email: f.channel === "email" ? target : undefined,
        webhook: f.channel === "webhook" ? target : undefined,
        format: f.channel === "webhook" ? (f.format ?? "slack") : undefined,
      });
      const what = `${subscription.scope === "team" ? "team" : "cost center"} ${subscription.name}`;
      return json<ActionData>({
        ok: true,
        message: secret
          ? `Subscribed ${subscription.target} to ${what}. Signing secret (shown once, keep it with the receiver): ${secret}`
          : `Subscribed ${subscription.target} to ${what}.`,
      });
    }
    if (intent === "unsubscribe") {
      const f = parseForm(form, unsubscribeSchema);
      const own = (await listSubscriptions(db)).find((s) => s.id === f.id);
      if (!own || (!admin && !(own.channel === "email" && own.target === user.email))) {
        return json<ActionData>({ ok: false, error: "You have no subscription with this id." }, { status: 404 });
      }
      const s = await unsubscribe(db, user.email, f.id);
      return json<ActionData>({ ok: true, message: `Unsubscribed ${s.target} from ${s.name}.` });
    }
    return json<ActionData>({ ok: false, error: "Unknown action." }, { status: 400 });
  });
}

const STATUS_TONES = { sent: "success", pending: "info", sending: "info", failed: "warning", dead: "danger" } as const;

export default function Alerts() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state === "submitting";
  return (
    <div>
      <PageHeader
        title="Alerts"
        description="Budget thresholds (80 % and 100 % of the budget, by forecast or by spend) and new anomalies of a team or a cost center, sent after every ingest, once per event."
      />
      <div className="space-y-6">
        <ActionResult result={result} />
        <Card
          title="Subscribe"
          description={d.admin ? "An email address or a webhook (Slack-compatible, or JSON signed with HMAC)." : `Alerts go to ${d.email}.`}
        >
          <Form method="post" className="grid grid-cols-1 gap-3 sm:grid-cols-4" data-testid="alert-subscribe">
            <CsrfInput />
            <input type="hidden" name="intent" value="subscribe" />
            <label className="text-xs font-medium uppercase tracking-wide text-slate-500">
              For
              <select name="scope" className={`mt-1 ${inputClass}`} defaultValue="team">
                <option value="team">team</option>
                {d.costCenters.length ? <option value="cost_center">cost center</option> : null}
              </select>
            </label>
            <label className="text-xs font-medium uppercase tracking-wide text-slate-500">
              Name
              <input name="name" required list="alert-names" className={`mt-1 ${inputClass}`} />
              <datalist id="alert-names">
                {[...d.teams, ...d.costCenters].map((n) => (
                  <option key={n} value={n} />
                ))}
              </datalist>
            </label>
            <label className="text-xs font-medium uppercase tracking-wide text-slate-500">
              By
              <select name="channel" className={`mt-1 ${inputClass}`} defaultValue="email">
                <option value="email">email</option>
                {d.admin ? <option value="webhook">webhook</option> : null}
              </select>
            </label>
            {d.admin ? (
              <label className="text-xs font-medium uppercase tracking-wide text-slate-500">
                Address or URL
                <input name="target" placeholder={d.email} className={`mt-1 ${inputClass}`} />
              </label>
            ) : null}
            {d.admin ? (
              <label className="text-xs font-medium uppercase tracking-wide text-slate-500">
                Webhook body
                <select name="format" className={`mt-1 ${inputClass}`} defaultValue="slack">
                  <option value="slack">Slack-compatible</option>
                  <option value="json">JSON, signed</option>
                </select>
              </label>
            ) : null}
            <div className="flex items-end">
              <button type="submit" className={buttonClass.primary} disabled={busy}>
                Subscribe
              </button>
            </div>
          </Form>
        </Card>
        <Card title={d.admin ? "Subscriptions" : "Your subscriptions"} padded={false}>
          {d.subs.length === 0 ? (
            <div className="p-5">
              <EmptyState title="No subscriptions">Subscribe above to get a team’s alerts.</EmptyState>
            </div>
          ) : (
            <Table testId="alert-subscriptions">
              <THead>
                <HeadRow cols={["For", "By", "To", "Since", ""]} />
              </THead>
              <TBody>
                {d.subs.map((s) => (
                  <tr key={s.id} data-testid="alert-subscription">
                    <td className={td}>
                      {s.name} {s.scope === "cost_center" ? <span className="text-xs text-slate-400">cost center</span> : null}
                    </td>
                    <td className={td}>{s.channel === "webhook" ? `webhook (${s.format})` : "email"}</td>
                    <td className={cx(td, "font-mono text-xs")}>{s.target}</td>
                    <td className={cx(td, "whitespace-nowrap text-slate-500")}>{s.created_at.slice(0, 10)}</td>
                    <td className={td}>
                      <RowForm intent="unsubscribe" fields={{ id: s.id }} confirmText="Unsubscribe?">
                        <button type="submit" className={buttonClass.danger} disabled={busy}>
                          Unsubscribe
                        </button>
                      </RowForm>
                    </td>
                  </tr>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
        {d.admin ? (
          <Card title="Recent deliveries" description="Retried at 1 min, 5 min, 30 min and 2 h, then given up (dead)." padded={false}>
            {d.deliveries.length === 0 ? (
              <div className="p-5">
                <EmptyState title="Nothing sent yet">Deliveries appear here after an ingest or `npm run alerts -- evaluate`.</EmptyState>
              </div>
            ) : (
              <Table testId="alert-deliveries">
                <THead>
                  <HeadRow cols={["Event", "For", "By", "Status", "Attempts", "When", "Error"]} />
                </THead>
                <TBody>
                  {d.deliveries.map((x) => (
                    <tr key={x.id} data-testid="alert-delivery">
                      <td className={cx(td, "font-mono text-xs")}>{x.event}</td>
                      <td className={td}>{x.name}</td>
                      <td className={td}>{x.channel}</td>
                      <td className={td}>
                        <Badge tone={STATUS_TONES[x.status as keyof typeof STATUS_TONES] ?? "neutral"}>{x.status}</Badge>
                      </td>
                      <td className={td}>{x.attempts}</td>
                      <td className={cx(td, "whitespace-nowrap text-xs text-slate-500")}>{x.at?.slice(0, 16).replace("T", " ")}</td>
                      <td className={cx(td, "max-w-xs truncate text-xs text-rose-700")} title={x.error ?? ""}>
                        {x.error}
                      </td>
                    </tr>
                  ))}
                </TBody>
              </Table>
            )}
          </Card>
        ) : null}
      </div>
    </div>
  );
}
