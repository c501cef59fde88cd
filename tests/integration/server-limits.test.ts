/**
 * Server limits and headers (issue 11, docs/security.md), through the built app
 * served by scripts/serve.ts in this process: request body caps (Content-Length → 413
 * before reading; streamed bodies counted → 413 once past the limit, never buffered),
 * one file part per upload, a 16 MB single-line upload refused with memory flat, HSTS on
 * HTTPS only, `Cache-Control: private, no-store` on signed-in responses, and the private
 * upload temp folder. Needs the build (SHOWBACK_BUILD_DIR).
 */
import { readdir, stat } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestClient, type TestServer } from "../helpers/server";

const MB = 1024 * 1024;
const UPLOAD_CAP_MB = 20;
const HEADER = "timestamp,owner_id,environment_id,resource_id,product,metric,unit,chargeback_cost,original_amount,usage_share";

let app: TestServer;
let admin: TestClient;

// a full collection before each measurement, so garbage of earlier tests does not count
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

interface RawResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** peak RSS growth of this process while the request ran, in bytes */
  rssGrowth: number;
}

/**
 * A POST of `total` bytes (`head`, then filler, then `tail`) written in 64 KB chunks from
 * one reused buffer (so the client itself holds no copy), with or without Content-Length.
 * Resolves with the answer; write errors after the answer (the server stopped reading) are fine.
 */
function rawPost(
  p: string,
  opts: { total: number; head?: string; tail?: string; filler?: number; contentLength: boolean; headers?: Record<string, string> },
): Promise<RawResult> {
  const head = Buffer.from(opts.head ?? "");
  const tail = Buffer.from(opts.tail ?? "");
  const fillerBytes = opts.total - head.length - tail.length;
  const chunk = Buffer.alloc(64 * 1024, opts.filler ?? 0x61);
  gc();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  return new Promise((resolve, reject) => {
    const u = new URL(p, app.url);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: "POST",
        headers: {
          ...(opts.contentLength ? { "content-length": String(opts.total) } : { "transfer-encoding": "chunked" }),
          ...opts.headers,
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => {
          clearInterval(sampler);
          peak = Math.max(peak, process.memoryUsage().rss);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, rssGrowth: peak - before });
        });
      },
    );
    let answered = false;
    req.on("response", () => (answered = true));
    req.on("error", (e) => {
      if (!answered) {
        clearInterval(sampler);
        reject(e);
      }
    });
    let left = fillerBytes;
    const pump = () => {
      while (left > 0 && !answered) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once("drain", pump);
          return;
        }
      }
      if (left <= 0 || answered) req.end(tail);
    };
    req.write(head);
    pump();
  });
}

const cookieHeaders = (c: TestClient, extra: Record<string, string> = {}) => ({ cookie: c.cookieHeader(), ...extra });

function multipart(boundary: string, parts: Array<{ name: string; filename?: string; value: string }>): string {
  return (
    parts
      .map(
        (p) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"\r\nContent-Type: text/csv` : ""}\r\n\r\n${p.value}\r\n`,
      )
      .join("") + `--${boundary}--\r\n`
  );
}

/** Uploads (preview) a file that is the export header and then one line of `bytes` bytes. */
function lineUpload(bytes: number) {
  const boundary = "----showbackLine";
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${admin.csrf}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\npreview\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="org"\r\n\r\n__new__\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="new_org"\r\n\r\norg-line\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="line.csv"\r\nContent-Type: text/csv\r\n\r\n${HEADER}\n`;
  const tail = `\n\r\n--${boundary}--\r\n`;
  return rawPost("/imports/new?_data=routes%2Fimports.new", {
    total: head.length + bytes + tail.length,
    head,
    tail,
    contentLength: false,
    headers: cookieHeaders(admin, { "content-type": `multipart/form-data; boundary=${boundary}` }),
  });
}

beforeAll(async () => {
  app = await startTestServer({ env: { SHOWBACK_UPLOAD_MAX_MB: String(UPLOAD_CAP_MB) } });
  admin = await app.loginAs("finance_admin");
  // warm-up (code paths compiled, pools allocated) so the measurements see only the bodies
  await rawPost("/login", { total: 2 * MB, contentLength: false, headers: { "content-type": "application/x-www-form-urlencoded" } });
  await lineUpload(2 * MB);
}, 120_000);
afterAll(async () => {
  await app?.close();
});

/** POSTs a 64 MB sign-in form to /login, declared (Content-Length) or chunked, and logs the status and memory growth. */
async function postLogin64Mb(contentLength: boolean) {
  const r = await rawPost("/login", {
    total: 64 * MB,
    head: "email=a%40example.test&password=",
    contentLength,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  const kind = contentLength ? "declared" : "chunked";
  console.log(`login_64mb_${kind}_status=${r.status} login_64mb_${kind}_rss_growth_mb=${(r.rssGrowth / MB).toFixed(1)}`);
  return r;
}

describe("request body limits", () => {
  it("POST 64 MB to /login with a Content-Length: 413 before reading, memory flat", async () => {
    const r = await postLogin64Mb(true);
    expect(r.status).toBe(413);
    expect(r.body).toContain("64 KB");
    expect(r.rssGrowth).toBeLessThan(16 * MB);
  });

  it("POST 64 MB to /login chunked (no Content-Length): 413 once past 64 KB, memory flat", async () => {
    const r = await postLogin64Mb(false);
    expect(r.status).toBe(413);
    expect(r.body).toContain("larger than the limit");
    expect(r.rssGrowth).toBeLessThan(16 * MB);
  });

  it("POST /logout is capped at 64 KB too; a normal sign-in still works", async () => {
    const r = await rawPost("/logout", {
      total: 200 * 1024,
      contentLength: false,
      headers: cookieHeaders(admin, { "content-type": "application/x-www-form-urlencoded" }),
    });
    expect(r.status).toBe(413);
    const other = await app.login("admin@example.test");
    expect(other.csrf).not.toBe("");
  });

  it("a form of more than 1 MB to an admin action: 413 (declared and streamed); under 1 MB reaches the route", async () => {
    const head = `_csrf=${encodeURIComponent(admin.csrf)}&intent=create&name=`;
    const headers = cookieHeaders(admin, { "content-type": "application/x-www-form-urlencoded" });
    for (const contentLength of [true, false]) {
      const r = await rawPost("/admin/teams?_data=routes%2Fadmin.teams", { total: 2 * MB, head, contentLength, headers });
      expect(r.status, `contentLength=${contentLength}`).toBe(413);
      expect(JSON.parse(r.body).message).toMatch(/larger than the limit of 1 MB for forms/);
    }
    const ok = await rawPost("/admin/teams?_data=routes%2Fadmin.teams", { total: 900 * 1024, head, contentLength: false, headers });
    expect(ok.status).not.toBe(413);
    expect(ok.status).toBeLessThan(500);
  });

  it("an upload over the upload cap: 413 from the server before reading", async () => {
    const boundary = "----showbackLimit";
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${admin.csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n`;
    const r = await rawPost("/imports/new?_data=routes%2Fimports.new", {
      total: (UPLOAD_CAP_MB + 2) * MB,
      head,
      tail: `\r\n--${boundary}--\r\n`,
      contentLength: true,
      headers: cookieHeaders(admin, { "content-type": `multipart/form-data; boundary=${boundary}` }),
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).message).toMatch(/SHOWBACK_UPLOAD_MAX_MB/);
  });

  it("an upload with two file parts: 400, one file per request", async () => {
    const boundary = "----showbackTwo";
    const body = multipart(boundary, [
      { name: "_csrf", value: admin.csrf },
      { name: "intent", value: "preview" },
      { name: "org", value: "__new__" },
      { name: "new_org", value: "org-two" },
      {
        name: "file",
        filename: "a.csv",
        value: `${HEADER}\n` + "2026-04-01T00:00:00Z,sa-1,env-1,lkc-1,kafka,KafkaNumCKUs,CKU-hour,1.00,1.00,1\n".repeat(8000),
      },
      { name: "file", filename: "b.csv", value: `${HEADER}\n` },
    ]);
    const res = await admin.fetch("/imports/new?_data=routes%2Fimports.new", {
      method: "POST",
      body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/one file per request/i);
    // the file part that did arrive leaves nothing behind (removed as the route gives up, just after the answer)
    const root = path.join(app.handle.env.SHOWBACK_DATA_DIR, "uploads");
    const left = async () => (await readdir(root).catch(() => [] as string[])).length;
    for (let i = 0; i < 40 && (await left()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await left()).toBe(0);
  });

  it("a file that is one 16 MB line: a clear refusal (not a 500), memory flat", async () => {
    const r = await lineUpload(16 * MB);
    console.log(`upload_16mb_line_status=${r.status} upload_16mb_line_rss_growth_mb=${(r.rssGrowth / MB).toFixed(1)}`);
    expect(r.status, r.body.slice(0, 300)).toBeLessThan(500);
    const data = JSON.parse(r.body) as { stage: string; error?: string; summary?: { errors: Array<{ message: string }> } };
    expect(["rejected", "error"]).toContain(data.stage);
    const message = data.error ?? data.summary?.errors[0]?.message ?? "";
    expect(message).toMatch(/limit/i);
    // streaming 16 MB through the multipart parser leaves up to ~19 MB of garbage between
    // collections (measured: 4 MB line → 8 MB, 16 → 18, 48 → 19); holding the line would add ≥ 32 MB
    expect(r.rssGrowth).toBeLessThan(24 * MB);
  });
});

describe("response headers", () => {
  it("HSTS on HTTPS requests (X-Forwarded-Proto https), never on plain HTTP", async () => {
    const anon = app.anonymous();
    const plain = await anon.get("/login");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    const tls = await anon.get("/login", { headers: { "x-forwarded-proto": "https" } });
    expect(tls.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const health = await anon.get("/healthz", { headers: { "x-forwarded-proto": "https" } });
    expect(health.headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
    expect((await anon.get("/healthz")).headers.get("strict-transport-security")).toBeNull();
  });

  it("Cache-Control: private, no-store on every signed-in response (documents, data, CSV); assets stay public", async () => {
    const viewer = await app.loginAs("viewer");
    const doc = await viewer.get("/");
    expect(doc.status).toBe(200);
    expect(doc.headers.get("cache-control")).toBe("private, no-store");
    const html = await doc.text();
    const dataRes = await viewer.get("/teams?_data=routes%2Fteams._index");
    expect(dataRes.status).toBe(200);
    expect(dataRes.headers.get("cache-control")).toBe("private, no-store");
    const csv = await viewer.get("/export.csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/csv/);
    expect(csv.headers.get("cache-control")).toBe("private, no-store");
    const adminCsv = await admin.get("/crosswalk.csv");
    expect(adminCsv.status).toBe(200);
    expect(adminCsv.headers.get("cache-control")).toBe("private, no-store");
    const asset = /(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const a = await viewer.get(asset!);
    expect(a.status).toBe(200);
    expect(a.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });
});

describe("upload temp files", () => {
  it("live in <SHOWBACK_DATA_DIR>/uploads (0700), the file 0600", async () => {
    const form = new FormData();
    form.append("intent", "preview");
    form.append("org", "__new__");
    form.append("new_org", "org-modes");
    form.append(
      "file",
      new File([`${HEADER}\n2026-04-01T00:00:00Z,sa-1,env-1,lkc-1,kafka,KafkaNumCKUs,CKU-hour,1.00,1.00,1\n`], "m.csv", {
        type: "text/csv",
      }),
    );
    const res = await admin.post("/imports/new?_data=routes%2Fimports.new", form);
    const body = (await res.json()) as { stage: string; token?: string };
    expect(body.stage, JSON.stringify(body).slice(0, 300)).toBe("preview");
    const root = path.join(app.handle.env.SHOWBACK_DATA_DIR, "uploads");
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(root, body.token!))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(root, body.token!, "upload.csv"))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, body.token!, "meta.json"))).mode & 0o777).toBe(0o600);
  });
});
