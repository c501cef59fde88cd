/**
 * Scope of the signed-in user (docs/auth.md "Scoped viewers"): which teams' figures it may
 * read. Viewers and finance admins see every team (`visible` null); a team_viewer sees the
 * teams of its scope, resolved against the current teams on every request, and every other
 * team as the one line OTHER_TEAMS. The read models take `visible` in their view parameters
 * (db/queries/view.ts) and fold the other teams in their queries.
 *
 *   const { user, visible } = await requireScopedReader(request);   // any signed-in user
 *   await requireFullReader(request);   // 403 for a team_viewer (crosswalk, imports, month end, ...)
 */
import { json } from "@remix-run/node";
import type { Db } from "../../db/client";
import { costCenterMap } from "../../db/queries/teams";
import { isVisible, OTHER_TEAMS, visibleTeams, type AccessScope, type Visible } from "../domain/scope";
import { forbidden, hasRole, requireUser, type SessionUser } from "./auth.server";
import { getDb } from "./db.server";

/** The visible teams of a scope right now (null scope: every team). */
export async function visibleFor(db: Db, scope: AccessScope | null): Promise<Visible> {
  if (scope === null) return null;
  const cc = await costCenterMap(db);
  return visibleTeams(
    scope,
    [...cc.entries()].map(([name, costCenter]) => ({ name, costCenter })),
  );
}

export async function requireScopedReader(request: Request): Promise<{ user: SessionUser; visible: Visible; db: Db }> {
  const user = await requireUser(request);
  const db = await getDb();
  return { user, db, visible: await visibleFor(db, user.scope) };
}

/** Pages and files that show every team (or the owners behind them): not for a team_viewer. */
export async function requireFullReader(request: Request): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!hasRole(user, "viewer")) {
    forbidden("This page is not available with a team-scoped account: it shows every team. Ask a finance admin if you need it.");
  }
  return user;
}

/** 404 for a team outside the scope (the same answer as a team that does not exist: nothing to learn). */
export function requireVisibleTeam(visible: Visible, team: string): void {
  if (visible !== null && (team === OTHER_TEAMS || !isVisible(visible, team))) {
    throw json({ message: `No team “${team}” in your scope.` }, { status: 404 });
  }
}
