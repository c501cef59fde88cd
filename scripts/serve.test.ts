import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FilePartCounter, bodyLimitFor, multipartBoundary, AUTH_BODY_MAX, FORM_BODY_MAX } from "./serve";

const B = "----formBoundary7MA4YWxk";
function body(parts: Array<{ file: boolean; size: number }>): Buffer {
  const out: Buffer[] = [];
  parts.forEach((p, i) => {
    out.push(
      Buffer.from(
        `--${B}\r\nContent-Disposition: form-data; name="f${i}"${p.file ? `; filename="f${i}.csv"\r\nContent-Type: text/csv` : ""}\r\n\r\n`,
      ),
    );
    // content that looks like a delimiter without being one
    out.push(Buffer.from(`\r\n--${B.slice(0, -1)}x`.repeat(2)), Buffer.alloc(p.size, 0x61), Buffer.from("\r\n"));
  });
  out.push(Buffer.from(`--${B}--\r\n`), Buffer.from(`Content-Disposition: form-data; filename="epilogue"\r\n\r\n`));
  return Buffer.concat(out);
}

describe("FilePartCounter", () => {
  it("counts the file parts whatever the chunking", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ file: fc.boolean(), size: fc.nat(300) }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }),
        (parts, cuts) => {
          const all = body(parts);
          const c = new FilePartCounter(B);
          let pos = 0;
          let i = 0;
          while (pos < all.length) {
            const n = cuts[i++ % cuts.length]!;
            expect(c.push(all.subarray(pos, pos + n))).toBe("ok");
            pos += n;
          }
          expect(c.files).toBe(parts.filter((p) => p.file).length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses an endless part header block", () => {
    const c = new FilePartCounter(B);
    expect(c.push(Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="x"; `))).toBe("ok");
    expect(c.push(Buffer.alloc(20_000, 0x61))).toBe("headers");
  });

  it("reads the boundary, quoted or not", () => {
    expect(multipartBoundary(`multipart/form-data; boundary=${B}`)).toBe(B);
    expect(multipartBoundary(`multipart/form-data; charset=utf-8; boundary="a b"`)).toBe("a b");
    expect(multipartBoundary("application/x-www-form-urlencoded")).toBeNull();
  });
});

describe("bodyLimitFor", () => {
  it("64 KB for sign-in and sign-out, the upload cap for upload forms, 1 MB otherwise", () => {
    expect(bodyLimitFor("/login", "application/x-www-form-urlencoded").max).toBe(AUTH_BODY_MAX);
    expect(bodyLimitFor("/logout/", "multipart/form-data; boundary=x").max).toBe(AUTH_BODY_MAX);
    expect(bodyLimitFor("/admin/teams", "application/x-www-form-urlencoded").max).toBe(FORM_BODY_MAX);
    expect(bodyLimitFor("/imports/new", "application/x-www-form-urlencoded").max).toBe(FORM_BODY_MAX);
    expect(bodyLimitFor("/imports/new", "multipart/form-data; boundary=x").max).toBe(200 * 1024 * 1024 + FORM_BODY_MAX);
  });
});
