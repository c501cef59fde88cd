// Saved views (issue 15): the signed-in user's named dashboard filters. The "Save view" control
// of the filter bar posts here; a view is the page's own link (path?query), so sharing it shows
// each person what their own role allows (docs/auth.md "Saved views").
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { listOrgIds } from "../../db/queries/orgs";
import {
  ActionResult,
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
import { deleteViewSchema, saveViewSchema } from "~/forms/saved-views";
import { requireMutation, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { parseFilters } from "~/lib/filters";
import { handleInput, InputError, parseForm } from "~/lib/forms.server";
import { deleteView, listViews, saveView } from "~/services/saved-views";

export const meta: MetaFunction = () => [{ title: "Saved views · Showback" }];

const SINGLE = ["period", "from", "to", "gran", "by", "sort", "dir"] as const;

/**
 * The filters of a view through the dashboards' own schema (app/lib/filters.ts), strictly: the
 * pages fall back to defaults for a bad value, a saved view refuses it. Only filter parameters
 * are kept, in a fixed order.
 */
function normalizeQuery(search: string, knownOrgs: Set<string>): string {
  const given = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  const raw = parseFilters(given);
  const out = new URLSearchParams();
  const orgs = given
    .getAll("org")
    .flatMap((v) => v.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  if (orgs.length > 0 && raw.org.length === 0)
    throw new InputError("Too many or invalid organizations in the filters.", { field: "query" });
  for (const o of raw.org) {
    if (!knownOrgs.has(o)) throw new InputError(`Unknown organization "${o.slice(0, 100)}" in the filters.`, { field: "query" });
    out.append("org", o);
  }
  for (const k of SINGLE) {
    const v = given.get(k);
    if (v === null || v === "") continue;
    if (raw[k] !== v) throw new InputError(`Unknown ${k} "${v.slice(0, 100)}" in the filters.`, { field: "query" });
    if ((k === "from" || k === "to") && raw.period !== "custom") continue;
    out.set(k, v);
  }
  if (raw.period === "custom" && !(raw.from && raw.to)) throw new InputError("A custom period needs both from and to.", { field: "query" });
  return out.toString();
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = await getDb();
  const origin = new URL(request.url).origin;
  const views = await listViews(db, user.id);
  return {
    views: views.map((v) => {
      const href = v.query ? `${v.path}?${v.query}` : v.path;
      return { id: v.id, name: v.name, href, absolute: `${origin}${href}`, savedAt: v.created_at.slice(0, 16) };
    }),
  };
}

type ActionData = { ok: true; message: string } | { ok: false; error: string; field?: string };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireMutation(request, "team_viewer");
  const db = await getDb();
  const intent = String(form.get("intent") ?? "");
  return handleInput(async () => {
    if (intent === "save") {
      const f = parseForm(form, saveViewSchema);
      const query = normalizeQuery(f.query, new Set(await listOrgIds(db)));
      const { row, replaced } = await saveView(db, user, { name: f.name, path: f.path, query });
      return json<ActionData>({ ok: true, message: `${replaced ? "Replaced" : "Saved"} the view "${row.name}".` });
    }
    if (intent === "delete") {
      const f = parseForm(form, deleteViewSchema);
      const row = await deleteView(db, user, f.id);
      if (!row) return json<ActionData>({ ok: false, error: "You have no saved view with this id." }, { status: 404 });
      return json<ActionData>({ ok: true, message: `Deleted the view "${row.name}".` });
    }
    return json<ActionData>({ ok: false, error: "Unknown action." }, { status: 400 });
  });
}

export default function SavedViews() {
  const { views } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state === "submitting";
  return (
    <div>
      <PageHeader
        title="Saved views"
        description="Your named dashboard filters. Save one with “Save view” on a dashboard’s filter bar. A link opens the same page and filters for anyone signed in who may see that page."
      />
      <div className="space-y-6">
        <ActionResult result={result} />
        <Card title="Your views" description={`${views.length} view${views.length === 1 ? "" : "s"}`} padded={false}>
          {views.length === 0 ? (
            <div className="p-5">
              <EmptyState title="No saved views yet">Choose filters on a dashboard page, then “Save view”.</EmptyState>
            </div>
          ) : (
            <Table>
              <THead>
                <HeadRow cols={["Name", "Link to share", "Saved", "Actions"]} num={["Actions"]} />
              </THead>
              <TBody>
                {views.map((v) => (
                  <tr key={v.id} data-testid={`view-${v.id}`}>
                    <td className={cx(td, "font-medium text-slate-900")}>
                      <Link to={v.href} className="text-indigo-600 hover:underline" data-testid="view-link">
                        {v.name}
                      </Link>
                    </td>
                    <td className={td}>
                      <input
                        readOnly
                        value={v.absolute}
                        aria-label={`Link to the view ${v.name}`}
                        className={cx(inputClass, "font-mono text-xs")}
                        onFocus={(e) => e.currentTarget.select()}
                      />
                    </td>
                    <td className={cx(td, "whitespace-nowrap tabular-nums text-slate-500")}>{v.savedAt}</td>
                    <td className={td}>
                      <div className="flex justify-end">
                        <RowForm intent="delete" fields={{ id: v.id }} confirmText={`Delete the view "${v.name}"?`}>
                          <button type="submit" className={buttonClass.danger} disabled={busy}>
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
