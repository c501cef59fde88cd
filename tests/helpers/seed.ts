/**
 * The vendor's worked example (tests/fixtures/vendor-example: org-vendor, monthly April 2026,
 * known figures) loaded through the services, as the tests' seeds need it.
 *
 *   await seedVendorExample(db);                            // crosswalk (merge), then the April export
 *   await seedVendorExample(db, { except: ["sa-jkl"] });    // an owner left unmapped
 *   const entries = await vendorCrosswalk({ notes: true }); // the crosswalk rows only
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "../../db/client";
import { importCrosswalk, type ImportEntry } from "../../app/services/crosswalk";
import { ingestFile } from "../../app/services/ingest";

export const VENDOR_DIR = path.resolve(__dirname, "../fixtures/vendor-example");
export const VENDOR_EXPORT = path.join(VENDOR_DIR, "export-2026-04-monthly.csv");
export const VENDOR_CROSSWALK = path.join(VENDOR_DIR, "crosswalk.csv");

export interface VendorCrosswalkOptions {
  /** Keep the file's `note` column (default: the entries carry no note). */
  notes?: boolean;
  /** Owners left out (unmapped); the others keep their line numbers in the file. */
  except?: string[];
}

/** The example's crosswalk.csv as import entries (the file has no quoted cells: a plain split reads it). */
export async function vendorCrosswalk(opts: VendorCrosswalkOptions = {}): Promise<ImportEntry[]> {
  const [, ...lines] = (await readFile(VENDOR_CROSSWALK, "utf8")).trim().split("\n");
  return lines
    .map((l, i): ImportEntry => {
      const [orgId, ownerId, team, validFrom, validTo, costCenter, note] = l.split(",");
      return {
        orgId: orgId!,
        ownerId: ownerId!,
        team: team!,
        validFrom: validFrom!,
        validTo: validTo || null,
        costCenter: costCenter || null,
        ...(opts.notes ? { note: note || null } : {}),
        line: i + 2,
      };
    })
    .filter((e) => !opts.except?.includes(e.ownerId));
}

/** Ingests a monthly export (by default the example's, into org-vendor) and returns the outcome. */
export function ingestMonthly(db: Db, opts: { orgId?: string; filePath?: string; actor?: string } = {}) {
  return ingestFile(db, {
    orgId: opts.orgId ?? "org-vendor",
    filePath: opts.filePath ?? VENDOR_EXPORT,
    granularity: "monthly",
    actor: opts.actor ?? "seed",
  });
}

/** The example's crosswalk (merged, as `seed`) and its April export; throws unless the export is imported. */
export async function seedVendorExample(db: Db, opts: VendorCrosswalkOptions = {}): Promise<void> {
  await importCrosswalk(db, "seed", await vendorCrosswalk(opts), "merge");
  const r = await ingestMonthly(db);
  if (r.status !== "imported") throw new Error(`vendor ingest: ${JSON.stringify(r)}`);
}
