/**
 * Anomalies (app/routes/anomalies.tsx, issue 16) in the shared access test: a finance admin
 * acknowledges a flagged day. `seedAnomaly` ingests a generated daily export (org-anom, March–
 * April 2026) with one cost row made much larger on SPIKE.day, and maps every owner to its team;
 * tests/integration/anomalies.test.ts uses it too. Idempotent: it seeds once per database.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import Decimal from "decimal.js";
import { importCrosswalk, importOwnerNames, type ImportEntry } from "../../../app/services/crosswalk";
import { ingestFile } from "../../../app/services/ingest";
import type { Db } from "../../../db/client";
import { describeOwners, EXPORT_HEADER, generateExportRecords } from "../../../scripts/lib/generator";

export const ANOMALY_GEN = { org: "org-anom", principals: 6, clusters: 1, seed: 11 } as const;
const FROM = "2026-03-01";
const TO = "2026-04-30";
const COL = Object.fromEntries(EXPORT_HEADER.map((c, i) => [c, i])) as Record<string, number>;

export interface Spike {
  orgId: string;
  day: string;
  team: string;
  ownerId: string;
  metric: string;
  resourceId: string;
  /** what was added to the row's cost */
  added: string;
}

/** The spike seedAnomaly injects (computed from the generator, so it is known before seeding). */
export function spikeOf(): Spike & { records: string[][] } {
  const owners = describeOwners(ANOMALY_GEN);
  const principal = owners.find((o) => o.kind !== "resource")!;
  const day = "2026-04-20";
  const records = [...generateExportRecords({ ...ANOMALY_GEN, granularity: "daily", from: FROM, to: TO })];
  const dayRows = records.filter((r) => r[COL.timestamp!]!.startsWith(day));
  const total = dayRows.reduce((a, r) => a.plus(r[COL.chargeback_cost!]!), new Decimal(0)).abs();
  // the principal's largest row of the day gets the whole org's daily spend added
  const own = dayRows
    .filter((r) => r[COL.owner_id!] === principal.ownerId)
    .sort((a, b) => new Decimal(b[COL.chargeback_cost!]!).comparedTo(a[COL.chargeback_cost!]!))[0]!;
  own[COL.chargeback_cost!] = new Decimal(own[COL.chargeback_cost!]!).plus(total).toFixed();
  return {
    orgId: ANOMALY_GEN.org,
    day,
    team: principal.suggestedTeam,
    ownerId: principal.ownerId,
    metric: own[COL.metric!]!,
    resourceId: own[COL.resource_id!]!,
    added: total.toFixed(),
    records,
  };
}

export const SPIKE: Spike = (({ records: _r, ...s }) => s)(spikeOf());

/** Seeds org-anom with its spike (once per database). */
export async function seedAnomaly(db: Db): Promise<void> {
  const done = await db.query(`select 1 from cost_rows where org_id = $1 limit 1`, [ANOMALY_GEN.org]);
  if (done.length) return;
  const { records } = spikeOf();
  const dir = await mkdtemp(path.join(os.tmpdir(), "showback-anom-"));
  try {
    const file = path.join(dir, "anom-daily.csv");
    await writeFile(file, stringify([EXPORT_HEADER, ...records]));
    // one row no longer sums to its group's original_amount: allowed, with a warning
    const r = await ingestFile(db, { orgId: ANOMALY_GEN.org, filePath: file, granularity: "daily", actor: "seed", allowUnbalanced: true });
    if (r.status !== "imported") throw new Error(`anomaly seed ingest: ${JSON.stringify(r).slice(0, 2000)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const owners = describeOwners(ANOMALY_GEN);
  const entries: ImportEntry[] = owners.map((o) => ({
    orgId: o.orgId,
    ownerId: o.ownerId,
    team: o.suggestedTeam,
    validFrom: "2026-01-01",
    validTo: null,
    costCenter: null,
  }));
  await importCrosswalk(db, "seed", entries, "merge");
  await importOwnerNames(
    db,
    "seed",
    owners.map((o) => ({ orgId: o.orgId, ownerId: o.ownerId, displayName: o.displayName })),
  );
}

export const anomalyCases: Record<string, { path: string; form: Record<string, string>; setup: (db: Db) => Promise<void> }> = {
  "routes/anomalies": {
    path: `/anomalies?from=${SPIKE.day}&to=${SPIKE.day}`,
    form: { intent: "acknowledge", team: SPIKE.team, day: SPIKE.day, note: "access test" },
    setup: seedAnomaly,
  },
};
