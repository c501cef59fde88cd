/**
 * Accounts, sign-in attempts, server-side sessions and the generated session secret (docs/auth.md).
 * Emails are stored lower-cased; callers normalise with `normalizeEmail`.
 */
import type { Db } from "../client";

import { ROLES as ROLE_TUPLE, type Role } from "../../app/domain/vocabulary";

export type { Role };
/** The roles of app/domain/vocabulary.ts (typed as a plain list, as before, for existing callers). */
export const ROLES: readonly Role[] = ROLE_TUPLE;

export interface UserRow {
  id: number;
  email: string;
  role: Role;
  disabled: boolean;
  created_at: string;
  /** team_viewer only (else empty): the scope's team names and cost center codes */
  scope_teams: string[];
  scope_cost_centers: string[];
  /** accounts created by OIDC single sign-on (docs/auth.md) */
  oidc_issuer: string | null;
  oidc_subject: string | null;
}

export interface UserWithHash extends UserRow {
  password_hash: string | null;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const COLS = "id, email, role, disabled, created_at, scope_teams, scope_cost_centers, oidc_issuer, oidc_subject";

export async function findUserByEmail(db: Db, email: string): Promise<UserWithHash | undefined> {
  const rows = await db.query<UserWithHash>(`select ${COLS}, password_hash from users where email = $1`, [normalizeEmail(email)]);
  return rows[0];
}

export async function getUserById(db: Db, id: number): Promise<UserWithHash | undefined> {
  const rows = await db.query<UserWithHash>(`select ${COLS}, password_hash from users where id = $1`, [id]);
  return rows[0];
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.query<UserRow>(`select ${COLS} from users order by email`);
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const rows = await db.query<{ n: number }>(`select count(*)::int as n from users where role = 'finance_admin' and not disabled`);
  return Number(rows[0]?.n ?? 0);
}

export async function insertUser(
  db: Db,
  u: { email: string; role: Role; passwordHash: string | null; scope?: { teams: string[]; costCenters: string[] } },
): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    `insert into users (email, role, password_hash, scope_teams, scope_cost_centers) values ($1, $2, $3, $4::text[], $5::text[])
     on conflict (email) do nothing returning ${COLS}`,
    [normalizeEmail(u.email), u.role, u.passwordHash, u.scope?.teams ?? [], u.scope?.costCenters ?? []],
  );
  return rows[0];
}

export async function updateUserRole(db: Db, id: number, role: Role): Promise<void> {
  await db.query(`update users set role = $2 where id = $1`, [id, role]);
}

/** Sets the scope (empty lists for roles other than team_viewer). */
export async function updateUserScope(db: Db, id: number, scope: { teams: string[]; costCenters: string[] }): Promise<void> {
  await db.query(`update users set scope_teams = $2::text[], scope_cost_centers = $3::text[] where id = $1`, [
    id,
    scope.teams,
    scope.costCenters,
  ]);
}

/** A team renamed: the scopes that name it follow (users and service-client tokens). Returns the users changed. */
export async function renameTeamInScopes(db: Db, from: string, to: string): Promise<number> {
  await db.query(`update api_tokens set scope_teams = array_replace(scope_teams, $1, $2) where $1 = any(scope_teams)`, [from, to]);
  const rows = await db.query<{ id: number }>(
    `update users set scope_teams = array_replace(scope_teams, $1, $2) where $1 = any(scope_teams) returning id`,
    [from, to],
  );
  return rows.length;
}

export async function updateUserDisabled(db: Db, id: number, disabled: boolean): Promise<void> {
  await db.query(`update users set disabled = $2 where id = $1`, [id, disabled]);
}

export async function updateUserPasswordHash(db: Db, id: number, passwordHash: string): Promise<void> {
  await db.query(`update users set password_hash = $2 where id = $1`, [id, passwordHash]);
}

// ---------------------------------------------------------------- sign-in attempts (throttle)

/** Failures of one (email, client) since its last success, within a day. */
export interface ThrottleState {
  failures: number;
  /** Milliseconds since the latest of those failures (null: none). */
  sinceLastMs: number | null;
  /** Failures of this client for any email in the last 15 minutes (password spraying). */
  clientFailures?: number;
  /** Milliseconds since the latest of those (null: none). */
  clientSinceLastMs?: number | null;
}

const lockKey = (email: string, client: string) => `login:${normalizeEmail(email)}\n${client}`;

/**
 * Records a sign-in attempt BEFORE the password is checked, atomically with the
 * throttle decision (an advisory lock per (email, client)), so N parallel guesses
 * are N attempts. `waitMs(state)` returns 0 to let the attempt go on (recorded as a
 * failure until `markLoginSuccess`) or the wait still due (recorded as throttled).
 */
export async function beginLoginAttempt(
  db: Db,
  email: string,
  client: string,
  waitMs: (s: ThrottleState) => number,
): Promise<{ id: number; waitMs: number }> {
  const e = normalizeEmail(email);
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey(e, client)]);
    const [s] = await tx.query<{ n: number; since_ms: number | null }>(
      `with s as (
         select coalesce(max(at), '-infinity'::timestamptz) as t from login_attempts where email = $1 and client = $2 and success
       )
       select count(*)::int as n, (extract(epoch from clock_timestamp() - max(a.at)) * 1000)::float8 as since_ms
       from login_attempts a, s
       where a.email = $1 and a.client = $2 and not a.success and not a.throttled
         and a.at > s.t and a.at > now() - interval '1 day'`,
      [e, client],
    );
    const [c] = await tx.query<{ n: number; since_ms: number | null }>(
      `select count(*)::int as n, (extract(epoch from clock_timestamp() - max(at)) * 1000)::float8 as since_ms
       from login_attempts where client = $1 and not success and not throttled and at > now() - interval '15 minutes'`,
      [client],
    );
    const wait = waitMs({
      failures: Number(s?.n ?? 0),
      sinceLastMs: s?.since_ms == null ? null : Number(s.since_ms),
      clientFailures: Number(c?.n ?? 0),
      clientSinceLastMs: c?.since_ms == null ? null : Number(c.since_ms),
    });
    const [row] = await tx.query<{ id: number }>(
      `insert into login_attempts (email, client, success, throttled, at) values ($1, $2, false, $3, clock_timestamp()) returning id`,
      [e, client, wait > 0],
    );
    return { id: row!.id, waitMs: wait };
  });
}

export async function markLoginSuccess(db: Db, attemptId: number): Promise<void> {
  await db.query(`update login_attempts set success = true where id = $1`, [attemptId]);
}

/**
 * Rate limit for failure audit entries: at most one per (email, client) per minute.
 * When this attempt may write one, marks it audited, calls `write(count)` in the same
 * transaction with the number of failed attempts since the previous entry (this one
 * included) and returns that count; otherwise returns null (the next entry counts it).
 */
export async function auditFailureRateLimited(
  db: Db,
  email: string,
  client: string,
  attemptId: number,
  write: (tx: Db, count: number) => Promise<void>,
): Promise<number | null> {
  const e = normalizeEmail(email);
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 1))`, [lockKey(e, client)]);
    const [r] = await tx.query<{ recent: boolean; n: number }>(
      `with last as (
         select coalesce(max(at), '-infinity'::timestamptz) as t from login_attempts where email = $1 and client = $2 and audited
       )
       select (select t from last) > clock_timestamp() - interval '1 minute' as recent,
              (select count(*)::int from login_attempts a, last
                where a.email = $1 and a.client = $2 and not a.success and a.at > last.t and a.id <= $3) as n`,
      [e, client, attemptId],
    );
    if (!r || r.recent) return null;
    await tx.query(`update login_attempts set audited = true where id = $1`, [attemptId]);
    const n = Math.max(1, Number(r.n));
    await write(tx, n);
    return n;
  });
}

/** Clears the throttle of `email` from every client; returns the rows removed. */
export async function clearLoginAttempts(db: Db, email: string): Promise<number> {
  const rows = await db.query<{ id: number }>(`delete from login_attempts where email = $1 returning id`, [normalizeEmail(email)]);
  return rows.length;
}

/** Removes attempts older than a day and sessions ended over 30 days ago (called at start). */
export async function pruneLoginAttempts(db: Db): Promise<void> {
  await db.query(`delete from login_attempts where at < now() - interval '1 day'`);
  await db.query(`delete from sessions where coalesce(revoked_at, expires_at) < now() - interval '30 days'`);
}

// ---------------------------------------------------------------- sessions (server side)

export async function insertSession(
  db: Db,
  s: { idHash: string; userId: number; maxDays: number; userAgent?: string | null; ip?: string | null },
): Promise<void> {
  await db.query(
    `insert into sessions (id_hash, user_id, expires_at, user_agent, ip)
     values ($1, $2, now() + make_interval(days => $3::int), $4, $5)`,
    [s.idHash, s.userId, s.maxDays, s.userAgent?.slice(0, 300) ?? null, s.ip?.slice(0, 100) ?? null],
  );
}

/**
 * The live session with this id hash: not revoked, within its absolute lifetime
 * (expires_at, and created_at within `maxDays` as configured now) and not idle for
 * more than `idleMinutes`. `stale`: last activity over a minute ago (touch it).
 */
export async function findLiveSession(
  db: Db,
  idHash: string,
  limits: { idleMinutes: number; maxDays: number },
): Promise<{ user_id: number; stale: boolean } | undefined> {
  const rows = await db.query<{ user_id: number; stale: boolean }>(
    `select user_id, last_seen_at < now() - interval '60 seconds' as stale from sessions
     where id_hash = $1 and revoked_at is null and expires_at > now()
       and created_at > now() - make_interval(days => $2::int)
       and last_seen_at > now() - make_interval(mins => $3::int)`,
    [idHash, limits.maxDays, limits.idleMinutes],
  );
  return rows[0];
}

export async function touchSession(db: Db, idHash: string): Promise<void> {
  await db.query(`update sessions set last_seen_at = now() where id_hash = $1 and revoked_at is null`, [idHash]);
}

export async function revokeSession(db: Db, idHash: string): Promise<void> {
  await db.query(`update sessions set revoked_at = now() where id_hash = $1 and revoked_at is null`, [idHash]);
}

/** Ends every session of the user (password reset, disabling); returns how many. */
export async function revokeUserSessions(db: Db, userId: number): Promise<number> {
  const rows = await db.query<{ id_hash: string }>(
    `update sessions set revoked_at = now() where user_id = $1 and revoked_at is null returning id_hash`,
    [userId],
  );
  return rows.length;
}

// ---------------------------------------------------------------- settings

/** Returns the stored value of `key`, storing `make()` first if there is none (race-safe). */
export async function getOrCreateSetting(db: Db, key: string, make: () => string): Promise<string> {
  await db.query(`insert into settings (key, value) values ($1, $2) on conflict (key) do nothing`, [key, make()]);
  const rows = await db.query<{ value: string }>(`select value from settings where key = $1`, [key]);
  return rows[0]!.value;
}
