/** npm run orgs -- set --org ORG [--policy <policy>] [--name NAME] [--tolerance AMOUNT] | npm run orgs -- list (policies: app/domain/policies.ts) */
import { z } from "zod";
import { formatPolicy, parsePolicy, POLICY_KINDS, POLICY_REGISTRY, policySyntaxList } from "../app/domain/policies";
import { parseNonNegativeDecimal } from "../app/domain/money";
import { recomputeOrgRange } from "../db/queries/allocation";
import { ensureOrg, listOrgs, lockOrg, PolicyInputError, updateOrgSettings } from "../db/queries/orgs";
import { InputError, UsageError, cliActor, parseCli, runCli, withDb } from "./lib/cli";

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
  tolerance: z.string().optional().refine((t) => t === undefined || parseNonNegativeDecimal(t).ok, "--tolerance must be a non-negative decimal"),
});

runCli(async () => {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "set") {
    const a = parseCli(USAGE, rest, { org: { type: "string" }, policy: { type: "string" }, name: { type: "string" }, tolerance: { type: "string" } }, Set, (v, p) => {
      if (p.length) throw new UsageError(USAGE);
      return v;
    });
    await withDb((db) =>
      db.transaction(async (tx) => {
        await ensureOrg(tx, a.org);
        await lockOrg(tx, a.org);
        const policy = a.policy === undefined ? undefined : formatPolicy(parsePolicy(a.policy));
        const org = await updateOrgSettings(tx, cliActor(), a.org, { policy, displayName: a.name, tolerance: a.tolerance }).catch((e: unknown) => {
          throw e instanceof PolicyInputError ? new InputError(e.message) : e;
        });
        if (policy !== undefined) await recomputeOrgRange(tx, a.org, null, null, { detailsOwnerId: "unallocated" });
        process.stdout.write(`${org.org_id}: policy ${org.policy}, tolerance ${org.tolerance}${org.display_name ? `, name ${org.display_name}` : ""}\n`);
      }),
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
