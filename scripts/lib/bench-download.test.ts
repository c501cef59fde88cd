import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureDownload, residentBytes } from "./bench-download";

const CHUNK = Buffer.alloc(64 * 1024, "x");
const CHUNKS = 40;
let server: http.Server;
let base = "";
const seenCookies: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seenCookies.push(req.headers.cookie ?? "");
    if (req.url !== "/file.csv") {
      res.writeHead(404).end("no");
      return;
    }
    res.writeHead(200, { "content-type": "text/csv" });
    let n = 0;
    const next = () => {
      while (n < CHUNKS) {
        n++;
        if (!res.write(CHUNK)) return void res.once("drain", next);
      }
      res.end();
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("measureDownload", () => {
  it("reads the whole body as a stream with the cookie and samples this process's RSS (pid null)", async () => {
    const f = await measureDownload(`${base}/file.csv`, "sid=abc", null);
    expect(f.bytes).toBe(CHUNK.length * CHUNKS);
    expect(seenCookies.at(-1)).toBe("sid=abc");
    expect(f.ms).toBeGreaterThan(0);
    expect(f.rssBeforeMb).toBeGreaterThan(0);
    expect(f.rssPeakMb).toBeGreaterThanOrEqual(f.rssBeforeMb);
  });

  it("samples another process by pid", async () => {
    expect(await residentBytes(process.pid)).toBeGreaterThan(0);
    const f = await measureDownload(`${base}/file.csv`, "", process.pid);
    expect(f.bytes).toBe(CHUNK.length * CHUNKS);
    expect(f.rssPeakMb).toBeGreaterThanOrEqual(f.rssBeforeMb);
  });

  it("refuses a status other than 200", async () => {
    await expect(measureDownload(`${base}/missing`, "", null)).rejects.toThrow(/404/);
  });
});
