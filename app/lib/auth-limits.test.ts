// Unit tests of the sign-in limits (docs/security.md): the hashing gate, the
// throttle's delays, the client address and the placeholder-secret check.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_FREE_FAILURES, CLIENT_MAX_DELAY_MS, MAX_DELAY_MS, throttleWaitMs } from "./auth.server";
import { clientAddress } from "./client-address.server";
import { exampleSecretValues } from "./db.server";
import { isLoopbackHost, parseEnv, placeholderSecretReason } from "./env.server";
import { HashBusyError, HashGate } from "../services/password";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("HashGate", () => {
  it("runs at most `concurrency` tasks at once, queues up to `queue`, refuses beyond", async () => {
    const gate = new HashGate(2, 3);
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const task = () =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
        return "done";
      });
    const accepted = [task(), task(), task(), task(), task()]; // 2 running + 3 queued
    await tick();
    expect(gate.running).toBe(2);
    expect(gate.queued).toBe(3);
    await expect(task()).rejects.toBeInstanceOf(HashBusyError);
    while (releases.length || gate.running) {
      releases.shift()?.();
      await tick();
    }
    expect(await Promise.all(accepted)).toEqual(["done", "done", "done", "done", "done"]);
    expect(peak).toBe(2);
    expect(gate.peak).toBe(2);
    expect(gate.running).toBe(0);
  });

  it("frees the slot when a task throws", async () => {
    const gate = new HashGate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(async () => 7)).toBe(7);
  });
});

describe("throttleWaitMs", () => {
  it("lets 3 failures through, then waits 1 s, 2 s, 4 s … up to 15 minutes after the latest", () => {
    expect(throttleWaitMs({ failures: 0, sinceLastMs: null })).toBe(0);
    expect(throttleWaitMs({ failures: 2, sinceLastMs: 0 })).toBe(0);
    expect(throttleWaitMs({ failures: 3, sinceLastMs: 0 })).toBe(1000);
    expect(throttleWaitMs({ failures: 3, sinceLastMs: 400 })).toBe(600);
    expect(throttleWaitMs({ failures: 3, sinceLastMs: 1000 })).toBe(0);
    expect(throttleWaitMs({ failures: 4, sinceLastMs: 0 })).toBe(2000);
    expect(throttleWaitMs({ failures: 5, sinceLastMs: 0 })).toBe(4000);
    expect(throttleWaitMs({ failures: 13, sinceLastMs: 0 })).toBe(MAX_DELAY_MS);
    expect(throttleWaitMs({ failures: 500, sinceLastMs: 0 })).toBe(15 * 60_000);
  });

  it("also slows one client spraying many emails: after 30 failures in 15 minutes, 1 s, 2 s … up to 5 minutes", () => {
    const fresh = { failures: 0, sinceLastMs: null };
    expect(throttleWaitMs({ ...fresh, clientFailures: CLIENT_FREE_FAILURES - 1, clientSinceLastMs: 0 })).toBe(0);
    expect(throttleWaitMs({ ...fresh, clientFailures: CLIENT_FREE_FAILURES, clientSinceLastMs: 0 })).toBe(1000);
    expect(throttleWaitMs({ ...fresh, clientFailures: CLIENT_FREE_FAILURES + 2, clientSinceLastMs: 500 })).toBe(3500);
    expect(throttleWaitMs({ ...fresh, clientFailures: CLIENT_FREE_FAILURES + 40, clientSinceLastMs: 0 })).toBe(CLIENT_MAX_DELAY_MS);
    // the longer of the two waits applies
    expect(throttleWaitMs({ failures: 5, sinceLastMs: 0, clientFailures: CLIENT_FREE_FAILURES, clientSinceLastMs: 0 })).toBe(4000);
  });
});

describe("clientAddress", () => {
  const req = (h: Record<string, string>) => new Request("http://x/", { headers: h });
  it("is the socket address set by the server; X-Forwarded-For only with SHOWBACK_TRUST_PROXY", () => {
    const h = { "x-showback-client-ip": "10.0.0.5", "x-forwarded-for": "1.1.1.1, 2.2.2.2, 3.3.3.3" };
    expect(clientAddress(req(h), { SHOWBACK_TRUST_PROXY: 0 })).toBe("10.0.0.5");
    expect(clientAddress(req(h), { SHOWBACK_TRUST_PROXY: 1 })).toBe("3.3.3.3");
    expect(clientAddress(req(h), { SHOWBACK_TRUST_PROXY: 2 })).toBe("2.2.2.2");
    expect(clientAddress(req({ "x-showback-client-ip": "10.0.0.5" }), { SHOWBACK_TRUST_PROXY: 1 })).toBe("10.0.0.5");
    expect(clientAddress(req({}), { SHOWBACK_TRUST_PROXY: 0 })).toBe("unknown");
  });
});

describe("secrets and hosts", () => {
  it("refuses placeholders, keeps random values", () => {
    for (const s of [
      "change-me-to-a-long-random-string",
      "changeme".repeat(5),
      "x".repeat(40),
      "abc".repeat(12),
      "Your-Secret-Here-0123456789-abcdefgh",
      "0123456789012345678901234567890123",
    ]) {
      expect(placeholderSecretReason(s), s).not.toBeNull();
    }
    expect(placeholderSecretReason("p3N4c0r8WqZ2mL5vT9yH1bK6dF7gJ0sA2eR4uI8oX")).toBeNull();
    expect(() => parseEnv({ SESSION_SECRET: "change-me-to-a-long-random-string" })).toThrow(/SESSION_SECRET is a known placeholder/);
    expect(() => parseEnv({ SHOWBACK_AUTH_PROXY_SECRET: "a".repeat(40) })).toThrow(/SHOWBACK_AUTH_PROXY_SECRET/);
    expect(() => parseEnv({ SHOWBACK_TRUST_PROXY: "maybe" })).toThrow(/SHOWBACK_TRUST_PROXY/);
  });

  it("reads SESSION_SECRET values from example files", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "showback-examples-"));
    try {
      writeFileSync(path.join(dir, ".env.example"), "SESSION_SECRET=Zm9vYmFyLWV4YW1wbGUtdmFsdWUtZnJvbS1kb2Nz\n");
      writeFileSync(path.join(dir, "docker-compose.yml"), "      SESSION_SECRET: ${SESSION_SECRET:?set SESSION_SECRET}\n");
      expect([...exampleSecretValues(dir)]).toEqual(["Zm9vYmFyLWV4YW1wbGUtdmFsdWUtZnJvbS1kb2Nz"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("knows loopback hosts", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "10.0.0.1", "::", "example.com", "192.168.1.4"]) expect(isLoopbackHost(h), h).toBe(false);
  });
});
