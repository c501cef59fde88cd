/** The signed-in application shell: sidebar navigation, user, sign-out. */
import { Form, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { CsrfInput } from "./csrf";
import { roleLabel, type RootData, type RootUser } from "./root-data";

interface NavItem {
  to: string;
  label: string;
  end?: boolean;
  /** shows every team: not for a team_viewer (docs/auth.md "Scoped viewers") */
  everyTeam?: boolean;
}

export const NAV: NavItem[] = [
  { to: "/", label: "Overview", end: true },
  { to: "/teams", label: "Teams" },
  { to: "/cost-centers", label: "Cost centers" },
  { to: "/orgs", label: "Organizations" },
  { to: "/anomalies", label: "Anomalies" },
  { to: "/alerts", label: "Alerts" },
  { to: "/reconciliation", label: "Reconciliation", everyTeam: true },
  { to: "/views", label: "Saved views" },
];

export const ADMIN_NAV: NavItem[] = [
  { to: "/imports", label: "Imports" },
  { to: "/crosswalk", label: "Crosswalk" },
  { to: "/admin/teams", label: "Teams & cost centers" },
  { to: "/admin/budgets", label: "Budgets" },
  { to: "/admin/orgs", label: "Org settings" },
  { to: "/admin/gl-accounts", label: "GL accounts" },
  { to: "/admin/users", label: "Users" },
  { to: "/admin/tokens", label: "API tokens" },
  { to: "/audit", label: "Audit log" },
];

function NavList({ items }: { items: NavItem[] }) {
  return (
    <ul className="space-y-0.5">
      {items.map((i) => (
        <li key={i.to}>
          <NavLink
            to={i.to}
            end={i.end}
            prefetch="intent"
            className={({ isActive }) =>
              [
                "block rounded-md px-3 py-1.5 text-sm",
                isActive ? "bg-slate-800 font-medium text-white" : "text-slate-300 hover:bg-slate-800/60 hover:text-white",
              ].join(" ")
            }
          >
            {i.label}
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

function UserBox({ user, authMode }: { user: RootUser; authMode: RootData["authMode"] }) {
  return (
    <div className="border-t border-slate-800 px-4 py-4">
      <p className="truncate text-sm font-medium text-white" title={user.email} data-testid="current-user">
        {user.email}
      </p>
      <p className="mt-0.5 text-xs text-slate-400" data-testid="current-role">
        {roleLabel(user.role)}
      </p>
      {user.scope ? (
        <p className="mt-0.5 text-xs text-slate-400" data-testid="current-scope">
          {[
            user.scope.teams.length ? `Teams: ${user.scope.teams.join(", ")}` : "",
            user.scope.costCenters.length ? `Cost centers: ${user.scope.costCenters.join(", ")}` : "",
          ]
            .filter(Boolean)
            .join(" · ")}
        </p>
      ) : null}
      {authMode === "password" ? (
        <Form method="post" action="/logout" className="mt-3">
          <CsrfInput />
          <button
            type="submit"
            className="w-full rounded-md border border-slate-700 px-3 py-1.5 text-xs font-medium text-slate-200 hover:bg-slate-800"
          >
            Sign out
          </button>
        </Form>
      ) : null}
    </div>
  );
}

export function Layout({ user, authMode, children }: { user: RootUser; authMode: RootData["authMode"]; children: ReactNode }) {
  return (
    <div className="flex min-h-screen bg-slate-50">
      {/* the dark column stretches with the page; the sidebar itself stays in view (sticky) */}
      <div data-sidebar className="w-56 shrink-0 bg-slate-900">
        <aside className="sticky top-0 flex h-screen w-56 flex-col">
          <div className="flex h-14 items-center gap-2 border-b border-slate-800 px-4">
            <span aria-hidden className="grid h-7 w-7 place-items-center rounded bg-indigo-500 text-xs font-bold text-white">
              SB
            </span>
            <span className="text-sm font-semibold tracking-tight text-white">Showback</span>
          </div>
          <nav aria-label="Main" className="flex-1 overflow-y-auto px-2 py-4">
            <NavList items={user.role === "team_viewer" ? NAV.filter((i) => !i.everyTeam) : NAV} />
            {user.role === "finance_admin" ? (
              <>
                <p className="mb-1 mt-6 px-3 text-[11px] font-semibold uppercase tracking-wider text-slate-500">Finance admin</p>
                <NavList items={ADMIN_NAV} />
              </>
            ) : null}
          </nav>
          <UserBox user={user} authMode={authMode} />
        </aside>
      </div>
      <main className="min-w-0 flex-1">
        <div className="mx-auto max-w-7xl px-8 py-8">{children}</div>
      </main>
    </div>
  );
}

/** A centred card for the sign-in and error pages (no navigation). */
export function BareLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-slate-50 px-4">
      <div className="mb-6 flex items-center gap-2">
        <span aria-hidden className="grid h-8 w-8 place-items-center rounded bg-slate-900 text-xs font-bold text-white">
          SB
        </span>
        <span className="text-lg font-semibold tracking-tight text-slate-900">Showback</span>
      </div>
      <div className="w-full max-w-sm">{children}</div>
    </div>
  );
}
