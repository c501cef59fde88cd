/**
 * Account management.
 *
 *   npm run users -- add --email E --role viewer|finance_admin [--password-stdin]
 *   npm run users -- add --email E --role team_viewer --teams a,b [--cost-centers CC-1] [--password-stdin]
 *   npm run users -- set-scope --email E [--teams a,b] [--cost-centers CC-1]
 *   npm run users -- list [--format table|json]
 *   npm run users -- disable --email E
 *   npm run users -- enable --email E
 *   npm run users -- set-role --email E --role R [--teams a,b] [--cost-centers CC-1]
 *   npm run users -- reset-password --email E --password-stdin
 *   npm run users -- unlock --email E      (clears the sign-in throttle of E; audited)
 *
 * The password is read from stdin (one trailing newline removed), never from argv.
 * Exit: 0 ok, 1 invalid input, 2 usage error. Migrates the database first.
 */
import { userInfo } from "node:os";
import { z } from "zod";
import { describeScope } from "../app/domain/scope";
import { addUser, resetPassword, setDisabled, setRole, setScope, unlockSignIn } from "../app/services/users";
import type { Db } from "../db/client";
import { listUsers } from "../db/queries/users";
import { InputError, UsageError, parseCli, printTable, runCli, withDb } from "./lib/cli";

const USAGE = `usage:
  npm run users -- add --email EMAIL --role viewer|finance_admin [--password-stdin]
  npm run users -- add --email EMAIL --role team_viewer --teams A,B [--cost-centers CC-1,CC-2] [--password-stdin]
  npm run users -- set-scope --email EMAIL [--teams A,B] [--cost-centers CC-1]   (a team_viewer's scope, replaced)
  npm run users -- list [--format table|json]
  npm run users -- disable --email EMAIL
  npm run users -- enable --email EMAIL
  npm run users -- set-role --email EMAIL --role team_viewer|viewer|finance_admin [--teams A,B] [--cost-centers CC-1]
  npm run users -- reset-password --email EMAIL --password-stdin
  npm run users -- unlock --email EMAIL      (clear the sign-in throttle for EMAIL, from every client)
A team_viewer sees only the teams named and the teams of the cost centers named; every other
team is one line, "other teams". The password is read from standard input
(e.g. printf '%s' "$PW" | npm run users -- add ...).`;

const commands = {
  add: z.object({
    email: z.string(),
    role: z.string(),
    teams: z.string().optional(),
    "cost-centers": z.string().optional(),
    "password-stdin": z.boolean().optional(),
  }),
  list: z.object({ format: z.enum(["table", "json"]).optional() }),
  disable: z.object({ email: z.string() }),
  enable: z.object({ email: z.string() }),
  "set-role": z.object({ email: z.string(), role: z.string(), teams: z.string().optional(), "cost-centers": z.string().optional() }),
  "set-scope": z.object({ email: z.string(), teams: z.string().optional(), "cost-centers": z.string().optional() }),
  "reset-password": z.object({ email: z.string(), "password-stdin": z.literal(true, { error: "--password-stdin is required" }) }),
  unlock: z.object({ email: z.string() }),
} as const;
type Command = keyof typeof commands;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Password (input is visible; end with Enter, then Ctrl-D): ");
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

const OPTIONS = {
  email: { type: "string" },
  role: { type: "string" },
  format: { type: "string" },
  teams: { type: "string" },
  "cost-centers": { type: "string" },
  "password-stdin": { type: "boolean" },
} as const;

/** One problem with the options of a command, as this CLI words it. */
const issueText = (i: z.core.$ZodIssue) =>
  i.code === "unrecognized_keys"
    ? `option not allowed here: --${i.keys.join(", --")}`
    : `--${i.path.join(".")}: ${i.message.replace(/^Invalid input: expected \w+, received undefined$/, "is required")}`;

/** The command and its options; a UsageError (its reason, then the usage) otherwise. */
function parseCommand(argv: string[]): { command: Command; args: Record<string, unknown> } {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") throw new UsageError(USAGE);
  if (!(command in commands)) throw new UsageError(`unknown command: ${command}\n\n${USAGE}`);
  const schema = (commands[command as Command] as z.ZodObject).strict();
  const args = parseCli(USAGE, rest, OPTIONS, schema, (values, positionals) => {
    if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}\n\n${USAGE}`);
    const r = schema.safeParse(values);
    if (!r.success) throw new UsageError(`${r.error.issues.map(issueText).join("\n")}\n\n${USAGE}`);
    return r.data;
  });
  return { command: command as Command, args: args as Record<string, unknown> };
}

async function run(db: Db, command: Command, args: Record<string, unknown>) {
  // account changes are audited to the OS user who ran them (cli:<user>), SHOWBACK_ACTOR or not
  const actor = `cli:${safeUser()}`;
  switch (command) {
    case "add": {
      const password = args["password-stdin"] ? await readStdin() : undefined;
      const u = await addUser(db, actor, {
        email: args.email,
        role: args.role,
        password,
        teams: args.teams,
        costCenters: args["cost-centers"],
      });
      console.log(
        `added ${u.email} (${u.role}${scopeText(u)})${password === undefined ? " without a password (header or single sign-on only)" : ""}`,
      );
      return;
    }
    case "list": {
      const users = await listUsers(db);
      if (args.format === "json") {
        console.log(
          JSON.stringify(
            users.map((u) => ({
              email: u.email,
              role: u.role,
              disabled: u.disabled,
              created_at: u.created_at,
              scope: u.role === "team_viewer" ? { teams: u.scope_teams, cost_centers: u.scope_cost_centers } : null,
            })),
            null,
            2,
          ),
        );
        return;
      }
      const rows = [
        ["EMAIL", "ROLE", "STATUS", "CREATED", "SCOPE"],
        ...users.map((u) => [
          u.email,
          u.role,
          u.disabled ? "disabled" : "active",
          String(u.created_at).slice(0, 19),
          u.role === "team_viewer" ? scopeText(u).replace(/^: /, "") : "",
        ]),
      ];
      printTable(rows);
      return;
    }
    case "disable":
    case "enable": {
      const u = await setDisabled(db, actor, args.email, command === "disable");
      console.log(`${u.email} ${u.disabled ? "disabled" : "enabled"}`);
      return;
    }
    case "set-role": {
      const u = await setRole(db, actor, args.email, args.role, { teams: args.teams, costCenters: args["cost-centers"] });
      console.log(`${u.email} is now ${u.role}${scopeText(u)}`);
      return;
    }
    case "set-scope": {
      const u = await setScope(db, actor, args.email, { teams: args.teams, costCenters: args["cost-centers"] });
      console.log(`${u.email} now sees${scopeText(u).replace(/^:/, "")}`);
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

/** ": teams a, b; cost centers CC-1" for a team_viewer, "" otherwise. */
function scopeText(u: { role: string; scope_teams: string[]; scope_cost_centers: string[] }): string {
  return u.role === "team_viewer" ? `: ${describeScope({ teams: u.scope_teams, costCenters: u.scope_cost_centers })}` : "";
}

function safeUser() {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

runCli(async () => {
  let parsed;
  try {
    parsed = parseCommand(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // this CLI prints "error: <reason>" (when there is one) and then the usage
    const reason = e.message === USAGE ? "" : e.message.slice(0, -`\n\n${USAGE}`.length);
    if (reason) console.error(`error: ${reason}`);
    console.error(USAGE);
    return 2;
  }
  const { command, args } = parsed;
  try {
    await withDb((db) => run(db, command, args));
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`error: ${e.message}`, { field: e.field });
    throw e;
  }
  return 0;
});
