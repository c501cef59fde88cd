/**
 * API tokens for the read API (docs/api.md, docs/auth.md "API tokens").
 *
 *   npm run tokens -- create --user EMAIL --name NAME [--expires-days 90]
 *   npm run tokens -- create --client NAME --role viewer|finance_admin --name NAME [--expires-days 90]
 *   npm run tokens -- create --client NAME --role team_viewer --teams A,B [--cost-centers CC-1] --name NAME
 *   npm run tokens -- list [--format table|json]
 *   npm run tokens -- revoke --id ID
 *
 * `create` prints the token once on stdout (nothing else there; notes on stderr): it is not stored.
 * Exit: 0 ok, 1 invalid input, 2 usage error. Changes are audited (actor cli:<OS user> or SHOWBACK_ACTOR).
 */
import { z } from "zod";
import { describeScope } from "../app/domain/scope";
import { createApiToken, revokeApiToken } from "../app/services/api-tokens";
import { listApiTokens, type ApiTokenRow } from "../db/queries/api-tokens";
import { UsageError, cliActor, parseCli, printTable, runCli, withDb } from "./lib/cli";

const USAGE = `usage:
  npm run tokens -- create --user EMAIL --name NAME [--expires-days 90]
  npm run tokens -- create --client NAME --role viewer|finance_admin --name NAME [--expires-days 90]
  npm run tokens -- create --client NAME --role team_viewer --teams A,B [--cost-centers CC-1] --name NAME [--expires-days 90]
  npm run tokens -- list [--format table|json]
  npm run tokens -- revoke --id ID
The token is printed once by create; only its hash is stored. A user's token reads with the
user's role and scope at each request.`;

const OPTIONS = {
  user: { type: "string" },
  client: { type: "string" },
  role: { type: "string" },
  teams: { type: "string" },
  "cost-centers": { type: "string" },
  name: { type: "string" },
  "expires-days": { type: "string" },
  format: { type: "string" },
  id: { type: "string" },
} as const;

const commands = {
  create: z
    .object({
      user: z.string().optional(),
      client: z.string().optional(),
      role: z.string().optional(),
      teams: z.string().optional(),
      "cost-centers": z.string().optional(),
      name: z.string({ error: "--name is required" }),
      "expires-days": z.string().optional(),
    })
    .strict()
    .refine((a) => (a.user === undefined) !== (a.client === undefined), {
      message: "give exactly one of --user and --client",
      path: ["user"],
    })
    .refine((a) => a.client === undefined || a.role !== undefined, {
      message: "--client needs --role team_viewer|viewer|finance_admin",
      path: ["role"],
    }),
  list: z.object({ format: z.enum(["table", "json"]).default("table") }).strict(),
  revoke: z.object({ id: z.string({ error: "--id is required" }).regex(/^\d+$/, "--id must be a token id") }).strict(),
} as const;
type Command = keyof typeof commands;

const status = (t: ApiTokenRow) => (t.revoked_at ? "revoked" : t.expired ? "expired" : t.user_disabled ? "user disabled" : "active");

const principal = (t: ApiTokenRow) =>
  t.user_email
    ? `user ${t.user_email}`
    : `client ${t.client_name} (${t.role}${t.role === "team_viewer" ? `: ${describeScope({ teams: t.scope_teams, costCenters: t.scope_cost_centers })}` : ""})`;

runCli(async () => {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || !(command in commands)) throw new UsageError(command ? `unknown command: ${command}\n\n${USAGE}` : USAGE);
  const schema = commands[command as Command];
  const args = parseCli(USAGE, rest, OPTIONS, schema, (values, positionals) => {
    if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}\n\n${USAGE}`);
    return values;
  }) as Record<string, string | undefined>;
  const actor = cliActor();
  await withDb(async (db) => {
    switch (command as Command) {
      case "create": {
        const { token, row } = await createApiToken(db, actor, {
          name: args.name,
          user: args.user,
          client: args.client,
          role: args.role,
          teams: args.teams,
          costCenters: args["cost-centers"],
          expiresDays: args["expires-days"],
        });
        process.stderr.write(`token ${row.id} "${row.name}" for ${principal(row)}, expires ${row.expires_at}; shown once, store it now:\n`);
        process.stdout.write(`${token}\n`);
        return;
      }
      case "list": {
        const tokens = await listApiTokens(db);
        if (args.format === "json") {
          const out = tokens.map((t) => ({
            id: t.id,
            name: t.name,
            hint: t.hint,
            user: t.user_email,
            client: t.client_name,
            role: t.role,
            scope: t.role === "team_viewer" ? { teams: t.scope_teams, cost_centers: t.scope_cost_centers } : null,
            status: status(t),
            created_by: t.created_by,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            last_used_at: t.last_used_at,
          }));
          process.stdout.write(JSON.stringify(out, null, 2) + "\n");
          return;
        }
        printTable([
          ["ID", "NAME", "TOKEN", "PRINCIPAL", "ROLE", "STATUS", "EXPIRES", "LAST USED"],
          ...tokens.map((t) => [
            String(t.id),
            t.name,
            `${t.hint}…`,
            t.user_email ?? `client:${t.client_name}`,
            t.role,
            status(t),
            t.expires_at.slice(0, 19),
            (t.last_used_at ?? "never").slice(0, 19),
          ]),
        ]);
        return;
      }
      case "revoke": {
        const { row, already } = await revokeApiToken(db, actor, args.id);
        console.log(
          already ? `token ${row.id} "${row.name}" was already revoked (${row.revoked_at})` : `token ${row.id} "${row.name}" revoked`,
        );
        return;
      }
    }
  });
  return 0;
});
