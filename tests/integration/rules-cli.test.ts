/**
 * The mapping rules and the dry runs on the command line (docs/crosswalk.md "Command line"),
 * through the real CLI on the engine of TEST_DB:
 * - `crosswalk rules import [--replace] [--dry-run] FILE.json|FILE.csv`: merge by name, --replace, a
 *   refused file with every problem located and nothing changed, `rules export [--format csv]` round-trip;
 * - `--dry-run` (rules and crosswalk CSV): the per-team deltas on stdout, nothing changed, and
 *   the deltas are the real ones (the real import afterwards changes the totals by exactly them),
 *   closed months listed as untouched;
 * - `report --explain`: `mapped_by` last, rows per (period, org, group, mapped_by) adding up
 *   exactly to the plain report, rule-mapped owners labelled `rule "<name>" (#n)`.
 * One database for the file: the steps run in order, each on what the previous left.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEngine } from "../helpers/db";
import { dec, fmt4, ZERO, type Decimal } from "../../app/domain/money";
import { readCsvRecords } from "../../app/services/csv";
import { exportRules } from "../../app/services/mapping";
import { getReport } from "../../db/queries/report";
import { useCliEnv } from "../helpers/cli";
import { seedVendorExample } from "../helpers/seed";

const cli = useCliEnv();
let tmp: string;

const RANGE = ["--granularity", "monthly", "--from", "2026-03-01", "--to", "2026-04-01"];
const DELTAS_HEADER = "month,org_id,team,before,after,delta";

const JKL_TO_SEARCH = { org_id: "org-vendor", name: "jkl to search", when: { owner_id: "sa-jkl" }, then: { team: "search" } };
const ENVIRONMENTS = {
  org_id: null,
  name: "environments",
  when: { owner_id_prefix: "env-" },
  then: { split: { analytics: "60", platform: "40" } },
};

async function file(name: string, content: unknown): Promise<string> {
  const p = path.join(tmp, name);
  await writeFile(p, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return p;
}

async function ok(script: string, ...args: string[]) {
  const r = await cli.run(script, ...args);
  expect(r.code, `${script} ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r;
}

/** Everything an import could change: rules, entries, teams, segments, stored results, restatements, the audit log. */
const fingerprint = () =>
  cli.withDb(async (db) => {
    const [row] = await db.query<Record<string, string>>(
      `select (select count(*) from audit_log)::text as audit,
              (select count(*) from restatements)::text as restatements,
              (select coalesce(string_agg(name, ',' order by position), '') from crosswalk_rules) as rules,
              (select count(*) from crosswalk_entries)::text as entries,
              (select coalesce(string_agg(name, ',' order by name), '') from teams) as teams,
              (select coalesce(string_agg(owner_id || ':' || team || ':' || pct::text || ':' || mapped_by, ','
                                          order by owner_id, team, mapped_by), '') from mapping_segments) as segments,
              (select coalesce(string_agg(org_id || ':' || granularity || ':' || bucket_start::text || ':' || team || ':' || total::text, ','
                                          order by org_id, granularity, bucket_start, team), '') from allocation_results) as results`,
    );
    return row;
  });

/** Total per (month, org, team) of the plain report over March–April (the months a preview compares). */
const teamTotals = () =>
  cli.withDb(async (db) => {
    const rows = await getReport(db, { granularity: "monthly", from: "2026-03-01", to: "2026-04-01", by: "team" });
    return new Map(rows.map((r) => [`${r.periodStart.slice(0, 7)},${r.orgId},${r.group}`, dec(r.total)]));
  });

interface DryRun {
  summary: string;
  deltas: Array<{ key: string; before: Decimal; after: Decimal; delta: Decimal }>;
  closed: string[];
}

function parseDryRun(stdout: string): DryRun {
  const lines = stdout.split("\n").filter((l) => l !== "");
  const at = lines.indexOf(DELTAS_HEADER);
  expect(at, stdout).toBe(1);
  const closed = lines.filter((l) => l.startsWith("closed_month_untouched="));
  const table = lines.slice(at, lines.length - closed.length);
  const rows = readCsvRecords(table.join("\n") + "\n").rows.map((r) => r.fields);
  return {
    summary: lines[0],
    deltas: rows.map(([month, org, team, before, after, delta]) => ({
      key: `${month},${org},${team}`,
      before: dec(before),
      after: dec(after),
      delta: dec(delta),
    })),
    closed: closed.map((l) => l.slice("closed_month_untouched=".length)),
  };
}

/** The previewed deltas are the real ones: totals before → after of every team that moved, and no other. */
function expectDeltas(preview: DryRun, before: Map<string, Decimal>, after: Map<string, Decimal>) {
  const real = new Map<string, Decimal>();
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const d = (after.get(k) ?? ZERO).minus(before.get(k) ?? ZERO);
    if (!d.isZero()) real.set(k, d);
  }
  expect(real.size).toBeGreaterThan(0);
  expect(preview.deltas.map((d) => d.key).sort()).toEqual([...real.keys()].sort());
  for (const d of preview.deltas) {
    expect(d.delta.eq(real.get(d.key)!), `${d.key}: ${d.delta} vs ${real.get(d.key)}`).toBe(true);
    expect(d.before.eq(before.get(d.key) ?? ZERO), d.key).toBe(true);
    expect(d.after.eq(after.get(d.key) ?? ZERO), d.key).toBe(true);
    expect(d.after.minus(d.before).eq(d.delta)).toBe(true);
  }
}

interface ExplainJson {
  period_start: string;
  org_id: string;
  group: string;
  direct_cost: string;
  unallocated_share: string;
  total_cost: string;
  mapped_by: string;
}

/**
 * `report --explain` against the plain report of the same arguments: JSON exactly (Σ over
 * mapped_by = the report's row, the same (period, org, group) set); with `csv`, also the CSV:
 * `mapped_by` last and its exact rows adding up to the plain CSV's 4-decimal figures.
 */
async function explainedReport(args: string[], opts: { csv?: boolean } = {}): Promise<ExplainJson[]> {
  const plain = JSON.parse((await ok("report", ...args, "--format", "json")).stdout) as Array<Omit<ExplainJson, "mapped_by">>;
  const explained = JSON.parse((await ok("report", ...args, "--format", "json", "--explain")).stdout) as ExplainJson[];
  expect(plain.length).toBeGreaterThan(0);
  const key = (r: { period_start: string; org_id: string; group: string }) => `${r.period_start},${r.org_id},${r.group}`;
  const sums = new Map<string, [Decimal, Decimal, Decimal]>();
  const seen = new Set<string>();
  for (const r of explained) {
    expect(Object.keys(r).at(-1)).toBe("mapped_by");
    expect(seen.has(`${key(r)},${r.mapped_by}`), `one row per (period, org, group, mapped_by): ${key(r)} ${r.mapped_by}`).toBe(false);
    seen.add(`${key(r)},${r.mapped_by}`);
    expect(dec(r.direct_cost).plus(dec(r.unallocated_share)).eq(dec(r.total_cost))).toBe(true);
    const s = sums.get(key(r)) ?? [ZERO, ZERO, ZERO];
    sums.set(key(r), [s[0].plus(dec(r.direct_cost)), s[1].plus(dec(r.unallocated_share)), s[2].plus(dec(r.total_cost))]);
  }
  expect([...sums.keys()].sort()).toEqual(plain.map(key).sort());
  for (const p of plain) {
    const [d, s, t] = sums.get(key(p))!;
    expect([d.toFixed(), s.toFixed(), t.toFixed()], key(p)).toEqual([
      dec(p.direct_cost).toFixed(),
      dec(p.unallocated_share).toFixed(),
      dec(p.total_cost).toFixed(),
    ]);
  }

  if (!opts.csv) return explained;
  const plainCsv = readCsvRecords((await ok("report", ...args)).stdout);
  const explainCsv = readCsvRecords((await ok("report", ...args, "--explain")).stdout);
  expect(explainCsv.header).toEqual([...plainCsv.header, "mapped_by"]);
  expect(explainCsv.rows).toHaveLength(explained.length);
  const csvSums = new Map<string, Decimal[]>();
  for (const { fields } of explainCsv.rows) {
    const k = fields.slice(0, 3).join(",");
    const s = csvSums.get(k) ?? [ZERO, ZERO, ZERO];
    csvSums.set(
      k,
      s.map((v, i) => v.plus(dec(fields[3 + i]))),
    );
  }
  for (const { fields } of plainCsv.rows)
    expect(csvSums.get(fields.slice(0, 3).join(","))!.map(fmt4), fields.join(",")).toEqual(fields.slice(3));
  return explained;
}

beforeAll(async () => {
  if (testEngine() !== "pg") return;
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-rules-cli-"));
  // the vendor's example with two owners left unmapped: sa-jkl and env-xxx
  await cli.withDb((db) => seedVendorExample(db, { except: ["sa-jkl", "env-xxx"] }));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** every step runs several CLI processes (each opens and migrates the database) */
const SLOW = { timeout: 150_000 };

// The CLIs are thin adapters over services that the other suites test on both engines; each
// step here spawns processes (about 6 s each on the embedded engine), so they run on PostgreSQL.
const onPg = testEngine() === "pg";

describe.runIf(onPg)("crosswalk rules import / export", SLOW, () => {
  it("refuses a file with errors whole: every problem located, exit 1, nothing changed", async () => {
    const before = await fingerprint();
    const bad = await file("bad.json", [
      JKL_TO_SEARCH,
      { org_id: "org-vendor", name: "bad regex", when: { owner_name: { regex: "(unclosed" } }, then: { team: "search" } },
      { ...ENVIRONMENTS, then: { split: { analytics: 60, platform: "40" } } },
    ]);
    for (const dry of [[], ["--dry-run"]]) {
      const r = await cli.run("crosswalk", "rules", "import", ...dry, bad);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/bad\.json: rejected, nothing changed\. 2 problem\(s\):\n/);
      expect(r.stderr).toMatch(/^\[1\]\.when\.owner_name\.regex: /m);
      expect(r.stderr).toMatch(/^\[2\]\.then\.split\.analytics: /m);
    }
    const notJson = await cli.run("crosswalk", "rules", "import", await file("not.json", "[{"));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/not valid JSON/);
    expect(await fingerprint()).toEqual(before);
    expect((await ok("crosswalk", "rules", "export")).stdout).toBe("[]\n");
    // usage: exit 2
    expect((await cli.run("crosswalk", "rules", "import")).code).toBe(2);
    expect((await cli.run("crosswalk", "rules", "frobnicate")).code).toBe(2);
  });

  it("--dry-run prints the summary and the per-team deltas and changes nothing; the real import moves the totals by exactly those deltas", async () => {
    const rules = await file("rules.json", [JKL_TO_SEARCH, ENVIRONMENTS]);
    const before = await fingerprint();
    const totals0 = await teamTotals();

    const dry = await ok("crosswalk", "rules", "import", "--dry-run", rules);
    const preview = parseDryRun(dry.stdout);
    expect(preview.summary).toBe(`${rules}: dry run, nothing changed: 2 added, 0 updated, 0 unchanged, 0 removed`);
    expect(preview.closed).toEqual([]);
    expect(dry.stderr).toMatch(/compared for 2026-03 and 2026-04/);
    expect(await fingerprint()).toEqual(before);
    expect(await teamTotals()).toEqual(totals0);

    const real = await ok("crosswalk", "rules", "import", rules);
    expect(real.stdout).toBe(`${rules}: 2 added, 0 updated, 0 unchanged, 0 removed\n`);
    expectDeltas(preview, totals0, await teamTotals());
    // the unmapped owners went to their teams: unmapped is gone, search took sa-jkl
    expect(preview.deltas.find((d) => d.key === "2026-04,org-vendor,unmapped")!.after.isZero()).toBe(true);
    expect(preview.deltas.find((d) => d.key === "2026-04,org-vendor,search")!.delta.gt(0)).toBe(true);
    expect((await fingerprint()).rules).toBe("jkl to search,environments");
  });

  it("report --explain: mapped_by last, Σ over mapped_by = the plain report exactly; rule-mapped owners labelled", async () => {
    const rows = await explainedReport(RANGE, { csv: true });
    const search = rows.filter((r) => r.group === "search");
    expect(search.map((r) => r.mapped_by).sort()).toEqual(["entry #3", 'rule "jkl to search" (#1)'].sort());
    // sa-jkl's April rows: 0.50 + 6.00 + 0.203125
    expect(search.find((r) => r.mapped_by === 'rule "jkl to search" (#1)')!.direct_cost).toBe("6.703125");
    const analytics = rows.filter((r) => r.group === "analytics");
    expect(analytics.map((r) => r.mapped_by)).toEqual(['split 60 % of rule "environments" (#2)']);
    expect(rows.some((r) => r.group === "platform" && r.mapped_by === 'split 40 % of rule "environments" (#2)')).toBe(true);
    expect(rows.some((r) => r.mapped_by === "unmapped")).toBe(false);

    const cc = await explainedReport([...RANGE, "--by", "cost_center"], { csv: true });
    expect(cc.some((r) => r.group === "CC-200" && r.mapped_by === 'rule "jkl to search" (#1)')).toBe(true);
    expect(cc.some((r) => r.group === "unassigned" && r.mapped_by === 'split 60 % of rule "environments" (#2)')).toBe(true);
  });

  it("merges by name: a rule of the file replaces the stored one of that name in place, new ones are appended", async () => {
    const merge = await file("merge.json", [
      { org_id: "org-vendor", name: "pools", when: { owner_kind: "identity_pool" }, then: { team: "platform" } },
      { ...JKL_TO_SEARCH, then: { team: "payments" } },
    ]);
    const before = await fingerprint();
    const r = await ok("crosswalk", "rules", "import", merge);
    expect(r.stdout).toBe(`${merge}: 1 added, 1 updated, 0 unchanged, 0 removed\n`);
    const exported = JSON.parse((await ok("crosswalk", "rules", "export")).stdout);
    expect(exported.map((x: { name: string }) => x.name)).toEqual(["jkl to search", "environments", "pools"]);
    expect(exported[0].then).toEqual({ team: "payments" });
    expect(Number((await fingerprint()).audit)).toBe(Number(before.audit) + 1);
    // and it took effect: sa-jkl's cost is payments' now
    const rows = await explainedReport(RANGE);
    expect(rows.find((x) => x.group === "payments" && x.mapped_by === 'rule "jkl to search" (#1)')!.direct_cost).toBe("6.703125");
    expect(rows.some((x) => x.mapped_by.includes("jkl") && x.group === "search")).toBe(false);
  });

  it("--replace leaves exactly the file's rules, in its order", async () => {
    const replace = await file("replace.json", [ENVIRONMENTS, JKL_TO_SEARCH]);
    const r = await ok("crosswalk", "rules", "import", "--replace", replace);
    expect(r.stdout).toBe(`${replace}: 0 added, 1 updated, 1 unchanged, 1 removed\n`);
    const exported = (await ok("crosswalk", "rules", "export")).stdout;
    expect(JSON.parse(exported).map((x: { name: string }) => x.name)).toEqual(["environments", "jkl to search"]);
    const rows = await explainedReport(RANGE);
    expect(rows.find((x) => x.mapped_by === 'rule "jkl to search" (#2)')!.group).toBe("search");
  });

  it("export round-trip: importing the export again changes nothing; --org keeps that org's and the all-org rules", async () => {
    const exported = (await ok("crosswalk", "rules", "export")).stdout;
    const again = await file("export.json", exported);
    const before = await fingerprint();
    for (const flags of [[], ["--replace"]]) {
      const r = await ok("crosswalk", "rules", "import", ...flags, again);
      expect(r.stdout).toBe(`${again}: 0 added, 0 updated, 2 unchanged, 0 removed\n`);
      const dry = parseDryRun((await ok("crosswalk", "rules", "import", "--dry-run", ...flags, again)).stdout);
      expect(dry.deltas).toEqual([]);
    }
    expect(await fingerprint()).toEqual(before);
    expect((await ok("crosswalk", "rules", "export")).stdout).toBe(exported);
    expect((await ok("crosswalk", "rules", "export", "--org", "org-vendor")).stdout).toBe(exported);
    const other = JSON.parse((await ok("crosswalk", "rules", "export", "--org", "org-other")).stdout);
    expect(other.map((x: { name: string }) => x.name)).toEqual(["environments"]);
  });

  it("rules CSV: export --format csv, import it back: nothing changed; a bad line is refused with its line and column", async () => {
    const json = await cli.withDb((db) => exportRules(db));
    const csv = (await ok("crosswalk", "rules", "export", "--format", "csv")).stdout;
    const recs = readCsvRecords(csv);
    expect(recs.header.join(",")).toBe(
      "position,org_id,name,owner_id,owner_id_prefix,owner_name_op,owner_name_value,owner_name_case_sensitive,owner_kind,environment_id,resource_id,product,team,split,valid_from,valid_to",
    );
    expect(recs.rows.map((r) => [r.fields[0], r.fields[1], r.fields[2]])).toEqual([
      ["1", "", "environments"],
      ["2", "org-vendor", "jkl to search"],
    ]);
    expect(recs.rows[0].fields[recs.header.indexOf("split")]).toBe("analytics:60;platform:40");

    const again = await file("export.csv", csv);
    const before = await fingerprint();
    const r = await ok("crosswalk", "rules", "import", "--replace", again);
    expect(r.stdout).toBe(`${again}: 0 added, 0 updated, 2 unchanged, 0 removed\n`);
    expect(await fingerprint()).toEqual(before);

    // the same file with a third rule whose regex is invalid (line 4): refused whole, nothing changed
    const bad = await file("bad.csv", `${csv}3,org-vendor,bad regex,,,regex,(unclosed,,,,,,search,,,\n`);
    const refused = await cli.run("crosswalk", "rules", "import", bad);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/bad\.csv: rejected, nothing changed\. 1 problem\(s\):\n/);
    expect(refused.stderr).toMatch(/^line 4, column "owner_name_value": value "\(unclosed" is refused: owner_name\.regex /m);
    expect(await fingerprint()).toEqual(before);
    expect(await cli.withDb((db) => exportRules(db))).toBe(json);
    expect((await cli.run("crosswalk", "rules", "export", "--format", "xml")).code).toBe(2);
  });

  it("report --explain: a share without direct cost (shared:<team>) is the policy's", async () => {
    await ok("teams", "import", await file("teams.csv", "team,cost_center\nfinance,CC-900\n"));
    await ok("orgs", "set", "--org", "org-vendor", "--policy", "shared:finance");
    const rows = await explainedReport(RANGE);
    expect(rows.filter((r) => r.group === "finance")).toEqual([
      {
        period_start: "2026-04-01",
        org_id: "org-vendor",
        group: "finance",
        direct_cost: "0",
        unallocated_share: "-5.5",
        total_cost: "-5.5",
        mapped_by: "policy",
      },
    ]);
    await ok("orgs", "set", "--org", "org-vendor", "--policy", "none");
    const none = await explainedReport(RANGE);
    expect(none.filter((r) => r.group === "unallocated").map((r) => [r.mapped_by, r.total_cost])).toEqual([["unallocated", "-5.5"]]);
    await ok("orgs", "set", "--org", "org-vendor", "--policy", "proportional");
  });
});

describe.runIf(onPg)("crosswalk import --dry-run (the CSV)", SLOW, () => {
  it("prints the per-team deltas and changes nothing; the real import gives exactly them", async () => {
    // an entry beats the rule: sa-jkl from search (rule) to payments
    const csv = await file("cw.csv", "org_id,owner_id,team,valid_from,valid_to\norg-vendor,sa-jkl,payments,2026-01-01,\n");
    const before = await fingerprint();
    const totals0 = await teamTotals();
    const dry = await ok("crosswalk", "import", "--dry-run", csv);
    const preview = parseDryRun(dry.stdout);
    expect(preview.summary).toBe(`${csv}: dry run, nothing changed: 1 added, 0 unchanged, 0 removed`);
    expect(preview.deltas.map((d) => d.key).sort()).toEqual(["2026-04,org-vendor,payments", "2026-04,org-vendor,search"]);
    expect(await fingerprint()).toEqual(before);

    const real = await ok("crosswalk", "import", csv);
    expect(real.stdout).toBe(`${csv}: 1 added, 0 unchanged, 0 removed\n`);
    expectDeltas(preview, totals0, await teamTotals());
    const rows = await explainedReport(RANGE);
    expect(rows.some((r) => r.mapped_by.includes("jkl"))).toBe(false);
    expect(rows.filter((r) => r.group === "payments").map((r) => r.mapped_by)).toEqual([
      "entry #1",
      "entry #2",
      expect.stringMatching(/^entry #\d+$/),
    ]);
  });

  it("a conflicting file is refused (exit 1) in a dry run too, nothing changed", async () => {
    const csv = await file("conflict.csv", "org_id,owner_id,team,valid_from,valid_to\norg-vendor,sa-jkl,search,2026-02-01,\n");
    const before = await fingerprint();
    const r = await cli.run("crosswalk", "import", "--dry-run", csv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rejected, nothing changed/);
    expect(r.stdout).toBe("");
    expect(await fingerprint()).toEqual(before);
  });

  it("a closed month is listed as untouched, not as deltas; --explain still adds up exactly (frozen figures)", async () => {
    await ok("reconcile", "--month", "2026-04", "--org", "org-vendor", "--close", "--reason", "rules-cli test");
    const csv = await file("cw-closed.csv", "org_id,owner_id,team,valid_from,valid_to\norg-vendor,env-xxx,payments,2026-01-01,\n");
    const before = await fingerprint();
    const totals0 = await teamTotals();
    const preview = parseDryRun((await ok("crosswalk", "import", "--dry-run", csv)).stdout);
    expect(preview.deltas).toEqual([]);
    expect(preview.closed).toEqual(["org-vendor:2026-04"]);
    expect(await fingerprint()).toEqual(before);

    const rules = await file("rules-closed.json", [{ ...ENVIRONMENTS, then: { team: "search" } }]);
    const dryRules = parseDryRun((await ok("crosswalk", "rules", "import", "--dry-run", rules)).stdout);
    expect(dryRules.summary).toBe(`${rules}: dry run, nothing changed: 0 added, 1 updated, 0 unchanged, 0 removed`);
    expect(dryRules.closed).toEqual(["org-vendor:2026-04"]);
    expect(await fingerprint()).toEqual(before);

    await ok("crosswalk", "import", csv);
    const after = await fingerprint();
    expect(Number(after.restatements)).toBe(Number(before.restatements) + 1);
    expect(await teamTotals()).toEqual(totals0);
    const rows = await explainedReport(RANGE);
    expect(rows.some((r) => r.mapped_by === "frozen")).toBe(true);
  });
});
