import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BEGINNING_OF_TIME,
  affectedRange,
  createResolver,
  findOverlap,
  overlapMessage,
  periodsOverlap,
  planCrosswalkImport,
  parseValidFrom,
  validateCrosswalkEntry,
  validFromField,
  validFromLabel,
  validFromPhrase,
  type CrosswalkEntry,
} from "./crosswalk";
import { addDays } from "./periods";

const e = (
  ownerId: string,
  team: string,
  validFrom: string,
  validTo: string | null,
  extra: Partial<CrosswalkEntry> = {},
): CrosswalkEntry => ({
  orgId: "org-1",
  ownerId,
  team,
  validFrom,
  validTo,
  ...extra,
});

describe("periodsOverlap", () => {
  it("treats periods as half-open [from, to)", () => {
    expect(periodsOverlap("2026-04-01", "2026-04-15", "2026-04-15", "2026-05-01")).toBe(false); // touching
    expect(periodsOverlap("2026-04-15", "2026-05-01", "2026-04-01", "2026-04-15")).toBe(false);
    expect(periodsOverlap("2026-04-01", "2026-04-16", "2026-04-15", "2026-05-01")).toBe(true); // one shared day
    expect(periodsOverlap("2026-04-01", "2026-05-01", "2026-04-10", "2026-04-11")).toBe(true); // containment
  });
  it("handles open-ended periods", () => {
    expect(periodsOverlap("2026-04-01", null, "2030-01-01", "2030-01-02")).toBe(true);
    expect(periodsOverlap("2026-04-01", null, "2020-01-01", null)).toBe(true);
    expect(periodsOverlap("2026-04-01", null, "2020-01-01", "2026-04-01")).toBe(false);
    expect(periodsOverlap("2020-01-01", "2026-04-01", "2026-04-01", null)).toBe(false);
    expect(periodsOverlap("2020-01-01", "2026-04-02", "2026-04-01", null)).toBe(true);
  });
  it("is symmetric and agrees with a day-by-day check (property)", () => {
    const day = fc.integer({ min: 0, max: 40 }).map((n) => addDays("2026-03-25", n));
    const period = fc.tuple(day, fc.option(fc.integer({ min: 1, max: 20 }), { nil: null })).map(([from, len]) => ({
      from,
      to: len === null ? null : addDays(from, len),
    }));
    fc.assert(
      fc.property(period, period, (a, b) => {
        const got = periodsOverlap(a.from, a.to, b.from, b.to);
        expect(got).toBe(periodsOverlap(b.from, b.to, a.from, a.to));
        let expected = false;
        for (let n = 0; n < 80 && !expected; n++) {
          const d = addDays("2026-03-25", n);
          const inA = d >= a.from && (a.to === null || d < a.to);
          const inB = d >= b.from && (b.to === null || d < b.to);
          expected = inA && inB;
        }
        // beyond the scanned window both open-ended periods always overlap
        if (a.to === null && b.to === null) expected = true;
        expect(got).toBe(expected);
      }),
    );
  });
});

describe("findOverlap", () => {
  const existing = [
    e("sa-1", "payments", "2026-01-01", "2026-04-15", { id: 1 }),
    e("sa-1", "search", "2026-04-15", null, { id: 2 }),
    e("sa-2", "search", "2026-01-01", null, { id: 3 }),
    e("sa-1", "other", "2026-01-01", null, { id: 4, orgId: "org-2" }),
  ];
  it("finds overlaps for the same org + owner only", () => {
    expect(findOverlap(existing, e("sa-3", "x", "2026-01-01", null))).toBeNull();
    expect(findOverlap(existing, e("sa-1", "x", "2026-04-01", "2026-04-20"))?.id).toBe(1); // earliest of two
    expect(findOverlap(existing, e("sa-1", "x", "2027-01-01", null))?.id).toBe(2); // open-ended existing
    expect(findOverlap(existing, e("sa-1", "x", "2025-01-01", "2026-01-01"))).toBeNull(); // ends where #1 starts
    expect(findOverlap(existing, e("sa-1", "x", "2025-01-01", null))?.id).toBe(1); // open-ended candidate
    expect(findOverlap(existing, e("sa-1", "x", "2025-01-01", null, { orgId: "org-3" }))).toBeNull();
  });
  it("ignores the entry being edited", () => {
    // end-dating entry #2 does not collide with itself
    expect(findOverlap(existing, e("sa-1", "search", "2026-04-15", "2026-06-01", { id: 2 }), 2)).toBeNull();
    // moving #2's start back into #1 does
    expect(findOverlap(existing, e("sa-1", "search", "2026-04-01", null, { id: 2 }), 2)?.id).toBe(1);
  });
  it("explains the refusal", () => {
    expect(overlapMessage(e("sa-1", "x", "2026-04-01", null), existing[0])).toBe(
      "owner sa-1 in org org-1: period [2026-04-01, open) for team x overlaps the existing entry [2026-01-01, 2026-04-15) for team payments",
    );
  });
});

describe("validateCrosswalkEntry", () => {
  it("accepts good entries and names each problem", () => {
    expect(validateCrosswalkEntry(e("sa-1", "t", "2026-01-01", null))).toEqual([]);
    expect(validateCrosswalkEntry(e("sa-1", "t", "2026-01-01", "2026-01-02"))).toEqual([]);
    expect(validateCrosswalkEntry(e("sa-1", "t", "2026-01-02", "2026-01-02"))).toEqual([
      "valid_to 2026-01-02 must be after valid_from 2026-01-02",
    ]);
    expect(validateCrosswalkEntry(e("", "t", "2026-02-30", null))).toHaveLength(2);
    expect(validateCrosswalkEntry(e("sa-1", " t", "2026-01-01", "x"))).toHaveLength(2);
  });
});

describe("an entry since the beginning (empty valid_from, issue 11)", () => {
  it("is stored as BEGINNING_OF_TIME, a valid date, and shown or exported as empty again", () => {
    expect(parseValidFrom("")).toBe(BEGINNING_OF_TIME);
    expect(parseValidFrom("  ")).toBe(BEGINNING_OF_TIME);
    expect(parseValidFrom(" 2026-01-01 ")).toBe("2026-01-01");
    expect(validateCrosswalkEntry(e("sa-1", "t", parseValidFrom(""), null))).toEqual([]);
    expect(validateCrosswalkEntry(e("sa-1", "t", parseValidFrom(""), "0001-01-01"))).toHaveLength(1);
    expect(validFromField(BEGINNING_OF_TIME)).toBe("");
    expect(validFromField("2026-01-01")).toBe("2026-01-01");
    expect(validFromLabel(BEGINNING_OF_TIME)).toBe("since the beginning");
    expect(validFromLabel("2026-01-01")).toBe("2026-01-01");
    expect(validFromPhrase(BEGINNING_OF_TIME)).toBe("since the beginning");
    expect(validFromPhrase("2026-01-01")).toBe("from 2026-01-01");
  });

  it("maps every bucket before its end, and overlaps any earlier period of the owner", () => {
    const from0 = e("sa-1", "payments", BEGINNING_OF_TIME, "2026-04-01", { id: 1 });
    const resolve = createResolver([from0, e("sa-1", "search", "2026-04-01", null)]);
    expect(resolve("org-1", "sa-1", "1970-01-01")).toBe("payments");
    expect(resolve("org-1", "sa-1", "2026-03-31")).toBe("payments");
    expect(resolve("org-1", "sa-1", "2026-04-01")).toBe("search");
    expect(findOverlap([from0], e("sa-1", "x", "2020-01-01", "2020-02-01"))?.id).toBe(1);
    expect(findOverlap([from0], e("sa-1", "x", BEGINNING_OF_TIME, null))?.id).toBe(1);
    expect(findOverlap([from0], e("sa-1", "x", "2026-04-01", null))).toBeNull();
    expect(overlapMessage(e("sa-1", "x", "2020-01-01", null), from0)).toContain("[since the beginning, 2026-04-01)");
    expect(affectedRange(null, from0)).toEqual({ from: BEGINNING_OF_TIME, to: "2026-04-01" });
  });
});

describe("createResolver", () => {
  const entries = [
    // sa-1 moves from payments to search on 2026-04-15 (mid-month)
    e("sa-1", "payments", "2026-01-01", "2026-04-15"),
    e("sa-1", "search", "2026-04-15", null),
    // lkc-123 owned by platform only during April (gap afterwards)
    e("lkc-123", "platform", "2026-04-01", "2026-05-01"),
    e("lkc-123", "data", "2026-06-01", null),
    // same owner id in another org
    e("sa-1", "org2-team", "2020-01-01", null, { orgId: "org-2" }),
  ];
  const resolve = createResolver(entries);

  it("valid_from is inclusive, valid_to exclusive", () => {
    expect(resolve("org-1", "sa-1", "2025-12-31")).toBeNull();
    expect(resolve("org-1", "sa-1", "2026-01-01")).toBe("payments");
    expect(resolve("org-1", "sa-1", "2026-04-14")).toBe("payments");
    expect(resolve("org-1", "sa-1", "2026-04-15")).toBe("search");
    expect(resolve("org-1", "sa-1", "2099-01-01")).toBe("search");
    expect(resolve("org-1", "lkc-123", "2026-03-31")).toBeNull();
    expect(resolve("org-1", "lkc-123", "2026-04-01")).toBe("platform");
    expect(resolve("org-1", "lkc-123", "2026-04-30")).toBe("platform");
    expect(resolve("org-1", "lkc-123", "2026-05-01")).toBeNull(); // gap → unmapped
    expect(resolve("org-1", "lkc-123", "2026-06-01")).toBe("data");
  });

  it("uses the bucket START: a monthly April bucket maps to the team effective on April 1st", () => {
    expect(resolve("org-1", "sa-1", "2026-04-01")).toBe("payments");
    // weekly bucket starting Monday 2026-04-13 straddles the move: still payments
    expect(resolve("org-1", "sa-1", "2026-04-13")).toBe("payments");
    // ISO instants are accepted
    expect(resolve("org-1", "sa-1", "2026-04-15T00:00:00Z")).toBe("search");
  });

  it("is scoped by org and unknown owners are unmapped", () => {
    expect(resolve("org-2", "sa-1", "2026-04-20")).toBe("org2-team");
    expect(resolve("org-3", "sa-1", "2026-04-20")).toBeNull();
    expect(resolve("org-1", "sa-404", "2026-04-20")).toBeNull();
  });

  it("agrees with a linear scan on random non-overlapping histories (property)", () => {
    const history = fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.constantFrom("a", "b", "c")), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(history, fc.boolean(), fc.integer({ min: 0, max: 150 }), (segs, openLast, probe) => {
        // build consecutive segments with gaps
        const list: CrosswalkEntry[] = [];
        let cursor = 0;
        segs.forEach(([gap, len, team], i) => {
          const from = addDays("2026-01-01", cursor + gap);
          const last = i === segs.length - 1;
          const to = last && openLast ? null : addDays(from, len);
          list.push(e("sa-x", team, from, to));
          cursor += gap + len;
        });
        const shuffled = [...list].reverse();
        const day = addDays("2026-01-01", probe);
        const linear = list.find((x) => x.validFrom <= day && (x.validTo === null || day < x.validTo))?.team ?? null;
        expect(createResolver(shuffled)("org-1", "sa-x", day)).toBe(linear);
      }),
    );
  });
});

describe("affectedRange", () => {
  it("covers the before and after periods", () => {
    const before = e("sa-1", "a", "2026-03-01", "2026-04-01");
    expect(affectedRange(null, before)).toEqual({ from: "2026-03-01", to: "2026-04-01" }); // create
    expect(affectedRange(before, null)).toEqual({ from: "2026-03-01", to: "2026-04-01" }); // delete
    expect(affectedRange(before, e("sa-1", "b", "2026-03-15", "2026-05-01"))).toEqual({ from: "2026-03-01", to: "2026-05-01" });
    expect(affectedRange(e("sa-1", "a", "2026-03-01", null), e("sa-1", "a", "2026-03-01", "2026-03-20"))).toEqual({
      from: "2026-03-01",
      to: null,
    }); // end-dating an open entry
    expect(() => affectedRange(null, null)).toThrow();
  });
});

describe("planCrosswalkImport", () => {
  const existing = [
    e("sa-1", "payments", "2026-01-01", null, { id: 1 }),
    e("sa-2", "search", "2026-01-01", "2026-04-01", { id: 2 }),
    e("sa-9", "other", "2026-01-01", null, { id: 3, orgId: "org-2" }),
  ];

  it("merge: identical = no-op, new = add, overlap = conflict", () => {
    const incoming = [
      e("sa-1", "payments", "2026-01-01", null), // identical
      e("sa-2", "search", "2026-04-01", null), // new, adjacent
      e("sa-3", "data", "2026-01-01", null), // new owner
      e("sa-1", "search", "2026-05-01", null), // overlaps #1 (open-ended)
      e("sa-3", "data", "2026-01-01", null), // repeated line: no-op
      e("sa-3", "ml", "2026-02-01", "2026-03-01"), // overlaps the sa-3 line accepted above
    ];
    const plan = planCrosswalkImport(existing, incoming, "merge");
    expect(plan.unchanged).toEqual([existing[0], incoming[4]]);
    expect(plan.add).toEqual([incoming[1], incoming[2]]);
    expect(plan.remove).toEqual([]);
    expect(plan.conflicts).toEqual([
      { candidate: incoming[3], existing: existing[0] },
      { candidate: incoming[5], existing: incoming[2] },
    ]);
  });

  it("merge: an edited period of an existing entry is a conflict, not an update", () => {
    const plan = planCrosswalkImport(existing, [e("sa-1", "payments", "2026-01-01", "2026-06-01")], "merge");
    expect(plan.add).toEqual([]);
    expect(plan.conflicts).toHaveLength(1);
  });

  it("replace: removes every entry of the named orgs and adds all incoming", () => {
    const incoming = [
      e("sa-1", "search", "2026-05-01", null, { id: 99 }), // would conflict in merge mode
      e("sa-4", "data", "2026-01-01", null),
    ];
    const plan = planCrosswalkImport(existing, incoming, "replace");
    expect(plan.remove).toEqual([existing[0], existing[1]]); // org-1 only; org-2 untouched
    expect(plan.add).toEqual([e("sa-1", "search", "2026-05-01", null), incoming[1]]); // ids dropped
    expect(plan.conflicts).toEqual([]);
    expect(plan.unchanged).toEqual([]);
  });

  it("replace: overlaps inside the file are still conflicts", () => {
    const incoming = [e("sa-1", "a", "2026-01-01", null), e("sa-1", "b", "2026-03-01", null)];
    const plan = planCrosswalkImport(existing, incoming, "replace");
    expect(plan.add).toEqual([incoming[0]]);
    expect(plan.conflicts).toEqual([{ candidate: incoming[1], existing: incoming[0] }]);
  });
});
