/**
 * Month-end finance exports, the pure part (docs/focus-mapping.md):
 * - the chargeback journal: one line per (org, team) of the month, amounts in cents that
 *   sum per org exactly to the org's export total rounded to the cent (largest remainder);
 * - a FOCUS 1.2-shaped cost-and-usage file: one line per direct cost row plus one line
 *   per (bucket, team) share of the unallocated amount.
 * Lines are arrays of strings; callers render them with toSafeCsv.
 */
import { groupKey, UNMAPPED } from "./allocation";
import { labelOf } from "./csv/labels";
import { Decimal, dec, sum } from "./money";

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
  const floors = items.map((i) => ({
    key: i.key,
    floor: i.value.toDecimalPlaces(2, Decimal.ROUND_FLOOR),
    rem: i.value.minus(i.value.toDecimalPlaces(2, Decimal.ROUND_FLOOR)),
  }));
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

export interface JournalLine {
  period: string;
  orgId: string;
  costCenter: string;
  team: string;
  direct: string;
  unallocatedShare: string;
  total: string;
}

/** A team's allocated figures for the month, as stored (decimal strings). */
export interface TeamMonthFigures {
  org_id: string;
  team: string;
  direct_cost: string;
  total: string;
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The journal of `month` for `orgIds` from the per-team figures, sorted by org, cost center, team. */
export function buildJournal(
  month: string,
  orgIds: readonly string[],
  rows: readonly TeamMonthFigures[],
  costCenterOf: (team: string) => string | null | undefined,
): JournalLine[] {
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
        period: month,
        orgId,
        costCenter: groupKey(t.team, "cost_center", costCenterOf),
        team: t.team,
        direct: direct.toFixed(2),
        unallocatedShare: total.minus(direct).toFixed(2),
        total: total.toFixed(2),
      });
    }
  }
  return out.sort((a, b) => cmpStr(a.orgId, b.orgId) || cmpStr(a.costCenter, b.costCenter) || cmpStr(a.team, b.team));
}

export const journalCsvRow = (l: JournalLine): string[] => [l.period, l.orgId, l.costCenter, l.team, l.direct, l.unallocatedShare, l.total];

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

/** The billing period and charge period of one FOCUS line (dates, YYYY-MM-DD; ends exclusive). */
export interface FocusPeriod {
  orgId: string;
  billingStart: string;
  billingEnd: string;
  chargeStart: string;
  chargeEnd: string;
}

const instant = (date: string) => `${date}T00:00:00Z`;
const periodCells = (p: FocusPeriod) => [
  p.orgId,
  instant(p.billingStart),
  instant(p.billingEnd),
  instant(p.chargeStart),
  instant(p.chargeEnd),
];

/** One direct cost row of the export (decimal strings as stored). */
export interface FocusDirectCost {
  owner_id: string;
  environment_id: string;
  resource_id: string;
  product: string;
  metric: string;
  unit: string;
  chargeback_cost: string;
}

/** The FOCUS line of a direct cost row charged to `team` (UNMAPPED when the crosswalk has none). */
export function focusDirectLine(
  period: FocusPeriod,
  r: FocusDirectCost,
  team: string | null,
  costCenterOf: (team: string) => string | null | undefined,
): string[] {
  const t = team ?? UNMAPPED;
  const cost = dec(r.chargeback_cost).toFixed();
  return [
    ...periodCells(period),
    cost,
    cost,
    "USD",
    serviceName(labelOf(r.product)),
    serviceCategory(r.product),
    r.resource_id,
    r.environment_id,
    dec(r.chargeback_cost).isNegative() ? "Credit" : "Usage",
    `${labelOf(r.product)} ${labelOf(r.metric)} (${labelOf(r.unit)})`,
    t,
    groupKey(t, "cost_center", costCenterOf),
    r.owner_id,
    "direct",
    labelOf(r.metric),
    labelOf(r.unit),
  ];
}

/** The FOCUS line of a team's share of the unallocated amount, split by the org's `policy`. */
export function focusShareLine(
  period: FocusPeriod,
  s: { team: string; share: string },
  policy: string,
  costCenterOf: (team: string) => string | null | undefined,
): string[] {
  const amount = dec(s.share).toFixed();
  return [
    ...periodCells(period),
    amount,
    amount,
    "USD",
    "Confluent Cloud unallocated",
    "Other",
    "",
    "",
    dec(s.share).isNegative() ? "Credit" : "Usage",
    "Share of the unallocated amount (credits, refunds, unattributed usage)",
    s.team,
    groupKey(s.team, "cost_center", costCenterOf),
    "unallocated",
    `unallocated:${policy}`,
    "Unallocated",
    "USD",
  ];
}
