/**
 * Month-end finance exports:
 * - the chargeback journal: one line per (org, team) of the month, amounts in cents that
 *   sum per org exactly to the org's export total rounded to the cent (largest remainder);
 * - a FOCUS 1.2-shaped cost-and-usage file: one line per direct cost row plus one line
 *   per (bucket, team) share of the unallocated amount (docs/focus-mapping.md).
 * Both return header + rows of strings; callers render them with toSafeCsv.
 */
import { groupKey, UNMAPPED } from "../../app/domain/allocation";
import { createResolver } from "../../app/domain/crosswalk";
import { labelOf } from "../../app/domain/csv/labels";
import { Decimal, dec, sum } from "../../app/domain/money";
import { addDays, monthRange, startOfNextMonth } from "../../app/domain/periods";
import type { Db } from "../client";
import { loadCrosswalk } from "./allocation";
import { getOrg, listOrgs } from "./orgs";
import { monthSource } from "./reconcile";
import { getTeamPeriods } from "./report";
import { costCenterMap } from "./teams";

export const JOURNAL_HEADER = ["period", "org_id", "cost_center", "team", "direct_cost", "unallocated_share", "total_cost"];

export const FOCUS_HEADER = [
  "BillingAccountId",
  "BillingPeriodStart",
  "BillingPeriodEnd",
  "ChargePeriodStart",
  "ChargePeriodEnd",
  "BilledCost",
  "EffectiveCost",
  "BillingCurrency",
  "ServiceName",
  "ServiceCategory",
  "ResourceId",
  "SubAccountId",
  "ChargeCategory",
  "ChargeDescription",
  "x_Team",
  "x_CostCenter",
  "x_OwnerId",
  "x_AllocationMethod",
  "x_Metric",
  "x_Unit",
];

const CENT = new Decimal("0.01");

/**
 * Rounds each value to cents so that the parts sum exactly to round-half-up(Σ values, 2):
 * floor every value, then give the missing cents to the largest remainders (ties by key).
 */
export function roundToCents(items: ReadonlyArray<{ key: string; value: Decimal }>): Map<string, Decimal> {
  const target = sum(items.map((i) => i.value)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const floors = items.map((i) => ({ key: i.key, floor: i.value.toDecimalPlaces(2, Decimal.ROUND_FLOOR), rem: i.value.minus(i.value.toDecimalPlaces(2, Decimal.ROUND_FLOOR)) }));
  // missing cents: 0 ≤ deficit < number of items (Σ floors ≤ Σ values, target ≥ floor of Σ)
  let deficit = target.minus(sum(floors.map((f) => f.floor)));
  const order = [...floors].sort((a, b) => (b.rem.cmp(a.rem) !== 0 ? b.rem.cmp(a.rem) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out = new Map(floors.map((f) => [f.key, f.floor]));
  for (let i = 0; deficit.gt(0) && order.length > 0; i = (i + 1) % order.length) {
    out.set(order[i].key, out.get(order[i].key)!.plus(CENT));
    deficit = deficit.minus(CENT);
  }
  return out;
}

async function orgIdsFor(db: Db, orgId?: string): Promise<string[]> {
  return orgId ? [orgId] : (await listOrgs(db)).map((o) => o.org_id);
}

export interface JournalLine {
  period: string;
  orgId: string;
  costCenter: string;
  team: string;
  direct: string;
  unallocatedShare: string;
  total: string;
}

/** The chargeback journal of a month (stored allocation: the frozen figures for a closed month). */
export async function journalLines(db: Db, p: { month: string; orgId?: string }): Promise<JournalLine[]> {
  const { from, to } = monthRange(p.month);
  const last = addDays(to, -1);
  const orgIds = await orgIdsFor(db, p.orgId);
  if (orgIds.length === 0) return [];
  const rows = await getTeamPeriods(db, { granularity: "monthly", from, to: last, orgIds });
  const cc = await costCenterMap(db);
  const out: JournalLine[] = [];
  for (const orgId of orgIds) {
    const teams = rows.filter((r) => r.org_id === orgId).sort((a, b) => (a.team < b.team ? -1 : a.team > b.team ? 1 : 0));
    if (teams.length === 0) continue;
    const totals = roundToCents(teams.map((t) => ({ key: t.team, value: dec(t.total) })));
    const directs = roundToCents(teams.map((t) => ({ key: t.team, value: dec(t.direct_cost) })));
    for (const t of teams) {
      const total = totals.get(t.team)!;
      const direct = directs.get(t.team)!;
      out.push({
        period: p.month,
        orgId,
        costCenter: groupKey(t.team, "cost_center", (team) => cc.get(team)),
        team: t.team,
        direct: direct.toFixed(2),
        unallocatedShare: total.minus(direct).toFixed(2),
        total: total.toFixed(2),
      });
    }
  }
  return out.sort((a, b) => cmpStr(a.orgId, b.orgId) || cmpStr(a.costCenter, b.costCenter) || cmpStr(a.team, b.team));
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function journalCsvRows(db: Db, p: { month: string; orgId?: string }): Promise<string[][]> {
  return (await journalLines(db, p)).map((l) => [l.period, l.orgId, l.costCenter, l.team, l.direct, l.unallocatedShare, l.total]);
}

/** FOCUS ServiceCategory (FOCUS 1.2 allowed values) for a Confluent product category. */
export function serviceCategory(product: string): string {
  const p = product.toLowerCase();
  if (["kafka", "flink", "ksql", "ksqldb", "tableflow"].includes(p)) return "Analytics";
  if (["connect", "connectors", "custom_connect"].includes(p)) return "Integration";
  if (["schema_registry", "stream_governance", "governance", "audit_log"].includes(p)) return "Management and Governance";
  if (["cluster_link", "cluster_linking", "network", "networking", "private_link"].includes(p)) return "Networking";
  return "Other";
}

const SERVICE_NAMES: Record<string, string> = {
  kafka: "Confluent Cloud Kafka",
  connect: "Confluent Cloud Connect",
  flink: "Confluent Cloud Flink",
  schema_registry: "Confluent Cloud Schema Registry",
  cluster_link: "Confluent Cloud Cluster Linking",
  support: "Confluent Cloud Support",
};
export function serviceName(product: string): string {
  return SERVICE_NAMES[product.toLowerCase()] ?? `Confluent Cloud ${product}`;
}

const instant = (date: string) => `${date}T00:00:00Z`;

/**
 * FOCUS rows of the month. Direct rows come from the export's rows (team from the crosswalk at
 * the bucket start); the unallocated amount appears as one row per (bucket, team) share from the
 * stored allocation, so Σ BilledCost = the export total (for an open month).
 */
export async function focusCsvRows(db: Db, p: { month: string; orgId?: string }): Promise<string[][]> {
  const { from, to } = monthRange(p.month);
  const cc = await costCenterMap(db);
  const out: string[][] = [];
  for (const orgId of await orgIdsFor(db, p.orgId)) {
    const source = await monthSource(db, orgId, p.month);
    if (source !== "monthly" && source !== "daily") continue;
    const org = await getOrg(db, orgId);
    const resolve = createResolver(await loadCrosswalk(db, orgId));
    const end = (b: string) => (source === "monthly" ? startOfNextMonth(b) : addDays(b, 1));
    const common = (bucket: string) => [orgId, instant(from), instant(to), instant(bucket), instant(end(bucket))];
    const rows = await db.query<{
      bucket_start: string; owner_id: string; environment_id: string; resource_id: string; product: string; metric: string;
      unit: string; chargeback_cost: string;
    }>(
      `select bucket_start::text as bucket_start, owner_id, environment_id, resource_id, product, metric, unit, chargeback_cost::text as chargeback_cost
         from cost_rows
        where active and not is_unallocated and org_id = $1 and granularity = $2 and bucket_start >= $3::date and bucket_start < $4::date
        order by bucket_start, import_id, line`,
      [orgId, source, from, to],
    );
    for (const r of rows) {
      const team = resolve(orgId, r.owner_id, r.bucket_start) ?? UNMAPPED;
      const cost = dec(r.chargeback_cost).toFixed();
      out.push([
        ...common(r.bucket_start), cost, cost, "USD", serviceName(labelOf(r.product)), serviceCategory(r.product), r.resource_id,
        r.environment_id, dec(r.chargeback_cost).isNegative() ? "Credit" : "Usage", `${labelOf(r.product)} ${labelOf(r.metric)} (${labelOf(r.unit)})`,
        team, groupKey(team, "cost_center", (t) => cc.get(t)), r.owner_id, "direct", labelOf(r.metric), labelOf(r.unit),
      ]);
    }
    const shares = await db.query<{ bucket_start: string; team: string; share: string }>(
      `select bucket_start::text as bucket_start, team, unallocated_share::text as share from allocation_results
        where org_id = $1 and granularity = $2 and bucket_start >= $3::date and bucket_start < $4::date and unallocated_share <> 0
        order by bucket_start, team`,
      [orgId, source, from, to],
    );
    for (const s of shares) {
      const amount = dec(s.share).toFixed();
      out.push([
        ...common(s.bucket_start), amount, amount, "USD", "Confluent Cloud unallocated", "Other", "", "",
        dec(s.share).isNegative() ? "Credit" : "Usage", "Share of the unallocated amount (credits, refunds, unattributed usage)",
        s.team, groupKey(s.team, "cost_center", (t) => cc.get(t)), "unallocated", `unallocated:${org?.policy ?? "proportional"}`, "Unallocated", "USD",
      ]);
    }
  }
  return out;
}
