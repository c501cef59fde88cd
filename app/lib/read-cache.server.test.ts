import { describe, expect, it } from "vitest";
import { cacheKey, deepFreeze, ReadCache } from "./read-cache.server";

function counter<T>(value: (n: number) => T) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fn: async () => value(++calls),
  };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("ReadCache", () => {
  it("computes once per (version, name, parameters)", async () => {
    const c = new ReadCache();
    const q = counter((n) => ({ n }));
    expect(await c.read("1", "q", { a: 1, b: [2] }, q.fn)).toEqual({ n: 1 });
    // same parameters in another key order: a hit
    expect(await c.read("1", "q", { b: [2], a: 1, z: undefined }, q.fn)).toEqual({ n: 1 });
    expect(q.calls).toBe(1);
    expect(await c.read("1", "q", { a: 2, b: [2] }, q.fn)).toEqual({ n: 2 });
    expect(await c.read("1", "other", { a: 1, b: [2] }, q.fn)).toEqual({ n: 3 });
    expect(q.calls).toBe(3);
    expect(c.stats).toMatchObject({ hits: 1, misses: 3 });
  });

  it("keys by data version: a newer version recomputes and drops the older entries", async () => {
    const c = new ReadCache();
    const q = counter((n) => n);
    await c.read("1", "q", null, q.fn);
    await c.read("1", "r", null, q.fn);
    expect(c.size).toBe(2);
    expect(await c.read("2", "q", null, q.fn)).toBe(3);
    expect(c.size).toBe(1);
    expect(c.stats.flushes).toBe(1);
    expect(await c.read("2", "q", null, q.fn)).toBe(3);
    // a request that read version 1 before the commit still gets an answer, never cached
    expect(await c.read("1", "q", null, q.fn)).toBe(4);
    expect(await c.read("1", "q", null, q.fn)).toBe(5);
    expect(c.size).toBe(1);
    // versions compare as integers, not strings
    expect(await c.read("10", "q", null, q.fn)).toBe(6);
    expect(await c.read("9", "q", null, q.fn)).toBe(7);
    expect(await c.read("10", "q", null, q.fn)).toBe(6);
  });

  it("is bounded (least recently used out first)", async () => {
    const c = new ReadCache({ max: 3 });
    const q = counter((n) => n);
    for (const k of ["a", "b", "c"]) await c.read("1", k, null, q.fn);
    await c.read("1", "a", null, q.fn); // a is now the most recent
    await c.read("1", "d", null, q.fn); // evicts b
    expect(c.size).toBe(3);
    expect(q.calls).toBe(4);
    expect(await c.read("1", "a", null, q.fn)).toBe(1);
    expect(await c.read("1", "c", null, q.fn)).toBe(3);
    expect(await c.read("1", "b", null, q.fn)).toBe(5); // recomputed
    expect(c.size).toBe(3);
  });

  it("is bounded in bytes too", async () => {
    const c = new ReadCache({ max: 100, maxBytes: 2_000 });
    for (let i = 0; i < 10; i++) await c.read("1", `k${i}`, null, async () => "x".repeat(500));
    expect(c.size).toBeLessThanOrEqual(3);
  });

  it("shares one computation between concurrent identical misses (single flight)", async () => {
    const c = new ReadCache();
    const d = deferred<{ v: string }>();
    let calls = 0;
    const compute = () => {
      calls++;
      return d.promise;
    };
    const all = Promise.all([
      c.read("1", "q", { x: 1 }, compute),
      c.read("1", "q", { x: 1 }, compute),
      c.read("1", "q", { x: 1 }, compute),
    ]);
    // a different key is its own computation
    const other = c.read("1", "q", { x: 2 }, async () => ({ v: "other" }));
    d.resolve({ v: "shared" });
    const [a, b, e] = await all;
    expect(calls).toBe(1);
    expect(a).toBe(b);
    expect(b).toBe(e);
    expect(a).toEqual({ v: "shared" });
    expect(await other).toEqual({ v: "other" });
    expect(c.stats.shared).toBe(2);
  });

  it("does not cache failures; waiters of a failed flight all see the error", async () => {
    const c = new ReadCache();
    const d = deferred<number>();
    const first = c.read("1", "q", null, () => d.promise);
    const second = c.read("1", "q", null, () => d.promise);
    d.reject(new Error("boom"));
    await expect(first).rejects.toThrow("boom");
    await expect(second).rejects.toThrow("boom");
    expect(await c.read("1", "q", null, async () => 42)).toBe(42);
  });

  it("hands out deep-frozen plain data, and refuses anything else", async () => {
    const c = new ReadCache();
    const v = await c.read("1", "q", null, async () => ({ rows: [{ total: "1.50" }], kpi: { total: "1.50" } }));
    expect(Object.isFrozen(v) && Object.isFrozen(v.rows) && Object.isFrozen(v.rows[0]) && Object.isFrozen(v.kpi)).toBe(true);
    expect(() => {
      (v.rows as Array<{ total: string }>).push({ total: "2" });
    }).toThrow(TypeError);
    expect(() => {
      (v.kpi as { total: string }).total = "0";
    }).toThrow(TypeError);
    await expect(c.read("1", "m", null, async () => new Map([["a", 1]]))).rejects.toThrow(/plain data/);
    await expect(c.read("1", "d", null, async () => ({ at: new Date() }))).rejects.toThrow(/plain data/);
    expect(c.size).toBe(1);
  });
});

describe("cacheKey / deepFreeze", () => {
  it("keys are stable and distinguish versions, names and values", () => {
    expect(cacheKey("1", "q", { a: 1, b: "x" })).toBe(cacheKey("1", "q", { b: "x", a: 1 }));
    expect(cacheKey("1", "q", { a: 1 })).not.toBe(cacheKey("2", "q", { a: 1 }));
    expect(cacheKey("1", "q", { a: 1 })).not.toBe(cacheKey("1", "r", { a: 1 }));
    expect(cacheKey("1", "q", { a: "1" })).not.toBe(cacheKey("1", "q", { a: 1 }));
    expect(cacheKey("1", "q", ["a", "b"])).not.toBe(cacheKey("1", "q", ["b", "a"]));
    expect(() => cacheKey("1", "q", { m: new Map() })).toThrow(TypeError);
  });

  it("deepFreeze leaves primitives alone", () => {
    expect(deepFreeze(null)).toBe(null);
    expect(deepFreeze("x")).toBe("x");
    expect(Object.isFrozen(deepFreeze([1, [2]])[1])).toBe(true);
  });
});
