/**
 * The arguments of the CLIs' `import FILE.csv [--replace] [--dry-run]` (npm run crosswalk, npm run
 * gl-accounts): exactly one file, merge unless --replace, --dry-run plans only.
 */
import { z } from "zod";
import { UsageError, parseCli } from "./cli";

export interface ImportArgs {
  file: string;
  replace: boolean;
  dryRun: boolean;
}

export function parseImportArgs(usage: string, args: string[]): ImportArgs {
  return parseCli(
    usage,
    args,
    { replace: { type: "boolean" }, "dry-run": { type: "boolean" } },
    z.object({ replace: z.boolean(), dryRun: z.boolean(), file: z.string() }),
    (v, p) => {
      if (p.length !== 1) throw new UsageError(`import takes exactly one FILE.csv\n\n${usage}`);
      return { replace: v.replace === true, dryRun: v["dry-run"] === true, file: p[0] };
    },
  );
}
