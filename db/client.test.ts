import { describe, expect, it } from "vitest";
import { copyLine, copyValue } from "./client";

describe("COPY text encoding", () => {
  it("escapes backslash, tab, newline and carriage return, and encodes null as \\N", () => {
    expect(copyValue("a\\b")).toBe("a\\\\b");
    expect(copyValue("x\ty")).toBe("x\\ty");
    expect(copyValue("l1\nl2\r")).toBe("l1\\nl2\\r");
    expect(copyValue("plain-id_1.5")).toBe("plain-id_1.5");
    expect(copyValue(null)).toBe("\\N");
    expect(copyValue(undefined)).toBe("\\N");
    expect(copyValue(false)).toBe("false");
    expect(copyLine(["a", null, "b\tc", 3])).toBe("a\t\\N\tb\\tc\t3\n");
  });
});
