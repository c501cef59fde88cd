/** npm run orgs -- set --org ORG [--policy proportional|even|shared:<team>|none] [--name NAME] [--tolerance AMOUNT] | npm run orgs -- list */
import { z } from "zod";
import { formatPolicy, parsePolicy } from "../app/domain/allocation";
import { parseDecimal } from "../app/domain/csv/values";
import { recomputeOrgRange } from "../db/queries/allocation";
import { ensureOrg, listOrgs, lockOrg, updateOrgSettings } from "../db/queries/orgs";
import { UsageError, cliActor, parseCli, runCli, withDb } from "./lib/cli";

const USAGE = "npm run orgs -- set --org ORG [--policy proportional|even|shared:<team>|none] [--name NAME] [--tolerance AMOUNT]\nnpm run orgs -- list";

const Set = z.object({
  org: z.string().trim().min(1, "--org is required"),
  policy: z
    .string()
    .optional()
    .refine((p) => {
      if (p === undefined) return true;
      try {
        parsePolicy(p);
        return true;
      } catch {
        return false;
      }
    }, "--policy must be proportional, even, shared:<team> or none"),
  name: z.string().optional(),
  tolerance: z.string().optional().refine((t) => t === undefined || (parseDecimal(t).ok && !t.trim().startsWith("-")), "--tolerance must be a non-negative decimal"),
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
        const org = await updateOrgSettings(tx, cliActor(), a.org, { policy, displayName: a.name, tolerance: a.tolerance });
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
