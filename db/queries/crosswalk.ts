/**
 * The crosswalk (docs/crosswalk.md): effective-dated (org, owner) → team entries and owner
 * display names. Reads and row writes only; the use cases (validation, overlap refusal,
 * audit, recompute) are app/services/crosswalk.ts.
 */
import type { CrosswalkEntry } from "../../app/domain/crosswalk";
import { formatSplitObject, parseSplitObject, type Split } from "../../app/domain/splits";
import type { Db } from "../client";
import { entryEffectiveAt } from "./crosswalk-resolution";

export interface CrosswalkFilter {
  orgId?: string;
  team?: string;
  ownerId?: string;
  effectiveOn?: string;
}

export interface CrosswalkRow extends CrosswalkEntry {
  id: number;
  costCenter: string | null;
  note: string | null;
  displayName: string | null;
}

export async function listCrosswalk(db: Db, f: CrosswalkFilter = {}): Promise<CrosswalkRow[]> {
  const rows = await db.query<{
    id: number;
    org_id: string;
    owner_id: string;
    team: string;
    split: unknown;
    cost_center: string | null;
    valid_from: string;
    valid_to: string | null;
    note: string | null;
    display_name: string | null;
  }>(
    `select c.id, c.org_id, c.owner_id, coalesce(t.name, '') as team, c.split, t.cost_center, c.valid_from, c.valid_to, c.note, n.display_name
       from crosswalk_entries c
       left join teams t on t.id = c.team_id
       left join owner_names n on n.org_id = c.org_id and n.owner_id = c.owner_id
      where ($1::text is null or c.org_id = $1) and ($2::text is null or t.name = $2 or (c.split is not null and c.split::jsonb ? $2))
        and ($3::text is null or c.owner_id ilike '%' || $3 || '%' or n.display_name ilike '%' || $3 || '%')
        and ($4::date is null or (${entryEffectiveAt("c", "$4::date")}))
      order by c.org_id, c.owner_id, c.valid_from`,
    [f.orgId ?? null, f.team ?? null, f.ownerId ?? null, f.effectiveOn ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    ownerId: r.owner_id,
    team: r.team,
    split: storedSplit(r.split),
    costCenter: r.cost_center,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    note: r.note,
    displayName: r.display_name,
  }));
}

export type StoredEntry = CrosswalkEntry & { id: number; note: string | null };

interface EntryRow {
  id: number;
  org_id: string;
  owner_id: string;
  team: string;
  split: unknown;
  valid_from: string;
  valid_to: string | null;
  note: string | null;
}

/** Entries with their team name ("" for a split) and split; `where` filters `c` (crosswalk_entries). */
async function selectEntries(db: Db, where: string, params: unknown[]): Promise<StoredEntry[]> {
  const rows = await db.query<EntryRow>(
    `select c.id, c.org_id, c.owner_id, coalesce(t.name, '') as team, c.split, c.valid_from, c.valid_to, c.note
       from crosswalk_entries c left join teams t on t.id = c.team_id
      where ${where}
      order by c.org_id, c.owner_id, c.valid_from`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    ownerId: r.owner_id,
    team: r.team,
    split: storedSplit(r.split),
    validFrom: r.valid_from,
    validTo: r.valid_to,
    note: r.note,
  }));
}

/** Every entry (of one org, when given), by org, owner and valid_from. */
export function loadCrosswalk(db: Db, orgId?: string): Promise<StoredEntry[]> {
  return orgId ? selectEntries(db, "c.org_id = $1", [orgId]) : selectEntries(db, "true", []);
}

export async function getCrosswalkEntry(db: Db, id: number): Promise<StoredEntry | null> {
  return (await selectEntries(db, "c.id = $1", [id]))[0] ?? null;
}

/** A stored split (json `{ team: pct }`, written order kept) as a Split; null when none. */
export function storedSplit(v: unknown): Split | null {
  if (v === null || v === undefined) return null;
  const p = parseSplitObject(typeof v === "string" ? JSON.parse(v) : v);
  if (!p.ok) throw new Error(`stored split does not parse: ${JSON.stringify(v)}`);
  return p.split;
}

const splitParam = (split: Split | null | undefined) => (split ? JSON.stringify(formatSplitObject(split)) : null);

/** Inserts one entry (team by id, or a split with teamId null); returns its id. */
export async function insertCrosswalkEntry(
  db: Db,
  e: {
    orgId: string;
    ownerId: string;
    teamId: number | null;
    split?: Split | null;
    validFrom: string;
    validTo: string | null;
    note: string | null;
  },
): Promise<number> {
  const [{ id }] = await db.query<{ id: number }>(
    `insert into crosswalk_entries (org_id, owner_id, team_id, split, valid_from, valid_to, note) values ($1, $2, $3, $4::json, $5, $6, $7) returning id`,
    [e.orgId, e.ownerId, e.teamId, splitParam(e.split), e.validFrom, e.validTo, e.note],
  );
  return id;
}

export async function updateCrosswalkEntryRow(
  db: Db,
  id: number,
  e: { teamId: number | null; split?: Split | null; validFrom: string; validTo: string | null; note: string | null },
): Promise<void> {
  await db.query(
    `update crosswalk_entries set team_id = $2, split = $6::json, valid_from = $3, valid_to = $4, note = $5, updated_at = now() where id = $1`,
    [id, e.teamId, e.validFrom, e.validTo, e.note, splitParam(e.split)],
  );
}

export async function deleteCrosswalkEntryRow(db: Db, id: number): Promise<void> {
  await db.query(`delete from crosswalk_entries where id = $1`, [id]);
}

/** The key of an (org, owner) pair in `getOwnerNames`' map. */
export const ownerNameKey = (orgId: string, ownerId: string) => `${orgId}\u0000${ownerId}`;

/** The stored display names of the given (org, owner) pairs, keyed by `ownerNameKey`. */
export async function getOwnerNames(db: Db, keys: Array<{ orgId: string; ownerId: string }>): Promise<Map<string, string>> {
  const rows = await db.query<{ org_id: string; owner_id: string; display_name: string }>(
    `select n.org_id, n.owner_id, n.display_name from owner_names n
       join unnest($1::text[], $2::text[]) as k(org_id, owner_id) on k.org_id = n.org_id and k.owner_id = n.owner_id`,
    [keys.map((e) => e.orgId), keys.map((e) => e.ownerId)],
  );
  return new Map(rows.map((r) => [ownerNameKey(r.org_id, r.owner_id), r.display_name]));
}

export async function upsertOwnerName(db: Db, e: { orgId: string; ownerId: string; displayName: string }): Promise<void> {
  await db.query(
    `insert into owner_names (org_id, owner_id, display_name) values ($1, $2, $3)
     on conflict (org_id, owner_id) do update set display_name = excluded.display_name`,
    [e.orgId, e.ownerId, e.displayName],
  );
}
