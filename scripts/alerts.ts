/**
 * Alert subscriptions and delivery (docs/alerts.md).
 *
 *   npm run alerts -- subscribe --team T|--cost-center C --webhook URL|--email ADDR [--format slack|json]
 *   npm run alerts -- list [--all] [--format table|json]
 *   npm run alerts -- unsubscribe --id ID
 *   npm run alerts -- evaluate
 *   npm run alerts -- deliveries [--status S] [--limit N] [--format table|json]
 *
 * `evaluate` collects the alert events that hold now, queues each once per subscriber and sends
 * what is due (retries included), printing one JSON line per attempt; a second run for the same
 * events sends nothing. Exit: 0 ok, 1 invalid input, 2 usage error. Migrates the database first.
 */
import { z } from "zod";
import { DELIVERY_STATUSES, redactUrl, type DeliveryStatus } from "../app/domain/alerts";
import {
  alertsConfigFromEnv,
  collectAlertEvents,
  createAlertTransport,
  listSubscriptions,
  runAlerts,
  subscribe,
  unsubscribe,
} from "../app/services/alerts";
import type { Db } from "../db/client";
import { listAlertDeliveries } from "../db/queries/alerts";
import { InputError, UsageError, cliActor, parseCli, printTable, runCli, withDb } from "./lib/cli";

const USAGE = `usage:
  npm run alerts -- subscribe --team TEAM|--cost-center CODE --webhook URL|--email ADDRESS [--format slack|json]
  npm run alerts -- list [--all] [--format table|json]
  npm run alerts -- unsubscribe --id ID
  npm run alerts -- evaluate
  npm run alerts -- deliveries [--status pending|sending|sent|failed|dead] [--limit N] [--format table|json]
A webhook gets a Slack-compatible body (--format slack, the default) or JSON signed with
HMAC-SHA256 (--format json; the secret is printed once). evaluate prints one JSON line per
delivery attempt; email needs SHOWBACK_SMTP_URL (or SHOWBACK_SMTP_HOST) and SHOWBACK_SMTP_FROM.`;

const commands = {
  subscribe: z.object({
    team: z.string().optional(),
    "cost-center": z.string().optional(),
    webhook: z.string().optional(),
    email: z.string().optional(),
    format: z.enum(["slack", "json"], { error: "must be slack or json" }).optional(),
  }),
  list: z.object({ all: z.boolean().optional(), format: z.enum(["table", "json"], { error: "must be table or json" }).optional() }),
  unsubscribe: z.object({ id: z.string() }),
  evaluate: z.object({}),
  deliveries: z.object({
    status: z.enum(DELIVERY_STATUSES, { error: `must be one of ${DELIVERY_STATUSES.join(", ")}` }).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
    format: z.enum(["table", "json"], { error: "must be table or json" }).optional(),
  }),
} as const;
type Command = keyof typeof commands;

const OPTIONS = {
  team: { type: "string" },
  "cost-center": { type: "string" },
  webhook: { type: "string" },
  email: { type: "string" },
  format: { type: "string" },
  id: { type: "string" },
  all: { type: "boolean" },
  status: { type: "string" },
  limit: { type: "string" },
} as const;

const issueText = (i: z.core.$ZodIssue) =>
  i.code === "unrecognized_keys"
    ? `option not allowed here: --${i.keys.join(", --")}`
    : `--${i.path.join(".")}: ${i.message.replace(/^Invalid input: expected \w+, received undefined$/, "is required")}`;

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
  const actor = cliActor();
  switch (command) {
    case "subscribe": {
      const { subscription: s, secret } = await subscribe(db, actor, {
        team: args.team,
        costCenter: args["cost-center"],
        email: args.email,
        webhook: args.webhook,
        format: args.format,
      });
      const what = s.scope === "team" ? `team ${s.name}` : `cost center ${s.name}`;
      console.log(`subscription ${s.id}: ${s.channel} ${s.target}${s.format ? ` (${s.format})` : ""} receives the alerts of ${what}`);
      if (secret) {
        console.log(`signing secret (shown once, keep it with the receiver): ${secret}`);
      }
      return;
    }
    case "list": {
      const subs = await listSubscriptions(db, { includeRemoved: args.all === true });
      if (args.format === "json") {
        console.log(JSON.stringify(subs, null, 2));
        return;
      }
      printTable([
        ["ID", "SCOPE", "NAME", "CHANNEL", "TARGET", "FORMAT", "CREATED", "STATUS"],
        ...subs.map((s) => [
          String(s.id),
          s.scope,
          s.name,
          s.channel,
          s.target,
          s.format ?? "",
          s.created_at.slice(0, 19),
          s.removed_at ? "removed" : "active",
        ]),
      ]);
      return;
    }
    case "unsubscribe": {
      const s = await unsubscribe(db, actor, args.id);
      console.log(
        `subscription ${s.id} removed${s.dropped_deliveries ? ` (${s.dropped_deliveries} undelivered alert${s.dropped_deliveries === 1 ? "" : "s"} dropped)` : ""}`,
      );
      return;
    }
    case "evaluate": {
      const transport = createAlertTransport(alertsConfigFromEnv(process.env));
      try {
        const events = await collectAlertEvents(db);
        const records = await runAlerts(db, events, { now: new Date(), transport });
        for (const r of records) console.log(JSON.stringify(r));
      } finally {
        transport.close?.();
      }
      return;
    }
    case "deliveries": {
      const rows = await listAlertDeliveries(db, {
        status: args.status as DeliveryStatus | undefined,
        limit: args.limit as number | undefined,
      });
      const shown = rows.map((d) => ({ ...d, target: d.channel === "webhook" ? redactUrl(d.target) : d.target }));
      if (args.format === "json") {
        console.log(JSON.stringify(shown, null, 2));
        return;
      }
      printTable([
        ["ID", "EVENT", "SUBSCRIPTION", "CHANNEL", "TARGET", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"],
        ...shown.map((d) => [
          String(d.id),
          d.event_key,
          String(d.subscription_id),
          d.channel,
          d.target,
          d.status,
          String(d.attempts),
          d.next_attempt_at?.slice(0, 19) ?? "",
          (d.last_error ?? "").slice(0, 80),
        ]),
      ]);
      return;
    }
  }
}

runCli(async () => {
  let parsed;
  try {
    parsed = parseCommand(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
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
