import type { Db } from "../client";
import { writeAudit } from "./audit";

export interface TeamRow {
  id: number;
  name: string;
  cost_center: string | null;
  archived: boolean;
  created_at: string;
}

export async function listTeams(db: Db, f: { includeArchived?: boolean } = {}): Promise<TeamRow[]> {
  return db.query<TeamRow>(`select * from teams where ($1 or not archived) order by name`, [f.includeArchived ?? true]);
}

export async function getTeamByName(db: Db, name: string): Promise<TeamRow | null> {
  return (await db.query<TeamRow>(`select * from teams where name = $1`, [name]))[0] ?? null;
}

/** The settings shown on a team's page (cost center, archived), or null for no such team. */
export async function getTeamInfo(db: Db, name: string): Promise<{ cost_center: string | null; archived: boolean } | null> {
  return (await db.query<{ cost_center: string | null; archived: boolean }>(`select cost_center, archived from teams where name = $1`, [name]))[0] ?? null;
}

/** One cost center (code, display name), or null when no such cost center is stored. */
export async function getCostCenter(db: Db, code: string): Promise<{ code: string; name: string | null } | null> {
  return (await db.query<{ code: string; name: string | null }>(`select code, name from cost_centers where code = $1`, [code]))[0] ?? null;
}

export async function ensureCostCenter(db: Db, actor: string, code: string): Promise<void> {
  const created = await db.query(`insert into cost_centers (code) values ($1) on conflict (code) do nothing returning code`, [code]);
  if (created.length) await writeAudit(db, { actor, action: "create", entity: "cost_center", entityId: code, after: { code } });
}

/** Creates the team if missing (with `costCenter` when given); an existing team keeps its cost center unless `setCostCenter`. */
export async function ensureTeam(
  db: Db,
  actor: string,
  name: string,
  costCenter: string | null,
  opts: { setCostCenter?: boolean } = {},
): Promise<TeamRow> {
  const existing = await getTeamByName(db, name);
  if (costCenter) await ensureCostCenter(db, actor, costCenter);
  if (!existing) {
    const [row] = await db.query<TeamRow>(`insert into teams (name, cost_center) values ($1, $2) returning *`, [name, costCenter]);
    await writeAudit(db, { actor, action: "create", entity: "team", entityId: name, after: row });
    return row;
  }
  if (opts.setCostCenter && existing.cost_center !== costCenter) {
    const [row] = await db.query<TeamRow>(`update teams set cost_center = $2 where id = $1 returning *`, [existing.id, costCenter]);
    await writeAudit(db, { actor, action: "update", entity: "team", entityId: name, before: existing, after: row });
    return row;
  }
  return existing;
}

/** `team,cost_center` rows: creates teams and cost centers, moves teams to the given cost center. */
export async function importTeams(
  db: Db,
  actor: string,
  entries: Array<{ team: string; costCenter: string | null }>,
): Promise<{ created: number; updated: number; unchanged: number }> {
  let created = 0, updated = 0, unchanged = 0;
  for (const e of entries) {
    const before = await getTeamByName(db, e.team);
    const after = await ensureTeam(db, actor, e.team, e.costCenter, { setCostCenter: true });
    if (!before) created++;
    else if (before.cost_center !== after.cost_center) updated++;
    else unchanged++;
  }
  return { created, updated, unchanged };
}

export async function costCenterMap(db: Db): Promise<Map<string, string | null>> {
  const rows = await db.query<{ name: string; cost_center: string | null }>(`select name, cost_center from teams`);
  return new Map(rows.map((r) => [r.name, r.cost_center]));
}
