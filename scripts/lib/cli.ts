/**
 * Shared CLI plumbing (docs/cli.md): argument parsing with node:util + zod, exit codes
 * (0 ok, 1 invalid input, 2 usage), and opening the migrated database.
 */
import os from "node:os";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { z } from "zod";
import type { Db } from "../../db/client";
import { openDb } from "../../db/migrate";
import { InputError } from "../../app/domain/errors";

/** Wrong flags or arguments: exit code 2 with the usage text. */
export class UsageError extends Error {}
/** Bad input (exit code 1): the application's one InputError, re-exported for the CLIs. */
export { InputError };

export function parseCli<S extends z.ZodType>(
  usage: string,
  argv: string[],
  options: ParseArgsConfig["options"],
  schema: S,
  map: (values: Record<string, unknown>, positionals: string[]) => unknown,
): z.infer<S> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
  const r = schema.safeParse(map(parsed.values as Record<string, unknown>, parsed.positionals));
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("\n");
    throw new UsageError(`${msg}\n\n${usage}`);
  }
  return r.data;
}

/** Prints rows as left-aligned columns two spaces apart (the first row is the header). */
export function printTable(rows: string[][]) {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    console.log(
      r
        .map((c, i) => c.padEnd(w[i]!))
        .join("  ")
        .trimEnd(),
    );
}

export const cliActor = () => process.env.SHOWBACK_ACTOR || `cli:${os.userInfo().username}`;

export async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Runs a CLI main function and maps errors to CLI exit codes. */
export function runCli(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`usage error: ${e.message}\n`);
        process.exitCode = 2;
      } else if (e instanceof InputError) {
        process.stderr.write(`${e.message}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
        process.exitCode = 1;
      }
    },
  );
}
