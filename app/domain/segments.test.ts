import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BEGINNING_OF_TIME } from "./crosswalk";
import { addDays } from "./periods";
import { createMappingResolver, explainSource, parseRulesJson, type MappingEntry, type Rule } from "./rules";
import { diffSegments, resolveSegments, type Segment, type UsageKey } from "./segments";

const KEYS: UsageKey[] = [
  { orgId: "o1", ownerId: "sa-1", environmentId: "env-a", resourceId: "lkc-a", product: "kafka" },
  { orgId: "o1", ownerId: "sa-1", environmentId: "env-b", resourceId: "lkc-b", product: "kafka" },
  { orgId: "o1", ownerId: "u-2", environmentId: "env-a", resourceId: "lcc-a", product: "connect" },
  { orgId: "o2", ownerId: "sa-1", environmentId: "env-a", resourceId: "lkc-a", product: "kafka" },
];
const day = (n: number) => addDays("2026-01-01", n);

function rule(json: Record<string, unknown>): Rule {
  const p = parseRulesJson([json]);
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return p.rules[0];
}

/** What the segments answer for a key at a day (sorted shares), "" when unmapped. */
function segmentAnswer(segments: Segment[], k: UsageKey, d: string): string {
  return segments
    .filter(
      (s) =>
        s.orgId === k.orgId &&
        s.ownerId === k.ownerId &&
        s.environmentId === k.environmentId &&
        s.resourceId === k.resourceId &&
        s.product === k.product &&
        s.validFrom <= d &&
        (s.validTo === null || d < s.validTo),
    )
    .map((s) => `${s.team}:${s.pct}:${s.mappedBy}`)
    .sort()
    .join("|");
}

describe("resolveSegments", () => {
  it("a rule ending mid-month and an entry starting later give three periods, merged where equal", () => {
    const rules = [
      rule({ org_id: "o1", name: "env-a", when: { environment_id: "env-a" }, then: { team: "platform" }, valid_to: "2026-03-15" }),
    ];
    const entries: MappingEntry[] = [{ id: 7, orgId: "o1", ownerId: "sa-1", team: "payments", validFrom: "2026-04-01", validTo: null }];
    const segs = resolveSegments([KEYS[0]], { entries, rules });
    expect(segs.map((s) => [s.validFrom, s.validTo, s.team, s.mappedBy])).toEqual([
      [BEGINNING_OF_TIME, "2026-03-15", "platform", 'rule "env-a" (#1)'],
      ["2026-04-01", null, "payments", "entry #7"],
    ]);
  });

  it("a split gives one segment per share with its percentage", () => {
    const rules = [rule({ org_id: null, name: "shared", when: { owner_id: "sa-1" }, then: { split: { a: "60", b: "40" } } })];
    const segs = resolveSegments([KEYS[3]], { entries: [], rules });
    expect(segs.map((s) => [s.team, s.pct, s.parts, s.mappedBy])).toEqual([
      ["a", "60", 2, 'split 60 % of rule "shared" (#1)'],
      ["b", "40", 2, 'split 40 % of rule "shared" (#1)'],
    ]);
  });

  it("agrees with the resolver at every day, for random entries and rules", () => {
    const dayArb = fc.integer({ min: 0, max: 120 });
    const ruleArb = fc.record({
      org: fc.constantFrom("o1", "o2", null),
      cond: fc.constantFrom(
        { environment_id: "env-a" },
        { owner_kind: "service_account" },
        { product: "connect" },
        { owner_name: { contains: "pay", case_sensitive: false } },
        {},
      ),
      split: fc.boolean(),
      from: fc.option(dayArb),
      len: fc.option(fc.integer({ min: 1, max: 60 })),
      team: fc.constantFrom("x", "y", "z"),
    });
    const entryArb = fc.record({
      key: fc.integer({ min: 0, max: 3 }),
      from: dayArb,
      len: fc.option(fc.integer({ min: 1, max: 40 })),
      team: fc.constantFrom("p", "q"),
    });
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 5 }),
        fc.array(entryArb, { maxLength: 3 }),
        fc.array(dayArb, { minLength: 5, maxLength: 20 }),
        (rs, es, probes) => {
          const rules = rs.map((r, i) =>
            rule({
              org_id: r.org,
              name: `r${i}`,
              when: r.cond,
              then: r.split ? { split: { [r.team]: "33.3333", w: "66.6667" } } : { team: r.team },
              valid_from: r.from === null ? null : day(r.from),
              valid_to: r.from === null || r.len === null ? null : day(r.from + r.len),
            }),
          );
          // entries of one (org, owner) must not overlap: keep the first of each slot
          const seen = new Set<string>();
          const entries: MappingEntry[] = [];
          es.forEach((e, i) => {
            const k = KEYS[e.key];
            if (seen.has(`${k.orgId}/${k.ownerId}`)) return;
            seen.add(`${k.orgId}/${k.ownerId}`);
            entries.push({
              id: i + 1,
              orgId: k.orgId,
              ownerId: k.ownerId,
              team: e.team,
              validFrom: day(e.from),
              validTo: e.len === null ? null : day(e.from + e.len),
            });
          });
          const names = [{ orgId: "o1", ownerId: "u-2", displayName: "Payments bot" }];
          const segs = resolveSegments(KEYS, { entries, rules, names });
          const resolver = createMappingResolver({ entries, rules, names });
          for (const k of KEYS)
            for (const p of probes) {
              const d = day(p);
              const r = resolver.resolve({ ...k, bucketStart: d });
              const want =
                "unmapped" in r
                  ? ""
                  : ("team" in r.target
                      ? [`${r.target.team}:100:${explainSource(r.source)}`]
                      : r.target.split.map((s) => `${s.team}:${s.pct}:${explainSource(r.source, { pct: s.pct })}`)
                    )
                      .sort()
                      .join("|");
              expect(segmentAnswer(segs, k, d)).toBe(want);
            }
          // neighbours never repeat an answer (segments are merged)
          for (let i = 1; i < segs.length; i++) {
            const a = segs[i - 1];
            const b = segs[i];
            if (
              a.parts === 1 &&
              b.parts === 1 &&
              a.ownerId === b.ownerId &&
              a.environmentId === b.environmentId &&
              a.orgId === b.orgId &&
              a.product === b.product &&
              a.resourceId === b.resourceId &&
              a.validTo === b.validFrom
            )
              expect(`${a.team}${a.mappedBy}`).not.toBe(`${b.team}${b.mappedBy}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("diffSegments", () => {
  const base = resolveSegments(KEYS, {
    entries: [],
    rules: [rule({ org_id: "o1", name: "a", when: { environment_id: "env-a" }, then: { team: "x" }, valid_from: "2026-02-01" })],
  });

  it("nothing changed: no keys, no range", () => {
    expect(diffSegments(base, base)).toEqual({ keys: [], from: null, to: null, changed: false });
  });

  it("an entry for one owner over March: that owner's keys whose answer changes, over March only", () => {
    const after = resolveSegments(KEYS, {
      entries: [{ id: 1, orgId: "o1", ownerId: "sa-1", team: "p", validFrom: "2026-03-01", validTo: "2026-04-01" }],
      rules: [rule({ org_id: "o1", name: "a", when: { environment_id: "env-a" }, then: { team: "x" }, valid_from: "2026-02-01" })],
    });
    const d = diffSegments(base, after);
    expect(d.keys.map((k) => `${k.orgId}/${k.ownerId}/${k.environmentId}`)).toEqual(["o1/sa-1/env-a", "o1/sa-1/env-b"]);
    expect([d.from, d.to]).toEqual(["2026-03-01", "2026-04-01"]);
  });

  it("an open-ended change has no end", () => {
    const after = resolveSegments(KEYS, { entries: [], rules: [] });
    const d = diffSegments(base, after);
    expect([d.from, d.to, d.changed]).toEqual(["2026-02-01", null, true]);
  });
});
