/**
 * Account management shared by the `users` CLI and the /admin/users page (docs/auth.md):
 * validation (zod), hashing, the change itself and its audit entry, in one
 * transaction. Passwords never reach the audit log or any message.
 */
import { z } from "zod";
import { InputError } from "../domain/errors";
import type { Db } from "../../db/client";
import { writeAudit } from "../../db/queries/audit";
import {
  clearLoginAttempts,
  countActiveAdmins,
  findUserByEmail,
  insertUser,
  normalizeEmail,
  revokeUserSessions,
  ROLES,
  updateUserDisabled,
  updateUserPasswordHash,
  updateUserRole,
  updateUserScope,
  type Role,
  type UserRow,
} from "../../db/queries/users";
import { listCostCenters } from "../../db/queries/cost-centers";
import { listTeams } from "../../db/queries/teams";
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN } from "./password";
import { scopeListSchema, scopeProblem, type AccessScope } from "../domain/scope";

export const emailSchema = z
  .string({ error: "email is required" })
  .trim()
  .toLowerCase()
  .max(254, "email is too long")
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "email is not a valid address");
export const roleSchema = z.enum(ROLES as [Role, ...Role[]], { error: "role must be team_viewer, viewer or finance_admin" });
export const passwordSchema = z
  .string({ error: "password is required" })
  .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`);

/** Validates one field; every problem in the message (joined by "; "), the field named. */
function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(r.error.issues.map((i) => i.message).join("; "), { field });
  return r.data;
}

const publicUser = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  role: u.role,
  disabled: u.disabled,
  ...(u.role === "team_viewer" ? { scope: { teams: u.scope_teams, cost_centers: u.scope_cost_centers } } : {}),
});

export interface ScopeInput {
  /** comma-separated team names (or a list) */
  teams?: unknown;
  /** comma-separated cost center codes (or a list) */
  costCenters?: unknown;
}

const listInput = (v: unknown) => (Array.isArray(v) ? v.join(",") : v === null ? undefined : v);

/**
 * The scope for `role`: a team_viewer must name teams and/or cost centers; the other roles see
 * every team and take none (InputError naming the field otherwise).
 */
export function parseScope(role: Role, input: ScopeInput): AccessScope {
  const scope = {
    teams: parse(scopeListSchema, listInput(input.teams), "teams"),
    costCenters: parse(scopeListSchema, listInput(input.costCenters), "cost_centers"),
  };
  if (role === "team_viewer") {
    const problem = scopeProblem(scope);
    if (problem) throw new InputError(problem, { field: "teams" });
  } else if (scope.teams.length || scope.costCenters.length) {
    throw new InputError(`a ${role} sees every team: teams and cost centers are for role team_viewer`, { field: "teams" });
  }
  return scope;
}

/**
 * The named teams and cost centers must exist (a typo would silently show nothing): an
 * InputError naming the first unknown one otherwise. Shared with service-client tokens.
 */
export async function assertScopeKnown(db: Db, scope: AccessScope): Promise<void> {
  if (scope.teams.length) {
    const known = new Set((await listTeams(db, { includeArchived: true })).map((t) => t.name));
    const missing = scope.teams.filter((t) => !known.has(t));
    if (missing.length) {
      throw new InputError(`no team named ${missing.map((t) => JSON.stringify(t)).join(", ")} (npm run teams -- list shows them)`, {
        field: "teams",
      });
    }
  }
  if (scope.costCenters.length) {
    const known = new Set((await listCostCenters(db)).map((c) => c.code));
    const missing = scope.costCenters.filter((c) => !known.has(c));
    if (missing.length) {
      throw new InputError(`no cost center ${missing.map((c) => JSON.stringify(c)).join(", ")}`, { field: "cost_centers" });
    }
  }
}

async function mustFind(db: Db, email: string) {
  const u = await findUserByEmail(db, email);
  if (!u) throw new InputError(`no user with email ${normalizeEmail(email)}`, { field: "email" });
  return u;
}

async function guardLastAdmin(db: Db, u: UserRow, next: { role: Role; disabled: boolean }) {
  const wasActiveAdmin = u.role === "finance_admin" && !u.disabled;
  const staysActiveAdmin = next.role === "finance_admin" && !next.disabled;
  if (wasActiveAdmin && !staysActiveAdmin && (await countActiveAdmins(db)) <= 1) {
    throw new InputError("refused: this is the last active finance admin");
  }
}

/**
 * `requirePassword` (the web form in password mode): an absent or empty password is
 * refused, since an account without a hash can never sign in there. The CLI may
 * still add password-less accounts for header (single sign-on) mode.
 */
export async function addUser(
  db: Db,
  actor: string,
  input: { email: unknown; role: unknown; password?: unknown } & ScopeInput,
  opts: { requirePassword?: boolean } = {},
): Promise<UserRow> {
  const email = parse(emailSchema, input.email, "email");
  const role = parse(roleSchema, input.role, "role");
  const scope = parseScope(role, input);
  const given = input.password === undefined || input.password === null || input.password === "" ? undefined : input.password;
  if (opts.requirePassword && given === undefined) throw new InputError("password is required", { field: "password" });
  const password = given === undefined ? undefined : parse(passwordSchema, given, "password");
  const passwordHash = password === undefined ? null : await hashPassword(password);
  return db.transaction(async (tx) => {
    await assertScopeKnown(tx, scope);
    const u = await insertUser(tx, { email, role, passwordHash, scope });
    if (!u) throw new InputError(`a user with email ${email} already exists`, { field: "email" });
    await writeAudit(tx, { actor, action: "create", entity: "user", entityId: email, after: publicUser(u) });
    return u;
  });
}

export async function setDisabled(db: Db, actor: string, emailInput: unknown, disabled: boolean): Promise<UserRow> {
  const email = parse(emailSchema, emailInput, "email");
  return changeUser(db, actor, email, { disabled }, disabled ? "disable" : "enable", async (tx, u) => {
    await updateUserDisabled(tx, u.id, disabled);
    if (disabled) await revokeUserSessions(tx, u.id);
  });
}

/**
 * Changes the role; to team_viewer it needs the scope too (`scope`), from team_viewer the
 * scope is cleared. The user's open sessions and tokens follow at their next request.
 */
export async function setRole(
  db: Db,
  actor: string,
  emailInput: unknown,
  roleInput: unknown,
  scopeInput: ScopeInput = {},
): Promise<UserRow> {
  const email = parse(emailSchema, emailInput, "email");
  const role = parse(roleSchema, roleInput, "role");
  const scope = parseScope(role, scopeInput);
  return changeUser(
    db,
    actor,
    email,
    { role, scope_teams: scope.teams, scope_cost_centers: scope.costCenters },
    "role_change",
    async (tx, u) => {
      await assertScopeKnown(tx, scope);
      await updateUserRole(tx, u.id, role);
      await updateUserScope(tx, u.id, scope);
    },
  );
}

/** Changes a team_viewer's scope (`set-scope`): audited with the scope before and after. */
export async function setScope(db: Db, actor: string, emailInput: unknown, scopeInput: ScopeInput): Promise<UserRow> {
  const email = parse(emailSchema, emailInput, "email");
  return db.transaction(async (tx) => {
    const u = await mustFind(tx, email);
    if (u.role !== "team_viewer") {
      throw new InputError(`${email} is a ${u.role} and sees every team: set-role --role team_viewer first (with its scope)`, {
        field: "email",
      });
    }
    const scope = parseScope("team_viewer", scopeInput);
    await assertScopeKnown(tx, scope);
    const after = { ...u, scope_teams: scope.teams, scope_cost_centers: scope.costCenters };
    if (sameList(u.scope_teams, scope.teams) && sameList(u.scope_cost_centers, scope.costCenters)) return u;
    await updateUserScope(tx, u.id, scope);
    await writeAudit(tx, {
      actor,
      action: "scope_change",
      entity: "user",
      entityId: email,
      before: publicUser(u),
      after: publicUser(after),
    });
    return after;
  });
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Changes a user's role or disabled flag in one transaction: nothing happens when it is
 * already so, the last active finance admin is never demoted or disabled, and the change is
 * audited with the user before and after.
 */
async function changeUser(
  db: Db,
  actor: string,
  email: string,
  change: { role?: Role; disabled?: boolean; scope_teams?: string[]; scope_cost_centers?: string[] },
  action: string,
  apply: (tx: Db, u: Awaited<ReturnType<typeof mustFind>>) => Promise<void>,
) {
  return db.transaction(async (tx) => {
    const u = await mustFind(tx, email);
    const after = { ...u, ...change };
    const sameScope = sameList(after.scope_teams, u.scope_teams) && sameList(after.scope_cost_centers, u.scope_cost_centers);
    if (after.role === u.role && after.disabled === u.disabled && sameScope) return u;
    await guardLastAdmin(tx, u, { role: after.role, disabled: after.disabled });
    await apply(tx, u);
    await writeAudit(tx, { actor, action, entity: "user", entityId: email, before: publicUser(u), after: publicUser(after) });
    return after;
  });
}

export async function resetPassword(db: Db, actor: string, emailInput: unknown, passwordInput: unknown): Promise<UserRow> {
  const email = parse(emailSchema, emailInput, "email");
  const password = parse(passwordSchema, passwordInput, "password");
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const u = await mustFind(tx, email);
    await updateUserPasswordHash(tx, u.id, passwordHash);
    const sessions = await revokeUserSessions(tx, u.id);
    const cleared = await clearLoginAttempts(tx, email);
    await writeAudit(tx, {
      actor,
      action: "password_reset",
      entity: "user",
      entityId: email,
      after: { sessions_revoked: sessions, throttle_cleared: cleared },
    });
    return u;
  });
}

/**
 * Clears the sign-in throttle of `email` (every client), audited. The email need not
 * belong to an account: throttles are kept for typed emails, known or not.
 */
export async function unlockSignIn(db: Db, actor: string, emailInput: unknown): Promise<{ email: string; cleared: number }> {
  const email = parse(emailSchema, emailInput, "email");
  return db.transaction(async (tx) => {
    const cleared = await clearLoginAttempts(tx, email);
    await writeAudit(tx, { actor, action: "unlock", entity: "user", entityId: email, after: { throttle_cleared: cleared } });
    return { email, cleared };
  });
}

// ---------------------------------------------------------------- seeded accounts

/**
 * Creates an account with a generated password for a data set nobody typed (the demo's
 * accounts, the load test's throwaway viewer): no validation of the generated values
 * and no audit entry. Returns undefined when the email is taken.
 */
export async function seedUser(db: Db, u: { email: string; role: Role; password: string }): Promise<UserRow | undefined> {
  return insertUser(db, { email: u.email, role: u.role, passwordHash: await hashPassword(u.password) });
}

/** Disables a seeded account when its run ends (no audit entry, sessions left to expire); a missing account is ignored. */
export async function disableSeededUser(db: Db, email: string): Promise<void> {
  const u = await findUserByEmail(db, email);
  if (u) await updateUserDisabled(db, u.id, true);
}
