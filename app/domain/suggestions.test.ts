import { describe, expect, it } from "vitest";
import {
  createSuggester,
  environmentRuleName,
  evidenceText,
  groupByEnvironment,
  hasNameRule,
  isStrong,
  leadingTeam,
  NAME_HINT,
  type MappedCost,
  type OwnerUsage,
} from "./suggestions";
import type { Rule } from "./rules";

const row = (ownerId: string, team: string, cost: string, resourceId = "lkc-abc", environmentId = "env-1", orgId = "o"): MappedCost => ({
  orgId,
  ownerId,
  environmentId,
  resourceId,
  team,
  cost,
});

const owner = (p: Partial<OwnerUsage> & { ownerId: string }): OwnerUsage => ({
  orgId: "o",
  hasDisplayName: true,
  resources: [{ id: "lkc-abc", cost: "1" }],
  environments: [{ id: "env-1", cost: "1" }],
  ...p,
});

const never = () => false;

describe("leadingTeam", () => {
  it("sums per team, counts distinct owners, and rounds the percentage down", () => {
    const m = leadingTeam([row("a", "payments", "40"), row("b", "payments", "30"), row("c", "payments", "22"), row("d", "search", "8")]);
    expect(m).toEqual({ team: "payments", owners: 3, of: 4, share: "0.92", pct: "92", cost: "100" });
    expect(evidenceText(m!, "lkc-abc")).toBe("3 of 4 owners on lkc-abc (92 % of its cost) map to payments");
    // 74.99 %: not strong, and never shown as 75
    const below = leadingTeam([row("a", "p", "37.4995"), row("b", "p", "37.4995"), row("c", "s", "25.001")]);
    expect(below!.pct).toBe("74");
    expect(isStrong(below)).toBe(false);
  });

  it("leaves out the excluded owner, the pseudo-teams and zero sums", () => {
    const rows = [
      row("me", "search", "1000"),
      row("a", "payments", "10"),
      row("b", "payments", "10"),
      row("c", "unmapped", "50"),
      row("d", "unallocated", "50"),
      row("e", "", "50"),
      row("f", "search", "5"),
      row("f", "search", "-5"),
    ];
    expect(leadingTeam(rows, "me")).toMatchObject({ team: "payments", owners: 2, of: 2, pct: "100" });
    expect(leadingTeam(rows)).toMatchObject({ team: "search", owners: 1, of: 3 });
  });

  it("is null when nothing positive is mapped, and ties go to more owners, then the name", () => {
    expect(leadingTeam([])).toBeNull();
    expect(leadingTeam([row("a", "p", "-3")])).toBeNull();
    expect(leadingTeam([row("a", "zeta", "5"), row("b", "alpha", "5")])!.team).toBe("alpha");
    expect(leadingTeam([row("a", "alpha", "5"), row("b", "zeta", "2"), row("c", "zeta", "3")])!.team).toBe("zeta");
  });

  it("is strong at exactly 75 % with 2 owners, not with 1 owner", () => {
    expect(isStrong(leadingTeam([row("a", "p", "50"), row("b", "p", "25"), row("c", "s", "25")]))).toBe(true);
    expect(isStrong(leadingTeam([row("a", "p", "90"), row("c", "s", "10")]))).toBe(false);
  });
});

describe("createSuggester", () => {
  it("suggests the cluster majority of the other owners", () => {
    const s = createSuggester(
      [row("a", "payments", "40"), row("b", "payments", "30"), row("c", "payments", "22"), row("d", "search", "8")],
      never,
    );
    expect(s.forOwner(owner({ ownerId: "x" }))).toEqual({
      kind: "team",
      team: "payments",
      basis: "resource",
      scopeId: "lkc-abc",
      evidence: "3 of 4 owners on lkc-abc (92 % of its cost) map to payments",
      majority: { team: "payments", owners: 3, of: 4, share: "0.92", pct: "92", cost: "100" },
    });
  });

  it("falls back to the environment when the cluster is split, and tries the owner's largest scope first", () => {
    const mapped = [
      // lkc-abc is split 50/50
      row("a", "payments", "10", "lkc-abc"),
      row("b", "search", "10", "lkc-abc"),
      // the environment as a whole leans to search
      row("c", "search", "40", "lkc-def"),
      row("d", "search", "40", "lkc-def"),
      // lkc-ghi is payments' (2 owners, 100 %)
      row("e", "payments", "1", "lkc-ghi", "env-2"),
      row("f", "payments", "1", "lkc-ghi", "env-2"),
    ];
    const s = createSuggester(mapped, never);
    const onAbc = s.forOwner(owner({ ownerId: "x" }));
    expect(onAbc).toMatchObject({ kind: "team", team: "search", basis: "environment", scopeId: "env-1" });
    expect(onAbc!.evidence).toBe("3 of 4 owners on env-1 (90 % of its cost) map to search");
    // the owner is mostly on lkc-ghi: that cluster's answer wins over lkc-def's
    const both = owner({
      ownerId: "y",
      resources: [
        { id: "lkc-def", cost: "1" },
        { id: "lkc-ghi", cost: "2" },
      ],
    });
    expect(s.forOwner(both)).toMatchObject({ team: "payments", scopeId: "lkc-ghi" });
    // equal costs: by id
    expect(
      s.forOwner({
        ...both,
        resources: [
          { id: "lkc-ghi", cost: "2" },
          { id: "lkc-def", cost: "2" },
        ],
      }),
    ).toMatchObject({
      team: "search",
      scopeId: "lkc-def",
    });
  });

  it("does not count the owner itself, nor org-level rows, nor other organizations", () => {
    const s = createSuggester(
      [
        row("x", "payments", "100"),
        row("a", "payments", "1"),
        row("b", "payments", "1", "", ""),
        row("c", "payments", "1", "lkc-abc", "env-1", "other"),
      ],
      never,
    );
    expect(s.forOwner(owner({ ownerId: "x" }))).toBeNull();
    expect(s.forOwner(owner({ ownerId: "x", resources: [{ id: "", cost: "5" }], environments: [{ id: "", cost: "5" }] }))).toBeNull();
  });

  it("hints at names when the owner has none and a name rule applies, without a team", () => {
    const rules = [{ orgId: "o", when: { ownerName: { op: "starts_with" as const, value: "pay-", caseSensitive: true } } }];
    const s = createSuggester([], (org) => hasNameRule(rules, org));
    expect(s.forOwner(owner({ ownerId: "x", hasDisplayName: false }))).toEqual({ kind: "hint", evidence: NAME_HINT });
    expect(NAME_HINT).toBe("a rule matches on display names: import names (npm run crosswalk -- names …)");
    expect(s.forOwner(owner({ ownerId: "x", hasDisplayName: true }))).toBeNull();
    expect(s.forOwner(owner({ ownerId: "x", orgId: "p", hasDisplayName: false }))).toBeNull();
    // a team suggestion comes first
    const t = createSuggester([row("a", "p", "1"), row("b", "p", "1")], () => true);
    expect(t.forOwner(owner({ ownerId: "x", hasDisplayName: false }))).toMatchObject({ kind: "team", team: "p" });
  });

  it("forScope: the majority of all the mapped cost on an environment", () => {
    const s = createSuggester([row("a", "p", "3"), row("b", "p", "1")], never);
    expect(s.forScope("o", "environment", "env-1")).toMatchObject({
      team: "p",
      owners: 2,
      of: 2,
      evidence: "2 of 2 owners on env-1 (100 % of its cost) map to p",
    });
    expect(s.forScope("o", "environment", "env-9")).toBeNull();
    expect(s.forScope("o", "environment", "")).toBeNull();
  });
});

describe("hasNameRule", () => {
  const base: Pick<Rule, "orgId" | "when"> = { orgId: null, when: { environmentId: "env-1" } };
  it("looks at the org's rules and the all-org rules only", () => {
    const name = { ownerName: { op: "equals" as const, value: "x", caseSensitive: true } };
    expect(hasNameRule([base], "o")).toBe(false);
    expect(hasNameRule([base, { orgId: "p", when: name }], "o")).toBe(false);
    expect(hasNameRule([base, { orgId: "p", when: name }], "p")).toBe(true);
    expect(hasNameRule([{ orgId: null, when: name }], "o")).toBe(true);
  });
});

describe("groupByEnvironment", () => {
  it("sums per (org, environment), largest first, owners by their cost there", () => {
    const g = groupByEnvironment([
      {
        orgId: "o",
        ownerId: "a",
        environments: [
          { id: "env-1", cost: "2" },
          { id: "", cost: "0.5" },
        ],
      },
      { orgId: "o", ownerId: "b", environments: [{ id: "env-1", cost: "3" }] },
      { orgId: "p", ownerId: "c", environments: [{ id: "env-1", cost: "5" }] },
    ]);
    expect(g).toEqual([
      { orgId: "o", environmentId: "env-1", cost: "5", owners: ["b", "a"] },
      { orgId: "p", environmentId: "env-1", cost: "5", owners: ["c"] },
      { orgId: "o", environmentId: "", cost: "0.5", owners: ["a"] },
    ]);
  });
});

describe("environmentRuleName", () => {
  it("names the environment (display name and id) and the team", () => {
    expect(environmentRuleName("env-1", null, "payments")).toBe("env-1 to payments");
    expect(environmentRuleName("env-1", "prod", "payments")).toBe("prod (env-1) to payments");
    expect(environmentRuleName("env-1", " ", null)).toBe("environment env-1");
    expect(environmentRuleName("env-1", "x".repeat(300), "p").length).toBe(200);
  });
});
