import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BEGINNING_OF_TIME, type CrosswalkEntry } from "./crosswalk";
import { addDays } from "./periods";
import {
  createMappingResolver,
  explainResolution,
  explainSource,
  formatRuleIssue,
  formatRulesFile,
  jsonPath,
  NAME_OPS,
  OWNER_KINDS,
  ownerKindOf,
  parseRulesFile,
  parseRulesJson,
  type MappingEntry,
  type MappingResolution,
  type MappingRow,
  type NameCondition,
  type OwnerKind,
  type OwnerName,
  type Rule,
  type RuleWhen,
} from "./rules";
import type { Split } from "./splits";

const EXAMPLE = `[{ "org_id": "alpha", "name": "env-abc to platform",
   "when": { "environment_id": "env-abc", "owner_kind": "service_account",
             "owner_name": { "starts_with": "payments-" } },
   "then": { "team": "platform" },
   "valid_from": "2026-01-01", "valid_to": null },
 { "org_id": null, "name": "shared ingest account",
   "when": { "owner_id": "sa-123" },
   "then": { "split": { "payments": "60", "search": "40" } } }]`;

function rulesOf(text: string): Rule[] {
  const r = parseRulesFile(text);
  if (!r.ok) throw new Error(r.errors.map(formatRuleIssue).join("\n"));
  return r.rules;
}
function errorsOf(json: unknown): string[] {
  const r = typeof json === "string" ? parseRulesFile(json) : parseRulesJson(json);
  if (r.ok) throw new Error("expected errors");
  return r.errors.map(formatRuleIssue);
}

/** A rule with defaults, for the resolver tests. */
function rule(name: string, when: RuleWhen, then: Rule["then"], more: Partial<Rule> = {}): Rule {
  return { orgId: null, name, when, then, validFrom: BEGINNING_OF_TIME, validTo: null, ...more };
}
function row(more: Partial<MappingRow> = {}): MappingRow {
  const base = { orgId: "alpha", ownerId: "sa-1", environmentId: "env-abc", resourceId: "lkc-1", product: "KAFKA" };
  return { ...base, bucketStart: "2026-03-01", ...more };
}
const entry = (more: Partial<CrosswalkEntry> & { ownerId: string }): CrosswalkEntry => ({
  id: 1,
  orgId: "alpha",
  team: "payments",
  validFrom: BEGINNING_OF_TIME,
  validTo: null,
  ...more,
});
const SIXTY_FORTY: Split = [
  { team: "payments", pct: "60" },
  { team: "search", pct: "40" },
];
const teamOf = (r: MappingResolution) => ("unmapped" in r ? "unmapped" : "team" in r.target ? r.target.team : "split");

describe("parseRulesFile", () => {
  it("parses the documented example", () => {
    expect(rulesOf(EXAMPLE)).toEqual([
      {
        orgId: "alpha",
        name: "env-abc to platform",
        when: {
          environmentId: "env-abc",
          ownerKind: "service_account",
          ownerName: { op: "starts_with", value: "payments-", caseSensitive: true },
        },
        then: { team: "platform" },
        validFrom: "2026-01-01",
        validTo: null,
      },
      {
        orgId: null,
        name: "shared ingest account",
        when: { ownerId: "sa-123" },
        then: { split: SIXTY_FORTY },
        validFrom: BEGINNING_OF_TIME,
        validTo: null,
      },
    ]);
  });

  it("accepts every condition, case_sensitive false, empty/null valid_from and a catch-all", () => {
    const rules = rulesOf(
      JSON.stringify([
        {
          org_id: "a",
          name: "all",
          when: {
            owner_id: "sa-1",
            owner_id_prefix: "sa-",
            owner_name: { regex: "^pay(ments)?-", case_sensitive: false },
            owner_kind: "service_account",
            environment_id: "env-1",
            resource_id: "lkc-1",
            product: "KAFKA",
          },
          then: { team: "t" },
          valid_from: "",
          valid_to: "2026-02-01",
        },
        { org_id: "a", name: "catch-all", when: {}, then: { team: "platform" }, valid_from: null },
      ]),
    );
    expect(rules[0].when.ownerName).toEqual({ op: "regex", value: "^pay(ments)?-", caseSensitive: false });
    expect(rules[0].validFrom).toBe(BEGINNING_OF_TIME);
    expect(rules[1].when).toEqual({});
  });

  it("round-trips through formatRulesFile", () => {
    const rules = rulesOf(EXAMPLE);
    const text = formatRulesFile(rules);
    expect(rulesOf(text)).toEqual(rules);
    expect(formatRulesFile(rulesOf(text))).toBe(text);
    expect(text).not.toContain('valid_from": "0001'); // since the beginning is left out
    const ci = rulesOf(`[{"org_id":"a","name":"n","when":{"owner_name":{"contains":"X","case_sensitive":false}},"then":{"team":"t"}}]`);
    expect(rulesOf(formatRulesFile(ci))).toEqual(ci);
    expect(formatRulesFile(ci)).toContain('"case_sensitive": false');
  });

  it("locates every error by index and JSON path", () => {
    expect(
      errorsOf([
        { org_id: "a", name: "ok", when: {}, then: { team: "t" } },
        { org_id: "a", name: "x", when: { owner_name: { regex: "(" } }, then: { team: "t" } },
        { org_id: "a", name: "y", when: { owner_name: { regex: "[a-" } }, then: { team: "t" } },
      ]),
    ).toEqual([
      '[1].when.owner_name.regex: owner_name.regex "(" is not a valid regular expression: Invalid regular expression: /(/: Unterminated group',
      '[2].when.owner_name.regex: owner_name.regex "[a-" is not a valid regular expression: Invalid regular expression: /[a-/: Unterminated character class',
    ]);
    const r = parseRulesJson([{ org_id: "a", name: "x", when: { owner_name: { regex: "(" } }, then: { team: "t" } }]);
    expect(r.ok ? null : r.errors[0]).toMatchObject({ index: 0, path: "[0].when.owner_name.regex" });
  });

  it("refuses unknown keys with the allowed ones", () => {
    const when = { owner: "sa-1", owner_name: { prefix: "p" } };
    const bad = { org_id: "a", name: "x", when, then: { team: "t", note: 1 }, valid_until: null };
    expect(errorsOf([bad])).toEqual([
      '[0].when.owner_name.prefix: unknown key "prefix" in owner_name (allowed: equals, starts_with, ends_with, contains, regex, case_sensitive)',
      "[0].when.owner_name: owner_name needs exactly one of equals, starts_with, ends_with, contains, regex",
      '[0].when.owner: unknown key "owner" in when (allowed: owner_id, owner_id_prefix, owner_name, owner_kind, environment_id, resource_id, product)',
      '[0].then.note: unknown key "note" in then (allowed: team, split)',
      '[0].valid_until: unknown key "valid_until" in a rule (allowed: org_id, name, when, then, valid_from, valid_to)',
    ]);
  });

  it("refuses bad values with clear messages", () => {
    expect(
      errorsOf([
        { name: "x", when: { owner_kind: "robot", owner_name: { equals: "a", contains: "b" } }, then: { team: "unmapped" } },
        { org_id: "", name: " y", when: { owner_name: {} }, then: {}, valid_from: "2026-02-30", valid_to: "" },
        { org_id: "a", name: "z", when: [], then: { team: "t", split: { a: "100" } } },
        { org_id: "a", name: "z2", when: {}, then: { team: "t" }, valid_from: "2026-03-01", valid_to: "2026-03-01" },
        { org_id: "a", name: "w", when: {}, then: { split: { a: 60, b: "40" } } },
        { org_id: "a", name: "v", when: {}, then: { split: { "team a": "50", b: "40" } } },
        { org_id: "a", name: "u", when: {}, then: { split: { "team a": "50", b: "50.00001" } } },
        7,
      ]),
    ).toEqual([
      "[0].org_id: org_id is required: an organization id, or null for every organization",
      "[0].when.owner_name: owner_name takes exactly one of equals, starts_with, ends_with, contains, regex, got equals and contains",
      "[0].when.owner_kind: owner_kind must be one of service_account, user, identity_pool, resource",
      '[0].then.team: team "unmapped" is a pseudo-team (unmapped, unallocated, other teams): no entry, rule or split can name it',
      "[1].org_id: org_id is empty (use null for every organization)",
      "[1].name: name must not start or end with spaces",
      "[1].when.owner_name: owner_name needs exactly one of equals, starts_with, ends_with, contains, regex",
      '[1].then: then needs "team" or "split"',
      '[1].valid_from: valid_from "2026-02-30" is not a date YYYY-MM-DD',
      "[1].valid_to: valid_to is empty (use null for open-ended)",
      "[2].when: when must be an object of conditions",
      '[2].then: then takes "team" or "split", not both',
      "[3].valid_to: valid_to 2026-03-01 must be after valid_from 2026-03-01",
      '[4].then.split.a: percentage of team "a" must be a decimal string such as "60" or "12.5", not the number 60',
      "[5].then.split: the percentages sum to 90, not 100",
      '[6].then.split.b: percentage 50.00001 has more than 4 decimals (team "b")',
      "[7]: a rule must be an object",
    ]);
  });

  it("refuses a file that is not a JSON array", () => {
    expect(errorsOf("{")[0]).toMatch(/^the rules file is not valid JSON: /);
    expect(errorsOf("{}")).toEqual(["the rules file must be a JSON array of rules, in priority order"]);
    expect(parseRulesFile("[]")).toEqual({ ok: true, rules: [] });
  });

  it("keeps names unique in the whole list, whatever the org (imports merge by name)", () => {
    const r = (org: string | null, name: string) => ({ org_id: org, name, when: {}, then: { team: "t" } });
    expect(parseRulesJson([r("a", "x"), r("b", "y")]).ok).toBe(true);
    expect(errorsOf([r("a", "x"), r("b", "x")])).toEqual([
      '[1].name: rule name "x" (org b) is already used by rule #1 (org a); names are unique (an import merges rules by name)',
    ]);
    expect(errorsOf([r("a", "x"), r("a", "y"), r("a", "x")])).toEqual([
      '[2].name: rule name "x" (org a) is already used by rule #1 (org a); names are unique (an import merges rules by name)',
    ]);
    expect(errorsOf([r("a", "x"), r(null, "x")])).toEqual([
      '[1].name: rule name "x" (every organization) is already used by rule #1 (org a); names are unique (an import merges rules by name)',
    ]);
    expect(errorsOf([r(null, "x"), r("b", "x")])).toEqual([
      '[1].name: rule name "x" (org b) is already used by rule #1 (every organization); names are unique (an import merges rules by name)',
    ]);
  });

  it("writes JSON paths with bracketed non-identifier keys", () => {
    expect(jsonPath([2, "when", "owner_name", "regex"])).toBe("[2].when.owner_name.regex");
    expect(jsonPath([0, "then", "split", "team a"])).toBe('[0].then.split["team a"]');
  });
});

describe("createMappingResolver", () => {
  const names: OwnerName[] = [
    { orgId: "alpha", ownerId: "sa-1", displayName: "payments-api" },
    { orgId: "alpha", ownerId: "sa-2", displayName: "Payments-Batch" },
    { orgId: "alpha", ownerId: "sa-3", displayName: "search-indexer-7" },
    { orgId: "beta", ownerId: "sa-1", displayName: "other-name" },
  ];

  it("entry in effect > rules in order > unmapped", () => {
    const rules = [rule("first", { ownerIdPrefix: "sa-" }, { team: "platform" }), rule("second", {}, { team: "catch-all" })];
    const m = createMappingResolver({ entries: [entry({ id: 12, ownerId: "sa-1" })], rules, names });
    expect(m.resolve(row({ ownerId: "sa-1" }))).toEqual({ target: { team: "payments" }, source: { kind: "entry", id: 12 } });
    const byRule = (team: string, name: string, order: number) => ({ target: { team }, source: { kind: "rule", name, order } });
    expect(m.resolve(row({ ownerId: "sa-9" }))).toEqual(byRule("platform", "first", 1));
    expect(m.resolve(row({ ownerId: "lkc-9" }))).toEqual(byRule("catch-all", "second", 2));
    const none = createMappingResolver({ entries: [], rules: [rule("r", { ownerIdPrefix: "u-" }, { team: "x" })] });
    expect(none.resolve(row())).toEqual({ unmapped: true });
  });

  it("falls back to rules outside the entry's period", () => {
    const m = createMappingResolver({
      entries: [entry({ ownerId: "sa-1", validFrom: "2026-02-01", validTo: "2026-03-01" })],
      rules: [rule("r", {}, { team: "platform" })],
    });
    expect(teamOf(m.resolve(row({ bucketStart: "2026-01-31" })))).toBe("platform");
    expect(teamOf(m.resolve(row({ bucketStart: "2026-02-01" })))).toBe("payments");
    expect(teamOf(m.resolve(row({ bucketStart: "2026-02-28T23:00:00Z" })))).toBe("payments");
    expect(teamOf(m.resolve(row({ bucketStart: "2026-03-01" })))).toBe("platform");
  });

  it("follows the bucket start for a rule period ending mid-month (valid_to exclusive)", () => {
    const m = createMappingResolver({
      entries: [],
      rules: [
        rule("march half", {}, { team: "platform" }, { validFrom: "2026-03-01", validTo: "2026-03-15" }),
        rule("later", {}, { team: "search" }),
      ],
    });
    expect(teamOf(m.resolve(row({ bucketStart: "2026-02-28" })))).toBe("search");
    expect(teamOf(m.resolve(row({ bucketStart: "2026-03-01" })))).toBe("platform"); // the monthly bucket of March
    expect(teamOf(m.resolve(row({ bucketStart: "2026-03-14" })))).toBe("platform");
    expect(teamOf(m.resolve(row({ bucketStart: "2026-03-15" })))).toBe("search");
    expect(teamOf(m.resolve(row({ bucketStart: "2026-03-15T00:00:00.000Z" })))).toBe("search");
  });

  it("matches owner names: case-sensitive by default, case-insensitive on request, regex, prefix", () => {
    const hits = (c: NameCondition) => {
      const m = createMappingResolver({ entries: [], rules: [rule("n", { ownerName: c }, { team: "hit" })], names });
      return ["sa-1", "sa-2", "sa-3", "sa-4"].filter((o) => teamOf(m.resolve(row({ ownerId: o }))) === "hit");
    };
    expect(hits({ op: "starts_with", value: "payments-", caseSensitive: true })).toEqual(["sa-1"]);
    expect(hits({ op: "starts_with", value: "PAYMENTS-", caseSensitive: false })).toEqual(["sa-1", "sa-2"]);
    expect(hits({ op: "equals", value: "payments-batch", caseSensitive: false })).toEqual(["sa-2"]);
    expect(hits({ op: "equals", value: "payments-batch", caseSensitive: true })).toEqual([]);
    expect(hits({ op: "ends_with", value: "-7", caseSensitive: true })).toEqual(["sa-3"]);
    expect(hits({ op: "contains", value: "ment", caseSensitive: true })).toEqual(["sa-1", "sa-2"]);
    expect(hits({ op: "regex", value: "^pay.*-(api|batch)$", caseSensitive: true })).toEqual(["sa-1"]);
    expect(hits({ op: "regex", value: "^pay.*-(api|batch)$", caseSensitive: false })).toEqual(["sa-1", "sa-2"]);
    expect(hits({ op: "regex", value: "indexer-\\d+", caseSensitive: true })).toEqual(["sa-3"]); // unanchored
    expect(hits({ op: "regex", value: ".*", caseSensitive: true })).toEqual(["sa-1", "sa-2", "sa-3"]); // sa-4 has no name

    const prefix = createMappingResolver({ entries: [], rules: [rule("p", { ownerIdPrefix: "sa-1" }, { team: "hit" })] });
    expect(["sa-1", "sa-10", "sa-2"].map((o) => teamOf(prefix.resolve(row({ ownerId: o }))))).toEqual(["hit", "hit", "unmapped"]);
  });

  it("takes names as a lookup function, per org", () => {
    const m = createMappingResolver({
      entries: [],
      rules: [rule("n", { ownerName: { op: "equals", value: "other-name", caseSensitive: true } }, { team: "hit" })],
      names: (org, owner) => (org === "beta" && owner === "sa-1" ? "other-name" : undefined),
    });
    expect(teamOf(m.resolve(row({ orgId: "beta" })))).toBe("hit");
    expect(teamOf(m.resolve(row({ orgId: "alpha" })))).toBe("unmapped");
  });

  it("interleaves org-specific and all-org rules by their position in the list", () => {
    const rules = rulesOf(
      JSON.stringify([
        { org_id: "beta", name: "beta first", when: {}, then: { team: "beta-team" } },
        { org_id: null, name: "global env", when: { environment_id: "env-abc" }, then: { team: "global" } },
        { org_id: "alpha", name: "alpha all", when: {}, then: { team: "alpha-team" } },
      ]),
    );
    const m = createMappingResolver({ entries: [], rules });
    const global = { target: { team: "global" }, source: { kind: "rule", name: "global env", order: 2 } };
    expect(m.resolve(row({ orgId: "alpha" }))).toEqual(global);
    expect(teamOf(m.resolve(row({ orgId: "alpha", environmentId: "env-x" })))).toBe("alpha-team");
    expect(teamOf(m.resolve(row({ orgId: "beta" })))).toBe("beta-team");
    expect(teamOf(m.resolve(row({ orgId: "gamma" })))).toBe("global");
    expect(teamOf(m.resolve(row({ orgId: "gamma", environmentId: "env-x" })))).toBe("unmapped");
  });

  it("checks owner kind, environment, resource and product together", () => {
    const m = createMappingResolver({
      entries: [],
      rules: [rule("r", { ownerKind: "user", environmentId: "env-abc", resourceId: "lkc-1", product: "KAFKA" }, { team: "hit" })],
    });
    expect(teamOf(m.resolve(row({ ownerId: "u-1" })))).toBe("hit");
    expect(teamOf(m.resolve(row({ ownerId: "sa-1" })))).toBe("unmapped");
    expect(teamOf(m.resolve(row({ ownerId: "sa-1", ownerKind: "user" })))).toBe("hit"); // explicit kind wins
    expect(teamOf(m.resolve(row({ ownerId: "u-1", ownerKind: null })))).toBe("unmapped");
    expect(teamOf(m.resolve(row({ ownerId: "u-1", product: "CONNECT" })))).toBe("unmapped");
    expect(teamOf(m.resolve(row({ ownerId: "u-1", resourceId: "lkc-2" })))).toBe("unmapped");
    expect(teamOf(m.resolve(row({ ownerId: "u-1", environmentId: "env-x" })))).toBe("unmapped");
  });

  it("returns split targets from rules and from entries", () => {
    const rules = rulesOf(EXAMPLE);
    const split: Split = [
      { team: "a", pct: "50" },
      { team: "b", pct: "50" },
    ];
    const entries: MappingEntry[] = [{ id: 4, orgId: "alpha", ownerId: "sa-9", split, validFrom: BEGINNING_OF_TIME, validTo: null }];
    const m = createMappingResolver({ entries, rules });
    expect(m.resolve(row({ ownerId: "sa-123" }))).toEqual({
      target: { split: SIXTY_FORTY },
      source: { kind: "rule", name: "shared ingest account", order: 2 },
    });
    expect(m.resolve(row({ ownerId: "sa-9" }))).toEqual({ target: { split }, source: { kind: "entry", id: 4 } });
    expect(() => createMappingResolver({ entries: [{ ...entries[0], team: "x" }], rules })).toThrow(/exactly one of team or split/);
  });

  it("never maps the unallocated row by a rule, and carries stored rule ids", () => {
    const m = createMappingResolver({ entries: [], rules: [{ ...rule("all", {}, { team: "t" }), id: 77 }] });
    expect(m.resolve(row({ ownerId: "unallocated" }))).toEqual({ unmapped: true });
    expect(m.resolve(row())).toEqual({ target: { team: "t" }, source: { kind: "rule", name: "all", order: 1, id: 77 } });
  });
});

describe("ownerKindOf and explanations", () => {
  it("derives the owner kind from the id prefix", () => {
    expect(["sa-abc", "u-abc", "pool-Ab1", "lkc-1", "env-1", "lcc-1", "lfcp-1", "unallocated", "weird", ""].map(ownerKindOf)).toEqual([
      "service_account",
      "user",
      "identity_pool",
      "resource",
      "resource",
      "resource",
      "resource",
      null,
      null,
      null,
    ]);
  });

  it("explains sources", () => {
    expect(explainSource({ kind: "entry", id: 12 })).toBe("entry #12");
    expect(explainSource({ kind: "entry", id: null })).toBe("entry");
    expect(explainSource({ kind: "rule", name: "env-abc to platform", order: 3 })).toBe('rule "env-abc to platform" (#3)');
    const shared = { kind: "rule", name: "shared ingest account", order: 2 } as const;
    expect(explainSource(shared, { pct: "40" })).toBe('split 40 % of rule "shared ingest account" (#2)');
    expect(explainSource({ kind: "entry", id: 5 }, { pct: "60" })).toBe("split 60 % of entry #5");
    expect(explainResolution({ unmapped: true })).toBe("unmapped: no entry or rule in effect");
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the resolver equals a naive reference written differently
// ---------------------------------------------------------------------------------------------

const ORGS = ["alpha", "beta"];
const OWNERS = ["sa-1", "sa-2", "u-1", "pool-1", "lkc-1", "unallocated"];
const ENVS = ["env-a", "env-b"];
const RESOURCES = ["lkc-1", "lkc-2"];
const PRODUCTS = ["KAFKA", "CONNECT"];
const NAMES = ["payments-api", "Payments-Batch", "search-indexer", "ops"];
const day = (n: number) => addDays("2026-01-01", n);

/** Non-overlapping entries: per (org, owner), consecutive periods cut at sorted distinct days. */
const entriesArb: fc.Arbitrary<MappingEntry[]> = fc
  .array(
    fc.record({
      org: fc.constantFrom(...ORGS),
      owner: fc.constantFrom(...OWNERS.slice(0, 5)),
      cuts: fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 5 }),
      openEnd: fc.boolean(),
      fromBeginning: fc.boolean(),
      team: fc.constantFrom("t1", "t2", "t3"),
    }),
    { maxLength: 6 },
  )
  .map((slots) => {
    const seen = new Set<string>();
    const out: MappingEntry[] = [];
    for (const s of slots) {
      const k = `${s.org}/${s.owner}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const cuts = [...s.cuts].sort((a, b) => a - b).map(day);
      if (s.fromBeginning) cuts.unshift(BEGINNING_OF_TIME);
      if (s.openEnd) cuts.push("open");
      for (let i = 0; i + 1 < cuts.length; i += 2) {
        out.push({
          id: out.length + 1,
          orgId: s.org,
          ownerId: s.owner,
          team: `${s.team}-${i}`,
          validFrom: cuts[i],
          validTo: cuts[i + 1] === "open" ? null : cuts[i + 1],
        });
      }
    }
    return out;
  });

/** A fragment of a known name (so conditions often hold), in a random case. */
const nameCondArb: fc.Arbitrary<NameCondition> = fc
  .record({
    op: fc.constantFrom(...NAME_OPS),
    name: fc.constantFrom(...NAMES, "x"),
    cut: fc.nat({ max: 20 }),
    casing: fc.constantFrom("same", "upper", "lower"),
    caseSensitive: fc.boolean(),
  })
  .map(({ op, name, cut, casing, caseSensitive }): NameCondition => {
    const n = Math.min(Math.max(1, cut), name.length);
    const fragments: Record<NameCondition["op"], string> = {
      equals: name,
      starts_with: name.slice(0, n),
      ends_with: name.slice(name.length - n),
      contains: name.slice(n >> 1, n) || name,
      regex: name,
    };
    const raw = fragments[op];
    const cased = casing === "upper" ? raw.toUpperCase() : casing === "lower" ? raw.toLowerCase() : raw;
    const value = op === "regex" ? ["^", `${cased.slice(0, 3)}.*`, "[A-Z]", `${cased.slice(-2)}$`][cut % 4] : cased;
    return { op, value, caseSensitive };
  });

const WHEN_KEYS = ["ownerId", "ownerIdPrefix", "ownerName", "ownerKind", "environmentId", "resourceId", "product"] as const;
/** 0–3 conditions (more would almost never hold), half of them with an owner_name condition. */
const whenArb: fc.Arbitrary<RuleWhen> = fc
  .tuple(
    fc.record({
      ownerId: fc.constantFrom(...OWNERS),
      ownerIdPrefix: fc.constantFrom("sa-", "u", "l", "pool-1"),
      ownerName: nameCondArb,
      ownerKind: fc.constantFrom(...OWNER_KINDS),
      environmentId: fc.constantFrom(...ENVS),
      resourceId: fc.constantFrom(...RESOURCES),
      product: fc.constantFrom(...PRODUCTS),
    }),
    fc.subarray([...WHEN_KEYS], { maxLength: 2 }),
    fc.boolean(),
  )
  .map(([all, keys, byName]) => {
    const used = byName && !keys.includes("ownerName") ? [...keys, "ownerName" as const] : keys;
    return Object.fromEntries(used.map((k) => [k, all[k]])) as RuleWhen;
  });

const rulesArb: fc.Arbitrary<Rule[]> = fc
  .array(
    fc.record({
      orgId: fc.constantFrom<string | null>(null, ...ORGS),
      when: whenArb,
      split: fc.boolean(),
      team: fc.constantFrom("r1", "r2"),
      from: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
      length: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
    }),
    { maxLength: 8 },
  )
  .map((xs) =>
    xs.map((x, i): Rule => {
      const validFrom = x.from === null ? BEGINNING_OF_TIME : day(x.from);
      const validTo = x.length === null ? null : day((x.from ?? 0) + x.length);
      const then: Rule["then"] = x.split
        ? { split: [x.team, "rs"].map((team, k) => ({ team, pct: k === 0 ? "25" : "75" })) }
        : { team: x.team };
      return { orgId: x.orgId, name: `rule ${i}`, when: x.when, then, validFrom, validTo };
    }),
  );

const SLOTS = ORGS.length * OWNERS.length;
/** Most owners have a name (one of NAMES); a few have none. */
const namesArb: fc.Arbitrary<OwnerName[]> = fc
  .array(fc.option(fc.constantFrom(...NAMES), { freq: 5, nil: null }), { minLength: SLOTS, maxLength: SLOTS })
  .map((picked) =>
    picked.flatMap((displayName, i) =>
      displayName === null ? [] : [{ orgId: ORGS[Math.floor(i / OWNERS.length)], ownerId: OWNERS[i % OWNERS.length], displayName }],
    ),
  );

const rowArb: fc.Arbitrary<MappingRow> = fc.record({
  orgId: fc.constantFrom(...ORGS, ...ORGS, "gamma"),
  ownerId: fc.constantFrom(...OWNERS, "sa-10"),
  environmentId: fc.constantFrom(...ENVS),
  resourceId: fc.constantFrom(...RESOURCES),
  product: fc.constantFrom(...PRODUCTS),
  bucketStart: fc.tuple(fc.integer({ min: -3, max: 45 }), fc.boolean()).map(([n, instant]) => (instant ? `${day(n)}T00:00:00Z` : day(n))),
});

/** The reference: linear scans and hand-written string tests, no indexes, no compilation. */
type Input = { entries: readonly MappingEntry[]; rules: readonly Rule[]; names: readonly OwnerName[] };
function reference({ entries, rules, names }: Input, r: MappingRow): MappingResolution {
  const d = r.bucketStart.substring(0, 10);
  const inEffect = (from: string, to: string | null) => !(d < from) && (to === null || to > d);
  const live = entries.filter((e) => e.orgId === r.orgId && e.ownerId === r.ownerId && inEffect(e.validFrom, e.validTo));
  if (live.length > 1) throw new Error("test generator produced overlapping entries");
  if (live.length === 1) {
    const e = live[0];
    return { target: e.team ? { team: e.team } : { split: e.split as Split }, source: { kind: "entry", id: e.id ?? null } };
  }
  if (r.ownerId === "unallocated") return { unmapped: true };
  const name = names.find((n) => n.orgId === r.orgId && n.ownerId === r.ownerId)?.displayName ?? null;
  const kindPrefixes: Array<[string, OwnerKind]> = [
    ["sa-", "service_account"],
    ["u-", "user"],
    ["pool-", "identity_pool"],
    ["lkc-", "resource"],
  ];
  const kind = kindPrefixes.find(([p]) => r.ownerId.substring(0, p.length) === p)?.[1] ?? null;
  const nameHolds = (c: NameCondition): boolean => {
    if (name === null) return false;
    const up = (s: string) => (c.caseSensitive ? s : s.toUpperCase());
    const n = up(name);
    const v = up(c.value);
    if (c.op === "equals") return n === v;
    if (c.op === "starts_with") return n.substring(0, v.length) === v;
    if (c.op === "ends_with") return n.length >= v.length && n.substring(n.length - v.length) === v;
    if (c.op === "contains") return n.indexOf(v) !== -1;
    return new RegExp(c.value, c.caseSensitive ? undefined : "i").exec(name) !== null;
  };
  for (let i = 0; i < rules.length; i++) {
    const x = rules[i];
    if (x.orgId !== null && x.orgId !== r.orgId) continue;
    if (!inEffect(x.validFrom, x.validTo)) continue;
    const w = x.when;
    if (w.ownerId !== undefined && w.ownerId !== r.ownerId) continue;
    if (w.ownerIdPrefix !== undefined && r.ownerId.substring(0, w.ownerIdPrefix.length) !== w.ownerIdPrefix) continue;
    if (w.ownerKind !== undefined && w.ownerKind !== kind) continue;
    if (w.environmentId !== undefined && w.environmentId !== r.environmentId) continue;
    if (w.resourceId !== undefined && w.resourceId !== r.resourceId) continue;
    if (w.product !== undefined && w.product !== r.product) continue;
    if (w.ownerName !== undefined && !nameHolds(w.ownerName)) continue;
    return { target: x.then, source: { kind: "rule", name: x.name, order: i + 1 } };
  }
  return { unmapped: true };
}

describe("resolver property", () => {
  it("answers as the naive reference for random entries, rules, names and rows", () => {
    const seen = { entry: 0, rule: 0, unmapped: 0, byName: 0 };
    fc.assert(
      fc.property(entriesArb, rulesArb, namesArb, fc.array(rowArb, { minLength: 1, maxLength: 20 }), (entries, rules, names, rows) => {
        const m = createMappingResolver({ entries, rules, names });
        for (const r of rows) {
          const want = reference({ entries, rules, names }, r);
          expect(m.resolve(r)).toEqual(want);
          seen["unmapped" in want ? "unmapped" : want.source.kind]++;
          if (!("unmapped" in want) && want.source.kind === "rule" && rules[want.source.order - 1].when.ownerName) seen.byName++;
        }
      }),
      { numRuns: 400 },
    );
    // the generators exercise every outcome
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(10);
  });

  it("formatRulesFile round-trips random rules", () => {
    fc.assert(
      fc.property(rulesArb, (rules) => {
        const text = formatRulesFile(rules);
        expect(rulesOf(text)).toEqual(rules);
      }),
      { numRuns: 200 },
    );
  });
});
