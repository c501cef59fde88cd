/**
 * The common start of every dashboard loader: signed-in user, database, filters from
 * the URL resolved against the server clock (SHOWBACK_NOW may fix it for demos and
 * tests), the org list and the trust signals (per-org freshness, unmapped share).
 */
import { dashboardReads } from "./dashboard-reads.server";
import { parseFilters, resolveFilters, todayUtc } from "./filters";
import { requireScopedReader } from "./scope.server";

export function serverNow(): Date {
  const fixed = process.env.SHOWBACK_NOW;
  if (fixed) {
    const d = new Date(fixed);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return new Date();
}

export async function dashboardBase(request: Request) {
  const started = performance.now();
  // a team_viewer's view carries its visible teams: every read model folds the others (scope.server.ts)
  const { user, db, visible } = await requireScopedReader(request);
  const reads = dashboardReads(request, db); // cached per data version (docs/decisions/0005-read-cache.md)
  const url = new URL(request.url);
  const raw = parseFilters(url.searchParams);
  const orgs = await reads.listOrgs();
  const known = new Set(orgs.map((o) => o.org_id));
  raw.org = raw.org.filter((o) => known.has(o));
  const now = serverNow();
  // relative periods are anchored on the data of the chosen orgs (filters.ts)
  const span = await reads.dataSpan(raw.org.length ? raw.org : undefined);
  const filters = resolveFilters(raw, todayUtc(now), span);
  const orgIds = filters.orgs.length ? filters.orgs : undefined;
  const view = { granularity: filters.gran, from: filters.range.from, to: filters.range.to, orgIds, visible };
  const fr = await reads.orgFreshness(orgIds);
  const freshness = orgs
    .filter((o) => !orgIds || orgIds.includes(o.org_id))
    .map((o) => ({ orgId: o.org_id, lastImportAt: fr.get(o.org_id)?.imp?.at ?? null, dataThrough: fr.get(o.org_id)?.dataThrough ?? null }));
  return {
    user,
    db,
    reads,
    now,
    started,
    filters,
    view,
    hasData: span !== null,
    orgOptions: orgs.map((o) => ({ id: o.org_id, name: o.display_name })),
    freshness,
    isAdmin: user.role === "finance_admin",
    /** a team_viewer: the pages hide what would show other teams (unmapped share, crosswalk links) */
    scoped: visible !== null,
    visible,
  };
}

/** Server-Timing header value for a loader that started at `started`. */
export function timing(started: number): Record<string, string> {
  return { "Server-Timing": `db;dur=${(performance.now() - started).toFixed(1)}` };
}
