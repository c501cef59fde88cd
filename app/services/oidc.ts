/**
 * OIDC single sign-on, the account side (docs/auth.md "OIDC single sign-on"): from the
 * identity provider's verified claims to a Showback account, in one transaction with its
 * audit entries. app/lib/oidc.server.ts has already checked state, PKCE, nonce and the ID
 * token; this decides who the person is here and what they may see.
 *
 * At every sign-in the role and scope are computed again from the claims (app/domain/
 * oidc-mapping.ts), so a group removed at the identity provider takes effect at the next
 * sign-in: no mapping refuses the sign-in and revokes the account's open sessions. The
 * account is found by (issuer, subject); a first sign-in links the account that already has
 * that email (only when the provider says the email is verified) or creates one just in
 * time, without a password. Audit actor: `oidc`.
 */
import type { Db } from "../../db/client";
import { writeAudit } from "../../db/queries/audit";
import {
  findUserByOidcIdentity,
  insertOidcUser,
  linkOidcIdentity,
  lockOidcIdentity,
  updateOidcUserAccess,
  updateOidcUserEmail,
  type OidcIdentity,
} from "../../db/queries/oidc-users";
import { findUserByEmail, revokeUserSessions, type UserRow } from "../../db/queries/users";
import { mapClaims, sameAccess, type OidcMapping, type RefusalReason } from "../domain/oidc-mapping";
import type { AccessScope } from "../domain/scope";
import type { Role } from "../domain/vocabulary";

export const OIDC_ACTOR = "oidc";

export type OidcRefusal =
  | RefusalReason
  /** the ID token has no subject */
  | "no_subject"
  /** the account is disabled in Showback */
  | "disabled"
  /** another identity already holds an account with this email */
  | "email_taken"
  /** an account with this email exists but the provider does not say the email is verified: not linked */
  | "email_unverified_for_link";

export type OidcSignIn =
  | { ok: true; user: { id: number; email: string; role: Role; scope: AccessScope | null }; created: boolean }
  | { ok: false; reason: OidcRefusal; email: string | null };

const publicUser = (u: Pick<UserRow, "id" | "email" | "role" | "disabled" | "scope_teams" | "scope_cost_centers">) => ({
  id: u.id,
  email: u.email,
  role: u.role,
  disabled: u.disabled,
  ...(u.role === "team_viewer" ? { scope: { teams: u.scope_teams, cost_centers: u.scope_cost_centers } } : {}),
});

const scopeOf = (u: Pick<UserRow, "role" | "scope_teams" | "scope_cost_centers">): AccessScope | null =>
  u.role === "team_viewer" ? { teams: [...u.scope_teams], costCenters: [...u.scope_cost_centers] } : null;

export interface OidcSignInInput {
  /** the issuer as discovered (part of the identity) */
  issuer: string;
  /** the ID token's claims (completed from userinfo) */
  claims: Readonly<Record<string, unknown>>;
  mapping: OidcMapping;
  /** client address (audit data) */
  client: string;
}

/** Signs a person in from verified claims: the account (found, linked or created) with its role and scope now, or why not. */
export async function signInWithOidc(db: Db, input: OidcSignInInput): Promise<OidcSignIn> {
  const subject = typeof input.claims.sub === "string" ? input.claims.sub : "";
  const outcome = mapClaims(input.claims, input.mapping);
  const identity: OidcIdentity = { issuer: input.issuer, subject };
  const about = { issuer: input.issuer, subject, client: input.client, groups: outcome.groups.slice(0, 50) };

  return db.transaction(async (tx): Promise<OidcSignIn> => {
    const refuse = async (reason: OidcRefusal, u: UserRow | undefined, email: string | null): Promise<OidcSignIn> => {
      const revoked = u ? await revokeUserSessions(tx, u.id) : 0;
      await writeAudit(tx, {
        actor: OIDC_ACTOR,
        action: "sign_in_refused",
        entity: "user",
        entityId: u?.email ?? null,
        after: { reason, email, ...about, sessions_revoked: revoked },
      });
      return { ok: false, reason, email };
    };
    if (!subject) return refuse("no_subject", undefined, outcome.email);
    await lockOidcIdentity(tx, identity, outcome.email ?? "");
    let u: UserRow | undefined = await findUserByOidcIdentity(tx, identity);
    if (!outcome.ok) return refuse(outcome.reason, u, outcome.email);
    if (u?.disabled) return refuse("disabled", u, outcome.email);

    const scope = outcome.scope ?? { teams: [], costCenters: [] };
    let created = false;
    if (!u) {
      const byEmail = await findUserByEmail(tx, outcome.email);
      if (byEmail) {
        if (byEmail.oidc_subject) return refuse("email_taken", undefined, outcome.email);
        // Linking hands an existing account (perhaps a break-glass admin) to whoever the
        // provider says owns the email: only when it says the email is verified.
        if (input.claims.email_verified !== true && input.claims.email_verified !== "true") {
          return refuse("email_unverified_for_link", undefined, outcome.email);
        }
        if (byEmail.disabled) return refuse("disabled", byEmail, outcome.email);
        if (!(await linkOidcIdentity(tx, byEmail.id, identity))) return refuse("email_taken", undefined, outcome.email);
        await writeAudit(tx, {
          actor: OIDC_ACTOR,
          action: "oidc_link",
          entity: "user",
          entityId: byEmail.email,
          after: { issuer: input.issuer, subject },
        });
        u = { ...byEmail, oidc_issuer: input.issuer, oidc_subject: subject };
      } else {
        u = await insertOidcUser(tx, { email: outcome.email, role: outcome.role, scope, identity });
        if (!u) return refuse("email_taken", undefined, outcome.email);
        created = true;
        await writeAudit(tx, {
          actor: OIDC_ACTOR,
          action: "create",
          entity: "user",
          entityId: u.email,
          after: { ...publicUser(u), issuer: input.issuer, subject, matched: outcome.matched },
        });
      }
    }

    if (!created && !sameAccess({ role: u.role, scope: scopeOf(u) }, { role: outcome.role, scope: outcome.scope })) {
      const after = { ...u, role: outcome.role, scope_teams: scope.teams, scope_cost_centers: scope.costCenters };
      await updateOidcUserAccess(tx, u.id, outcome.role, scope);
      await writeAudit(tx, {
        actor: OIDC_ACTOR,
        action: u.role === outcome.role ? "scope_change" : "role_change",
        entity: "user",
        entityId: u.email,
        before: publicUser(u),
        after: { ...publicUser(after), matched: outcome.matched },
      });
      u = after;
    }

    if (u.email !== outcome.email) {
      if (await updateOidcUserEmail(tx, u.id, outcome.email)) {
        await writeAudit(tx, {
          actor: OIDC_ACTOR,
          action: "email_change",
          entity: "user",
          entityId: outcome.email,
          before: { email: u.email },
          after: { email: outcome.email },
        });
        u = { ...u, email: outcome.email };
      }
      // else another account has that email: keep this one's (the identity is what counts)
    }

    await writeAudit(tx, {
      actor: u.email,
      action: "sign_in",
      entity: "user",
      entityId: u.email,
      after: { client: input.client, method: "oidc", issuer: input.issuer },
    });
    return { ok: true, created, user: { id: u.id, email: u.email, role: u.role, scope: scopeOf(u) } };
  });
}

/** Audits refused callbacks that name nobody (wrong state, used code, …): `count` of them since the previous entry. */
export async function auditOidcCallbackFailure(
  db: Db,
  f: { reason: string; detail?: string; client: string; count: number },
): Promise<void> {
  await writeAudit(db, {
    actor: "anonymous",
    action: "sign_in_failed",
    entity: "user",
    entityId: null,
    after: { method: "oidc", reason: f.reason, ...(f.detail ? { detail: f.detail } : {}), client: f.client, count: f.count },
  });
}
