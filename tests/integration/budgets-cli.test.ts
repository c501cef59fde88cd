/**
 * `npm run budgets` (issue 16 Contract) through the real CLI on the engine of TEST_DB:
 * `import FILE.csv` with the header `scope,name,amount,from_month[,org_id]`, all-or-nothing (a
 * bad file lists every problem by line, column, value and rule and changes nothing), `--dry-run`,
 * re-import replaces amounts, `list` round-trips, `set` and `delete`; every change audited.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { dec } from "../../app/domain/money";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCrosswalk } from "../../app/services/crosswalk";
import { listAudit } from "../../db/queries/audit";
import { listBudgets } from "../../db/queries/budgets";
import { useCliEnv } from "../helpers/cli";

const cli = useCliEnv();
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "showback-budgets-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function file(name: string, text: string) {
  const p = path.join(tmp, name);
  await writeFile(p, text);
  return p;
}

const stored = () =>
  cli.withDb(async (db) => (await listBudgets(db)).map((b) => [b.scope, b.name, b.org_id, b.from_month, dec(b.amount).toFixed(2)]));

describe("npm run budgets", () => {
  it("imports all-or-nothing, re-imports, lists, sets and deletes, audited", async () => {
    await cli.withDb(async (db) => {
      await importCrosswalk(
        db,
        "seed",
        [
          { orgId: "org-a", ownerId: "sa-1", team: "payments", validFrom: "2026-01-01", validTo: null, costCenter: "CC-100" },
          { orgId: "org-a", ownerId: "sa-2", team: "search", validFrom: "2026-01-01", validTo: null, costCenter: "CC-200" },
        ],
        "merge",
      );
      await db.query(`insert into organizations (org_id) values ('org-a') on conflict do nothing`);
    });

    // a bad file: every problem, nothing stored
    const bad = await file(
      "bad.csv",
      [
        "scope,name,amount,from_month,org_id",
        "team,payments,1200.00,2026-05,",
        "squad,payments,10,2026-05,", // scope
        "team,paymnets,10,2026-05,", // unknown team
        "team,search,-5,2026-05,", // negative
        "team,search,1e3,2026-05,", // exponent
        "team,search,10,2026-13,", // month
        "cost_center,CC-100,10,2026-05,org-zz", // unknown org
        "team,payments,99,2026-05,", // duplicate of line 2
      ].join("\n"),
    );
    const r = await cli.run("budgets", "import", bad);
    expect(r.code).toBe(1);
    for (const [line, col] of [
      [3, "scope"],
      [4, "name"],
      [5, "amount"],
      [6, "amount"],
      [7, "from_month"],
      [8, "org_id"],
      [9, "from_month"],
    ] as const) {
      expect(r.stderr, `line ${line}`).toMatch(new RegExp(`line ${line}\\b[^\\n]*${col}`));
    }
    expect(r.stderr).toContain("nothing was imported");
    expect(await stored()).toEqual([]);

    // a good file; --dry-run first
    const good = await file(
      "good.csv",
      [
        "scope,name,amount,from_month,org_id",
        "team,payments,1200.00,2026-05,",
        "team,payments,300,2026-05,org-a",
        "cost_center,CC-200,5000.5,2026-01,",
      ].join("\n"),
    );
    const dry = await cli.run("budgets", "import", "--dry-run", good);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("dry run, nothing changed: 3 added, 0 updated, 0 unchanged");
    expect(await stored()).toEqual([]);
    const imp = await cli.run("budgets", "import", good);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toContain("imported: 3 added, 0 updated, 0 unchanged");
    expect(await stored()).toEqual([
      ["cost_center", "CC-200", null, "2026-01", "5000.50"],
      ["team", "payments", null, "2026-05", "1200.00"],
      ["team", "payments", "org-a", "2026-05", "300.00"],
    ]);

    // list round-trips: importing it changes nothing
    const list = await cli.run("budgets", "list");
    expect(list.stdout.split(/\r?\n/)[0]).toBe("scope,name,amount,from_month,org_id");
    const again = await cli.run("budgets", "import", await file("list.csv", list.stdout));
    expect(again.stdout).toContain("0 added, 0 updated, 3 unchanged");

    // a changed amount replaces; a later month adds a row
    const next = await file("next.csv", "scope,name,amount,from_month\nteam,payments,1500,2026-05\nteam,payments,900,2026-08\n");
    expect((await cli.run("budgets", "import", next)).stdout).toContain("1 added, 1 updated, 0 unchanged");

    const set = await cli.run("budgets", "set", "--team", "search", "--amount", "250", "--from", "2026-06");
    expect(set.code, set.stderr).toBe(0);
    expect((await cli.run("budgets", "set", "--team", "nope", "--amount", "1", "--from", "2026-06")).code).toBe(1);
    expect((await cli.run("budgets", "set", "--team", "search", "--cost-center", "CC-1", "--amount", "1", "--from", "2026-06")).code).toBe(
      2,
    );

    const audit = await cli.withDb((db) => listAudit(db, { entity: "budget", limit: 100 }));
    expect(audit.filter((a) => a.action === "create")).toHaveLength(5);
    expect(audit.filter((a) => a.action === "update")).toHaveLength(1);
    const id = await cli.withDb(async (db) => (await listBudgets(db, { scope: "team", name: "search" }))[0]!.id);
    expect((await cli.run("budgets", "delete", "--id", String(id))).code).toBe(0);
    expect((await cli.run("budgets", "delete", "--id", String(id))).code).toBe(1);
    expect((await stored()).some((b) => b[1] === "search")).toBe(false);
  });
});
