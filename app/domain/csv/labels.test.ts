import { describe, expect, it } from "vitest";
import { EMPTY_LABEL, labelOf } from "./labels";

describe("labelOf (issue 11: empty product/metric shown as an explicit label)", () => {
  it("labels empty values and keeps the others", () => {
    expect(EMPTY_LABEL).toBe("(none)");
    expect(labelOf("")).toBe("(none)");
    expect(labelOf("  ")).toBe("(none)");
    expect(labelOf(null)).toBe("(none)");
    expect(labelOf(undefined)).toBe("(none)");
    expect(labelOf("kafka")).toBe("kafka");
  });
});
