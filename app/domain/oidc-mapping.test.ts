import { describe, expect, it } from "vitest";
import {
  groupsOf,
  localPasswordAllows,
  mapClaims,
  readClaim,
  roleMapSchema,
  sameAccess,
  teamMapSchema,
  type OidcMapping,
} from "./oidc-mapping";

const mapping = (roles: string, teams = "", over: Partial<OidcMapping> = {}): OidcMapping => ({
  emailClaim: "email",
  groupsClaim: "groups",
  roles: roleMapSchema.parse(roles),
  teams: teamMapSchema.parse(teams),
  ...over,
});

const errorOf = (schema: typeof roleMapSchema | typeof teamMapSchema, text: string) => {
  const r = schema.safeParse(text);
  return r.success ? "" : r.error.issues.map((i) => i.message).join("; ");
};

describe("role map syntax", () => {
  it("reads GROUP=ROLE lists and JSON objects", () => {
    expect(roleMapSchema.parse(" admins = finance_admin , everyone=viewer ")).toEqual([
      { group: "admins", role: "finance_admin" },
      { group: "everyone", role: "viewer" },
    ]);
    expect(roleMapSchema.parse('{"CN=Showback Admins,OU=Groups,DC=acme": "finance_admin"}')).toEqual([
      { group: "CN=Showback Admins,OU=Groups,DC=acme", role: "finance_admin" },
    ]);
    expect(roleMapSchema.parse("")).toEqual([]);
    expect(roleMapSchema.parse(undefined)).toEqual([]);
  });

  it("refuses unknown roles, team_viewer, duplicates and bad JSON with a message", () => {
    expect(errorOf(roleMapSchema, "admins=boss")).toMatch(/unknown role "boss"/);
    expect(errorOf(roleMapSchema, "pay=team_viewer")).toMatch(/SHOWBACK_OIDC_TEAM_MAP/);
    expect(errorOf(roleMapSchema, "a=viewer,a=finance_admin")).toMatch(/mapped twice/);
    expect(errorOf(roleMapSchema, "admins")).toMatch(/not GROUP=VALUE/);
    expect(errorOf(roleMapSchema, "=viewer")).toMatch(/empty group/);
    expect(errorOf(roleMapSchema, "{nope")).toMatch(/not valid JSON/);
    expect(errorOf(roleMapSchema, '{"a": 1}')).toMatch(/must be a string/);
  });
});

describe("team map syntax", () => {
  it("reads team: and cost_center: values, several per group", () => {
    expect(teamMapSchema.parse("pay=team:payments,pay=cost_center:CC-1,search=TEAM:search")).toEqual([
      { group: "pay", kind: "team", name: "payments" },
      { group: "pay", kind: "cost_center", name: "CC-1" },
      { group: "search", kind: "team", name: "search" },
    ]);
    expect(teamMapSchema.parse('{"pay": ["team:payments", "cost_center:CC-1"]}')).toHaveLength(2);
  });

  it("refuses a value without a kind, the * group and the pseudo-team", () => {
    expect(errorOf(teamMapSchema, "pay=payments")).toMatch(/not team:NAME or cost_center:CODE/);
    expect(errorOf(teamMapSchema, "*=team:payments")).toMatch(/SHOWBACK_OIDC_ROLE_MAP only/);
    expect(errorOf(teamMapSchema, "pay=team:")).toMatch(/1 to 100 characters/);
  });
});

describe("mapClaims", () => {
  const m = mapping("admins=finance_admin,readers=viewer", "pay=team:payments,pay=cost_center:CC-1,search=team:search");

  it("finance_admin beats viewer beats team_viewer", () => {
    expect(mapClaims({ email: "A@Example.test", groups: ["readers", "admins", "pay"] }, m)).toMatchObject({
      ok: true,
      email: "a@example.test",
      role: "finance_admin",
      scope: null,
      matched: ["admins"],
    });
    expect(mapClaims({ email: "a@example.test", groups: ["pay", "readers"] }, m)).toMatchObject({ ok: true, role: "viewer" });
  });

  it("team groups make a team_viewer with the union of their scopes, sorted", () => {
    expect(mapClaims({ email: "a@example.test", groups: ["search", "pay"] }, m)).toMatchObject({
      ok: true,
      role: "team_viewer",
      scope: { teams: ["payments", "search"], costCenters: ["CC-1"] },
      matched: ["pay", "search"],
    });
  });

  it("refuses without a mapped group, without an email, and with email_verified false", () => {
    expect(mapClaims({ email: "a@example.test", groups: ["other"] }, m)).toEqual({
      ok: false,
      reason: "no_mapping",
      email: "a@example.test",
      groups: ["other"],
    });
    expect(mapClaims({ email: "a@example.test" }, m)).toMatchObject({ ok: false, reason: "no_mapping" });
    expect(mapClaims({ groups: ["admins"] }, m)).toMatchObject({ ok: false, reason: "no_email" });
    expect(mapClaims({ email: "not an email", groups: ["admins"] }, m)).toMatchObject({ ok: false, reason: "no_email" });
    expect(mapClaims({ email: "a@example.test", email_verified: false, groups: ["admins"] }, m)).toMatchObject({
      ok: false,
      reason: "email_not_verified",
    });
    expect(mapClaims({ email: "a@example.test", email_verified: "false", groups: ["admins"] }, m)).toMatchObject({
      ok: false,
      reason: "email_not_verified",
    });
  });

  it("* in the role map lets everyone in with that role", () => {
    expect(mapClaims({ email: "a@example.test" }, mapping("*=viewer,admins=finance_admin"))).toMatchObject({ ok: true, role: "viewer" });
    expect(mapClaims({ email: "a@example.test", groups: "admins" }, mapping("*=viewer,admins=finance_admin"))).toMatchObject({
      ok: true,
      role: "finance_admin",
    });
  });

  it("reads other claim names and nested paths (Keycloak realm roles, Entra roles, a custom email claim)", () => {
    const keycloak = mapping("showback-admin=finance_admin", "", { groupsClaim: "realm_access.roles" });
    expect(mapClaims({ email: "a@example.test", realm_access: { roles: ["showback-admin"] } }, keycloak)).toMatchObject({
      ok: true,
      role: "finance_admin",
    });
    const entra = mapping("Showback.Admin=finance_admin", "", { groupsClaim: "roles", emailClaim: "preferred_username" });
    expect(mapClaims({ preferred_username: "Ana@Acme.example", roles: ["Showback.Admin"] }, entra)).toMatchObject({
      ok: true,
      email: "ana@acme.example",
    });
  });
});

describe("helpers", () => {
  it("readClaim prefers an exact claim name over a dotted path", () => {
    expect(readClaim({ "a.b": 1, a: { b: 2 } }, "a.b")).toBe(1);
    expect(readClaim({ a: { b: 2 } }, "a.b")).toBe(2);
    expect(readClaim({ a: { b: 2 } }, "a.c")).toBeUndefined();
    expect(readClaim({ a: [1] }, "a.0")).toBeUndefined();
  });

  it("groupsOf keeps strings, trims, de-duplicates", () => {
    expect(groupsOf({ groups: [" a ", "a", 3, null, "b", ""] }, "groups")).toEqual(["a", "b"]);
    expect(groupsOf({ groups: "solo" }, "groups")).toEqual(["solo"]);
    expect(groupsOf({}, "groups")).toEqual([]);
  });

  it("localPasswordAllows: on everyone, admins finance admins only, off nobody", () => {
    expect(localPasswordAllows("on", "viewer")).toBe(true);
    expect(localPasswordAllows("admins", "finance_admin")).toBe(true);
    expect(localPasswordAllows("admins", "viewer")).toBe(false);
    expect(localPasswordAllows("admins", "team_viewer")).toBe(false);
    expect(localPasswordAllows("off", "finance_admin")).toBe(false);
  });

  it("sameAccess ignores the order of scope lists", () => {
    const tv = (teams: string[]) => ({ role: "team_viewer" as const, scope: { teams, costCenters: [] } });
    expect(sameAccess(tv(["a", "b"]), tv(["b", "a"]))).toBe(true);
    expect(sameAccess(tv(["a"]), tv(["a", "b"]))).toBe(false);
    expect(sameAccess({ role: "viewer", scope: null }, { role: "finance_admin", scope: null })).toBe(false);
  });
});
