// Teams and cost centers: create, rename, move, archive, delete (unmapped teams only).
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { listCostCenters } from "../../db/queries/cost-centers";
import { listTeamsForAdmin } from "../../db/queries/teams";
import { createTeam, deleteTeam, moveTeam, renameTeam, setTeamArchived } from "~/services/teams";
import { archiveTeamSchema, createTeamSchema, deleteTeamSchema, moveTeamSchema, renameTeamSchema } from "~/forms/teams";
import { CsrfInput } from "~/components/csrf";
import {
  ActionResult,
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
import { requireMutation, requireRole } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { handleInput, parseForm } from "~/lib/forms.server";

export const meta: MetaFunction = () => [{ title: "Teams and cost centers · Showback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "finance_admin");
  const db = await getDb();
  const [teams, costCenters] = await Promise.all([listTeamsForAdmin(db), listCostCenters(db)]);
  return { teams, costCenters };
}

type ActionData = { ok: true; message: string } | { ok: false; error: string; field?: string; id?: number };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "finance_admin");
  const db = await getDb();
  const intent = String(form.get("intent") ?? "");
  const id = Number(form.get("id") ?? "0") || 0;
  return handleInput(
    async () => {
      switch (intent) {
        case "create": {
          const f = parseForm(form, createTeamSchema);
          const t = await createTeam(db, user.email, f.name, f.cost_center);
          return json<ActionData>({ ok: true, message: `Team "${t.name}" created${t.cost_center ? ` in ${t.cost_center}` : ""}.` });
        }
        case "rename": {
          const f = parseForm(form, renameTeamSchema);
          const t = await renameTeam(db, user.email, f.id, f.name);
          return json<ActionData>({ ok: true, message: `Team renamed to "${t.name}". Reports, the crosswalk and shared policies follow.` });
        }
        case "move": {
          const f = parseForm(form, moveTeamSchema);
          const t = await moveTeam(db, user.email, f.id, f.cost_center);
          return json<ActionData>({ ok: true, message: `Team "${t.name}" is now in ${t.cost_center ?? "no cost center (unassigned)"}.` });
        }
        case "archive":
        case "unarchive": {
          const f = parseForm(form, archiveTeamSchema);
          const t = await setTeamArchived(db, user.email, f.id, f.intent === "archive");
          return json<ActionData>({ ok: true, message: `Team "${t.name}" ${t.archived ? "archived" : "restored"}.` });
        }
        case "delete": {
          const f = parseForm(form, deleteTeamSchema);
          await deleteTeam(db, user.email, f.id);
          return json<ActionData>({ ok: true, message: "Team deleted." });
        }
        default:
          return json<ActionData>({ ok: false, error: "Unknown action." }, { status: 400 });
      }
    },
    { id },
  );
}

export default function AdminTeams() {
  const { teams, costCenters } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
  // the same schema as the server: a bad name shows under the field before anything is sent
  const [createForm, createFields] = useForm({
    id: "create-team",
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: createTeamSchema }),
  });
  return (
    <div>
      <PageHeader
        title="Teams and cost centers"
        description="A team belongs to one cost center. Teams with mapped owners are archived, not deleted, so history keeps its names."
        actions={
          <Link to="/crosswalk" className={buttonClass.secondary}>
            Crosswalk
          </Link>
        }
      />
      <datalist id="cost-centers">
        {costCenters.map((c) => (
          <option key={c.code} value={c.code} />
        ))}
      </datalist>
      <div className="space-y-6">
        <ActionResult result={result} />
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
          <Card title="New team" className="lg:col-span-2">
            <Form
              method="post"
              {...getFormProps(createForm)}
              className="grid grid-cols-1 items-end gap-3 sm:grid-cols-3"
              data-testid="create-team"
            >
              <CsrfInput />
              <input type="hidden" name="intent" value="create" />
              <label>
                <span className={labelClass}>Name</span>
                <input
                  name={createFields.name.name}
                  required
                  aria-invalid={createFields.name.errors ? true : undefined}
                  aria-describedby={createFields.name.errors ? createFields.name.errorId : undefined}
                  className={`mt-1 ${inputClass}`}
                />
                <FieldError id={createFields.name.errorId} errors={createFields.name.errors} />
              </label>
              <label>
                <span className={labelClass}>Cost center</span>
                <input
                  name={createFields.cost_center.name}
                  list="cost-centers"
                  placeholder="e.g. CC-4102"
                  aria-invalid={createFields.cost_center.errors ? true : undefined}
                  aria-describedby={createFields.cost_center.errors ? createFields.cost_center.errorId : undefined}
                  className={`mt-1 ${inputClass}`}
                />
                <FieldError id={createFields.cost_center.errorId} errors={createFields.cost_center.errors} />
              </label>
              <button type="submit" className={buttonClass.primary} disabled={busy}>
                Create team
              </button>
            </Form>
          </Card>
          <Card title="Cost centers" padded={false}>
            {costCenters.length === 0 ? (
              <p className="p-5 text-sm text-slate-500">None yet: give a team a cost center code to create one.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {costCenters.map((c) => (
                  <li key={c.code} className="flex justify-between px-5 py-2">
                    <span className="font-mono text-slate-800">{c.code}</span>
                    <span className="text-xs text-slate-500">
                      {c.teams} team{c.teams === 1 ? "" : "s"}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>

        <Card title="Teams" description={`${teams.length} team${teams.length === 1 ? "" : "s"}`} padded={false}>
          {teams.length === 0 ? (
            <div className="p-5">
              <EmptyState title="No teams yet">
                Create one above, import a crosswalk, or assign an owner from the unmapped queue.
              </EmptyState>
            </div>
          ) : (
            <Table testId="teams-table">
              <THead>
                <HeadRow
                  cols={["Team", "Cost center", "Crosswalk entries", "Status", "Archive / delete"]}
                  num={["Crosswalk entries", "Archive / delete"]}
                />
              </THead>
              <TBody>
                {teams.map((t) => (
                  <tr key={t.id} data-testid={`team-${t.name}`} className={cx(t.archived && "bg-slate-50 text-slate-500")}>
                    <td className={td}>
                      <RowForm intent="rename" fields={{ id: t.id }} className="flex items-center gap-1.5">
                        <input
                          name="name"
                          defaultValue={t.name}
                          aria-label={`Name of ${t.name}`}
                          className={`${inlineInput} w-44 font-medium`}
                        />
                        <button type="submit" className={linkButtonClass} disabled={busy}>
                          Rename
                        </button>
                      </RowForm>
                    </td>
                    <td className={td}>
                      <RowForm intent="move" fields={{ id: t.id }} className="flex items-center gap-1.5">
                        <input
                          name="cost_center"
                          list="cost-centers"
                          defaultValue={t.cost_center ?? ""}
                          placeholder="unassigned"
                          aria-label={`Cost center of ${t.name}`}
                          className={`${inlineInput} w-32 font-mono`}
                        />
                        <button type="submit" className={linkButtonClass} disabled={busy}>
                          Move
                        </button>
                      </RowForm>
                    </td>
                    <td className={tdNum}>
                      <Link to={`/crosswalk?team=${encodeURIComponent(t.name)}`} className="text-indigo-700 hover:underline">
                        {t.mapped_entries}
                      </Link>
                      <span className="ml-1 text-xs text-slate-400">({t.active_entries} in effect)</span>
                    </td>
                    <td className={td}>{t.archived ? <Badge>archived</Badge> : <Badge tone="success">active</Badge>}</td>
                    <td className={cx(td, "text-right")}>
                      <div className="flex justify-end gap-1.5">
                        <RowForm intent={t.archived ? "unarchive" : "archive"} fields={{ id: t.id }}>
                          <button type="submit" className={buttonClass.secondary} disabled={busy}>
                            {t.archived ? "Restore" : "Archive"}
                          </button>
                        </RowForm>
                        <RowForm intent="delete" fields={{ id: t.id }} confirmText={`Delete team ${t.name}?`}>
                          <button
                            type="submit"
                            className={buttonClass.danger}
                            disabled={busy || t.mapped_entries > 0}
                            title={t.mapped_entries > 0 ? "Teams with mapped owners can only be archived" : "Delete this team"}
                          >
                            Delete
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

function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  return errors?.length ? (
    <p id={id} className="mt-1 text-xs text-rose-700" data-testid="field-error">
      {errors[0]}
    </p>
  ) : null;
}
