/** Cost centers (docs/crosswalk.md): a code teams belong to. Created on first use by the team services. */
import type { Db } from "../client";

/** Every cost center with how many teams it has, by code. */
export async function listCostCenters(db: Db): Promise<Array<{ code: string; name: string | null; teams: number }>> {
  return db.query(
    `select cc.code, cc.name, count(t.id)::int as teams from cost_centers cc left join teams t on t.cost_center = cc.code
      group by cc.code, cc.name order by cc.code`,
  );
}

/** One cost center (code, display name), or null when no such cost center is stored. */
export async function getCostCenter(db: Db, code: string): Promise<{ code: string; name: string | null } | null> {
  return (await db.query<{ code: string; name: string | null }>(`select code, name from cost_centers where code = $1`, [code]))[0] ?? null;
}

/** Inserts the cost center unless it exists; true when it was created. */
export async function insertCostCenterIfMissing(db: Db, code: string): Promise<boolean> {
  const created = await db.query(`insert into cost_centers (code) values ($1) on conflict (code) do nothing returning code`, [code]);
  return created.length > 0;
}
