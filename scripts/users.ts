/**
 * Account management.
 *
 *   npm run users -- add --email E --role viewer|finance_admin [--password-stdin]
 *   npm run users -- list [--format table|json]
 *   npm run users -- disable --email E
 *   npm run users -- enable --email E
 *   npm run users -- set-role --email E --role R
 *   npm run users -- reset-password --email E --password-stdin
 *   npm run users -- unlock --email E      (clears the sign-in throttle of E; audited)
 *
 * The password is read from stdin (one trailing newline removed), never from argv.
 * Exit: 0 ok, 1 invalid input, 2 usage error. Migrates the database first.
 */
import { parseArgs } from "node:util";
import { userInfo } from "node:os";
import { z } from "zod";
import type { Db } from "../db/client";
import { openDb } from "../db/migrate";
import { listUsers } from "../db/queries/users";
import { addUser, resetPassword, setDisabled, setRole, unlockSignIn, UserInputError } from "../app/lib/users.server";

const USAGE = `usage:
  npm run users -- add --email EMAIL --role viewer|finance_admin [--password-stdin]
  npm run users -- list [--format table|json]
  npm run users -- disable --email EMAIL
  npm run users -- enable --email EMAIL
  npm run users -- set-role --email EMAIL --role viewer|finance_admin
  npm run users -- reset-password --email EMAIL --password-stdin
  npm run users -- unlock --email EMAIL      (clear the sign-in throttle for EMAIL, from every client)
The password is read from standard input (e.g. printf '%s' "$PW" | npm run users -- add ...).`;

class UsageError extends Error {}

const commands = {
  add: z.object({ email: z.string(), role: z.string(), "password-stdin": z.boolean().optional() }),
  list: z.object({ format: z.enum(["table", "json"]).optional() }),
  disable: z.object({ email: z.string() }),
  enable: z.object({ email: z.string() }),
  "set-role": z.object({ email: z.string(), role: z.string() }),
  "reset-password": z.object({ email: z.string(), "password-stdin": z.literal(true, { error: "--password-stdin is required" }) }),
  unlock: z.object({ email: z.string() }),
} as const;
type Command = keyof typeof commands;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Password (input is visible; end with Enter, then Ctrl-D): ");
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

export function parseCli(argv: string[]): { command: Command; args: Record<string, unknown> } {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") throw new UsageError("");
  if (!(command in commands)) throw new UsageError(`unknown command: ${command}`);
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: {
        email: { type: "string" },
        role: { type: "string" },
        format: { type: "string" },
        "password-stdin": { type: "boolean" },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  const schema = commands[command as Command] as z.ZodObject;
  const r = schema.strict().safeParse(values);
  if (!r.success) {
    throw new UsageError(
      r.error.issues
        .map((i) => (i.code === "unrecognized_keys" ? `option not allowed here: --${i.keys.join(", --")}` : `--${i.path.join(".")}: ${i.message.replace(/^Invalid input: expected \w+, received undefined$/, "is required")}`))
        .join("\n"),
    );
  }
  return { command: command as Command, args: r.data as Record<string, unknown> };
}

async function run(db: Db, command: Command, args: Record<string, unknown>) {
  const actor = `cli:${safeUser()}`;
  switch (command) {
    case "add": {
      const password = args["password-stdin"] ? await readStdin() : undefined;
      const u = await addUser(db, actor, { email: args.email, role: args.role, password });
      console.log(`added ${u.email} (${u.role})${password === undefined ? " without a password (header sign-in only)" : ""}`);
      return;
    }
    case "list": {
      const users = await listUsers(db);
      if (args.format === "json") {
        console.log(JSON.stringify(users.map((u) => ({ email: u.email, role: u.role, disabled: u.disabled, created_at: u.created_at })), null, 2));
        return;
      }
      const rows = [["EMAIL", "ROLE", "STATUS", "CREATED"], ...users.map((u) => [u.email, u.role, u.disabled ? "disabled" : "active", String(u.created_at).slice(0, 19)])];
      const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd());
      return;
    }
    case "disable":
    case "enable": {
      const u = await setDisabled(db, actor, args.email, command === "disable");
      console.log(`${u.email} ${u.disabled ? "disabled" : "enabled"}`);
      return;
    }
    case "set-role": {
      const u = await setRole(db, actor, args.email, args.role);
      console.log(`${u.email} is now ${u.role}`);
      return;
    }
    case "reset-password": {
      const password = await readStdin();
      const u = await resetPassword(db, actor, args.email, password);
      console.log(`password of ${u.email} reset`);
      return;
    }
    case "unlock": {
      const r = await unlockSignIn(db, actor, args.email);
      console.log(`sign-in throttle of ${r.email} cleared (${r.cleared} recorded attempt${r.cleared === 1 ? "" : "s"} removed)`);
      return;
    }
  }
}

function safeUser() {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) console.error(`error: ${e.message}`);
      console.error(USAGE);
      return 2;
    }
    throw e;
  }
  const db = await openDb();
  try {
    await run(db, parsed.command, parsed.args);
    return 0;
  } catch (e) {
    if (e instanceof UserInputError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
