/**
 * API tokens (docs/api.md): the stored hash, the principal (a user, whose role is read on every
 * request, or a named service client with its own role), expiry, revocation and last use.
 * Hashing, timing and audit decisions are the service's (app/services/api-tokens.ts).
 */
import type { Db } from "../client";
import type { Role } from "../../app/domain/vocabulary";

export interface ApiTokenRow {
  id: number;
  name: string;
  hint: string;
  user_id: number | null;
  /** The user's email (user tokens) */
  user_email: string | null;
  client_name: string | null;
  /** The token's own role (service clients) or the user's current role (user tokens). */
  role: Role;
  /** The token's own scope (service clients) or the user's current scope (user tokens): team_viewer only. */
  scope_teams: string[];
  scope_cost_centers: string[];
  user_disabled: boolean;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  last_used_at: string | null;
  /** expires_at has passed (by the database's clock). */
  expired: boolean;
}

/** The token found by hash, with its principal as it is now and the state the service checks. */
export interface ApiTokenLookup extends ApiTokenRow {
  /** The last audited use was on another UTC day (or never): this use is the first of the day. */
  first_use_today: boolean;
  /** last_used_at is unset or over a minute old. */
  stale: boolean;
}

const COLS = `t.id, t.name, t.hint, t.user_id, u.email as user_email, t.client_name,
  coalesce(t.role, u.role) as role, coalesce(u.disabled, false) as user_disabled, t.created_by,
  case when t.user_id is null then t.scope_teams else u.scope_teams end as scope_teams,
  case when t.user_id is null then t.scope_cost_centers else u.scope_cost_centers end as scope_cost_centers,
  t.created_at::text as created_at, t.expires_at::text as expires_at, t.revoked_at::text as revoked_at, t.revoked_by,
  t.last_used_at::text as last_used_at, t.expires_at <= now() as expired`;

export async function insertApiToken(
  db: Db,
  t: {
    tokenHash: string;
    hint: string;
    name: string;
    userId: number | null;
    clientName: string | null;
    role: Role | null;
    /** service clients with role team_viewer */
    scope?: { teams: string[]; costCenters: string[] };
    createdBy: string;
    expiresDays: number;
  },
): Promise<ApiTokenRow> {
  const [row] = await db.query<{ id: number }>(
    `insert into api_tokens (token_hash, hint, name, user_id, client_name, role, created_by, expires_at, scope_teams, scope_cost_centers)
     values ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(days => $8::int), $9::text[], $10::text[]) returning id`,
    [
      t.tokenHash,
      t.hint,
      t.name,
      t.userId,
      t.clientName,
      t.role,
      t.createdBy,
      t.expiresDays,
      t.scope?.teams ?? [],
      t.scope?.costCenters ?? [],
    ],
  );
  return (await getApiToken(db, row!.id))!;
}

export async function getApiToken(db: Db, id: number): Promise<ApiTokenRow | undefined> {
  const rows = await db.query<ApiTokenRow>(`select ${COLS} from api_tokens t left join users u on u.id = t.user_id where t.id = $1`, [id]);
  return rows[0];
}

/** Every token, newest first (revoked and expired ones included). */
export async function listApiTokens(db: Db): Promise<ApiTokenRow[]> {
  return db.query<ApiTokenRow>(`select ${COLS} from api_tokens t left join users u on u.id = t.user_id order by t.id desc`);
}

export async function findApiTokenByHash(db: Db, tokenHash: string): Promise<ApiTokenLookup | undefined> {
  const rows = await db.query<ApiTokenLookup>(
    `select ${COLS},
            t.last_used_day is distinct from (now() at time zone 'UTC')::date as first_use_today,
            (t.last_used_at is null or t.last_used_at < now() - interval '60 seconds') as stale
       from api_tokens t left join users u on u.id = t.user_id
      where t.token_hash = $1`,
    [tokenHash],
  );
  return rows[0];
}

/**
 * Records a use: returns true for exactly one caller per token and UTC day (the one that moved
 * last_used_day to today); otherwise only refreshes last_used_at when it is over a minute old.
 */
export async function markApiTokenUsed(db: Db, id: number): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    `update api_tokens set last_used_at = now(), last_used_day = (now() at time zone 'UTC')::date
      where id = $1 and last_used_day is distinct from (now() at time zone 'UTC')::date returning id`,
    [id],
  );
  if (rows.length) return true;
  await db.query(`update api_tokens set last_used_at = now() where id = $1 and last_used_at < now() - interval '60 seconds'`, [id]);
  return false;
}

/** Revokes a live token; returns it as revoked, or undefined when it was already revoked or does not exist. */
export async function revokeApiToken(db: Db, id: number, by: string): Promise<ApiTokenRow | undefined> {
  const rows = await db.query<{ id: number }>(
    `update api_tokens set revoked_at = now(), revoked_by = $2 where id = $1 and revoked_at is null returning id`,
    [id, by],
  );
  return rows.length ? getApiToken(db, id) : undefined;
}
