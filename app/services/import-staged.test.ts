/** The byte guard in front of the staged ingest's COPY (docs/decisions/0004). */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsvByteGuard, dataChunks, type ByteScan } from "./import-staged";

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

  it("lets only digits, '.' and '-' into the decimal fields, naming the file line (issue 17: COPY then casts them unchecked)", () => {
    const g = new CsvByteGuard(3, [1, 2]);
    expect(g.check(Buffer.from("a1 x,-1.50,.5\nb,0,12.\n,,\n"))).toBeNull();
    expect(g.check(Buffer.from("c,1,2\nd,1e5,2\n"))).toBe("a decimal with characters other than digits, '.' and '-' on line 6");
    expect(new CsvByteGuard(3, [2]).check(Buffer.from("a,b,NaN\n"))).toContain("a decimal with characters");
    expect(new CsvByteGuard(3, [0]).check(Buffer.from("+1,b,c\n"))).toContain("a decimal with characters");
    // other fields may hold any printable text
    expect(new CsvByteGuard(3, [2]).check(Buffer.from("1e5,NaN,7\n"))).toBeNull();
  });

  it("names the file line of a bad field count across chunks (header = line 1)", () => {
    const g = new CsvByteGuard(2);
    expect(g.check(Buffer.from("a,b\nc,d\n"))).toBeNull();
    expect(g.check(Buffer.from("e,f\ng\n"))).toBe("line 5 has 1 fields, the header 2");
  });
});

describe("dataChunks (issue 11: bounded lines, trailing blank lines)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "showback-chunks-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Streams a file through dataChunks; returns what was yielded, the largest chunk and why it stopped. */
  async function stream(content: string | Buffer, fields = 2) {
    const file = path.join(dir, "f.csv");
    await writeFile(file, content);
    const headerBytes = Buffer.from(content).indexOf(10) + 1;
    const guard = new CsvByteGuard(fields);
    const scan: ByteScan = { sha256: "", stopped: null };
    const out: Buffer[] = [];
    for await (const c of dataChunks(file, headerBytes, guard, scan, () => {})) out.push(Buffer.from(c));
    return {
      text: Buffer.concat(out).toString("latin1"),
      largest: Math.max(0, ...out.map((b) => b.length)),
      stopped: scan.stopped,
      lines: guard.lines,
    };
  }

  it("stops at a line longer than 1 MiB without buffering it whole", async () => {
    const r = await stream(Buffer.concat([Buffer.from("h1,h2\na,b\n"), Buffer.alloc(16 << 20, 120), Buffer.from(",c\n")]));
    expect(r.stopped).toBe("a line longer than 1048576 bytes");
    expect(r.text).toBe("a,b\n");
    // the same with the long line at the very start and no line break at all
    expect((await stream(Buffer.concat([Buffer.from("h1,h2\n"), Buffer.alloc(3 << 20, 120)]))).stopped).toBe(
      "a line longer than 1048576 bytes",
    );
    // a long line within the cap passes
    const ok = await stream(Buffer.concat([Buffer.from("h1,h2\n"), Buffer.alloc(900_000, 120), Buffer.from(",c\nd,e\n")]));
    expect(ok.stopped).toBeNull();
    expect(ok.lines).toBe(2);
  });

  it("drops blank lines at the end of the file, LF or CRLF", async () => {
    expect(await stream("h1,h2\na,b\nc,d\n\n\n")).toMatchObject({ text: "a,b\nc,d\n", stopped: null, lines: 2 });
    expect(await stream("h1,h2\r\na,b\r\n\r\n")).toMatchObject({ text: "a,b\r\n", stopped: null, lines: 1 });
  });

  it("hands over a blank line between rows", async () => {
    expect((await stream("h1,h2\na,b\n\nc,d\n")).stopped).toBe("line 3 has 1 fields, the header 2");
    // across chunk boundaries (1 MiB reads): the blank tail of one chunk, rows after it
    const big = `h1,h2\n${"a,b\n".repeat((1 << 20) / 4 - 2)}\n\n${"c,d\n".repeat(10)}`;
    expect((await stream(big)).stopped).toMatch(/an empty line between rows|has 1 fields/);
  });
});
