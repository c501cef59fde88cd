/**
 * API tokens (docs/api.md, docs/auth.md "API tokens"), shared by `npm run tokens` and the web:
 * issuing (a random 256-bit secret shown once; only its SHA-256 is stored), revoking, and
 * checking a presented token on each API request. Every change is audited; so is the first use
 * of each token on each UTC day, and refusals (the caller decides how often, see app/lib/api.server.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../../db/client";
import { writeAudit } from "../../db/queries/audit";
import {
  findApiTokenByHash,
  getApiToken,
  insertApiToken,
  markApiTokenUsed,
  revokeApiToken as revokeApiTokenRow,
  type ApiTokenRow,
} from "../../db/queries/api-tokens";
import { findUserByEmail, normalizeEmail } from "../../db/queries/users";
import { InputError } from "../domain/errors";
import { scopeListSchema, scopeProblem, type AccessScope } from "../domain/scope";
import { RoleSchema, type Role } from "../domain/vocabulary";
import { assertScopeKnown } from "./users";

export const TOKEN_PREFIX = "sbk_";
/** sbk_ + 43 base64url characters (32 random bytes). */
const TOKEN_RE = /^sbk_[A-Za-z0-9_-]{43}$/;
export const DEFAULT_EXPIRES_DAYS = 90;
export const MAX_EXPIRES_DAYS = 365;

/** What is stored for a token: the base64url SHA-256 of the whole token string. */
export const hashApiToken = (token: string) => createHash("sha256").update(token, "utf8").digest("base64url");

/** The principal an API request acts as: a user (role as it is now) or a named service client. */
export interface ApiPrincipal {
  tokenId: number;
  kind: "user" | "client";
  /** The user's email or `client:<name>`: the audit actor. */
  label: string;
  userId: number | null;
  role: Role;
  /** team_viewer only: the scope it reads (the user's, at request time, for a user's token) */
  scope: AccessScope | null;
}

export const principalLabel = (t: Pick<ApiTokenRow, "user_email" | "client_name">) =>
  t.user_email ?? `client:${t.client_name ?? "unknown"}`;

const nameSchema = z
  .string({ error: "name is required" })
  .trim()
  .min(1, "name is required")
  .max(100, "name must be at most 100 characters");
const clientSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "client must be 1–63 letters, digits, '.', '_' or '-', starting with a letter or digit");
const expiresSchema = z.coerce
  .number({ error: "expires-days must be a whole number of days" })
  .int("expires-days must be a whole number of days")
  .min(1, "expires-days must be at least 1")
  .max(MAX_EXPIRES_DAYS, `expires-days must be at most ${MAX_EXPIRES_DAYS}`);

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(r.error.issues.map((i) => i.message).join("; "), { field });
  return r.data;
}

/** What the audit log keeps of a token (never the token or its hash). */
const publicToken = (t: ApiTokenRow) => ({
  id: t.id,
  name: t.name,
  hint: t.hint,
  user: t.user_email,
  client: t.client_name,
  role: t.client_name ? t.role : null,
  scope: t.client_name && t.role === "team_viewer" ? { teams: t.scope_teams, cost_centers: t.scope_cost_centers } : null,
  expires_at: t.expires_at,
});

export interface CreateTokenInput {
  name: unknown;
  /** Exactly one of `user` (an email) and `client` (a service client's name). */
  user?: unknown;
  client?: unknown;
  /** Service clients only (a user's token takes the user's role at request time). */
  role?: unknown;
  /** Service clients with role team_viewer only: comma-separated team names and cost center codes. */
  teams?: unknown;
  costCenters?: unknown;
  expiresDays?: unknown;
}

/** Issues a token; returns the token (to be shown once: it is not stored) and its row. */
export async function createApiToken(db: Db, actor: string, input: CreateTokenInput): Promise<{ token: string; row: ApiTokenRow }> {
  const name = parse(nameSchema, input.name, "name");
  const given = (v: unknown) => v !== undefined && v !== null && v !== "";
  if (given(input.user) === given(input.client)) throw new InputError("give either a user or a client (exactly one)", { field: "user" });
  const expiresDays = given(input.expiresDays) ? parse(expiresSchema, input.expiresDays, "expires-days") : DEFAULT_EXPIRES_DAYS;
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const base = { tokenHash: hashApiToken(token), hint: token.slice(0, TOKEN_PREFIX.length + 4), name, createdBy: actor, expiresDays };
  return db.transaction(async (tx) => {
    let row: ApiTokenRow;
    if (given(input.user)) {
      if (given(input.role)) throw new InputError("a user's token has the user's role: leave out the role", { field: "role" });
      if (given(input.teams) || given(input.costCenters)) {
        throw new InputError("a user's token has the user's scope: leave out --teams and --cost-centers", { field: "teams" });
      }
      const email = normalizeEmail(String(input.user));
      const u = await findUserByEmail(tx, email);
      if (!u) throw new InputError(`no user with email ${email}`, { field: "user" });
      if (u.disabled) throw new InputError(`user ${email} is disabled`, { field: "user" });
      row = await insertApiToken(tx, { ...base, userId: u.id, clientName: null, role: null });
    } else {
      const client = parse(clientSchema, input.client, "client");
      const role = parse(RoleSchema, input.role, "role");
      const scope = {
        teams: parse(scopeListSchema, input.teams ?? undefined, "teams"),
        costCenters: parse(scopeListSchema, input.costCenters ?? undefined, "cost-centers"),
      };
      if (role === "team_viewer") {
        const problem = scopeProblem(scope);
        if (problem) throw new InputError(problem, { field: "teams" });
        await assertScopeKnown(tx, scope);
      } else if (scope.teams.length || scope.costCenters.length) {
        throw new InputError(`a ${role} token sees every team: --teams and --cost-centers are for role team_viewer`, { field: "teams" });
      }
      row = await insertApiToken(tx, { ...base, userId: null, clientName: client, role, scope });
    }
    await writeAudit(tx, { actor, action: "create", entity: "api_token", entityId: String(row.id), after: publicToken(row) });
    return { token, row };
  });
}

/** Revokes a token (audited). `already`: it was revoked before (nothing changed, nothing audited). */
export async function revokeApiToken(db: Db, actor: string, idInput: unknown): Promise<{ row: ApiTokenRow; already: boolean }> {
  const id = parse(z.coerce.number().int().positive("id must be a token id"), idInput, "id");
  return db.transaction(async (tx) => {
    const before = await getApiToken(tx, id);
    if (!before) throw new InputError(`no API token with id ${id}`, { field: "id" });
    const row = await revokeApiTokenRow(tx, id, actor);
    if (!row) return { row: before, already: true };
    await writeAudit(tx, {
      actor,
      action: "revoke",
      entity: "api_token",
      entityId: String(id),
      before: publicToken(before),
      after: { ...publicToken(row), revoked_at: row.revoked_at },
    });
    return { row, already: false };
  });
}

export type TokenRefusal = "missing" | "malformed" | "unknown" | "expired" | "revoked" | "disabled";

/** A presented token's principal, or why it is refused (with the token and its principal when it was found). */
export type TokenCheck = { ok: true; principal: ApiPrincipal } | { ok: false; reason: TokenRefusal; tokenId?: number; label?: string };

export interface RequestInfo {
  client: string;
  path: string;
}

/**
 * The principal of a presented token, or why it is refused. A valid token's first use of the
 * UTC day is audited (action `use`); last_used_at is refreshed at most once a minute. Refusals
 * are not audited here (`auditApiRefusal`).
 */
export async function authenticateApiToken(db: Db, token: string | null, req: RequestInfo): Promise<TokenCheck> {
  if (!token) return { ok: false, reason: "missing" };
  if (!TOKEN_RE.test(token)) return { ok: false, reason: "malformed" };
  const t = await findApiTokenByHash(db, hashApiToken(token));
  if (!t) return { ok: false, reason: "unknown" };
  const label = principalLabel(t);
  if (t.revoked_at) return { ok: false, reason: "revoked", tokenId: t.id, label };
  if (t.expired) return { ok: false, reason: "expired", tokenId: t.id, label };
  if (t.user_disabled) return { ok: false, reason: "disabled", tokenId: t.id, label };
  if (t.first_use_today || t.stale) {
    await db.transaction(async (tx) => {
      if (await markApiTokenUsed(tx, t.id)) {
        await writeAudit(tx, {
          actor: label,
          action: "use",
          entity: "api_token",
          entityId: String(t.id),
          after: { name: t.name, path: req.path, client: req.client, first_use_of_day: true },
        });
      }
    });
  }
  return {
    ok: true,
    principal: {
      tokenId: t.id,
      kind: t.user_id ? "user" : "client",
      label,
      userId: t.user_id,
      role: t.role,
      scope: t.role === "team_viewer" ? { teams: [...t.scope_teams], costCenters: [...t.scope_cost_centers] } : null,
    },
  };
}

/** Audits refused API requests (`count` of them since the previous such entry). */
export async function auditApiRefusal(
  db: Db,
  r: { reason: string; tokenId?: number; label?: string; path: string; client: string; count: number },
): Promise<void> {
  await writeAudit(db, {
    actor: r.label ?? "anonymous",
    action: "refused",
    entity: "api_token",
    entityId: r.tokenId === undefined ? null : String(r.tokenId),
    after: { reason: r.reason, path: r.path, client: r.client, count: r.count },
  });
}
