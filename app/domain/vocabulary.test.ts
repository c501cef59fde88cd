/**
 * The shared vocabulary: one declaration per closed word set, re-exported (not copied) by the
 * modules that used to declare their own, and zod enums that accept exactly those words.
 */
import { describe, expect, it } from "vitest";
import * as allocation from "./allocation";
import * as values from "./csv/values";
import * as periods from "./periods";
import {
  CHECK_STATUSES,
  GRANULARITIES,
  GROUP_BYS,
  GranularitySchema,
  IMPORT_STATUSES,
  isGranularity,
  isDisplayPseudoGroup,
  isReservedTeamName,
  DISPLAY_PSEUDO_GROUPS,
  RECONCILE_STATUSES,
  REPORT_FORMATS,
  RESERVED_TEAM_NAMES,
  ROLES,
  RoleSchema,
  GroupBySchema,
  UNALLOCATED,
  UNASSIGNED,
  UNMAPPED,
} from "./vocabulary";

describe("vocabulary", () => {
  it("declares each word set once", () => {
    expect(GRANULARITIES).toEqual(["daily", "weekly", "monthly"]);
    expect(ROLES).toEqual(["team_viewer", "viewer", "finance_admin"]);
    expect(IMPORT_STATUSES).toEqual(["active", "superseded"]);
    expect(RECONCILE_STATUSES).toEqual(["matched", "mismatch", "no_invoice", "no_data"]);
    expect(CHECK_STATUSES).toEqual(["pass", "warn", "fail"]);
    expect(GROUP_BYS).toEqual(["team", "cost_center"]);
    expect(REPORT_FORMATS).toEqual(["csv", "json"]);
    expect(DISPLAY_PSEUDO_GROUPS).toEqual(["unmapped", "unallocated", "unassigned", "other teams"]);
    expect(RESERVED_TEAM_NAMES).toEqual(["unmapped", "unallocated", "other teams"]);
  });

  it("the old homes re-export the vocabulary instead of declaring their own", () => {
    expect(periods.GRANULARITIES).toBe(GRANULARITIES);
    expect(values.GRANULARITIES).toBe(GRANULARITIES);
    expect([allocation.UNMAPPED, allocation.UNALLOCATED, allocation.UNASSIGNED]).toEqual([UNMAPPED, UNALLOCATED, UNASSIGNED]);
  });

  it("zod enums accept exactly the words", () => {
    for (const g of GRANULARITIES) expect(GranularitySchema.parse(g)).toBe(g);
    for (const bad of ["Daily", "hourly", "", " monthly"]) expect(GranularitySchema.safeParse(bad).success).toBe(false);
    expect(RoleSchema.safeParse("admin").success).toBe(false);
    expect(RoleSchema.parse("finance_admin")).toBe("finance_admin");
    expect(GroupBySchema.safeParse("cost-center").success).toBe(false);
  });

  it("guards", () => {
    expect(isGranularity("weekly")).toBe(true);
    expect(isGranularity("yearly")).toBe(false);
    expect(isGranularity(7)).toBe(false);
    expect(DISPLAY_PSEUDO_GROUPS.every(isDisplayPseudoGroup)).toBe(true);
    expect(isDisplayPseudoGroup("payments")).toBe(false);
    expect(isDisplayPseudoGroup("Unmapped")).toBe(false);
    // a reserved team name is a pseudo-team; "unassigned" is only a cost-center pseudo-group
    expect(RESERVED_TEAM_NAMES.every((t) => isReservedTeamName(t) && isDisplayPseudoGroup(t))).toBe(true);
    expect(isReservedTeamName(UNASSIGNED)).toBe(false);
    expect(isReservedTeamName("payments")).toBe(false);
  });
});

describe("one month pattern", () => {
  it("isMonth accepts YYYY-MM with a month 01–12 only", () => {
    for (const m of ["2026-01", "2026-12", "1999-09"]) expect(periods.isMonth(m)).toBe(true);
    for (const m of ["2026-00", "2026-13", "2026-1", "26-01", "2026-01-01", " 2026-01", "", null, 202601])
      expect(periods.isMonth(m)).toBe(false);
  });

  it("monthRange agrees with isMonth", () => {
    expect(periods.monthRange("2026-02")).toEqual({ from: "2026-02-01", to: "2026-03-01" });
    expect(() => periods.monthRange("2026-13")).toThrow(/invalid month/);
  });
});
