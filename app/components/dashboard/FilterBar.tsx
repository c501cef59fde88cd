/**
 * The dashboard filters as a GET form: every choice lands in the URL (shareable, back
 * button). With JavaScript a change submits at once; without, "Apply" does.
 */
import { Form, useLocation, useNavigation, useSubmit } from "@remix-run/react";
import { useRef } from "react";
import { useCsrfToken } from "~/components/csrf";
import { buttonClass } from "~/components/ui";
import { GRANS, PERIOD_LABELS, PERIODS, type ResolvedFilters } from "~/lib/filters";

const select =
  "rounded-md border-slate-300 bg-white py-1.5 pl-2.5 pr-8 text-sm text-slate-800 shadow-sm focus:border-indigo-500 focus:ring-indigo-500";
const label = "mb-1 block text-[11px] font-medium uppercase tracking-wide text-slate-500";

export function FilterBar({
  filters,
  orgOptions,
  showGroupBy = true,
  showOrgs = true,
}: {
  filters: ResolvedFilters;
  orgOptions: Array<{ id: string; name: string | null }>;
  showGroupBy?: boolean;
  showOrgs?: boolean;
}) {
  const submit = useSubmit();
  const nav = useNavigation();
  const form = useRef<HTMLFormElement>(null);
  const viewName = useRef<HTMLInputElement>(null);
  const location = useLocation();
  const csrf = useCsrfToken();
  // "Save view": this page and its filters (the URL) under a name, on /views (app/routes/views.tsx)
  const saveView = () => {
    const name = viewName.current?.value.trim() ?? "";
    if (!name) return viewName.current?.focus();
    const query = location.search.replace(/^\?/, "");
    submit({ _csrf: csrf, intent: "save", name, path: location.pathname, query }, { method: "post", action: "/views" });
  };
  const onChange = (e: React.FormEvent<HTMLFormElement>) => {
    const t = e.target as HTMLInputElement;
    // the "Save view" name is not a filter
    if (!t.name) return;
    // typing a custom date: wait for a full date
    if (t.type === "date" && !t.value) return;
    submit(e.currentTarget, { replace: false, preventScrollReset: true });
  };
  const selectedOrgs = new Set(filters.orgs);
  const orgSummary =
    filters.orgs.length === 0 ? "All organizations" : filters.orgs.length === 1 ? filters.orgs[0] : `${filters.orgs.length} organizations`;
  return (
    <Form
      ref={form}
      method="get"
      onChange={onChange}
      className="mb-6 flex flex-wrap items-end gap-x-3 gap-y-3 rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm"
      aria-label="Filters"
      data-testid="filters"
    >
      {showOrgs ? (
        <fieldset className="relative">
          <legend className={label}>Organizations</legend>
          <details className="group">
            <summary
              className={`${select} flex min-w-[10.5rem] cursor-pointer list-none items-center justify-between`}
              data-testid="org-picker"
            >
              <span>{orgSummary}</span>
              <span aria-hidden className="ml-2 text-slate-400">
                ▾
              </span>
            </summary>
            <div className="absolute z-20 mt-1 max-h-72 w-64 overflow-auto rounded-md border border-slate-200 bg-white p-2 shadow-lg">
              {orgOptions.length === 0 ? <p className="p-2 text-sm text-slate-500">No organizations yet.</p> : null}
              {orgOptions.map((o) => (
                <label key={o.id} className="flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm hover:bg-slate-50">
                  <input
                    type="checkbox"
                    name="org"
                    value={o.id}
                    defaultChecked={selectedOrgs.has(o.id)}
                    className="rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"
                  />
                  <span className="truncate">{o.name ? `${o.name} (${o.id})` : o.id}</span>
                </label>
              ))}
              <p className="px-2 pt-1 text-xs text-slate-400">None checked = all organizations.</p>
            </div>
          </details>
        </fieldset>
      ) : null}

      <div>
        <label htmlFor="f-period" className={label}>
          Period
        </label>
        <select id="f-period" name="period" defaultValue={filters.period} className={select} key={filters.period}>
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {PERIOD_LABELS[p]}
            </option>
          ))}
        </select>
      </div>

      {filters.period === "custom" ? (
        <>
          <div>
            <label htmlFor="f-from" className={label}>
              From
            </label>
            <input
              id="f-from"
              type="date"
              name="from"
              defaultValue={filters.range.from}
              key={`f${filters.range.from}`}
              className={`${select} w-[9.5rem] pr-2`}
            />
          </div>
          <div>
            <label htmlFor="f-to" className={label}>
              To
            </label>
            <input
              id="f-to"
              type="date"
              name="to"
              defaultValue={filters.range.to}
              key={`t${filters.range.to}`}
              className={`${select} w-[9.5rem] pr-2`}
            />
          </div>
        </>
      ) : (
        <>
          <input type="hidden" name="from" value={filters.range.from} />
          <input type="hidden" name="to" value={filters.range.to} />
        </>
      )}

      <fieldset>
        <legend className={label}>Granularity</legend>
        <div
          className="inline-flex overflow-hidden rounded-md border border-slate-300 shadow-sm"
          role="radiogroup"
          aria-label="Granularity"
        >
          {GRANS.map((g) => (
            <label key={g} className="cursor-pointer">
              <input
                type="radio"
                name="gran"
                value={g}
                defaultChecked={filters.gran === g}
                className="peer sr-only"
                key={`${g}${filters.gran}`}
              />
              <span className="block px-2.5 py-1.5 text-sm capitalize text-slate-600 hover:bg-slate-50 peer-checked:bg-slate-900 peer-checked:text-white peer-focus-visible:ring-2 peer-focus-visible:ring-inset peer-focus-visible:ring-indigo-500">
                {g}
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      {showGroupBy ? (
        <div>
          <label htmlFor="f-by" className={label}>
            Group by
          </label>
          <select id="f-by" name="by" defaultValue={filters.by} className={select} key={filters.by}>
            <option value="team">Team</option>
            <option value="cost_center">Cost center</option>
          </select>
        </div>
      ) : (
        <input type="hidden" name="by" value={filters.by} />
      )}

      {filters.sort !== "total" || filters.dir !== "desc" ? (
        <>
          <input type="hidden" name="sort" value={filters.sort} />
          <input type="hidden" name="dir" value={filters.dir} />
        </>
      ) : null}
      <noscript>
        <button type="submit" className={buttonClass.secondary}>
          Apply
        </button>
      </noscript>
      <div className="ml-auto flex items-center gap-3 self-center text-sm text-slate-500" aria-live="polite">
        {nav.state === "loading" ? (
          <span className="text-indigo-600">Updating…</span>
        ) : (
          <span data-testid="range-label">{filters.label}</span>
        )}
      </div>
      <div className="flex items-center gap-2 self-end">
        <input
          ref={viewName}
          maxLength={100}
          placeholder="View name"
          aria-label="Name of the view to save"
          className={`${select} w-36 pr-2`}
          data-testid="view-name"
          onKeyDown={(e) => {
            if (e.key !== "Enter") return;
            e.preventDefault();
            saveView();
          }}
        />
        <button type="button" className={buttonClass.secondary} onClick={saveView} data-testid="save-view">
          Save view
        </button>
      </div>
    </Form>
  );
}
