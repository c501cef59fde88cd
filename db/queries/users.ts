/**
 * Accounts, sign-in attempts and the generated session secret (§6).
 * Emails are stored lower-cased; callers normalise with `normalizeEmail`.
 */
import type { Db } from "../client";

export type Role = "viewer" | "finance_admin";
export const ROLES: readonly Role[] = ["viewer", "finance_admin"] as const;

export interface UserRow {
  id: number;
  email: string;
  role: Role;
  disabled: boolean;
  created_at: string;
}

export interface UserWithHash extends UserRow {
  password_hash: string | null;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const COLS = "id, email, role, disabled, created_at";

export async function findUserByEmail(db: Db, email: string): Promise<UserWithHash | undefined> {
  const rows = await db.query<UserWithHash>(`select ${COLS}, password_hash from users where email = $1`, [
    normalizeEmail(email),
  ]);
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
  const rows = await db.query<{ n: number }>(
    `select count(*)::int as n from users where role = 'finance_admin' and not disabled`,
  );
  return Number(rows[0]?.n ?? 0);
}

export async function insertUser(
  db: Db,
  u: { email: string; role: Role; passwordHash: string | null },
): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    `insert into users (email, role, password_hash) values ($1, $2, $3)
     on conflict (email) do nothing returning ${COLS}`,
    [normalizeEmail(u.email), u.role, u.passwordHash],
  );
  return rows[0];
}

export async function updateUserRole(db: Db, id: number, role: Role): Promise<void> {
  await db.query(`update users set role = $2 where id = $1`, [id, role]);
}

export async function updateUserDisabled(db: Db, id: number, disabled: boolean): Promise<void> {
  await db.query(`update users set disabled = $2 where id = $1`, [id, disabled]);
}

export async function updateUserPasswordHash(db: Db, id: number, passwordHash: string): Promise<void> {
  await db.query(`update users set password_hash = $2 where id = $1`, [id, passwordHash]);
}

// ---------------------------------------------------------------- sign-in attempts

export async function recordLoginAttempt(db: Db, email: string, success: boolean): Promise<void> {
  await db.query(`insert into login_attempts (email, success) values ($1, $2)`, [normalizeEmail(email), success]);
}

/**
 * Locked when the latest failure (since the last success) is less than `lockMinutes`
 * old and at least `maxFailures` failures fall in the `windowMinutes` ending at it.
 * Refused attempts are not recorded, so the lock lasts `lockMinutes` from the failure
 * that triggered it.
 */
export async function isLockedOut(
  db: Db,
  email: string,
  opts: { maxFailures?: number; windowMinutes?: number; lockMinutes?: number } = {},
): Promise<boolean> {
  const max = opts.maxFailures ?? 5;
  const windowMin = opts.windowMinutes ?? 15;
  const lockMin = opts.lockMinutes ?? 15;
  const rows = await db.query<{ locked: boolean | null }>(
    `with s as (
       select coalesce(max(at), '-infinity'::timestamptz) as t from login_attempts where email = $1 and success
     ), f as (
       select a.at from login_attempts a, s
       where a.email = $1 and not a.success and a.at > s.t
         and a.at > now() - make_interval(mins => $3::int + $4::int)
     ), l as (select max(at) as m from f)
     select (l.m > now() - make_interval(mins => $4::int)
             and (select count(*) from f where f.at >= l.m - make_interval(mins => $3::int)) >= $2::int) as locked
     from l`,
    [normalizeEmail(email), max, windowMin, lockMin],
  );
  return rows[0]?.locked === true;
}

/** Removes attempts older than a day (called opportunistically). */
export async function pruneLoginAttempts(db: Db): Promise<void> {
  await db.query(`delete from login_attempts where at < now() - interval '1 day'`);
}

// ---------------------------------------------------------------- settings

/** Returns the stored value of `key`, storing `make()` first if there is none (race-safe). */
export async function getOrCreateSetting(db: Db, key: string, make: () => string): Promise<string> {
  await db.query(`insert into settings (key, value) values ($1, $2) on conflict (key) do nothing`, [key, make()]);
  const rows = await db.query<{ value: string }>(`select value from settings where key = $1`, [key]);
  return rows[0]!.value;
}
