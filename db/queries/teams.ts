/** Teams (docs/crosswalk.md): reads and the row writes the team services (app/services/teams.ts) compose. */
import type { Db } from "../client";

export interface TeamRow {
  id: number;
  name: string;
  cost_center: string | null;
  archived: boolean;
  created_at: string;
}

export interface TeamAdminRow extends TeamRow {
  mapped_entries: number;
  active_entries: number;
}

export async function listTeams(db: Db, f: { includeArchived?: boolean } = {}): Promise<TeamRow[]> {
  return db.query<TeamRow>(`select * from teams where ($1 or not archived) order by name`, [f.includeArchived ?? true]);
}

/** Every team with its crosswalk entry counts (all, and in effect today), for the Teams page. */
export async function listTeamsForAdmin(db: Db): Promise<TeamAdminRow[]> {
  return db.query<TeamAdminRow>(
    `select t.*, count(c.id)::int as mapped_entries,
            count(c.id) filter (where c.valid_to is null or c.valid_to > current_date)::int as active_entries
       from teams t left join crosswalk_entries c on c.team_id = t.id
      group by t.id order by t.archived, t.name`,
  );
}

export async function getTeamByName(db: Db, name: string): Promise<TeamRow | null> {
  return (await db.query<TeamRow>(`select * from teams where name = $1`, [name]))[0] ?? null;
}

export async function getTeamById(db: Db, id: number): Promise<TeamRow | null> {
  return (await db.query<TeamRow>(`select * from teams where id = $1`, [id]))[0] ?? null;
}

/** The settings shown on a team's page (cost center, archived), or null for no such team. */
export async function getTeamInfo(db: Db, name: string): Promise<{ cost_center: string | null; archived: boolean } | null> {
  return (
    (
      await db.query<{ cost_center: string | null; archived: boolean }>(`select cost_center, archived from teams where name = $1`, [name])
    )[0] ?? null
  );
}

export async function insertTeam(db: Db, name: string, costCenter: string | null): Promise<TeamRow> {
  const [row] = await db.query<TeamRow>(`insert into teams (name, cost_center) values ($1, $2) returning *`, [name, costCenter]);
  return row;
}

export async function updateTeamName(db: Db, id: number, name: string): Promise<TeamRow> {
  const [row] = await db.query<TeamRow>(`update teams set name = $2 where id = $1 returning *`, [id, name]);
  return row;
}

export async function updateTeamCostCenter(db: Db, id: number, costCenter: string | null): Promise<TeamRow> {
  const [row] = await db.query<TeamRow>(`update teams set cost_center = $2 where id = $1 returning *`, [id, costCenter]);
  return row;
}

export async function updateTeamArchived(db: Db, id: number, archived: boolean): Promise<TeamRow> {
  const [row] = await db.query<TeamRow>(`update teams set archived = $2 where id = $1 returning *`, [id, archived]);
  return row;
}

export async function deleteTeamRow(db: Db, id: number): Promise<void> {
  await db.query(`delete from teams where id = $1`, [id]);
}

/** How many crosswalk entries (any period) map an owner to the team. */
export async function countTeamEntries(db: Db, id: number): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from crosswalk_entries where team_id = $1`, [id]);
  return n;
}

/**
 * Renames the team in the stored allocation results and details, the resolved crosswalk, the
 * rules and the split entries (they store the name);
 * returns how many result rows moved.
 */
export async function renameTeamInAllocations(db: Db, from: string, to: string): Promise<number> {
  const moved = await db.query<{ n: number }>(
    `with u as (update allocation_results set team = $2 where team = $1 returning 1) select count(*)::int as n from u`,
    [from, to],
  );
  await db.query(`update allocation_details set team = $2 where team = $1`, [from, to]);
  // the resolved crosswalk, and the rules and split entries that name teams by name
  await db.query(`update mapping_segments set team = $2 where team = $1`, [from, to]);
  // (json columns keep the split's written order; a renamed split is rewritten in key order)
  await db.query(`update crosswalk_rules set "then" = json_build_object('team', $2::text) where "then"->>'team' = $1`, [from, to]);
  await db.query(
    `update crosswalk_rules
        set "then" = jsonb_build_object('split', (("then"::jsonb->'split') - $1::text) || jsonb_build_object($2::text, "then"::jsonb->'split'->$1::text))::json
      where ("then"::jsonb->'split') ? $1::text`,
    [from, to],
  );
  await db.query(
    `update crosswalk_entries set split = ((split::jsonb - $1::text) || jsonb_build_object($2::text, split::jsonb->$1::text))::json
      where split::jsonb ? $1::text`,
    [from, to],
  );
  return moved[0]?.n ?? 0;
}

/** The orgs whose stored allocation results name the team. */
export async function orgsWithTeamResults(db: Db, name: string): Promise<string[]> {
  const rows = await db.query<{ org_id: string }>(`select distinct org_id from allocation_results where team = $1`, [name]);
  return rows.map((r) => r.org_id);
}

export async function costCenterMap(db: Db): Promise<Map<string, string | null>> {
  const rows = await db.query<{ name: string; cost_center: string | null }>(`select name, cost_center from teams`);
  return new Map(rows.map((r) => [r.name, r.cost_center]));
}
