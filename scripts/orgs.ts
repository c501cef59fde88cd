/** npm run orgs -- set --org ORG [--policy <policy>] [--name NAME] [--tolerance AMOUNT] | npm run orgs -- list (policies: app/domain/policies.ts) */
import { z } from "zod";
import { parsePolicy, POLICY_KINDS, POLICY_REGISTRY, policySyntaxList } from "../app/domain/policies";
import { parseNonNegativeDecimal } from "../app/domain/money";
import { saveOrgSettings } from "../app/services/orgs";
import { listOrgs } from "../db/queries/orgs";
import { UsageError, cliActor, parseCli, runCli, withDb } from "./lib/cli";

const POLICY_SYNTAX = POLICY_KINDS.map((k) => POLICY_REGISTRY[k].syntax).join("|");
const USAGE = `npm run orgs -- set --org ORG [--policy ${POLICY_SYNTAX}] [--name NAME] [--tolerance AMOUNT]\nnpm run orgs -- list`;

const Set = z.object({
  org: z.string().trim().min(1, "--org is required"),
  policy: z
    .string()
    .optional()
    .superRefine((p, ctx) => {
      if (p === undefined) return;
      try {
        parsePolicy(p);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: `--policy must be ${policySyntaxList().replace(/"/g, "")} (${(e as Error).message})` });
      }
    }),
  name: z.string().optional(),
  tolerance: z
    .string()
    .optional()
    .refine((t) => t === undefined || parseNonNegativeDecimal(t).ok, "--tolerance must be a non-negative decimal"),
});

runCli(async () => {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "set") {
    const a = parseCli(
      USAGE,
      rest,
      { org: { type: "string" }, policy: { type: "string" }, name: { type: "string" }, tolerance: { type: "string" } },
      Set,
      (v, p) => {
        if (p.length) throw new UsageError(USAGE);
        return v;
      },
    );
    // the Organizations page's use case, same checks and messages (exit 1); an org not seen yet is
    // created as the page's "Add an organization" does (its id checked)
    const { org } = await withDb((db) =>
      saveOrgSettings(db, cliActor(), a.org, { policy: a.policy, displayName: a.name, tolerance: a.tolerance }, { createIfMissing: true }),
    );
    process.stdout.write(
      `${org.org_id}: policy ${org.policy}, tolerance ${org.tolerance}${org.display_name ? `, name ${org.display_name}` : ""}\n`,
    );
    return 0;
  }
  if (cmd === "list") {
    const orgs = await withDb((db) => listOrgs(db));
    for (const o of orgs) process.stdout.write(`${o.org_id}\t${o.policy}\t${o.tolerance}\t${o.display_name ?? ""}\n`);
    return 0;
  }
  throw new UsageError(cmd ? `unknown command "${cmd}"\n\n${USAGE}` : USAGE);
});
