import { describe, expect, it } from "vitest";
import { loadRoutes, percentile, split } from "./load-phase";

describe("load-phase helpers", () => {
  it("percentile is nearest-rank over sorted values", () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it("split shares connections and rate exactly", () => {
    expect(split(50, 10)).toEqual(Array(10).fill(5));
    expect(split(5, 2)).toEqual([3, 2]);
    expect(split(7, 3).reduce((a, b) => a + b, 0)).toBe(7);
  });

  it("hits every dashboard route group once per cycle", () => {
    const r = loadRoutes("a b", "org-1");
    expect(r.map((x) => x.group)).toEqual(["overview", "teams", "team", "cost_centers", "org", "reconciliation", "csv"]);
    expect(r.find((x) => x.group === "team")!.path).toBe("/teams/a%20b");
    expect(new Set(r.map((x) => x.group)).size).toBe(r.length);
  });
});
