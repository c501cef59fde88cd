/**
 * Password hashing: argon2id (the @node-rs/argon2 default), OWASP parameters.
 *
 * Every hash and verification goes through a gate of `concurrency` slots (default 2:
 * each costs ~19 MiB and a core for tens of milliseconds) with at most `queue`
 * callers waiting; past that, HashBusyError (the sign-in answers 503) instead of
 * letting a flood of sign-ins exhaust memory and CPU. docs/security.md.
 */
import { hash, verify } from "@node-rs/argon2";

const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export class HashBusyError extends Error {
  constructor() {
    super("too many password checks at once");
  }
}

/** A counting semaphore with a bounded wait queue. */
export class HashGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** Highest number of tasks seen running at once (for tests and diagnostics). */
  peak = 0;
  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {}

  get running() {
    return this.active;
  }
  get queued() {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw new HashBusyError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    this.peak = Math.max(this.peak, this.active);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes to the next waiter (active unchanged)
      else this.active--;
    }
  }
}

const GATES = Symbol.for("showback.hashGates");
type G = typeof globalThis & { [GATES]?: Map<string, HashGate> };

/** The process-wide gate for these limits (the server build and tsx scripts share it). */
export function hashGate(concurrency = 2, queue = 16): HashGate {
  const g = globalThis as G;
  g[GATES] ??= new Map();
  const key = `${concurrency}|${queue}`;
  let gate = g[GATES]!.get(key);
  if (!gate) g[GATES]!.set(key, (gate = new HashGate(concurrency, queue)));
  return gate;
}

export function hashPassword(password: string, gate: HashGate = hashGate()): Promise<string> {
  return gate.run(() => hash(password, OPTIONS));
}

let dummy: Promise<string> | undefined;
/** A hash of a random string, verified against for unknown emails so timing is alike. */
function dummyHash(): Promise<string> {
  dummy ??= hash(crypto.randomUUID(), OPTIONS);
  return dummy;
}

/**
 * Verifies `password` against `stored`; with no stored hash, burns the same time and
 * returns false. Throws HashBusyError when the gate's queue is full.
 */
export async function verifyPassword(stored: string | null | undefined, password: string, gate: HashGate = hashGate()): Promise<boolean> {
  if (!stored) {
    const d = await dummyHash();
    await gate.run(() => verify(d, password).catch(() => false));
    return false;
  }
  return gate.run(async () => {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  });
}
