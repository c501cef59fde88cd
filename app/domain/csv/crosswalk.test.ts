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
const crosswalk = (csv: string) => {
  const { header, rows } = parse(csv);
  return validateCrosswalkCsv(header, rows);
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
      { line: 2, orgId: "o-1", ownerId: "sa-1", team: "payments", validFrom: "2026-01-01", validTo: "2026-04-01", costCenter: "CC-4102", note: "moved" },
      { line: 3, orgId: "o-1", ownerId: "sa-1", team: "platform", validFrom: "2026-04-01", validTo: null, costCenter: "CC-1000", note: null },
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
      [`${H},cost_center`, "o-1,sa-1,a,2026-01-01,,CC-1", "o-1,sa-2,a,2026-01-01,,", "o-1,sa-3,a,2026-01-01,,CC-1", "o-1,sa-4,a,2026-01-01,,CC-2"].join("\n"),
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
