import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { periodsOverlap, validateCrosswalkCsv, validateOwnerNamesCsv, validateTeamsCsv } from "./crosswalk";
import { BEGINNING_OF_TIME } from "../crosswalk";

function parse(csv: string) {
  const lines = csv.split("\n").filter((l) => l.length > 0);
  return {
    header: lines[0]?.split(",") ?? [],
    rows: lines.slice(1).map((l, i) => ({ fields: l.split(","), line: i + 2 })),
  };
}
const crosswalk = (csv: string, opts: { splits?: boolean } = { splits: true }) => {
  const { header, rows } = parse(csv);
  return validateCrosswalkCsv(header, rows, opts);
};
const H = "org_id,owner_id,team,valid_from,valid_to";

describe("periodsOverlap", () => {
  it("treats periods as half-open with null = open-ended", () => {
    expect(periodsOverlap("2026-01-01", "2026-02-01", "2026-02-01", null)).toBe(false);
    expect(periodsOverlap("2026-02-01", null, "2026-01-01", "2026-02-01")).toBe(false);
    expect(periodsOverlap("2026-01-01", "2026-02-02", "2026-02-01", null)).toBe(true);
    expect(periodsOverlap("2026-01-01", null, "2030-01-01", null)).toBe(true);
    expect(periodsOverlap("2026-01-01", null, "2025-01-01", "2026-01-01")).toBe(false);
    expect(periodsOverlap("2026-01-10", "2026-01-20", "2026-01-01", "2026-02-01")).toBe(true);
    expect(periodsOverlap("2026-03-01", "2026-04-01", "2026-01-01", "2026-02-01")).toBe(false);
  });
});

describe("validateCrosswalkCsv", () => {
  it("accepts a valid file with optional columns, BOM, case and spaces", () => {
    const r = crosswalk(
      [
        "\uFEFFOrg_ID , owner_id,TEAM,valid_from,valid_to,cost_center,note",
        "o-1,sa-1,payments,2026-01-01,2026-04-01,CC-4102,moved",
        "o-1,sa-1,platform,2026-04-01,,CC-1000,",
        "o-2,sa-1,payments,2026-01-01,,,",
      ].join("\n"),
    );
    expect(r.errors).toEqual([]);
    expect(r.errorCount).toBe(0);
    expect(r.warnings).toEqual([]);
    expect(r.entries).toEqual([
      {
        line: 2,
        orgId: "o-1",
        ownerId: "sa-1",
        team: "payments",
        validFrom: "2026-01-01",
        validTo: "2026-04-01",
        costCenter: "CC-4102",
        note: "moved",
      },
      {
        line: 3,
        orgId: "o-1",
        ownerId: "sa-1",
        team: "platform",
        validFrom: "2026-04-01",
        validTo: null,
        costCenter: "CC-1000",
        note: null,
      },
      { line: 4, orgId: "o-2", ownerId: "sa-1", team: "payments", validFrom: "2026-01-01", validTo: null, costCenter: null, note: null },
    ]);
  });

  it("warns about unknown columns", () => {
    const r = crosswalk(`${H},owner_name\no-1,sa-1,t,2026-01-01,,Alice`);
    expect(r.errorCount).toBe(0);
    expect(r.warnings).toEqual(['line 1: unknown column ignored: "owner_name"']);
  });

  it("rejects a missing required column, listing expected and found", () => {
    const r = crosswalk("org_id,owner_id,team,valid_from\no-1,sa-1,t,2026-01-01");
    expect(r.errorCount).toBe(1);
    expect(r.errors[0]).toMatchObject({ line: 1, rule: "missing-columns" });
    expect(r.errors[0].message).toContain("valid_to");
    expect(r.errors[0].message).toContain('found: "org_id", "owner_id", "team", "valid_from"');
    expect(r.entries).toEqual([]);
  });

  it("rejects a file without rows", () => {
    expect(crosswalk(H).errors[0]).toMatchObject({ line: 1, rule: "not-empty" });
  });

  it.each([
    ["o-1,,t,2026-01-01,", 2, "owner_id", "", "required-value"],
    [",sa-1,t,2026-01-01,", 2, "org_id", "", "required-value"],
    ["o-1,sa-1,,2026-01-01,", 2, "team", "", "required-value"],
    ["o-1,sa-1,t,2026-02-30,", 2, "valid_from", "2026-02-30", "date"],
    ["o-1,sa-1,t,2026-01-01,01/02/2026", 2, "valid_to", "01/02/2026", "date"],
    ["o-1,sa-1,t,2026-01-01,2026-01-01", 2, "valid_to", "2026-01-01", "valid-to-after-from"],
    ["o-1,sa-1,t,2026-02-01,2026-01-01", 2, "valid_to", "2026-01-01", "valid-to-after-from"],
    ["o-1,Unallocated,t,2026-01-01,", 2, "owner_id", "Unallocated", "unallocated-not-mappable"],
    ["o-1,sa-1,unmapped,2026-01-01,", 2, "team", "unmapped", "reserved-team"],
  ])("rejects %j", (row, line, column, value, rule) => {
    const r = crosswalk(`${H}\n${row}`);
    expect(r.errorCount).toBe(1);
    expect(r.errors[0]).toMatchObject({ line, column, value, rule });
    expect(r.errors[0].message).toContain(`line ${line}, column "${column}"`);
    expect(r.entries).toEqual([]);
  });

  // issue 11 (supersedes the former "rejects an empty valid_from"): empty = since the beginning
  it("reads an empty valid_from as since the beginning", () => {
    const r = crosswalk(`${H}\no-1,sa-1,t,,\no-1,sa-2,t, ,2026-03-01`);
    expect(r.errors).toEqual([]);
    expect(r.entries.map((e) => [e.ownerId, e.validFrom, e.validTo])).toEqual([
      ["sa-1", BEGINNING_OF_TIME, null],
      ["sa-2", BEGINNING_OF_TIME, "2026-03-01"],
    ]);
  });

  it("checks an entry since the beginning for overlaps like any other", () => {
    const r = crosswalk(`${H}\no-1,sa-1,t,,2026-03-01\no-1,sa-1,u,2026-02-01,\no-1,sa-2,t,,2026-03-01\no-1,sa-2,u,2026-03-01,`);
    expect(r.errorCount).toBe(1);
    expect(r.errors[0]).toMatchObject({ line: 3, column: "valid_from", value: "2026-02-01", rule: "period-overlap" });
    expect(r.errors[0].message).toContain("[since the beginning, 2026-03-01)");
    expect(r.entries.map((e) => e.line)).toEqual([2, 4, 5]);
    // the second entry from the beginning of one owner overlaps the first, shown as empty
    const twice = crosswalk(`${H}\no-1,sa-1,t,,\no-1,sa-1,u,,`);
    expect(twice.errors[0]).toMatchObject({ line: 3, column: "valid_from", value: "", rule: "period-overlap" });
  });

  it("rejects the wrong field count", () => {
    const r = crosswalk(`${H}\no-1,sa-1,t,2026-01-01`);
    expect(r.errors[0]).toMatchObject({ line: 2, rule: "field-count" });
  });

  it("rejects overlapping periods of one (org_id, owner_id) inside the file, naming both lines", () => {
    const r = crosswalk(
      [
        H,
        "o-1,sa-1,a,2026-01-01,2026-03-01", // 2
        "o-1,sa-2,a,2026-01-01,", // 3: other owner
        "o-2,sa-1,a,2026-01-01,", // 4: other org
        "o-1,sa-1,b,2026-03-01,", // 5: adjacent, fine
        "o-1,sa-1,c,2026-02-15,2026-02-20", // 6: overlaps line 2
        "o-1,sa-1,d,2027-01-01,", // 7: overlaps line 5 (open-ended)
      ].join("\n"),
    );
    expect(r.errorCount).toBe(2);
    expect(r.errors[0]).toMatchObject({ line: 6, column: "valid_from", value: "2026-02-15", rule: "period-overlap" });
    expect(r.errors[0].message).toContain("overlaps line 2 [2026-01-01, 2026-03-01)");
    expect(r.errors[1]).toMatchObject({ line: 7, rule: "period-overlap" });
    expect(r.errors[1].message).toContain("overlaps line 5 [2026-03-01, open-ended)");
    expect(r.entries.map((e) => e.line)).toEqual([2, 3, 4, 5]);
  });

  it("rejects identical duplicate lines as overlapping", () => {
    const r = crosswalk(`${H}\no-1,sa-1,a,2026-01-01,\no-1,sa-1,a,2026-01-01,`);
    expect(r.errors[0]).toMatchObject({ line: 3, rule: "period-overlap" });
  });

  it("rejects a team given two different cost centers", () => {
    const r = crosswalk(
      [
        `${H},cost_center`,
        "o-1,sa-1,a,2026-01-01,,CC-1",
        "o-1,sa-2,a,2026-01-01,,",
        "o-1,sa-3,a,2026-01-01,,CC-1",
        "o-1,sa-4,a,2026-01-01,,CC-2",
      ].join("\n"),
    );
    expect(r.errorCount).toBe(1);
    expect(r.errors[0]).toMatchObject({ line: 5, column: "cost_center", value: "CC-2", rule: "team-cost-center" });
    expect(r.errors[0].message).toContain('line 2 gives "CC-1"');
  });

  it("lists 50 errors and counts all", () => {
    const rows = Array.from({ length: 70 }, () => "o-1,sa-1,t,bad,");
    const r = crosswalk([H, ...rows].join("\n"));
    expect(r.errors).toHaveLength(50);
    expect(r.errorCount).toBe(70);
  });
});

describe("validateCrosswalkCsv: the split column (docs/crosswalk.md)", () => {
  const HS = `${H},split`;

  it("is an unknown column unless the caller accepts splits (entries cannot store one yet)", () => {
    const off = crosswalk(`${HS}\no-1,sa-1,,2026-01-01,,a:50;b:50`, {});
    expect(off.entries).toEqual([]);
    expect(off.errorCount).toBeGreaterThan(0);
    expect(crosswalk(`${HS}\no-1,sa-1,,2026-01-01,,a:50;b:50`).entries).toHaveLength(1);
  });

  it("accepts a split row in place of team, anywhere among the columns", () => {
    const r = crosswalk([HS, "o-1,sa-1,,2026-01-01,, payments: 60 ;search:40.00", "o-1,sa-2,platform,2026-01-01,,"].join("\n"));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.entries).toEqual([
      {
        line: 2,
        orgId: "o-1",
        ownerId: "sa-1",
        team: "",
        validFrom: "2026-01-01",
        validTo: null,
        costCenter: null,
        note: null,
        split: [
          { team: "payments", pct: "60" },
          { team: "search", pct: "40" },
        ],
      },
      {
        line: 3,
        orgId: "o-1",
        ownerId: "sa-2",
        team: "platform",
        validFrom: "2026-01-01",
        validTo: null,
        costCenter: null,
        note: null,
        split: null,
      },
    ]);
    // split before the optional columns, header case and spaces as for the others
    const moved = crosswalk("org_id,owner_id,team, Split ,valid_from,valid_to,cost_center,note\no-1,sa-1,,payments:60;search:40,,,,n");
    expect(moved.errors).toEqual([]);
    expect(moved.entries[0]).toMatchObject({
      team: "",
      validFrom: BEGINNING_OF_TIME,
      note: "n",
      split: [{ team: "payments" }, { team: "search" }],
    });
  });

  it("allows a file without a team column when every row has a split", () => {
    const r = crosswalk("org_id,owner_id,split,valid_from,valid_to\no-1,sa-1,a:50;b:50,2026-01-01,\no-1,sa-2,c:100,,");
    expect(r.errors).toEqual([]);
    expect(r.entries.map((e) => [e.team, e.split])).toEqual([
      [
        "",
        [
          { team: "a", pct: "50" },
          { team: "b", pct: "50" },
        ],
      ],
      ["", [{ team: "c", pct: "100" }]],
    ]);
    const missing = crosswalk("org_id,owner_id,split,valid_from,valid_to\no-1,sa-1,a:50;b:50,2026-01-01,\no-1,sa-2,,2026-01-01,");
    expect(missing.errorCount).toBe(1);
    expect(missing.errors[0]).toMatchObject({ line: 3, column: "split", value: "", rule: "team-or-split" });
    expect(missing.entries.map((e) => e.line)).toEqual([2]);
  });

  it("still requires org_id, owner_id and the dates with a split column", () => {
    const r = crosswalk("org_id,owner_id,split,valid_from\no-1,sa-1,a:100,2026-01-01");
    expect(r.errors[0]).toMatchObject({ line: 1, rule: "missing-columns" });
    expect(r.errors[0].message).toContain("lacks required column(s) valid_to");
  });

  it.each([
    [
      "both team and split",
      "o-1,sa-1,payments,2026-01-01,,a:50;b:50",
      "split",
      "a:50;b:50",
      "team-or-split",
      'is given with team "payments"',
    ],
    ["neither team nor split", "o-1,sa-1,,2026-01-01,,", "split", "", "team-or-split", "is empty and so is team"],
    [
      "a sum of 99.9999",
      "o-1,sa-1,,2026-01-01,,a:50;b:49.9999",
      "split",
      "a:50;b:49.9999",
      "split",
      "the percentages sum to 99.9999, not 100",
    ],
    [
      "5 decimals",
      "o-1,sa-1,,2026-01-01,,a:50.00001;b:50",
      "split",
      "a:50.00001;b:50",
      "split",
      "percentage 50.00001 has more than 4 decimals",
    ],
    ["a zero percentage", "o-1,sa-1,,2026-01-01,,a:100;b:0", "split", "a:100;b:0", "split", "percentage 0 must be more than 0"],
    [
      "a reserved team",
      "o-1,sa-1,,2026-01-01,,unmapped:50;b:50",
      "split",
      "unmapped:50;b:50",
      "reserved-team",
      'team "unmapped" is a pseudo-team',
    ],
    [
      "a reserved team in another case",
      "o-1,sa-1,,2026-01-01,,Unallocated:50;b:50",
      "split",
      "Unallocated:50;b:50",
      "reserved-team",
      'team "Unallocated" is a pseudo-team',
    ],
    ["a team listed twice", "o-1,sa-1,,2026-01-01,,a:50;a:50", "split", "a:50;a:50", "split", 'team "a" is listed twice (parts 1 and 2)'],
    ["a part without a percentage", "o-1,sa-1,,2026-01-01,,a:50;b", "split", "a:50;b", "split", 'part 2 "b" is not team:percent'],
    [
      "a cost center on a split row",
      "o-1,sa-1,,2026-01-01,,a:50;b:50,CC-1",
      "cost_center",
      "CC-1",
      "team-cost-center",
      "is given on a split row",
    ],
  ])("rejects %s, located", (_what, row, column, value, rule, text) => {
    const head = row.split(",").length === 7 ? `${HS},cost_center` : HS;
    const r = crosswalk(`${head}\n${row}`);
    expect(r.errorCount).toBe(1);
    expect(r.errors[0]).toMatchObject({ line: 2, column, value, rule });
    expect(r.errors[0].message).toContain(`line 2, column "${column}": value ${JSON.stringify(value)} `);
    expect(r.errors[0].message).toContain(text);
    expect(r.entries).toEqual([]);
  });

  it("accepts 33.3333/33.3333/33.3334, exactly 100", () => {
    const r = crosswalk(`${HS}\no-1,sa-1,,2026-01-01,,a:33.3333;b:33.3333;c:33.3334`);
    expect(r.errors).toEqual([]);
    expect(r.entries[0].split?.map((s) => s.pct)).toEqual(["33.3333", "33.3333", "33.3334"]);
  });

  it("reports every problem of one split", () => {
    const r = crosswalk(`${HS}\no-1,sa-1,,2026-01-01,,unmapped:50;x:1.00001`);
    expect(r.errors.map((e) => e.rule)).toEqual(["reserved-team", "split"]);
  });

  it("checks split rows for overlaps like team rows", () => {
    const r = crosswalk(`${HS}\no-1,sa-1,,2026-01-01,,a:50;b:50\no-1,sa-1,c,2026-02-01,,`);
    expect(r.errors[0]).toMatchObject({ line: 3, column: "valid_from", rule: "period-overlap" });
    expect(r.entries.map((e) => e.line)).toEqual([2]);
  });

  it("parses a file without a split column exactly as before: no split key, same errors", () => {
    const text = readFileSync(fileURLToPath(new URL("../../../tests/fixtures/vendor-example/crosswalk.csv", import.meta.url)), "utf8");
    const r = crosswalk(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    const e = (line: number, ownerId: string, team: string, costCenter: string | null, note: string | null) => ({
      line,
      orgId: "org-vendor",
      ownerId,
      team,
      validFrom: "2026-01-01",
      validTo: null,
      costCenter,
      note,
    });
    // toStrictEqual: a `split: undefined` or `split: null` key would fail
    expect(r.entries).toStrictEqual([
      e(2, "sa-abc", "payments", "CC-100", "payments API"),
      e(3, "sa-def", "payments", "CC-100", null),
      e(4, "sa-ghi", "search", "CC-200", null),
      e(5, "sa-jkl", "search", "CC-200", null),
      e(6, "lkc-123", "platform", "CC-300", "owns the shared cluster"),
      e(7, "env-xxx", "analytics", null, null),
    ]);
    for (const x of r.entries) expect(Object.keys(x)).not.toContain("split");
    // an empty team is still the team column's required-value, and the header message is unchanged
    expect(crosswalk(`${H}\no-1,sa-1,,2026-01-01,`).errors[0]).toMatchObject({ column: "team", value: "", rule: "required-value" });
    const noTeam = crosswalk("org_id,owner_id,valid_from,valid_to\no-1,sa-1,2026-01-01,");
    expect(noTeam.errors[0].message).toBe(
      'line 1: the header lacks required column(s) team; expected: org_id, owner_id, team, valid_from, valid_to, cost_center (optional), note (optional); found: "org_id", "owner_id", "valid_from", "valid_to" (rule: every required column is present)',
    );
  });
});

describe("validateTeamsCsv", () => {
  const teams = (csv: string) => {
    const { header, rows } = parse(csv);
    return validateTeamsCsv(header, rows);
  };

  it("accepts teams with and without cost center", () => {
    const r = teams("team,cost_center\npayments,CC-4102\nplatform,");
    expect(r.errorCount).toBe(0);
    expect(r.entries).toEqual([
      { line: 2, team: "payments", costCenter: "CC-4102" },
      { line: 3, team: "platform", costCenter: null },
    ]);
  });

  it("requires both columns", () => {
    expect(teams("team\npayments").errors[0].rule).toBe("missing-columns");
  });

  it("rejects an empty or reserved team", () => {
    const r = teams("team,cost_center\n,CC-1\nUnallocated,CC-2");
    expect(r.errors.map((e) => [e.line, e.rule])).toEqual([
      [2, "required-value"],
      [3, "reserved-team"],
    ]);
  });

  it("rejects a team listed with different cost centers; drops identical repeats with a warning", () => {
    const r = teams("team,cost_center\na,CC-1\na,CC-1\na,CC-2\nb,\nb,CC-3");
    expect(r.errors.map((e) => [e.line, e.column, e.value, e.rule])).toEqual([
      [4, "cost_center", "CC-2", "team-cost-center"],
      [6, "cost_center", "CC-3", "team-cost-center"],
    ]);
    expect(r.warnings).toEqual(['line 3: team "a" repeats line 2; ignored']);
    expect(r.entries.map((e) => e.line)).toEqual([2, 5]);
  });
});

describe("validateOwnerNamesCsv", () => {
  const names = (csv: string) => {
    const { header, rows } = parse(csv);
    return validateOwnerNamesCsv(header, rows);
  };

  it("accepts names", () => {
    const r = names("org_id,owner_id,display_name\no-1,sa-1,orders-service\no-2,sa-1,other");
    expect(r.errorCount).toBe(0);
    expect(r.entries).toEqual([
      { line: 2, orgId: "o-1", ownerId: "sa-1", displayName: "orders-service" },
      { line: 3, orgId: "o-2", ownerId: "sa-1", displayName: "other" },
    ]);
  });

  it("rejects empty fields and conflicting names", () => {
    const r = names("org_id,owner_id,display_name\no-1,sa-1,\no-1,sa-2,x\no-1,sa-2,y\no-1,sa-2,x");
    expect(r.errors.map((e) => [e.line, e.column, e.rule])).toEqual([
      [2, "display_name", "required-value"],
      [4, "display_name", "duplicate-entry"],
    ]);
    expect(r.warnings).toEqual(['line 5: owner "sa-2" of org "o-1" repeats line 3; ignored']);
  });

  it("requires the header", () => {
    expect(names("org_id,owner_id\no-1,sa-1").errors[0].rule).toBe("missing-columns");
  });
});
