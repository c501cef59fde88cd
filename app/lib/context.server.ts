/**
 * Per-server context (database, environment, session secret) shared between the
 * server entry (scripts/serve.ts, run by tsx) and the Remix server build (a separate
 * bundle). Both copies of this module find the same AsyncLocalStorage through a
 * global symbol, so several servers can run in one process (tests) and each request
 * sees its own server's database.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db } from "../../db/client";
import type { Env } from "./env.server";

export interface ServerContext {
  db: Db;
  env: Env;
  sessionSecret: string;
}

const KEY = Symbol.for("showback.serverContext");
type G = typeof globalThis & { [KEY]?: AsyncLocalStorage<ServerContext> };

export function contextStorage(): AsyncLocalStorage<ServerContext> {
  const g = globalThis as G;
  g[KEY] ??= new AsyncLocalStorage<ServerContext>();
  return g[KEY]!;
}

export function currentContext(): ServerContext | undefined {
  return contextStorage().getStore();
}

export function runWithContext<T>(ctx: ServerContext, fn: () => T): T {
  return contextStorage().run(ctx, fn);
}
