import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  FOCUS_COLUMNS,
  FOCUS_HEADER,
  SHOWBACK_VERSION,
  focusNumber,
  focusShareRow,
  mergeIdenticalRows,
  resourceTypeOf,
  serviceOf,
  unallocatedCategory,
  type FocusRow,
} from "./focus";

describe("FOCUS vocabulary", () => {
  it("names every service for people: no raw product keys, one category pair each", () => {
    for (const key of [
      "kafka",
      "connect",
      "flink",
      "stream_governance",
      "schema_registry",
      "support",
      "cluster_link",
      "tableflow",
      "audit_log",
    ]) {
      const s = serviceOf(key);
      expect(s.serviceName, key).toMatch(/^Confluent Cloud [A-Z]/);
      expect(s.serviceName, key).not.toMatch(/_/);
      if (key.includes("_")) expect(s.serviceName.toLowerCase(), key).not.toContain(key);
    }
    expect(serviceOf("stream_governance").serviceName).toBe("Confluent Cloud Stream Governance");
    expect(serviceOf("some_new_product")).toMatchObject({ serviceName: "Confluent Cloud Some New Product", category: "Other" });
    expect(serviceOf("support")).toMatchObject({ category: "Management and Governance", subcategory: "Support" });
    expect(serviceOf("KAFKA ").serviceName).toBe("Confluent Cloud Kafka");
  });

  it("takes ChargeCategory from what the unallocated row holds, never from the sign", () => {
    expect(unallocatedCategory("billing", "PromotionalCredit")).toBe("Credit");
    expect(unallocatedCategory("", "credit")).toBe("Credit");
    expect(unallocatedCategory("billing", "CreditNote")).toBe("Adjustment");
    expect(unallocatedCategory("billing", "prior_period_adjustment")).toBe("Adjustment");
    expect(unallocatedCategory("billing", "Refund")).toBe("Usage"); // refunds are Usage in FOCUS
    expect(unallocatedCategory("tableflow", "TableflowStorage")).toBe("Usage");
    const share = (amount: string, metric: string): FocusRow =>
      focusShareRow(
        { orgId: "o", orgName: null, billingStart: "2026-04-01", billingEnd: "2026-05-01", granularity: "daily" },
        {
          chargeStart: "2026-04-01",
          chargeEnd: "2026-04-02",
          team: "t",
          costCenter: "cc",
          share: amount,
          product: "billing",
          metric,
          unit: "USD",
          policy: "proportional",
          ownerId: "unallocated",
        },
      );
    expect(share("5", "Refund").ChargeCategory).toBe("Usage");
    expect(share("-5", "Refund").ChargeCategory).toBe("Usage");
    expect(share("-5", "PromotionalCredit").ChargeCategory).toBe("Credit");
    expect(share("5", "PromotionalCredit").ChargeCategory).toBe("Credit");
    expect(share("-5", "PromotionalCredit").EffectiveCost).toBe("-5");
  });

  it("derives ResourceType from the id prefix", () => {
    expect(resourceTypeOf("lkc-abc")).toBe("Kafka Cluster");
    expect(resourceTypeOf("lcc-1")).toBe("Connector");
    expect(resourceTypeOf("lfcp-9")).toBe("Flink Compute Pool");
    expect(resourceTypeOf("xyz-1")).toBe("Confluent Cloud Resource");
  });

  it("writes numbers in plain notation, without -0", () => {
    expect(focusNumber("0.00000010")).toBe("0.0000001");
    expect(focusNumber("-0.000")).toBe("0");
    expect(focusNumber("12.500")).toBe("12.5");
  });

  it("places the x_ columns after every FOCUS column", () => {
    const firstX = FOCUS_HEADER.findIndex((c) => c.startsWith("x_"));
    expect(firstX).toBeGreaterThan(20);
    expect(FOCUS_HEADER.slice(firstX).every((c) => c.startsWith("x_"))).toBe(true);
    expect(new Set(FOCUS_HEADER).size).toBe(FOCUS_COLUMNS.length);
  });

  it("merges rows identical on every column but the costs, summing exactly", () => {
    const base = Object.fromEntries(FOCUS_HEADER.map((c) => [c, c === "x_Team" ? "a" : null])) as FocusRow;
    const row = (cost: string, team = "a"): FocusRow => ({
      ...base,
      x_Team: team,
      BilledCost: cost,
      EffectiveCost: cost,
      ListCost: cost,
      ContractedCost: cost,
    });
    const out = mergeIdenticalRows([row("0.1"), row("0.2", "b"), row("0.2")]);
    expect(out.map((r) => [r.x_Team, r.BilledCost, r.EffectiveCost])).toEqual([
      ["a", "0.3", "0.3"],
      ["b", "0.2", "0.2"],
    ]);
  });

  it("tells apart rows that differ only in x_ columns (a product alias) in ChargeDescription", () => {
    const base = Object.fromEntries(FOCUS_HEADER.map((c) => [c, null])) as FocusRow;
    const row = (product: string): FocusRow => ({
      ...base,
      ServiceName: "Confluent Cloud ksqlDB",
      ChargeDescription: "ksqlDB CSU used by sa-1, charged to team a",
      x_Product: product,
      BilledCost: "1",
      EffectiveCost: "1",
      ListCost: "1",
      ContractedCost: "1",
    });
    const out = mergeIdenticalRows([row("ksql"), row("ksqldb"), row("ksql")]);
    expect(out.map((r) => [r.ChargeDescription, r.BilledCost])).toEqual([
      ["ksqlDB CSU used by sa-1, charged to team a [Product ksql]", "2"],
      ["ksqlDB CSU used by sa-1, charged to team a [Product ksqldb]", "1"],
    ]);
  });

  it("names the generator version of package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(SHOWBACK_VERSION).toBe(pkg.version);
  });
});
