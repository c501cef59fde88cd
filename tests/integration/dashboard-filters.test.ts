/** The dashboard filters: one zod schema over the URL, periods resolved against a fixed clock. */
import { describe, expect, it } from "vitest";
import { filtersToSearch, parseFilters, resolveFilters } from "../../app/lib/filters";

const p = (q: string) => parseFilters(new URLSearchParams(q));

describe("parseFilters / resolveFilters", () => {
  it("defaults: all orgs, this month, monthly, by team, sorted by total desc", () => {
    const f = resolveFilters(p(""), "2026-05-17");
    expect(f).toMatchObject({ orgs: [], period: "this-month", gran: "monthly", by: "team", sort: "total", dir: "desc", defaulted: false });
    expect(f.range).toEqual({ from: "2026-05-01", to: "2026-05-31" });
    expect(f.previous).toEqual({ from: "2026-04-01", to: "2026-04-30" });
  });
  it("relative periods follow the clock", () => {
    expect(resolveFilters(p("period=last-month"), "2026-01-10").range).toEqual({ from: "2025-12-01", to: "2025-12-31" });
    const q3 = resolveFilters(p("period=last-3-months"), "2026-03-02");
    expect(q3.range).toEqual({ from: "2026-01-01", to: "2026-03-31" });
    expect(q3.previous).toEqual({ from: "2025-10-01", to: "2025-12-31" });
    expect(resolveFilters(p("period=last-12-months"), "2026-02-28").range).toEqual({ from: "2025-03-01", to: "2026-02-28" });
    expect(resolveFilters(p("period=last-6-months"), "2024-02-29").range).toEqual({ from: "2023-09-01", to: "2024-02-29" });
  });
  it("custom ranges, previous equal range, swapped bounds, invalid values", () => {
    const c = resolveFilters(p("period=custom&from=2026-04-10&to=2026-04-19"), "2026-05-01");
    expect(c.range).toEqual({ from: "2026-04-10", to: "2026-04-19" });
    expect(c.previous).toEqual({ from: "2026-03-31", to: "2026-04-09" });
    const m = resolveFilters(p("period=custom&from=2026-03-01&to=2026-04-30"), "2026-05-01");
    expect(m.previous).toEqual({ from: "2026-01-01", to: "2026-02-28" });
    expect(resolveFilters(p("period=custom&from=2026-04-19&to=2026-04-10"), "2026-05-01").range).toEqual({
      from: "2026-04-10",
      to: "2026-04-19",
    });
    const bad = resolveFilters(p("period=forever&gran=hourly&by=x&sort=zzz&from=2026-02-31"), "2026-05-01");
    expect(bad).toMatchObject({ period: "this-month", gran: "monthly", by: "team", sort: "total" });
    expect(resolveFilters(p("period=custom&from=2026-02-31&to=2026-03-01"), "2026-05-01").period).toBe("this-month");
  });
  it("multi-select orgs (repeated or comma-separated), deduplicated", () => {
    expect(p("org=b&org=a&org=b").org).toEqual(["a", "b"]);
    expect(p("org=a,c").org).toEqual(["a", "c"]);
  });
  it("no data in the default range → the latest month with data; an explicit period is kept", () => {
    const d = resolveFilters(p(""), "2026-07-15", "2026-04-30");
    expect(d).toMatchObject({ defaulted: true, range: { from: "2026-04-01", to: "2026-04-30" } });
    expect(resolveFilters(p("period=this-month"), "2026-07-15", "2026-04-30").range.from).toBe("2026-07-01");
    expect(resolveFilters(p(""), "2026-07-15", "2026-07-02").defaulted).toBe(false);
  });
  it("round-trips through the URL", () => {
    const f = resolveFilters(
      p("org=x&org=y&period=custom&from=2026-01-05&to=2026-02-10&gran=weekly&by=cost_center&sort=group&dir=asc"),
      "2026-05-01",
    );
    const again = resolveFilters(p(filtersToSearch(f).slice(1)), "2026-05-01");
    expect(again).toEqual(f);
  });
});
