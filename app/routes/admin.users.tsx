// Finance admins manage accounts: add, disable/enable, set role and a team viewer's scope, reset password.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { listUsers } from "../../db/queries/users";
import { CsrfInput } from "~/components/csrf";
import {
  ActionResult,
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
import { getDb, getEnv } from "~/lib/db.server";
import { handleInput, parseForm } from "~/lib/forms.server";
import { isUserIntent, userIntents } from "~/forms/users";
import { PASSWORD_MIN } from "~/services/password";
import { addUser, resetPassword, setDisabled, setRole, setScope } from "~/services/users";
import { describeScope } from "~/domain/scope";

export const meta: MetaFunction = () => [{ title: "Users · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const me = await requireRole(request, "finance_admin");
  const db = await getDb();
  const env = await getEnv();
  return { users: await listUsers(db), me: me.email, authMode: env.SHOWBACK_AUTH, passwordMin: PASSWORD_MIN };
}

type ActionData = { ok: true; message: string } | { ok: false; error: string; field?: string; intent: string };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "finance_admin");
  const db = await getDb();
  const intent = String(form.get("intent") ?? "");
  if (!isUserIntent(intent)) return json<ActionData>({ ok: false, error: "Unknown action.", intent }, { status: 400 });
  return handleInput(
    async () => {
      switch (intent) {
        case "add": {
          const f = parseForm(form, userIntents.add);
          const env = await getEnv();
          // Password mode: an account without a password could never sign in; refused here, not only in the browser.
          const u = await addUser(
            db,
            user.email,
            {
              email: f.email,
              role: f.role,
              password: f.password !== "" ? f.password : undefined,
              teams: f.teams,
              costCenters: f.cost_centers,
            },
            { requirePassword: env.SHOWBACK_AUTH === "password" },
          );
          return json<ActionData>({ ok: true, message: `Added ${u.email}.` });
        }
        case "disable":
        case "enable": {
          const f = parseForm(form, userIntents[intent]);
          const u = await setDisabled(db, user.email, f.email, intent === "disable");
          return json<ActionData>({ ok: true, message: `${u.email} is ${u.disabled ? "disabled" : "enabled"}.` });
        }
        case "set-role": {
          const f = parseForm(form, userIntents["set-role"]);
          const u = await setRole(db, user.email, f.email, f.role, { teams: f.teams, costCenters: f.cost_centers });
          return json<ActionData>({ ok: true, message: `${u.email} is now ${roleArticle(u.role)}${scopeSuffix(u)}.` });
        }
        case "set-scope": {
          const f = parseForm(form, userIntents["set-scope"]);
          const u = await setScope(db, user.email, f.email, { teams: f.teams, costCenters: f.cost_centers });
          return json<ActionData>({ ok: true, message: `${u.email} now sees${scopeSuffix(u).replace(/^:/, "")}.` });
        }
        case "reset-password": {
          const f = parseForm(form, userIntents["reset-password"]);
          const u = await resetPassword(db, user.email, f.email, f.password);
          return json<ActionData>({ ok: true, message: `Password of ${u.email} was reset.` });
        }
      }
    },
    { intent },
  );
}

const roleName = (r: string) => (r === "finance_admin" ? "Finance admin" : r === "team_viewer" ? "Team viewer" : "Viewer");
const roleArticle = (r: string) => (r === "finance_admin" ? "a finance admin" : r === "team_viewer" ? "a team viewer" : "a viewer");
const scopeSuffix = (u: { role: string; scope_teams: string[]; scope_cost_centers: string[] }) =>
  u.role === "team_viewer" ? `: ${describeScope({ teams: u.scope_teams, costCenters: u.scope_cost_centers })}` : "";

function RoleOptions() {
  return (
    <>
      <option value="team_viewer">Team viewer (scoped)</option>
      <option value="viewer">Viewer</option>
      <option value="finance_admin">Finance admin</option>
    </>
  );
}

const smallInput = "w-32 rounded-md border-slate-300 py-1 text-sm";

export default function AdminUsers() {
  const { users, me, authMode, passwordMin } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const nav = useNavigation();
  const busy = nav.state === "submitting";
  return (
    <div>
      <PageHeader
        title="Users"
        description={
          authMode === "header"
            ? "Sign-in is delegated to the authenticating proxy: users listed here (and not disabled) get their role."
            : "Accounts that can sign in to Showback. Finance admins can ingest, edit the crosswalk and manage users."
        }
      />
      <div className="space-y-6">
        <ActionResult result={result} />

        <Card title="Add a user">
          <Form method="post" className="grid grid-cols-1 items-end gap-4 md:grid-cols-3" data-testid="add-user-form">
            <CsrfInput />
            <input type="hidden" name="intent" value="add" />
            <div>
              <label htmlFor="new-email" className={labelClass}>
                Email
              </label>
              <input id="new-email" name="email" type="email" required className={`mt-1 ${inputClass}`} />
            </div>
            <div>
              <label htmlFor="new-role" className={labelClass}>
                Role
              </label>
              <select id="new-role" name="role" defaultValue="viewer" className={`mt-1 ${inputClass}`}>
                <RoleOptions />
              </select>
            </div>
            <div>
              <label htmlFor="new-teams" className={labelClass}>
                Teams (team viewer)
              </label>
              <input id="new-teams" name="teams" placeholder="payments, search" className={`mt-1 ${inputClass}`} />
            </div>
            <div>
              <label htmlFor="new-cost-centers" className={labelClass}>
                Cost centers (team viewer)
              </label>
              <input id="new-cost-centers" name="cost_centers" placeholder="CC-1" className={`mt-1 ${inputClass}`} />
            </div>
            <div>
              <label htmlFor="new-password" className={labelClass}>
                Password {authMode === "header" ? "(optional)" : ""}
              </label>
              <input
                id="new-password"
                name="password"
                type="password"
                autoComplete="new-password"
                minLength={passwordMin}
                required={authMode !== "header"}
                className={`mt-1 ${inputClass}`}
              />
            </div>
            <div>
              <button type="submit" className={buttonClass.primary} disabled={busy}>
                Add user
              </button>
            </div>
          </Form>
          <p className="mt-2 text-xs text-slate-500">
            Passwords need at least {passwordMin} characters. A team viewer sees only the teams named and the teams of the cost centers
            named (comma-separated); every other team is one line, “other teams”.
          </p>
        </Card>

        <Card title="Accounts" description={`${users.length} user${users.length === 1 ? "" : "s"}`} padded={false}>
          {users.length === 0 ? (
            <div className="p-5">
              <EmptyState title="No users yet">Add the first account above, or with `npm run users -- add`.</EmptyState>
            </div>
          ) : (
            <Table>
              <THead>
                <HeadRow cols={["Email", "Role", "Scope", "Status", "Created", "Actions"]} num={["Actions"]} />
              </THead>
              <TBody>
                {users.map((u) => (
                  <tr key={u.id} data-testid={`user-${u.email}`}>
                    <td className={cx(td, "font-medium text-slate-900")}>
                      {u.email} {u.email === me ? <span className="text-xs font-normal text-slate-400">(you)</span> : null}
                    </td>
                    <td className={td}>
                      <RowForm intent="set-role" fields={{ email: u.email }} className="flex items-center gap-2">
                        <select
                          name="role"
                          defaultValue={u.role}
                          aria-label={`Role of ${u.email}`}
                          className="rounded-md border-slate-300 py-1 text-sm"
                        >
                          <RoleOptions />
                        </select>
                        {u.role !== "team_viewer" ? (
                          <>
                            <input
                              name="teams"
                              placeholder="teams"
                              aria-label={`Teams for ${u.email} as a team viewer`}
                              className={smallInput}
                            />
                            <input
                              name="cost_centers"
                              placeholder="cost centers"
                              aria-label={`Cost centers for ${u.email} as a team viewer`}
                              className={smallInput}
                            />
                          </>
                        ) : null}
                        <button type="submit" className={buttonClass.secondary} disabled={busy}>
                          Set
                        </button>
                      </RowForm>
                    </td>
                    <td className={td}>
                      {u.role === "team_viewer" ? (
                        <RowForm intent="set-scope" fields={{ email: u.email }} className="flex items-center gap-2">
                          <input
                            name="teams"
                            defaultValue={u.scope_teams.join(", ")}
                            placeholder="teams"
                            aria-label={`Teams of ${u.email}`}
                            className={smallInput}
                          />
                          <input
                            name="cost_centers"
                            defaultValue={u.scope_cost_centers.join(", ")}
                            placeholder="cost centers"
                            aria-label={`Cost centers of ${u.email}`}
                            className={smallInput}
                          />
                          <button type="submit" className={buttonClass.secondary} disabled={busy}>
                            Save scope
                          </button>
                        </RowForm>
                      ) : (
                        <span className="text-slate-500">every team</span>
                      )}
                    </td>
                    <td className={td}>
                      {u.disabled ? <Badge tone="danger">Disabled</Badge> : <Badge tone="success">Active</Badge>}{" "}
                      <span className="sr-only">{roleName(u.role)}</span>
                    </td>
                    <td className={cx(td, "whitespace-nowrap tabular-nums text-slate-500")}>{String(u.created_at).slice(0, 10)}</td>
                    <td className={td}>
                      <div className="flex items-center justify-end gap-2">
                        {authMode === "password" ? (
                          <RowForm intent="reset-password" fields={{ email: u.email }} className="flex items-center gap-2">
                            <input
                              name="password"
                              type="password"
                              autoComplete="new-password"
                              placeholder="New password"
                              minLength={passwordMin}
                              required
                              aria-label={`New password for ${u.email}`}
                              className="w-36 rounded-md border-slate-300 py-1 text-sm"
                            />
                            <button type="submit" className={buttonClass.secondary} disabled={busy}>
                              Reset
                            </button>
                          </RowForm>
                        ) : null}
                        <RowForm intent={u.disabled ? "enable" : "disable"} fields={{ email: u.email }}>
                          <button type="submit" className={u.disabled ? buttonClass.secondary : buttonClass.danger} disabled={busy}>
                            {u.disabled ? "Enable" : "Disable"}
                          </button>
                        </RowForm>
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
