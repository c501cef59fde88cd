import { describe, expect, it } from "vitest";
import {
  buildJournal,
  focusDirectLine,
  focusShareLine,
  FOCUS_HEADER,
  journalCsvRow,
  roundToCents,
  serviceCategory,
  serviceName,
} from "./finance-export";
import { dec, sum } from "./money";

describe("roundToCents", () => {
  it("sums exactly to the rounded total, the missing cents to the largest remainders", () => {
    const items = [
      { key: "a", value: dec("0.333") },
      { key: "b", value: dec("0.333") },
      { key: "c", value: dec("0.334") },
    ];
    const r = roundToCents(items);
    expect([...r.entries()].map(([k, v]) => [k, v.toFixed(2)])).toEqual([
      ["a", "0.33"],
      ["b", "0.33"],
      ["c", "0.34"],
    ]);
    expect(sum([...r.values()]).toFixed(2)).toBe("1.00");
  });
  it("breaks ties by key and handles negatives", () => {
    const r = roundToCents([
      { key: "y", value: dec("0.005") },
      { key: "x", value: dec("0.005") },
    ]);
    expect(r.get("x")!.toFixed(2)).toBe("0.01");
    expect(r.get("y")!.toFixed(2)).toBe("0.00");
    const n = roundToCents([
      { key: "a", value: dec("-1.006") },
      { key: "b", value: dec("2.003") },
    ]);
    expect(sum([...n.values()]).toFixed(2)).toBe("1.00");
  });
  it("returns an empty map for no items", () => expect(roundToCents([]).size).toBe(0));
});

describe("FOCUS vocabulary", () => {
  it("maps product categories to FOCUS ServiceCategory", () => {
    expect(serviceCategory("KAFKA")).toBe("Analytics");
    expect(serviceCategory("connect")).toBe("Integration");
    expect(serviceCategory("schema_registry")).toBe("Management and Governance");
    expect(serviceCategory("cluster_link")).toBe("Networking");
    expect(serviceCategory("support")).toBe("Other");
  });
  it("names services, with a fallback", () => {
    expect(serviceName("Kafka")).toBe("Confluent Cloud Kafka");
    expect(serviceName("Tableflow")).toBe("Confluent Cloud Tableflow");
  });
});

describe("buildJournal", () => {
  const rows = [
    { org_id: "o1", team: "payments", direct_cost: "1.005", total: "1.3333" },
    { org_id: "o1", team: "analytics", direct_cost: "2.004", total: "2.3333" },
    { org_id: "o2", team: "payments", direct_cost: "5", total: "5" },
  ];
  const cc = new Map([["payments", "CC-100"]]);
  it("one line per (org, team), cents per org summing to the rounded total, sorted by org, cost center, team", () => {
    const lines = buildJournal("2026-04", ["o2", "o1", "o3"], rows, (t) => cc.get(t));
    expect(lines.map(journalCsvRow)).toEqual([
      ["2026-04", "o1", "CC-100", "payments", "1.01", "0.32", "1.33"],
      ["2026-04", "o1", "unassigned", "analytics", "2.00", "0.34", "2.34"],
      ["2026-04", "o2", "CC-100", "payments", "5.00", "0.00", "5.00"],
    ]);
  });
});

describe("FOCUS lines", () => {
  const period = { orgId: "o1", billingStart: "2026-04-01", billingEnd: "2026-05-01", chargeStart: "2026-04-02", chargeEnd: "2026-04-03" };
  it("a direct cost line has every FOCUS column, unmapped without a team", () => {
    const line = focusDirectLine(
      period,
      {
        owner_id: "u-1",
        environment_id: "env-1",
        resource_id: "lkc-1",
        product: "KAFKA",
        metric: "KAFKA_STORAGE",
        unit: "GB_HOUR",
        chargeback_cost: "-1.50",
      },
      null,
      () => undefined,
    );
    expect(line).toHaveLength(FOCUS_HEADER.length);
    expect(line.slice(0, 8)).toEqual([
      "o1",
      "2026-04-01T00:00:00Z",
      "2026-05-01T00:00:00Z",
      "2026-04-02T00:00:00Z",
      "2026-04-03T00:00:00Z",
      "-1.5",
      "-1.5",
      "USD",
    ]);
    expect(line[12]).toBe("Credit");
    expect(line[14]).toBe("unmapped");
    expect(line[17]).toBe("direct");
  });
  it("a share line names the policy", () => {
    const line = focusShareLine(period, { team: "payments", share: "0.25" }, "even", (t) => (t === "payments" ? "CC-1" : null));
    expect(line).toHaveLength(FOCUS_HEADER.length);
    expect(line.slice(5, 10)).toEqual(["0.25", "0.25", "USD", "Confluent Cloud unallocated", "Other"]);
    expect(line.slice(12)).toEqual([
      "Usage",
      "Share of the unallocated amount (credits, refunds, unattributed usage)",
      "payments",
      "CC-1",
      "unallocated",
      "unallocated:even",
      "Unallocated",
      "USD",
    ]);
  });
});
