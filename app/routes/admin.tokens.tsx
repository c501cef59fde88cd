// Finance admins issue, list and revoke API tokens for the read API (docs/api.md, docs/auth.md "API tokens").
// The token is shown once, in the answer to the create action; only its hash is stored.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { listApiTokens } from "../../db/queries/api-tokens";
import { listUsers } from "../../db/queries/users";
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
  PageHeader,
  RowForm,
  Table,
  TBody,
  td,
  THead,
} from "~/components/ui";
import { requireMutation, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { handleInput, parseForm } from "~/lib/forms.server";
import { describeScope } from "~/domain/scope";
import { createApiToken, DEFAULT_EXPIRES_DAYS, MAX_EXPIRES_DAYS, revokeApiToken } from "~/services/api-tokens";

export const meta: MetaFunction = () => [{ title: "API tokens · Showback" }];

// one schema per intent; the service validates the values (same messages as `npm run tokens`)
const typed = z.string().default("");
const intents = {
  create: z.object({
    intent: z.literal("create"),
    kind: z.enum(["user", "client"]).default("user"),
    user: typed,
    client: typed,
    role: typed,
    teams: typed,
    cost_centers: typed,
    name: typed,
    expires_days: typed,
  }),
  revoke: z.object({ intent: z.literal("revoke"), id: typed }),
} as const;
const isIntent = (s: string): s is keyof typeof intents => Object.hasOwn(intents, s);

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "finance_admin");
  const db = await getDb();
  const [tokens, users] = await Promise.all([listApiTokens(db), listUsers(db)]);
  return {
    tokens: tokens.map((t) => ({
      id: t.id,
      name: t.name,
      hint: t.hint,
      principal: t.user_email ?? `client:${t.client_name}`,
      role: t.role,
      scope: t.role === "team_viewer" ? describeScope({ teams: t.scope_teams, costCenters: t.scope_cost_centers }) : null,
      status: t.revoked_at ? "revoked" : t.expired ? "expired" : t.user_disabled ? "user disabled" : "active",
      createdBy: t.created_by,
      expiresAt: t.expires_at.slice(0, 16),
      lastUsedAt: t.last_used_at ? t.last_used_at.slice(0, 16) : null,
    })),
    users: users.filter((u) => !u.disabled).map((u) => u.email),
    defaultDays: DEFAULT_EXPIRES_DAYS,
    maxDays: MAX_EXPIRES_DAYS,
  };
}

type ActionData = { ok: true; message: string; token?: string } | { ok: false; error: string; field?: string; intent: string };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "finance_admin");
  const db = await getDb();
  const intent = String(form.get("intent") ?? "");
  if (!isIntent(intent)) return json<ActionData>({ ok: false, error: "Unknown action.", intent }, { status: 400 });
  return handleInput(
    async () => {
      if (intent === "create") {
        const f = parseForm(form, intents.create);
        const { token, row } = await createApiToken(db, user.email, {
          name: f.name,
          user: f.kind === "user" ? f.user : undefined,
          client: f.kind === "client" ? f.client : undefined,
          role: f.kind === "client" ? f.role : undefined,
          teams: f.kind === "client" ? f.teams : undefined,
          costCenters: f.kind === "client" ? f.cost_centers : undefined,
          expiresDays: f.expires_days || undefined,
        });
        return json<ActionData>(
          { ok: true, message: `Token ${row.id} "${row.name}" issued. Copy it now: it is shown only once.`, token },
          { headers: { "Cache-Control": "no-store" } },
        );
      }
      const f = parseForm(form, intents.revoke);
      const { row, already } = await revokeApiToken(db, user.email, f.id);
      return json<ActionData>({
        ok: true,
        message: already ? `Token ${row.id} was already revoked.` : `Token ${row.id} "${row.name}" revoked.`,
      });
    },
    { intent },
  );
}

const tone = (s: string) => (s === "active" ? "success" : s === "revoked" ? "danger" : "warning");

export default function AdminTokens() {
  const { tokens, users, defaultDays, maxDays } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state === "submitting";
  return (
    <div>
      <PageHeader
        title="API tokens"
        description="Read-only bearer tokens for the /api/v1 endpoints (Grafana, spreadsheets, scripts). A user's token can read what the user's role allows at each request; a service client's token has its own role."
      />
      <div className="space-y-6">
        <ActionResult result={result} />
        {result?.ok && result.token ? (
          <Alert tone="success">
            <span className="block text-sm">New token (shown once):</span>
            <code data-testid="new-token" className="mt-1 block select-all break-all font-mono text-sm">
              {result.token}
            </code>
          </Alert>
        ) : null}

        <Card title="Issue a token">
          <Form method="post" className="grid grid-cols-1 items-end gap-4 md:grid-cols-6" data-testid="create-token-form">
            <CsrfInput />
            <input type="hidden" name="intent" value="create" />
            <div>
              <label htmlFor="token-kind" className={labelClass}>
                For
              </label>
              <select id="token-kind" name="kind" defaultValue="user" className={`mt-1 ${inputClass}`}>
                <option value="user">A user</option>
                <option value="client">A service client</option>
              </select>
            </div>
            <div>
              <label htmlFor="token-user" className={labelClass}>
                User (for a user)
              </label>
              <select id="token-user" name="user" defaultValue="" className={`mt-1 ${inputClass}`}>
                <option value="">—</option>
                {users.map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor="token-client" className={labelClass}>
                Client name and role
              </label>
              <div className="mt-1 flex gap-2">
                <input id="token-client" name="client" placeholder="grafana" className={inputClass} />
                <select name="role" aria-label="Role of the client" defaultValue="viewer" className={inputClass}>
                  <option value="team_viewer">Team viewer (scoped)</option>
                  <option value="viewer">Viewer</option>
                  <option value="finance_admin">Finance admin</option>
                </select>
              </div>
              <div className="mt-2 flex gap-2">
                <input name="teams" placeholder="teams (team viewer)" aria-label="Teams of the client" className={inputClass} />
                <input name="cost_centers" placeholder="cost centers" aria-label="Cost centers of the client" className={inputClass} />
              </div>
            </div>
            <div>
              <label htmlFor="token-name" className={labelClass}>
                Name
              </label>
              <input id="token-name" name="name" required placeholder="what it is for" className={`mt-1 ${inputClass}`} />
            </div>
            <div>
              <label htmlFor="token-days" className={labelClass}>
                Expires in (days)
              </label>
              <input
                id="token-days"
                name="expires_days"
                type="number"
                min={1}
                max={maxDays}
                defaultValue={defaultDays}
                className={`mt-1 ${inputClass}`}
              />
            </div>
            <div>
              <button type="submit" className={buttonClass.primary} disabled={busy}>
                Issue token
              </button>
            </div>
          </Form>
        </Card>

        <Card title="Tokens" description={`${tokens.length} token${tokens.length === 1 ? "" : "s"}`} padded={false}>
          {tokens.length === 0 ? (
            <div className="p-5">
              <EmptyState title="No tokens yet">Issue one above, or with `npm run tokens -- create`.</EmptyState>
            </div>
          ) : (
            <Table>
              <THead>
                <HeadRow cols={["Id", "Name", "Token", "For", "Role", "Status", "Expires", "Last used", "Actions"]} num={["Actions"]} />
              </THead>
              <TBody>
                {tokens.map((t) => (
                  <tr key={t.id} data-testid={`token-${t.id}`}>
                    <td className={cx(td, "tabular-nums")}>{t.id}</td>
                    <td className={cx(td, "font-medium text-slate-900")}>{t.name}</td>
                    <td className={cx(td, "font-mono text-xs")}>{t.hint}…</td>
                    <td className={td}>{t.principal}</td>
                    <td className={td}>
                      {t.role === "finance_admin"
                        ? "Finance admin"
                        : t.role === "team_viewer"
                          ? `Team viewer${t.scope ? ` (${t.scope})` : ""}`
                          : "Viewer"}
                    </td>
                    <td className={td}>
                      <Badge tone={tone(t.status)}>{t.status}</Badge>
                    </td>
                    <td className={cx(td, "whitespace-nowrap tabular-nums text-slate-500")}>{t.expiresAt}</td>
                    <td className={cx(td, "whitespace-nowrap tabular-nums text-slate-500")}>{t.lastUsedAt ?? "never"}</td>
                    <td className={td}>
                      <div className="flex justify-end">
                        {t.status === "revoked" ? null : (
                          <RowForm intent="revoke" fields={{ id: t.id }} confirmText={`Revoke token ${t.id} "${t.name}"?`}>
                            <button type="submit" className={buttonClass.danger} disabled={busy}>
                              Revoke
                            </button>
                          </RowForm>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
      </div>
    </div>
  );
}
