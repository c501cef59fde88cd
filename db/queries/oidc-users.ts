/**
 * OIDC single sign-on (docs/auth.md "OIDC single sign-on"): accounts by their identity at the
 * identity provider (users.oidc_issuer, users.oidc_subject; unique together), the just-in-time
 * account, and the sessions that remember how they were opened (sessions.auth_method).
 * The other account and session queries are in users.ts.
 */
import type { Db } from "../client";
import { normalizeEmail, type Role, type UserWithHash } from "./users";

const COLS = "id, email, role, disabled, created_at, scope_teams, scope_cost_centers, oidc_issuer, oidc_subject, password_hash";

export interface OidcIdentity {
  issuer: string;
  subject: string;
}

/**
 * Serialises the sign-ins of one identity (and of one email) until the end of the transaction,
 * so two first sign-ins at once create one account.
 */
export async function lockOidcIdentity(tx: Db, id: OidcIdentity, email: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 2))`, [`oidc:${id.issuer}\n${id.subject}`]);
  await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 3))`, [`oidc-email:${normalizeEmail(email)}`]);
}

export async function findUserByOidcIdentity(db: Db, id: OidcIdentity): Promise<UserWithHash | undefined> {
  const rows = await db.query<UserWithHash>(`select ${COLS} from users where oidc_issuer = $1 and oidc_subject = $2`, [
    id.issuer,
    id.subject,
  ]);
  return rows[0];
}

/** A new account for this identity, without a password; undefined when the email or the identity is taken. */
export async function insertOidcUser(
  db: Db,
  u: { email: string; role: Role; scope: { teams: string[]; costCenters: string[] }; identity: OidcIdentity },
): Promise<UserWithHash | undefined> {
  const rows = await db.query<UserWithHash>(
    `insert into users (email, role, password_hash, scope_teams, scope_cost_centers, oidc_issuer, oidc_subject)
     values ($1, $2, null, $3::text[], $4::text[], $5, $6)
     on conflict do nothing returning ${COLS}`,
    [normalizeEmail(u.email), u.role, u.scope.teams, u.scope.costCenters, u.identity.issuer, u.identity.subject],
  );
  return rows[0];
}

/** Links an existing account (created before single sign-on) to this identity; false when it already has one. */
export async function linkOidcIdentity(db: Db, userId: number, id: OidcIdentity): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    `update users set oidc_issuer = $2, oidc_subject = $3 where id = $1 and oidc_subject is null returning id`,
    [userId, id.issuer, id.subject],
  );
  return rows.length === 1;
}

/** The identity provider changed the user's email; false when another account has that email. */
export async function updateOidcUserEmail(db: Db, userId: number, email: string): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    `update users set email = $2 where id = $1 and not exists (select 1 from users where email = $2 and id <> $1) returning id`,
    [userId, normalizeEmail(email)],
  );
  return rows.length === 1;
}

/** Role and scope in one statement (the scope: empty lists for roles other than team_viewer). */
export async function updateOidcUserAccess(db: Db, userId: number, role: Role, scope: { teams: string[]; costCenters: string[] }) {
  await db.query(`update users set role = $2, scope_teams = $3::text[], scope_cost_centers = $4::text[] where id = $1`, [
    userId,
    role,
    scope.teams,
    scope.costCenters,
  ]);
}

// ---------------------------------------------------------------- sessions and how they were opened

export type AuthMethod = "password" | "oidc";

/**
 * A server-side session (as users.ts#insertSession) that records how it was opened and ends
 * `maxMinutes` after sign-in.
 */
export async function insertSessionWithMethod(
  db: Db,
  s: { idHash: string; userId: number; method: AuthMethod; maxMinutes: number; userAgent?: string | null; ip?: string | null },
): Promise<void> {
  await db.query(
    `insert into sessions (id_hash, user_id, expires_at, auth_method, user_agent, ip)
     values ($1, $2, now() + make_interval(mins => $3::int), $4, $5, $6)`,
    [s.idHash, s.userId, s.maxMinutes, s.method, s.userAgent?.slice(0, 300) ?? null, s.ip?.slice(0, 100) ?? null],
  );
}

/**
 * users.ts#findLiveSession plus how the session was opened; a single sign-on session also
 * ends `oidcHours` after sign-in as configured now (a shorter setting applies at once).
 */
export async function findLiveSessionWithMethod(
  db: Db,
  idHash: string,
  limits: { idleMinutes: number; maxDays: number; oidcHours: number },
): Promise<{ user_id: number; stale: boolean; auth_method: AuthMethod } | undefined> {
  const rows = await db.query<{ user_id: number; stale: boolean; auth_method: AuthMethod }>(
    `select user_id, last_seen_at < now() - interval '60 seconds' as stale, auth_method from sessions
     where id_hash = $1 and revoked_at is null and expires_at > now()
       and created_at > now() - make_interval(days => $2::int)
       and last_seen_at > now() - make_interval(mins => $3::int)
       and (auth_method <> 'oidc' or created_at > now() - make_interval(hours => $4::int))`,
    [idHash, limits.maxDays, limits.idleMinutes, limits.oidcHours],
  );
  return rows[0];
}
