/**
 * Seed for the dashboard tests (integration + browser): the vendor's worked example
 * (org-vendor, monthly April 2026, known figures) and a generated org (org-gen) with
 * daily March–April 2026 AND a monthly April import (the report must not double count),
 * some owners left unmapped, display names, teams named like spreadsheet formulas, and
 * a closed month.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import type { Db } from "../../db/client";
import { importCrosswalk, importOwnerNames, type ImportEntry } from "../../app/services/crosswalk";
import { ingestFile } from "../../app/services/ingest";
import { describeOwners, EXPORT_HEADER, generateExportRecords } from "../../scripts/lib/generator";
import { seedVendorExample } from "../helpers/seed";

export const FORMULA_TEAMS = ['=HYPERLINK("http://evil.test","x")', "-bad", "@x"];

async function writeGenerated(dir: string, name: string, granularity: "daily" | "monthly", from: string, to: string) {
  const recs = [...generateExportRecords({ org: "org-gen", granularity, from, to, principals: 10, clusters: 2, seed: 7 })];
  const file = path.join(dir, name);
  await writeFile(file, stringify([EXPORT_HEADER, ...recs]));
  return file;
}

export async function seedDashboard(db: Db): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "showback-dash-"));
  const actor = "seed";
  // org-vendor: the worked example, with its notes
  await seedVendorExample(db, { notes: true });

  // org-gen: daily March–April and a monthly April
  for (const [name, g, from, to] of [
    ["gen-daily.csv", "daily", "2026-03-01", "2026-04-30"],
    ["gen-monthly.csv", "monthly", "2026-04-01", "2026-04-30"],
  ] as const) {
    const r = await ingestFile(db, {
      orgId: "org-gen",
      filePath: await writeGenerated(tmp, name, g, from, to),
      granularity: g,
      actor,
      allowUnbalanced: true,
    });
    if (r.status !== "imported") throw new Error(`gen ingest ${name}: ${JSON.stringify(r).slice(0, 2000)}`);
  }
  const owners = describeOwners({ org: "org-gen", principals: 10, clusters: 2, seed: 7 });
  const entries: ImportEntry[] = [];
  owners.forEach((o, i) => {
    if (i % 5 === 4) return; // leave some owners unmapped
    const team = i < 3 ? FORMULA_TEAMS[i]! : o.suggestedTeam;
    const cc = i < 3 ? null : team === "platform" ? "CC-300" : team === "data-platform" ? "CC-400" : "CC-500";
    // one owner moves team mid-April (effective dating)
    if (i === 3) {
      entries.push({ orgId: "org-gen", ownerId: o.ownerId, team, validFrom: "2026-01-01", validTo: "2026-04-15", costCenter: cc });
      entries.push({
        orgId: "org-gen",
        ownerId: o.ownerId,
        team: "payments",
        validFrom: "2026-04-15",
        validTo: null,
        costCenter: "CC-100",
      });
      return;
    }
    entries.push({ orgId: "org-gen", ownerId: o.ownerId, team, validFrom: "2026-01-01", validTo: null, costCenter: cc });
  });
  await importCrosswalk(db, actor, entries, "merge");
  await importOwnerNames(
    db,
    actor,
    owners.slice(0, 6).map((o) => ({ orgId: o.orgId, ownerId: o.ownerId, displayName: o.displayName })),
  );
  await db.query(
    `insert into month_closes (org_id, month, status, frozen, closed_by) values ('org-vendor', '2026-04', 'closed', '[]', 'seed')`,
  );
}
