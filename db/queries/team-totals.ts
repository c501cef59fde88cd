/**
 * The team and cost-center lists (/teams, /cost-centers): current and previous totals per
 * report group, with each team's cost center and each cost center's teams.
 */
import { isVisible } from "../../app/domain/scope";
import { OTHER_TEAMS, UNALLOCATED, UNASSIGNED, UNMAPPED, type GroupBy } from "../../app/domain/vocabulary";
import { dec, ZERO } from "../../app/domain/money";
import type { Db } from "../client";
import { getReport } from "./report";
import { acc0, cmp, fmt as s, sumBy, type ViewParams } from "./view";

export interface TeamListRow {
  team: string;
  costCenter: string | null;
  pseudo: boolean;
  direct: string;
  unallocatedShare: string;
  total: string;
  previousTotal: string;
  change: string;
}

/** Current and previous totals per report group, over the given group names (those with no cost get zeros). */
async function groupTotals(db: Db, p: ViewParams & { previous: { from: string; to: string } }, by: GroupBy, names: Iterable<string>) {
  const cur = sumBy(await getReport(db, { ...p, by }), (r) => r.group);
  const prev = sumBy(await getReport(db, { ...p, from: p.previous.from, to: p.previous.to, by }), (r) => r.group);
  return [...new Set([...names, ...cur.keys(), ...prev.keys()])].map((key) => {
    const a = cur.get(key) ?? acc0();
    const b = prev.get(key)?.total ?? ZERO;
    return { key, direct: s(a.direct), unallocatedShare: s(a.share), total: s(a.total), previousTotal: s(b), change: s(a.total.minus(b)) };
  });
}

const byTotalDesc =
  <T extends { total: string }>(key: (x: T) => string) =>
  (x: T, y: T) =>
    dec(y.total).cmp(dec(x.total)) || cmp(key(x), key(y));

export async function listTeamTotals(db: Db, p: ViewParams & { previous: { from: string; to: string } }): Promise<TeamListRow[]> {
  const teams = await db.query<{ name: string; cost_center: string | null; archived: boolean }>(
    `select name, cost_center, archived from teams order by name`,
  );
  const ccOf = new Map(teams.map((t) => [t.name, t.cost_center]));
  const seen = (t: string) => isVisible(p.visible ?? null, t);
  return (
    await groupTotals(
      db,
      p,
      "team",
      teams.filter((t) => !t.archived && seen(t.name)).map((t) => t.name),
    )
  )
    .map(({ key: team, ...amounts }) => {
      const pseudo = team === UNMAPPED || team === UNALLOCATED || team === OTHER_TEAMS;
      return { team, costCenter: pseudo ? null : (ccOf.get(team) ?? null), pseudo, ...amounts };
    })
    .sort(byTotalDesc((t) => t.team));
}

export interface CostCenterListRow {
  code: string;
  name: string | null;
  /** unassigned, unmapped, unallocated */
  pseudo: boolean;
  /** the active teams charged to it */
  teams: string[];
  direct: string;
  unallocatedShare: string;
  total: string;
  previousTotal: string;
  change: string;
}

/** /cost-centers: every cost center (and the unassigned / unmapped / unallocated groups) with totals and teams. */
export async function listCostCenterTotals(
  db: Db,
  p: ViewParams & { previous: { from: string; to: string } },
): Promise<CostCenterListRow[]> {
  const seen = (t: string) => isVisible(p.visible ?? null, t);
  const teams = (
    await db.query<{ name: string; cost_center: string | null }>(`select name, cost_center from teams where not archived order by name`)
  ).filter((t) => seen(t.name));
  // a scoped viewer: only the cost centers of its visible teams (their figures count those teams only)
  const ccOfVisible = new Set(teams.map((t) => t.cost_center));
  const centers = (await db.query<{ code: string; name: string | null }>(`select code, name from cost_centers order by code`)).filter(
    (c) => (p.visible ?? null) === null || ccOfVisible.has(c.code),
  );
  const nameOf = new Map(centers.map((c) => [c.code, c.name]));
  const teamsOf = new Map<string, string[]>();
  for (const t of teams) {
    const k = t.cost_center ?? UNASSIGNED;
    teamsOf.set(k, [...(teamsOf.get(k) ?? []), t.name]);
  }
  return (
    await groupTotals(
      db,
      p,
      "cost_center",
      centers.map((c) => c.code),
    )
  )
    .map(({ key: code, ...amounts }) => {
      const pseudo = code === UNASSIGNED || code === UNMAPPED || code === UNALLOCATED || code === OTHER_TEAMS;
      return {
        code,
        name: nameOf.get(code) ?? null,
        pseudo,
        teams: pseudo && code !== UNASSIGNED ? [] : (teamsOf.get(code) ?? []),
        ...amounts,
      };
    })
    .sort(byTotalDesc((c) => c.code));
}
