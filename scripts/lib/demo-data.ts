/**
 * The demo data set: three organizations with months of generated exports (daily,
 * plus monthly exports of the closed months for the largest org), teams and cost
 * centers, a crosswalk with a few unmapped owners and one owner changing team,
 * display names and policies. Everything goes through the same ingest and
 * crosswalk code as the CLI.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { addDays, startOfMonth } from "../../app/domain/periods";
import type { Db } from "../../db/client";
import { importCrosswalk, importOwnerNames, type ImportEntry } from "../../app/services/crosswalk";
import { importRules } from "../../app/services/mapping";
import { parseRulesJson } from "../../app/domain/rules";
import { ingestFile } from "../../app/services/ingest";
import { saveOrgSettings } from "../../app/services/orgs";
import { importTeams } from "../../app/services/teams";
import { importGlAccounts } from "../../app/services/gl-accounts";
import { closeMonth } from "../../app/services/month-close";
import { setInvoice } from "../../app/services/invoices";
import { reconcileOrgMonth } from "../../db/queries/reconcile";
import { dec } from "../../app/domain/money";
import { importBudgets } from "../../app/services/budgets";
import { getReport } from "../../db/queries/report";
import { describeOwners, type GenerateOptions } from "./generator";
import { writeExportFile } from "./export-file";

export const DEMO_ORGS = [
  { org: "org-prod", name: "Production", principals: 14, clusters: 2, seed: 7, policy: "proportional", monthly: true },
  { org: "org-analytics", name: "Analytics", principals: 8, clusters: 1, seed: 11, policy: "even", monthly: false },
  { org: "org-sandbox", name: "Sandbox", principals: 5, clusters: 1, seed: 13, policy: "shared:platform", monthly: false },
] as const;

const COST_CENTERS: Record<string, string | null> = {
  payments: "CC-4102",
  search: "CC-4103",
  logistics: "CC-4104",
  risk: "CC-4105",
  "data-platform": "CC-4200",
  platform: "CC-4300",
  growth: null, // no cost center yet: shows under "unassigned"
};

/**
 * A small chart of accounts for the journal (docs/journal.md): an expense account per cost
 * center (risk's CC-4105 left out: posts to suspense, flagged, except in the sandbox, whose
 * org default catches it), the clearing (payable) account and the suspense accounts.
 */
export const DEMO_GL_ACCOUNTS = [
  "scope,key,account,org_id",
  "cost_center,CC-4102,6100-PAY,",
  "cost_center,CC-4103,6100-SRCH,",
  "cost_center,CC-4104,6100-LOG,",
  "cost_center,CC-4200,6200-DATA,",
  "cost_center,CC-4300,6300-PLAT,",
  "cost_center,CC-4300,6310-PLAT-SBX,org-sandbox",
  "org_default,org-sandbox,6900-SBX,",
  "clearing,*,2100,",
  "suspense,*,6999,",
  "suspense,unmapped,6998,",
].join("\n");

export interface DemoSummary {
  orgs: number;
  imports: number;
  rows: number;
  from: string;
  to: string;
}

/** Loads the demo data set covering the months up to `now` (minus 3 days, so the data has settled). */
export async function loadDemoData(db: Db, opts: { now: Date; actor?: string; log?: (line: string) => void }): Promise<DemoSummary> {
  const actor = opts.actor ?? "demo";
  const log = opts.log ?? (() => {});
  const today = opts.now.toISOString().slice(0, 10);
  const to = addDays(today, -3);
  const from = startOfMonth(addDays(startOfMonth(to), -5 * 28)); // about six months
  const thisMonth = startOfMonth(to);
  const tmp = await mkdtemp(path.join(os.tmpdir(), "showback-demo-"));
  let imports = 0;
  let rows = 0;
  try {
    await importTeams(
      db,
      actor,
      Object.entries(COST_CENTERS).map(([team, costCenter]) => ({ team, costCenter })),
    );
    const sharedAccounts: string[] = [];
    for (const o of DEMO_ORGS) {
      await saveOrgSettings(db, actor, o.org, { displayName: o.name, policy: o.policy }, { createIfMissing: true });
      const owners = describeOwners({ org: o.org, principals: o.principals, clusters: o.clusters, seed: o.seed });
      // a few owners stay unmapped: the finance admin's to-do list
      const unmapped = new Set(
        owners
          .filter((w) => w.kind === "service_account")
          .slice(-2)
          .map((w) => w.ownerId),
      );
      // of those, the first of the largest org is a shared account: a rule splits it (issue 13)
      if (o === DEMO_ORGS[0]) sharedAccounts.push([...unmapped][0]);
      const mover = owners.find((w) => w.kind === "service_account" && w.suggestedTeam === "growth");
      const moveDate = addDays(startOfMonth(addDays(thisMonth, -1)), 14); // mid last month
      const entries: ImportEntry[] = [];
      for (const w of owners) {
        if (unmapped.has(w.ownerId)) continue;
        if (mover && w.ownerId === mover.ownerId) {
          entries.push({ orgId: o.org, ownerId: w.ownerId, team: "growth", validFrom: from, validTo: moveDate, note: "moved to payments" });
          entries.push({ orgId: o.org, ownerId: w.ownerId, team: "payments", validFrom: moveDate, validTo: null });
        } else
          entries.push({
            orgId: o.org,
            ownerId: w.ownerId,
            team: w.suggestedTeam,
            validFrom: from,
            validTo: null,
            costCenter: COST_CENTERS[w.suggestedTeam] ?? null,
          });
      }
      await importCrosswalk(db, actor, entries, "merge");
      await importOwnerNames(
        db,
        actor,
        owners.map((w) => ({ orgId: o.org, ownerId: w.ownerId, displayName: w.displayName })),
      );

      const files: Array<{ file: string; g: GenerateOptions }> = [
        {
          file: path.join(tmp, `${o.org}-daily.csv`),
          g: { org: o.org, granularity: "daily", from, to, principals: o.principals, clusters: o.clusters, seed: o.seed },
        },
      ];
      if (o.monthly)
        files.push({
          file: path.join(tmp, `${o.org}-monthly.csv`),
          g: {
            org: o.org,
            granularity: "monthly",
            from,
            to: addDays(thisMonth, -1),
            principals: o.principals,
            clusters: o.clusters,
            seed: o.seed,
          },
        });
      for (const f of files) {
        await writeExportFile(f.file, f.g);
        const r = await ingestFile(db, {
          orgId: o.org,
          filePath: f.file,
          fileName: path.basename(f.file),
          granularity: f.g.granularity,
          actor,
          now: opts.now,
        });
        if (r.status !== "imported")
          throw new Error(`demo ingest of ${f.file} failed: ${JSON.stringify(r.status === "rejected" ? r.errors.slice(0, 3) : r)}`);
        imports++;
        rows += r.summary.rowCount;
        log(
          `  ${o.org}: ${r.summary.granularity} ${r.summary.firstBucket}..${r.summary.lastBucket}, ${r.summary.rowCount} rows, total ${r.summary.total} USD`,
        );
      }
    }
    // the GL accounts of the journal (before the close below, which takes the journal's lines)
    await importGlAccounts(db, actor, DEMO_GL_ACCOUNTS);
    // a mapping rule: a shared service account split 60/40 (entries beat rules; the other
    // unmapped accounts stay on the unmapped queue)
    const rules = parseRulesJson([
      {
        org_id: DEMO_ORGS[0].org,
        name: "shared ingest account",
        when: { owner_id: sharedAccounts[0] },
        then: { split: { payments: "60", search: "40" } },
      },
    ]);
    if (!rules.ok) throw new Error(`demo rules: ${JSON.stringify(rules.errors)}`);
    await importRules(db, actor, rules.rules, { replace: true });
    // invoices for the finished months: matching, except one deliberate mismatch;
    // the oldest month of the largest org is reconciled and closed
    const now = opts.now.toISOString();
    for (let m = startOfMonth(from); m < thisMonth; m = startOfMonth(addDays(m, 31))) {
      const month = m.slice(0, 7);
      for (const o of DEMO_ORGS) {
        const rec = await reconcileOrgMonth(db, o.org, month, now);
        if (rec.exportTotal === null) continue;
        const mismatch = o.org === "org-analytics" && addDays(m, 31) >= thisMonth;
        const amount = dec(rec.exportTotal)
          .plus(mismatch ? "12.34" : "0")
          .toFixed(2);
        await setInvoice(db, actor, { orgId: o.org, month, amount });
      }
    }
    await closeMonth(db, actor, { orgId: "org-prod", month: from.slice(0, 7), now, reason: "demo: reconciled" });
    // budgets (docs/budgets.md), from last month's spend: one tight, one close, one comfortable
    const last = startOfMonth(addDays(thisMonth, -1));
    const spent = new Map(
      (await getReport(db, { granularity: "monthly", from: last, to: addDays(thisMonth, -1) })).reduce(
        (m, r) => m.set(r.group, (m.get(r.group) ?? dec("0")).plus(dec(r.total))),
        new Map<string, ReturnType<typeof dec>>(),
      ),
    );
    const budget = (team: string, factor: string) =>
      (spent.get(team) ?? dec("1000")).times(factor).div(100).toDecimalPlaces(0).times(100).toFixed(2);
    await importBudgets(
      db,
      actor,
      [
        "scope,name,amount,from_month,org_id",
        `team,payments,${budget("payments", "0.95")},${from.slice(0, 7)},`,
        `team,search,${budget("search", "0.8")},${from.slice(0, 7)},`,
        `team,platform,${budget("platform", "1.1")},${from.slice(0, 7)},`,
      ].join("\n"),
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { orgs: DEMO_ORGS.length, imports, rows, from, to };
}
