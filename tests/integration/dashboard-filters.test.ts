/**
 * The dashboard filters: one zod schema over the URL, relative periods anchored on the data
 * (issue 16), with a fixed clock as the anchor when there is no data.
 */
import { describe, expect, it } from "vitest";
import { filtersToSearch, parseFilters, resolveFilters } from "../../app/lib/filters";

const p = (q: string) => parseFilters(new URLSearchParams(q));

describe("parseFilters / resolveFilters", () => {
  it("defaults: all orgs, the trend (12 months + the current one), monthly, by team, sorted by total desc", () => {
    const f = resolveFilters(p(""), "2026-05-17");
    expect(f).toMatchObject({ orgs: [], period: "trend", gran: "monthly", by: "team", sort: "total", dir: "desc", defaulted: true });
    expect(f.range).toEqual({ from: "2025-05-01", to: "2026-05-31" });
    const m = resolveFilters(p("period=this-month"), "2026-05-17");
    expect(m.range).toEqual({ from: "2026-05-01", to: "2026-05-31" });
    expect(m.previous).toEqual({ from: "2026-04-01", to: "2026-04-30" });
  });
  it("without data, relative periods follow the clock", () => {
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
    expect(bad).toMatchObject({ period: "trend", gran: "monthly", by: "team", sort: "total" });
    expect(resolveFilters(p("period=custom&from=2026-02-31&to=2026-03-01"), "2026-05-01").period).toBe("trend");
  });
  it("multi-select orgs (repeated or comma-separated), deduplicated", () => {
    expect(p("org=b&org=a&org=b").org).toEqual(["a", "b"]);
    expect(p("org=a,c").org).toEqual(["a", "c"]);
  });
  it("relative periods are anchored on the data, not the calendar (the demo: data 2026-06-01 to 2026-11-28, today 2026-12-01)", () => {
    const demo = { first: "2026-06-01", last: "2026-11-28" };
    const six = resolveFilters(p("period=last-6-months"), "2026-12-01", demo);
    expect(six.range).toEqual({ from: "2026-06-01", to: "2026-11-30" }); // June in, December (no data) out
    expect(six.previous).toEqual({ from: "2025-12-01", to: "2026-05-31" });
    expect(six.comparison).toEqual({ complete: false, coverage: "0.0000" }); // not "+402.7 %"
    expect(six.partialFrom).toBe("2026-11-01");
    expect(resolveFilters(p("period=this-month"), "2026-12-01", demo).range).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(resolveFilters(p("period=last-month"), "2026-12-01", demo).range).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    const trend = resolveFilters(p(""), "2026-12-01", demo);
    expect(trend).toMatchObject({ period: "trend", range: { from: "2025-11-01", to: "2026-11-30" }, partialFrom: "2026-11-01" });
    // the clock does not move the anchor: a later "today" shows the same months
    expect(resolveFilters(p("period=last-6-months"), "2027-03-15", demo).range).toEqual(six.range);
    // a complete latest month: the trend is the 12 months ending with it, nothing partial
    const done = resolveFilters(p(""), "2026-12-05", { first: "2025-01-01", last: "2026-11-30" });
    expect(done).toMatchObject({ range: { from: "2025-12-01", to: "2026-11-30" }, partialFrom: null });
  });
  it("a comparison is complete only when data covers the whole earlier range", () => {
    const demo = { first: "2026-06-01", last: "2026-11-28" };
    // the first month of data: nothing before it
    const first = resolveFilters(p("period=custom&from=2026-06-01&to=2026-06-30"), "2026-12-01", demo);
    expect(first.comparison).toEqual({ complete: false, coverage: "0.0000" });
    // data from mid-May: the earlier month is half covered
    const half = resolveFilters(p("period=custom&from=2026-06-01&to=2026-06-30"), "2026-12-01", {
      first: "2026-05-17",
      last: "2026-11-28",
    });
    expect(half.comparison).toEqual({ complete: false, coverage: "0.4839" }); // 15 of 31 days
    const july = resolveFilters(p("period=custom&from=2026-07-01&to=2026-07-31"), "2026-12-01", demo);
    expect(july.comparison).toEqual({ complete: true, coverage: "1.0000" });
    expect(resolveFilters(p(""), "2026-12-01", null).comparison.complete).toBe(false);
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
