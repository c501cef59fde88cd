/** The byte guard in front of the staged ingest's COPY (docs/decisions/0004). */
import { describe, expect, it } from "vitest";
import { CsvByteGuard } from "./ingest-staged";

const check = (text: string, fields = 3) => new CsvByteGuard(fields).check(Buffer.from(text, "latin1"));

describe("CsvByteGuard", () => {
  it("passes plain lines, LF or CRLF, with inner blanks and empty values, and counts them", () => {
    const g = new CsvByteGuard(3);
    expect(g.check(Buffer.from("a,b c,1.5\n,,\n"))).toBeNull();
    expect(g.check(Buffer.from("x,\ty,2\n"))).toBe("a value with blanks at its edges");
    expect(g.lines).toBe(2); // a refused chunk counts nothing
    expect(check("a,b,c\r\nd,e,f\r\n")).toBeNull();
    expect(check("a,b c\td,e\n")).toBeNull();
  });

  it.each([
    ["a,b\n", "has 2 fields, the header 3"],
    ["a,b,c,d\n", "has 4 fields"],
    ["\n", "has 1 fields"],
    ['a,"b",c\n', "quoted fields"],
    ["a,b\\,c\n", "a backslash"],
    ["\\.\n", "a backslash"],
    ["a,b\u0000,c\n", "control characters"],
    ["a,\u00e9,c\n", "non-ASCII"],
    ["a,b\rx,c\n", "a carriage return inside a line"],
    ["a,b,c\r\nd,e,f\n", "mixed line endings"],
    ["a,b,c\nd,e,f\r\n", "mixed line endings"],
    [" a,b,c\n", "blanks at its edges"],
    ["a ,b,c\n", "blanks at its edges"],
    ["a,b,c \n", "blanks at its edges"],
    ["a,b,c \r\n", "blanks at its edges"],
    ["a,b,\u000bc\n", "blanks at its edges"],
    ["a,b,c", "does not end a line"],
  ])("refuses %j (%s)", (text, reason) => {
    expect(check(text)).toContain(reason);
  });

  it("keeps the line ending style across chunks", () => {
    const g = new CsvByteGuard(2);
    expect(g.check(Buffer.from("a,b\r\n"))).toBeNull();
    expect(g.check(Buffer.from("c,d\n"))).toBe("mixed line endings");
  });

  it("names the file line of a bad field count across chunks (header = line 1)", () => {
    const g = new CsvByteGuard(2);
    expect(g.check(Buffer.from("a,b\nc,d\n"))).toBeNull();
    expect(g.check(Buffer.from("e,f\ng\n"))).toBe("line 5 has 1 fields, the header 2");
  });
});
