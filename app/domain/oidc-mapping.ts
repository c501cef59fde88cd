/**
 * OIDC single sign-on: from the identity provider's claims to a role and an access scope
 * (docs/auth.md "OIDC single sign-on"). Pure: the configuration syntax (zod schemas used by
 * app/lib/env.server.ts), the mapping itself and the local-password policy.
 *
 * Role map (SHOWBACK_OIDC_ROLE_MAP): `GROUP=ROLE,…` with ROLE `finance_admin` or `viewer`;
 * GROUP `*` matches every signed-in person. Team map (SHOWBACK_OIDC_TEAM_MAP):
 * `GROUP=team:NAME,GROUP=cost_center:CODE,…` (a group may appear several times); those
 * groups make a `team_viewer` of that scope. Both also accept a JSON object
 * (`{"GROUP": "viewer"}`, `{"GROUP": ["team:a", "cost_center:CC-1"]}`) for group names that
 * contain commas (LDAP DNs). Priority: finance_admin > viewer > team_viewer; no match: refused.
 */
import { z } from "zod";
import { OTHER_TEAMS, type AccessScope } from "./scope";
import type { Role } from "./vocabulary";

// ---------------------------------------------------------------- local passwords

/** SHOWBACK_LOCAL_PASSWORDS: `on` everyone with a password, `admins` finance admins only (break-glass), `off` nobody. */
export const LOCAL_PASSWORD_MODES = ["on", "admins", "off"] as const;
export type LocalPasswords = (typeof LOCAL_PASSWORD_MODES)[number];

/** May an account of this role sign in (or stay signed in) with its local password? */
export const localPasswordAllows = (mode: LocalPasswords, role: Role): boolean =>
  mode === "on" || (mode === "admins" && role === "finance_admin");

// ---------------------------------------------------------------- configuration syntax

/** Roles a group may grant directly; team_viewer comes from the team map (it needs a scope). */
export const MAPPED_ROLES = ["finance_admin", "viewer"] as const;
export type MappedRole = (typeof MAPPED_ROLES)[number];

/** The role map's group that matches everyone the identity provider lets through. */
export const ANY_GROUP = "*";

export interface RoleRule {
  group: string;
  role: MappedRole;
}

export interface TeamRule {
  group: string;
  kind: "team" | "cost_center";
  name: string;
}

const MAX_RULES = 500;
const MAX_NAME = 100;
const MAX_GROUP = 500;

type Ctx = z.RefinementCtx;

/** `[group, value]` pairs of a map: a JSON object (values: a string or a list of strings) or `GROUP=VALUE,…`. */
function entries(text: string, ctx: Ctx): Array<[string, string]> | null {
  const t = text.trim();
  if (t.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      ctx.addIssue({ code: "custom", message: "is not valid JSON (a value starting with { is read as a JSON object)" });
      return null;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      ctx.addIssue({ code: "custom", message: 'must be a JSON object like {"group": "viewer"}' });
      return null;
    }
    const out: Array<[string, string]> = [];
    for (const [group, v] of Object.entries(parsed as Record<string, unknown>)) {
      const values = Array.isArray(v) ? v : [v];
      for (const x of values) {
        if (typeof x !== "string") {
          ctx.addIssue({ code: "custom", message: `the value for group "${group}" must be a string or a list of strings` });
          return null;
        }
        out.push([group.trim(), x.trim()]);
      }
    }
    return out;
  }
  const out: Array<[string, string]> = [];
  for (const raw of t.split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const i = entry.lastIndexOf("=");
    if (i < 0) {
      ctx.addIssue({ code: "custom", message: `entry "${entry}" is not GROUP=VALUE` });
      return null;
    }
    out.push([entry.slice(0, i).trim(), entry.slice(i + 1).trim()]);
  }
  return out;
}

function checkGroup(group: string, ctx: Ctx): boolean {
  if (!group) {
    ctx.addIssue({ code: "custom", message: "an entry has an empty group name" });
    return false;
  }
  if (group.length > MAX_GROUP) {
    ctx.addIssue({ code: "custom", message: `group name "${group.slice(0, 40)}…" is longer than ${MAX_GROUP} characters` });
    return false;
  }
  return true;
}

/** SHOWBACK_OIDC_ROLE_MAP, e.g. `showback-admins=finance_admin,showback-viewers=viewer`. */
export const roleMapSchema = z
  .string()
  .optional()
  .transform((text, ctx): RoleRule[] => {
    if (!text || !text.trim()) return [];
    const pairs = entries(text, ctx);
    if (!pairs) return z.NEVER;
    const seen = new Set<string>();
    const rules: RoleRule[] = [];
    for (const [group, value] of pairs) {
      if (!checkGroup(group, ctx)) return z.NEVER;
      const role = value.toLowerCase();
      if (role === "team_viewer") {
        ctx.addIssue({
          code: "custom",
          message: `group "${group}": team_viewer needs a scope, map the group in SHOWBACK_OIDC_TEAM_MAP (GROUP=team:NAME or GROUP=cost_center:CODE) instead`,
        });
        return z.NEVER;
      }
      if (!(MAPPED_ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({ code: "custom", message: `group "${group}": unknown role "${value}" (finance_admin or viewer)` });
        return z.NEVER;
      }
      if (seen.has(group)) {
        ctx.addIssue({ code: "custom", message: `group "${group}" is mapped twice` });
        return z.NEVER;
      }
      seen.add(group);
      rules.push({ group, role: role as MappedRole });
    }
    if (rules.length > MAX_RULES) {
      ctx.addIssue({ code: "custom", message: `at most ${MAX_RULES} entries` });
      return z.NEVER;
    }
    return rules;
  });

/** SHOWBACK_OIDC_TEAM_MAP, e.g. `team-payments=team:payments,cc-platform=cost_center:CC-1`. */
export const teamMapSchema = z
  .string()
  .optional()
  .transform((text, ctx): TeamRule[] => {
    if (!text || !text.trim()) return [];
    const pairs = entries(text, ctx);
    if (!pairs) return z.NEVER;
    const rules: TeamRule[] = [];
    const seen = new Set<string>();
    for (const [group, value] of pairs) {
      if (!checkGroup(group, ctx)) return z.NEVER;
      if (group === ANY_GROUP) {
        ctx.addIssue({ code: "custom", message: `"${ANY_GROUP}" is for SHOWBACK_OIDC_ROLE_MAP only: name the groups of each team` });
        return z.NEVER;
      }
      const m = /^(team|cost_center):(.*)$/i.exec(value);
      if (!m) {
        ctx.addIssue({ code: "custom", message: `group "${group}": "${value}" is not team:NAME or cost_center:CODE` });
        return z.NEVER;
      }
      const kind = m[1]!.toLowerCase() as TeamRule["kind"];
      const name = m[2]!.trim();
      if (!name || name.length > MAX_NAME) {
        ctx.addIssue({ code: "custom", message: `group "${group}": the ${kind} name must be 1 to ${MAX_NAME} characters` });
        return z.NEVER;
      }
      if (kind === "team" && name.toLowerCase() === OTHER_TEAMS) {
        ctx.addIssue({ code: "custom", message: `group "${group}": "${OTHER_TEAMS}" is not a team` });
        return z.NEVER;
      }
      const key = `${group}\n${kind}\n${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push({ group, kind, name });
    }
    if (rules.length > MAX_RULES) {
      ctx.addIssue({ code: "custom", message: `at most ${MAX_RULES} entries` });
      return z.NEVER;
    }
    return rules;
  });

// ---------------------------------------------------------------- the mapping

export interface OidcMapping {
  /** The claim holding the email (default `email`); a dotted path reads nested claims. */
  emailClaim: string;
  /** The claim holding the groups (default `groups`): a list of strings or one string. */
  groupsClaim: string;
  roles: readonly RoleRule[];
  teams: readonly TeamRule[];
}

export type RefusalReason = "no_email" | "email_not_verified" | "no_mapping";

export type MappingOutcome =
  | {
      ok: true;
      email: string;
      role: Role;
      /** team_viewer only (sorted, without duplicates); null for viewer and finance_admin */
      scope: AccessScope | null;
      /** the groups of the claims that took part in the decision */
      matched: string[];
      groups: string[];
    }
  | { ok: false; reason: RefusalReason; email: string | null; groups: string[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A claim by name, or by dotted path (`realm_access.roles`) when no claim has that exact name. */
export function readClaim(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, name)) return claims[name];
  if (!name.includes(".")) return undefined;
  let cur: unknown = claims;
  for (const part of name.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) {
      return undefined;
    }
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The groups of the claims: a list (non-strings dropped) or one string; at most 1,000. */
export function groupsOf(claims: Readonly<Record<string, unknown>>, groupsClaim: string): string[] {
  const v = readClaim(claims, groupsClaim);
  const list = typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  return [...new Set(list.map((g) => g.trim()).filter(Boolean))].slice(0, 1000);
}

const falsy = (v: unknown) => v === false || (typeof v === "string" && v.trim().toLowerCase() === "false");

/**
 * The role and scope the claims give, or why they give none. The email must be present
 * and look like an address; `email_verified: false` (when the claim is present) refuses.
 */
export function mapClaims(claims: Readonly<Record<string, unknown>>, mapping: OidcMapping): MappingOutcome {
  const groups = groupsOf(claims, mapping.groupsClaim);
  const raw = readClaim(claims, mapping.emailClaim);
  const email = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (!email || email.length > 254 || !EMAIL.test(email)) return { ok: false, reason: "no_email", email: null, groups };
  if (falsy(claims.email_verified)) return { ok: false, reason: "email_not_verified", email, groups };

  const has = new Set(groups);
  const roleHits = mapping.roles.filter((r) => r.group === ANY_GROUP || has.has(r.group));
  for (const role of MAPPED_ROLES) {
    const hits = roleHits.filter((r) => r.role === role);
    if (hits.length) return { ok: true, email, role, scope: null, matched: [...new Set(hits.map((r) => r.group))].sort(), groups };
  }
  const teamHits = mapping.teams.filter((t) => has.has(t.group));
  if (teamHits.length) {
    const pick = (kind: TeamRule["kind"]) => [...new Set(teamHits.filter((t) => t.kind === kind).map((t) => t.name))].sort();
    return {
      ok: true,
      email,
      role: "team_viewer",
      scope: { teams: pick("team"), costCenters: pick("cost_center") },
      matched: [...new Set(teamHits.map((t) => t.group))].sort(),
      groups,
    };
  }
  return { ok: false, reason: "no_mapping", email, groups };
}

/** Same role and the same scope (whatever the order of the lists). */
export function sameAccess(a: { role: Role; scope: AccessScope | null }, b: { role: Role; scope: AccessScope | null }): boolean {
  if (a.role !== b.role) return false;
  const sa = a.scope ?? { teams: [], costCenters: [] };
  const sb = b.scope ?? { teams: [], costCenters: [] };
  const eq = (x: readonly string[], y: readonly string[]) => {
    const [xs, ys] = [[...x].sort(), [...y].sort()];
    return xs.length === ys.length && xs.every((v, i) => v === ys[i]);
  };
  return eq(sa.teams, sb.teams) && eq(sa.costCenters, sb.costCenters);
}
