/**
 * Issue 2 acceptance through the real CLI (child processes), on the engine chosen by TEST_DB.
 */
import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../app/domain/money";
import { getReport } from "../../db/queries/report";
import { createCliEnv, type CliEnv } from "../helpers/cli";
import { VENDOR_CROSSWALK as CROSSWALK, VENDOR_EXPORT as EXPORT } from "../helpers/seed";

const HEADER = "period_start,org_id,group,direct_cost,unallocated_share,total_cost";

let tmp: string;
let cli: CliEnv;

async function file(name: string, content: string) {
  const p = path.join(tmp, name);
  await writeFile(p, content);
  return p;
}

const monthly = (cli: CliEnv, ...extra: string[]) =>
  cli.run("report", "--granularity", "monthly", "--from", "2026-01-01", "--to", "2026-12-31", ...extra);

/** Full state to compare before/after a rejected command: the full daily and monthly reports, imports, rows, audit. */
async function fullState(cli: CliEnv) {
  return cli.withDb(async (db) => ({
    monthly: await getReport(db, { granularity: "monthly", from: "2000-01-01", to: "2100-12-31" }),
    daily: await getReport(db, { granularity: "daily", from: "2000-01-01", to: "2100-12-31" }),
    imports: await db.query(`select * from imports order by id`),
    rows: await db.query(`select count(*)::int as n, coalesce(sum(chargeback_cost), 0)::text as t from cost_rows where active`),
    // every entry but the rejected attempts' (a rejected file is audited, as on the upload page; checked below)
    audit: await db.query(`select count(*)::int as n from audit_log where action <> 'ingest_rejected'`),
    rejectedAttempts: await db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'ingest_rejected'`),
    crosswalk: await db.query(`select count(*)::int as n from crosswalk_entries`),
  }));
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-it-"));
  cli = await createCliEnv();
  expect((await cli.run("crosswalk", "import", CROSSWALK)).code).toBe(0);
  const r = await cli.run("ingest", "--org", "org-vendor", "--granularity", "monthly", EXPORT);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await cli?.cleanup();
});

describe("ingest path", () => {
  it("says when a file was checked row by row, and why; a plain file loads silently", async () => {
    const lines = (await readFile(EXPORT, "utf8")).trimEnd().split("\n");
    const quoted = lines.map((l, i) => (i === 0 ? l : l.replace(/^([^,]*),([^,]*),/, '$1,"$2",'))).join("\n") + "\n";
    const own = await createCliEnv(); // its own database: the other tests report every org
    try {
      const r = await own.run("ingest", "--org", "org-quoted", "--granularity", "monthly", await file("quoted.csv", quoted));
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/quoted\.csv: note: checked row by row \(quoted fields\)/);
      expect(r.stdout).toMatch(/import \d+ for org-quoted/);
      const plain = await own.run("ingest", "--org", "org-plain", "--granularity", "monthly", EXPORT);
      expect(plain.code).toBe(0);
      expect(plain.stderr).toBe("");
    } finally {
      await own.cleanup();
    }
  });
});

describe("the vendor's worked example ($33 month plus a $5.50 promotional credit)", () => {
  it("reports each team exactly and sums to the export total to the cent", async () => {
    const r = await monthly(cli);
    expect(r.code).toBe(0);
    // direct: payments 4.60+2.40+0.14375+0.075; search 9.50+6.50+0.296875+0.203125; platform 4+1+1+0.1875; analytics 3+0.09375
    // U = -5.50 spread proportionally (5.5/33 = 1/6): -1.203125, -2.75, -1.03125, -0.515625 → largest remainder at 0.0001:
    // floors -1.2031 -2.7500 -1.0312 -0.5156 (sum -5.4999), the last unit to platform (remainder 0.00005).
    expect(r.stdout.trim().split("\n")).toEqual([
      HEADER,
      "2026-04-01,org-vendor,analytics,3.0938,-0.5156,2.5782",
      "2026-04-01,org-vendor,payments,7.2188,-1.2031,6.0157",
      "2026-04-01,org-vendor,platform,6.1875,-1.0313,5.1562",
      "2026-04-01,org-vendor,search,16.5000,-2.7500,13.7500",
    ]);
    const json = JSON.parse((await monthly(cli, "--format", "json")).stdout) as Array<{
      group: string;
      direct_cost: string;
      unallocated_share: string;
      total_cost: string;
    }>;
    const total = json.reduce((s, r) => s.plus(r.total_cost), new Decimal(0));
    expect(total.toFixed()).toBe("27.5");
    expect(json.find((r) => r.group === "payments")).toMatchObject({
      direct_cost: "7.21875",
      unallocated_share: "-1.2031",
      total_cost: "6.01565",
    });
    expect(json.find((r) => r.group === "analytics")).toMatchObject({
      direct_cost: "3.09375",
      unallocated_share: "-0.5156",
      total_cost: "2.57815",
    });
  });

  it("groups by cost center with pseudo-teams and unassigned", async () => {
    const r = await monthly(cli, "--by", "cost_center");
    expect(r.stdout.trim().split("\n")).toEqual([
      HEADER,
      "2026-04-01,org-vendor,CC-100,7.2188,-1.2031,6.0157",
      "2026-04-01,org-vendor,CC-200,16.5000,-2.7500,13.7500",
      "2026-04-01,org-vendor,CC-300,6.1875,-1.0313,5.1562",
      "2026-04-01,org-vendor,unassigned,3.0938,-0.5156,2.5782",
    ]);
  });

  it("identical bytes are a no-op that says so", async () => {
    const before = await fullState(cli);
    const r = await cli.run("ingest", "--org", "org-vendor", EXPORT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/identical file already ingested as import \d+/);
    expect(await fullState(cli)).toEqual(before);
  });
});

// ------------------------------------------------------------------ validation rejections (docs/export-format.md)

const base = async () => (await readFile(EXPORT, "utf8")).trimEnd().split("\n");
const withLines = async (edit: (lines: string[]) => string[]) => (await edit(await base())).join("\n") + "\n";
const replaceField = (line: string, idx: number, value: string) => {
  const f = line.split(",");
  f[idx] = value;
  return f.join(",");
};

const badFiles: Array<{ rule: string; make: () => Promise<string>; expect: RegExp[] }> = [
  {
    rule: "1. a required column is missing",
    make: () =>
      withLines((l) =>
        l.map((x) =>
          x
            .split(",")
            .filter((_, i) => i !== 9)
            .join(","),
        ),
      ),
    expect: [/usage_share/, /expected/i, /found/i],
  },
  {
    rule: "1. a row without the header's field count",
    make: () => withLines((l) => (l.splice(5, 1, l[5] + ",extra"), l)),
    expect: [/line 6/, /field/i],
  },
  {
    rule: "2. a timestamp that does not parse",
    make: () => withLines((l) => (l.splice(3, 1, replaceField(l[3], 0, "April 1 2026")), l)),
    expect: [/line 4/, /timestamp/, /April 1 2026/],
  },
  {
    rule: "2. a timestamp not at 00:00:00 UTC",
    make: () => withLines((l) => (l.splice(2, 1, replaceField(l[2], 0, "2026-04-01T01:00:00Z")), l)),
    expect: [/line 3/, /timestamp/, /00:00:00/],
  },
  {
    rule: "2. buckets of mixed granularity (a stated monthly file with a mid-month bucket)",
    make: () => withLines((l) => [...l, "2026-04-15,sa-abc,env-xxx,lkc-123,kafka,KafkaStorage,GB-hour,1.00,1.00,1"]),
    expect: [/line 21/, /timestamp/, /2026-04-15/],
  },
  {
    rule: "3. a money field that is not a decimal",
    make: () => withLines((l) => (l.splice(6, 1, replaceField(l[6], 7, "1e3")), l)),
    expect: [/line 7/, /chargeback_cost/, /1e3/],
  },
  {
    rule: "3. usage_share outside [0, 1]",
    make: () => withLines((l) => (l.splice(4, 1, replaceField(l[4], 9, "1.5")), l)),
    expect: [/line 5/, /usage_share/, /1\.5/],
  },
  {
    rule: "4. two unallocated rows in one bucket",
    make: () => withLines((l) => [...l, "2026-04-01T00:00:00Z,unallocated,,,billing,Refund,USD,1.00,1.00,0"]),
    expect: [/line 21/, /owner_id/, /unallocated/],
  },
  {
    rule: "4. unallocated row with chargeback_cost ≠ original_amount",
    make: () => withLines((l) => (l.splice(19, 1, "2026-04-01T00:00:00Z,unallocated,,,billing,PromotionalCredit,USD,-5.50,-6.50,0"), l)),
    expect: [/line 20/, /original_amount|chargeback_cost/],
  },
  {
    rule: "4. unallocated row with usage_share ≠ 0",
    make: () => withLines((l) => (l.splice(19, 1, "2026-04-01T00:00:00Z,unallocated,,,billing,PromotionalCredit,USD,-5.50,-5.50,0.5"), l)),
    expect: [/line 20/, /usage_share/],
  },
  {
    rule: "5. a group whose chargeback_cost does not sum to original_amount (truncated file)",
    make: () => withLines((l) => (l.splice(8, 1), l)), // drop sa-jkl's read row: 9.00 ≠ 15.00
    expect: [/line 8/, /KafkaNetworkRead/, /15/],
  },
  {
    rule: "5. a group whose rows carry different original_amount",
    make: () => withLines((l) => (l.splice(2, 1, replaceField(l[2], 8, "2.50")), l)),
    expect: [/line 3/, /original_amount/, /2\.50?/],
  },
  { rule: "6. an empty file", make: async () => "", expect: [/empty/i] },
  {
    rule: "6. a header and no rows",
    make: async () => "timestamp,owner_id,environment_id,resource_id,product,metric,unit,chargeback_cost,original_amount,usage_share\n",
    expect: [/empty|no data rows|no rows/i],
  },
];

describe("validation: a bad file is rejected whole, exit 1, line and column named, database unchanged", () => {
  it.each(badFiles)("$rule", async ({ make, expect: patterns }) => {
    const before = await fullState(cli);
    const p = await file(`bad-${Math.random().toString(36).slice(2)}.csv`, await make());
    const r = await cli.run("ingest", "--org", "org-vendor", "--granularity", "monthly", p);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rejected, nothing stored/);
    for (const re of patterns) expect(r.stderr).toMatch(re);
    const after = await fullState(cli);
    expect({ ...after, rejectedAttempts: before.rejectedAttempts }).toEqual(before);
    expect(after.rejectedAttempts).toEqual([{ n: before.rejectedAttempts[0]!.n + 1 }]);
  });

  it("lists up to 50 problems, not just the first", async () => {
    const rows = await base();
    const bad = [rows[0], ...Array.from({ length: 60 }, (_, i) => `2026-04-01T00:00:00Z,sa-${i},env-1,lkc-9,kafka,M${i},GB,x${i},1.00,1`)];
    const p = await file("many.csv", bad.join("\n") + "\n");
    const r = await cli.run("ingest", "--org", "org-vendor", p);
    expect(r.code).toBe(1);
    const listed = r.stderr.split("\n").filter((l) => /^\s*line \d+/.test(l));
    expect(listed.length).toBe(50);
    expect(r.stderr).toMatch(/and \d+ more/);
  });

  it("--allow-unbalanced loads a file failing only rule 5, with a warning per group", async () => {
    const p = await file("unbalanced.csv", await withLines((l) => (l.splice(8, 1), l)));
    const r = await cli.run("ingest", "--org", "org-unbal", "--granularity", "monthly", "--allow-unbalanced", p);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*KafkaNetworkRead/);
    const w = await cli.withDb((db) => db.query<{ warnings: string[] }>(`select warnings from imports where org_id = 'org-unbal'`));
    expect(w[0].warnings.some((x) => /KafkaNetworkRead/.test(x))).toBe(true);
  });

  it("usage errors exit 2", async () => {
    expect((await cli.run("ingest", EXPORT)).code).toBe(2);
    expect((await cli.run("ingest", "--org", "o", "--granularity", "hourly", EXPORT)).code).toBe(2);
    expect((await cli.run("report", "--granularity", "monthly", "--from", "2026-13-01", "--to", "2026-12-31")).code).toBe(2);
  });
});

// ------------------------------------------------------------------ restatements and effective dating

function dailyFile(from: number, to: number, amount: (day: number) => string, owner = "sa-mover", credit = "-0.10") {
  const lines = ["timestamp,owner_id,environment_id,resource_id,product,metric,unit,chargeback_cost,original_amount,usage_share"];
  for (let d = from; d <= to; d++) {
    const ts = `2026-04-${String(d).padStart(2, "0")}`;
    lines.push(`${ts},${owner},env-1,lkc-1,kafka,KafkaNetworkRead,GB,${amount(d)},${amount(d)},1`);
    lines.push(`${ts},sa-other,env-1,lkc-1,kafka,KafkaStorage,GB-hour,2.00,2.00,1`);
    lines.push(`${ts},unallocated,,,billing,PromotionalCredit,USD,${credit},${credit},0`);
  }
  return lines.join("\n") + "\n";
}

/** Writes a crosswalk CSV to a temp file and imports it with the CLI. */
const crosswalkImport = async (name: string, csv: string) => cli.run("crosswalk", "import", await file(name, csv));
/** Writes `dailyFile(from, to, () => amount)` to a temp file and ingests it into `org` with the CLI. */
const ingestDaily = async (org: string, name: string, from: number, to: number, amount: string) => {
  const text = dailyFile(from, to, () => amount);
  return cli.run("ingest", "--org", org, await file(name, text));
};
/** The stdout of `report` over [from, to] for one org. */
const report = async (org: string, granularity: string, from: string, to: string, ...extra: string[]) =>
  (await cli.run("report", "--granularity", granularity, "--from", from, "--to", to, "--org", org, ...extra)).stdout;

describe("effective-dated crosswalk: an owner moving team mid-month", () => {
  it("splits daily and monthly reports at the move date", async () => {
    const cw = await crosswalkImport(
      "move.csv",
      "org_id,owner_id,team,valid_from,valid_to\norg-move,sa-mover,alpha,2026-01-01,2026-04-16\norg-move,sa-mover,beta,2026-04-16,\norg-move,sa-other,gamma,2026-01-01,\n",
    );
    expect(cw.code).toBe(0);
    expect((await ingestDaily("org-move", "move-daily.csv", 1, 30, "1.00")).code).toBe(0);

    const daily = (await report("org-move", "daily", "2026-04-15", "2026-04-16")).trim().split("\n");
    // per day: alpha/beta 1.00 direct, gamma 2.00; credit -0.10 split 1:2 → -0.0333/-0.0667 (largest remainder → gamma)
    expect(daily).toEqual([
      HEADER,
      "2026-04-15,org-move,alpha,1.0000,-0.0333,0.9667",
      "2026-04-15,org-move,gamma,2.0000,-0.0667,1.9333",
      "2026-04-16,org-move,beta,1.0000,-0.0333,0.9667",
      "2026-04-16,org-move,gamma,2.0000,-0.0667,1.9333",
    ]);
    const month = (await report("org-move", "monthly", "2026-04-01", "2026-04-30")).trim().split("\n");
    expect(month).toEqual([
      HEADER,
      "2026-04-01,org-move,alpha,15.0000,-0.4995,14.5005",
      "2026-04-01,org-move,beta,15.0000,-0.4995,14.5005",
      "2026-04-01,org-move,gamma,60.0000,-2.0010,57.9990",
    ]);
  });
});

describe("restatement: re-ingesting a period replaces it", () => {
  it("replaces the covered range, keeps the superseded import listed, and the report follows", async () => {
    const cw = await crosswalkImport(
      "rs.csv",
      "org_id,owner_id,team,valid_from,valid_to\norg-rs,sa-mover,alpha,2026-01-01,\norg-rs,sa-other,gamma,2026-01-01,\n",
    );
    expect(cw.code).toBe(0);
    expect((await ingestDaily("org-rs", "rs-1.csv", 1, 30, "1.00")).code).toBe(0);
    // a partial restatement of 10..20 (higher usage), then a full-month rerun
    const r2 = await ingestDaily("org-rs", "rs-2.csv", 10, 20, "3.00");
    expect(r2.code).toBe(0);
    expect(r2.stdout).toMatch(/replaced 33 rows/);
    const m = () => report("org-rs", "monthly", "2026-04-01", "2026-04-30", "--format", "json");
    const afterPartial = JSON.parse(await m()) as Array<{ group: string; direct_cost: string }>;
    expect(afterPartial.find((r) => r.group === "alpha")!.direct_cost).toBe("52"); // 19 × 1 + 11 × 3
    const r3 = await ingestDaily("org-rs", "rs-3.csv", 1, 30, "2.00");
    expect(r3.code).toBe(0);
    expect(r3.stdout).toMatch(/superseded import\(s\)/);
    const afterFull = JSON.parse(await m()) as Array<{ group: string; direct_cost: string }>;
    expect(afterFull.find((r) => r.group === "alpha")!.direct_cost).toBe("60");
    const imports = await cli.withDb((db) =>
      db.query<{ status: string; superseded_by: number | null }>(
        `select status, superseded_by from imports where org_id = 'org-rs' order by id`,
      ),
    );
    expect(imports.map((i) => i.status)).toEqual(["superseded", "superseded", "active"]);
    const rows = await cli.withDb((db) =>
      db.query<{ active: boolean; n: number }>(
        `select active, count(*)::int as n from cost_rows where org_id = 'org-rs' group by active order by active`,
      ),
    );
    expect(rows).toEqual([
      { active: false, n: 90 + 33 },
      { active: true, n: 90 },
    ]); // superseded rows are kept
    const rest = await cli.withDb((db) =>
      db.query<{ deltas: { deltas: Array<{ team: string; delta: string }> } }>(
        `select deltas from restatements where org_id = 'org-rs' order by id`,
      ),
    );
    expect(rest[0].deltas.deltas.find((d) => d.team === "alpha")!.delta).toMatch(/^21\.\d+|^21$/); // alpha direct +22, less its share of credit change
  });
});
