import { describe, expect, it } from "vitest";
import { dec } from "./money";
import { diffSnapshots, monthTeamTotals } from "./restatements";

describe("restatements", () => {
  it("diffSnapshots lists only the (month, team) totals that changed, appeared or vanished, in order", () => {
    const before = [
      { month: "2026-02", team: "b", total: "10" },
      { month: "2026-01", team: "a", total: "5.50" },
      { month: "2026-01", team: "gone", total: "1" },
    ];
    const after = [
      { month: "2026-01", team: "a", total: "5.5" },
      { month: "2026-02", team: "b", total: "12.25" },
      { month: "2026-02", team: "new", total: "0.75" },
    ];
    expect(diffSnapshots(before, after)).toEqual([
      { month: "2026-01", team: "gone", old: "1", new: "0", delta: "-1" },
      { month: "2026-02", team: "b", old: "10", new: "12.25", delta: "2.25" },
      { month: "2026-02", team: "new", old: "0", new: "0.75", delta: "0.75" },
    ]);
  });

  it("monthTeamTotals sums bucket results of the chosen months only, exactly", () => {
    const buckets = [
      { bucketStart: "2026-01-01", results: [{ team: "a", total: dec("0.1") }] },
      {
        bucketStart: "2026-01-02",
        results: [
          { team: "a", total: dec("0.2") },
          { team: "b", total: dec("1") },
        ],
      },
      { bucketStart: "2026-02-01", results: [{ team: "a", total: dec("7") }] },
    ];
    expect(monthTeamTotals(buckets, new Set(["2026-01"]))).toEqual([
      { month: "2026-01", team: "a", total: "0.3" },
      { month: "2026-01", team: "b", total: "1" },
    ]);
  });
});
