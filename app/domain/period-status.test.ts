import { describe, expect, it } from "vitest";
import { periodStatus, uncoveredDays, VENDOR_WINDOW_MS, type PeriodFacts } from "./period-status";

const at = (iso: string) => Date.parse(iso);
const april: Omit<PeriodFacts, "nowMs"> = {
  start: "2026-04-01",
  end: "2026-05-01",
  closed: false,
  coverage: [{ orgId: "org-a", spans: [{ from: "2026-04-01", to: "2026-05-01" }] }],
  ingestedInWindow: false,
};

describe("periodStatus: the three badge states", () => {
  it("closed wins over everything", () => {
    expect(periodStatus({ ...april, closed: true, nowMs: at("2026-04-10T00:00:00Z"), ingestedInWindow: true }).status).toBe("closed");
  });
  it("incomplete while the period runs", () => {
    const r = periodStatus({ ...april, nowMs: at("2026-04-20T12:00:00Z") });
    expect(r).toEqual({ status: "incomplete", reasons: ["period not over yet"] });
  });
  it("incomplete during the vendor's 48 h window after the end, complete one millisecond after it", () => {
    const end = at("2026-05-01T00:00:00Z");
    expect(periodStatus({ ...april, nowMs: end }).status).toBe("incomplete");
    expect(periodStatus({ ...april, nowMs: end + VENDOR_WINDOW_MS - 1 }).reasons[0]).toMatch(/48 h window/);
    expect(periodStatus({ ...april, nowMs: end + VENDOR_WINDOW_MS }).status).toBe("complete");
  });
  it("incomplete when the data was ingested inside the window (not re-ingested since)", () => {
    const r = periodStatus({ ...april, nowMs: at("2026-06-01T00:00:00Z"), ingestedInWindow: true });
    expect(r.status).toBe("incomplete");
    expect(r.reasons[0]).toMatch(/re-ingest/);
  });
  it("incomplete when an org with data lacks days, naming the org and the count", () => {
    const r = periodStatus({
      ...april,
      nowMs: at("2026-06-01T00:00:00Z"),
      coverage: [
        { orgId: "org-a", spans: [{ from: "2026-04-01", to: "2026-05-01" }] },
        {
          orgId: "org-b",
          spans: [
            { from: "2026-04-01", to: "2026-04-10" },
            { from: "2026-04-13", to: "2026-04-29" },
          ],
        },
      ],
    });
    expect(r).toEqual({ status: "incomplete", reasons: ["org-b: 5 days missing between 2026-04-01 and 2026-04-30"] });
  });
  it("a running period is checked for missing days only up to today", () => {
    const r = periodStatus({
      ...april,
      nowMs: at("2026-04-15T08:00:00Z"),
      coverage: [{ orgId: "a", spans: [{ from: "2026-04-01", to: "2026-04-15" }] }],
    });
    expect(r.reasons).toEqual(["period not over yet"]);
  });
  it("complete: every day in, window over, not closed", () => {
    expect(periodStatus({ ...april, nowMs: at("2026-12-01T00:00:00Z") }).status).toBe("complete");
  });
});

describe("uncoveredDays", () => {
  it("unions overlapping and touching spans and clips to the range", () => {
    const r = { from: "2026-04-01", to: "2026-05-01" };
    expect(uncoveredDays(r, [])).toBe(30);
    expect(uncoveredDays(r, [{ from: "2026-03-01", to: "2026-06-01" }])).toBe(0);
    expect(
      uncoveredDays(r, [
        { from: "2026-04-05", to: "2026-04-20" },
        { from: "2026-04-01", to: "2026-04-10" },
        { from: "2026-04-20", to: "2026-04-25" },
      ]),
    ).toBe(6);
  });
});
