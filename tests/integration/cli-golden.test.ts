/**
 * Golden CLI outputs: one fixed sequence of real CLI commands on fixed inputs (teams,
 * crosswalk, ingests with a rejection and a restatement, policy, reports in every
 * shape, reconciliation with close, finance exports, usage errors), each command's exit
 * code, stdout and stderr compared byte for byte with tests/fixtures/golden/cli/.
 *
 * It guards refactors: whatever moves inside, what a script or another tool reads from
 * the command line must stay identical. Only what cannot repeat is masked (elapsed
 * times and rates, the temporary folder, instants of the run).
 *
 * After an intended change of output, regenerate with
 *   UPDATE_GOLDEN=1 TEST_DB=pg npx vitest run --project integration tests/integration/cli-golden.test.ts
 * and review the diff of tests/fixtures/golden/cli/ like code.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCliEnv, type CliEnv, type CliResult } from "../helpers/cli";

const FIX = path.resolve(__dirname, "../fixtures");
const GOLDEN = path.join(FIX, "golden", "cli");
const update = process.env.UPDATE_GOLDEN === "1";

/** What cannot repeat between runs, replaced by a stable token. */
export function mask(text: string, tmp: string): string {
  return text
    .split(tmp)
    .join("<tmp>")
    .split(FIX)
    .join("<fixtures>")
    .replace(/\(\d+(\.\d+)? s, \d+ rows\/s\)/g, "(<elapsed>)")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, "<instant>")
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d(\.\d+)?)?( ?UTC|[+-]\d\d(:\d\d)?)?/g, "<instant>");
}

const render = (r: CliResult, tmp: string) => `exit=${r.code}\n--- stdout\n${mask(r.stdout, tmp)}\n--- stderr\n${mask(r.stderr, tmp)}`;

interface Step {
  name: string;
  script: string;
  args: (tmp: string) => string[];
}

const vendor = path.join(FIX, "vendor-example", "export-2026-04-monthly.csv");
const STEPS: Step[] = [
  { name: "teams-import", script: "teams", args: (t) => ["import", path.join(t, "teams.csv")] },
  { name: "crosswalk-import", script: "crosswalk", args: () => ["import", path.join(FIX, "vendor-example", "crosswalk.csv")] },
  { name: "crosswalk-import-gen", script: "crosswalk", args: (t) => ["import", path.join(t, "crosswalk-gen.csv")] },
  { name: "ingest-vendor", script: "ingest", args: () => ["--org", "org-vendor", vendor] },
  { name: "ingest-vendor-again", script: "ingest", args: () => ["--org", "org-vendor", vendor] },
  { name: "ingest-rejected", script: "ingest", args: (t) => ["--org", "org-vendor", path.join(t, "bad.csv")] },
  { name: "ingest-gen-daily", script: "ingest", args: (t) => ["--org", "org-gen", path.join(t, "gen-daily.csv")] },
  {
    name: "ingest-vendor-restated",
    script: "ingest",
    args: () => ["--org", "org-vendor", path.join(FIX, "exports", "credit-2-decimals.csv")],
  },
  {
    name: "orgs-set-policy",
    script: "orgs",
    args: () => ["set", "--org", "org-gen", "--policy", "even", "--name", "Generated", "--tolerance", "0.05"],
  },
  { name: "orgs-set-bad-policy", script: "orgs", args: () => ["set", "--org", "org-gen", "--policy", "shared:unmapped"] },
  { name: "orgs-list", script: "orgs", args: () => ["list"] },
  { name: "report-monthly", script: "report", args: () => ["--granularity", "monthly", "--from", "2026-03-01", "--to", "2026-04-01"] },
  {
    name: "report-monthly-cc",
    script: "report",
    args: () => ["--granularity", "monthly", "--from", "2026-03-01", "--to", "2026-04-01", "--by", "cost_center"],
  },
  {
    name: "report-daily-json",
    script: "report",
    args: () => ["--granularity", "daily", "--from", "2026-04-01", "--to", "2026-04-03", "--org", "org-gen", "--format", "json"],
  },
  {
    name: "report-weekly",
    script: "report",
    args: () => ["--granularity", "weekly", "--from", "2026-03-02", "--to", "2026-03-16", "--org", "org-gen"],
  },
  { name: "report-usage-error", script: "report", args: () => ["--granularity", "hourly", "--from", "2026-03-01", "--to", "2026-04-01"] },
  { name: "crosswalk-export", script: "crosswalk", args: () => ["export"] },
  { name: "reconcile-invoice", script: "reconcile", args: () => ["--month", "2026-04", "--org", "org-vendor", "--invoice", "25.75"] },
  {
    name: "reconcile-close",
    script: "reconcile",
    args: () => ["--month", "2026-04", "--org", "org-vendor", "--close", "--reason", "golden"],
  },
  { name: "reconcile-all", script: "reconcile", args: () => ["--month", "2026-04"] },
  { name: "finance-journal", script: "finance-export", args: () => ["--month", "2026-04", "--kind", "journal"] },
  { name: "finance-focus", script: "finance-export", args: () => ["--month", "2026-04", "--kind", "focus", "--org", "org-vendor"] },
  { name: "reconcile-reopen", script: "reconcile", args: () => ["--month", "2026-04", "--org", "org-vendor", "--reopen"] },
];

let cli: CliEnv;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-golden-"));
  await writeFile(path.join(tmp, "teams.csv"), "team,cost_center\npayments,CC-100\nsearch,CC-200\nplatform,CC-300\nanalytics,\n");
  await writeFile(
    path.join(tmp, "crosswalk-gen.csv"),
    "org_id,owner_id,team,valid_from,valid_to\norg-gen,sa-bf8jg1,payments,,\norg-gen,sa-3pn7wf,search,2026-03-15,\norg-gen,lkc-hpse2y,platform,,2026-04-02\norg-gen,sa-hq5ps6,analytics,2026-03-01,\n",
  );
  await writeFile(
    path.join(tmp, "bad.csv"),
    "timestamp,owner_id,environment_id,resource_id,product,metric,unit,chargeback_cost,original_amount,usage_share\n" +
      "2026-04-01T00:00:00Z,sa-abc,env-xxx,lkc-123,kafka,KafkaNumCKUs,CKU-hour,1.5x,2.00,0.3\n" +
      "2026-04-01T13:00:00Z,sa-def,env-xxx,lkc-123,kafka,KafkaNumCKUs,CKU-hour,0.40,2.00,1.2\n",
  );
  cli = await createCliEnv();
  const gen = await cli.run(
    "generate",
    "--org",
    "org-gen",
    "--granularity",
    "daily",
    "--from",
    "2026-03-01",
    "--to",
    "2026-04-05",
    "--principals",
    "4",
    "--clusters",
    "1",
    "--seed",
    "7",
    "--out",
    path.join(tmp, "gen-daily.csv"),
  );
  if (gen.code !== 0) throw new Error(`generate failed: ${gen.stderr}`);
  if (update) await mkdir(GOLDEN, { recursive: true });
});

afterAll(async () => {
  await cli?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("CLI outputs are byte-identical to the golden files", () => {
  it("runs the whole sequence", async () => {
    const mismatches: string[] = [];
    for (const [i, step] of STEPS.entries()) {
      const got = render(await cli.run(step.script, ...step.args(tmp)), tmp);
      const file = path.join(GOLDEN, `${String(i + 1).padStart(2, "0")}-${step.name}.txt`);
      if (update) {
        await writeFile(file, got);
        continue;
      }
      if (!existsSync(file)) {
        mismatches.push(`${step.name}: no golden file ${path.relative(FIX, file)}`);
        continue;
      }
      const want = await readFile(file, "utf8");
      if (got !== want) mismatches.push(`${step.name}:\n--- want\n${want}\n--- got\n${got}`);
    }
    expect(mismatches.join("\n\n")).toBe("");
  }, 300_000);

  it("masks only what cannot repeat", () => {
    expect(mask("import 3 for o: 2 rows (0.4 s, 51 rows/s) at 2026-12-01T21:23:47.123Z in /tmp/x/a.csv", "/tmp/x")).toBe(
      "import 3 for o: 2 rows (<elapsed>) at <instant> in <tmp>/a.csv",
    );
    expect(mask("total 27.5000 USD on 2026-04-01", "/nowhere")).toBe("total 27.5000 USD on 2026-04-01");
  });
});
