/**
 * The FOCUS 1.2 cost and usage dataset of a month, the pure part (docs/focus-mapping.md): the
 * columns and their types, the mapping of Confluent Cloud products and resource ids to FOCUS
 * values, and the rows of the three kinds Showback writes:
 * - a direct cost row per (export row, team share) — ChargeCategory Usage;
 * - a team's share of a bucket's `unallocated` row — ChargeCategory from what that row holds
 *   (credits, adjustments or usage), never from the sign of the amount;
 * - after a closed month is restated, a Correction row per team carrying the delta.
 * Values are kept exactly as they are (no spreadsheet formula guard: FOCUS tools read them).
 */
import { Decimal, dec } from "./money";

export const FOCUS_VERSION = "1.2";
/** The data generator's version in the metadata: package.json's version (a unit test keeps them equal). */
export const SHOWBACK_VERSION = "0.1.0";

/**
 * The FOCUS applicability criteria this dataset declares (the validator's vocabulary): Confluent
 * Cloud organizations have display names, environments are sub accounts, and charges are for
 * provisioned, typed resources. Not declared, because the cost allocation export carries no such
 * data: regions, availability zones, tags, list or negotiated unit prices, commitment discounts,
 * capacity reservations, usage quantities, more than one pricing category or currency.
 */
export const FOCUS_APPLICABILITY = [
  "ACCOUNT_NAMING_SUPPORTED",
  "SUB_ACCOUNT_SUPPORTED",
  "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED",
  "RESOURCE_TYPE_ASSIGNMENT_SUPPORTED",
] as const;

export type FocusDataType = "STRING" | "DECIMAL" | "DATETIME";

export interface FocusColumn {
  name: string;
  type: FocusDataType;
  /** maximum length of a STRING column's values (metadata), when bounded */
  maxLength?: number;
}

/** FOCUS columns (alphabetical), then the `x_` columns of the showback allocation. */
export const FOCUS_COLUMNS: readonly FocusColumn[] = [
  { name: "BilledCost", type: "DECIMAL" },
  { name: "BillingAccountId", type: "STRING" },
  { name: "BillingAccountName", type: "STRING" },
  { name: "BillingCurrency", type: "STRING", maxLength: 3 },
  { name: "BillingPeriodEnd", type: "DATETIME" },
  { name: "BillingPeriodStart", type: "DATETIME" },
  { name: "ChargeCategory", type: "STRING" },
  { name: "ChargeClass", type: "STRING" },
  { name: "ChargeDescription", type: "STRING" },
  { name: "ChargeFrequency", type: "STRING" },
  { name: "ChargePeriodEnd", type: "DATETIME" },
  { name: "ChargePeriodStart", type: "DATETIME" },
  { name: "ContractedCost", type: "DECIMAL" },
  { name: "EffectiveCost", type: "DECIMAL" },
  { name: "InvoiceIssuerName", type: "STRING" },
  { name: "ListCost", type: "DECIMAL" },
  { name: "PricingQuantity", type: "DECIMAL" },
  { name: "PricingUnit", type: "STRING" },
  { name: "ProviderName", type: "STRING" },
  { name: "PublisherName", type: "STRING" },
  { name: "ResourceId", type: "STRING" },
  { name: "ResourceName", type: "STRING" },
  { name: "ResourceType", type: "STRING" },
  { name: "ServiceCategory", type: "STRING" },
  { name: "ServiceName", type: "STRING" },
  { name: "ServiceSubcategory", type: "STRING" },
  { name: "SubAccountId", type: "STRING" },
  { name: "SubAccountName", type: "STRING" },
  { name: "x_AllocationMethod", type: "STRING" },
  { name: "x_AllocationPolicy", type: "STRING" },
  { name: "x_Team", type: "STRING" },
  { name: "x_CostCenter", type: "STRING" },
  { name: "x_OwnerId", type: "STRING" },
  { name: "x_MappedBy", type: "STRING" },
  { name: "x_SplitPercent", type: "DECIMAL" },
  { name: "x_Product", type: "STRING" },
  { name: "x_Metric", type: "STRING" },
  { name: "x_Unit", type: "STRING" },
  { name: "x_Granularity", type: "STRING" },
  { name: "x_RestatementId", type: "STRING" },
];

export const FOCUS_HEADER: readonly string[] = FOCUS_COLUMNS.map((c) => c.name);
const COST_COLUMNS = ["BilledCost", "EffectiveCost", "ListCost", "ContractedCost"] as const;

/** One row: every column of FOCUS_COLUMNS, null = null (an empty cell in CSV). */
export type FocusRow = Record<string, string | null>;

/** The row's cells in FOCUS_HEADER order. */
export const focusCells = (r: FocusRow): Array<string | null> => FOCUS_HEADER.map((c) => r[c] ?? null);

export const PROVIDER = "Confluent";

// ------------------------------------------------------------------ products and resources

export interface ServiceInfo {
  serviceName: string;
  category: string;
  subcategory: string;
  frequency: "Usage-Based" | "Recurring" | "One-Time";
}

const SERVICES: Record<string, ServiceInfo> = {
  kafka: { serviceName: "Confluent Cloud Kafka", category: "Integration", subcategory: "Messaging", frequency: "Usage-Based" },
  connect: {
    serviceName: "Confluent Cloud Connect",
    category: "Integration",
    subcategory: "Other (Integration)",
    frequency: "Usage-Based",
  },
  custom_connect: {
    serviceName: "Confluent Cloud Custom Connect",
    category: "Integration",
    subcategory: "Other (Integration)",
    frequency: "Usage-Based",
  },
  cluster_link: {
    serviceName: "Confluent Cloud Cluster Linking",
    category: "Integration",
    subcategory: "Messaging",
    frequency: "Usage-Based",
  },
  flink: { serviceName: "Confluent Cloud Flink", category: "Analytics", subcategory: "Streaming Analytics", frequency: "Usage-Based" },
  ksql: { serviceName: "Confluent Cloud ksqlDB", category: "Analytics", subcategory: "Streaming Analytics", frequency: "Usage-Based" },
  ksqldb: { serviceName: "Confluent Cloud ksqlDB", category: "Analytics", subcategory: "Streaming Analytics", frequency: "Usage-Based" },
  tableflow: { serviceName: "Confluent Cloud Tableflow", category: "Analytics", subcategory: "Data Processing", frequency: "Usage-Based" },
  schema_registry: {
    serviceName: "Confluent Cloud Schema Registry",
    category: "Management and Governance",
    subcategory: "Data Governance",
    frequency: "Usage-Based",
  },
  stream_governance: {
    serviceName: "Confluent Cloud Stream Governance",
    category: "Management and Governance",
    subcategory: "Data Governance",
    frequency: "Usage-Based",
  },
  governance: {
    serviceName: "Confluent Cloud Stream Governance",
    category: "Management and Governance",
    subcategory: "Data Governance",
    frequency: "Usage-Based",
  },
  audit_log: {
    serviceName: "Confluent Cloud Audit Logs",
    category: "Management and Governance",
    subcategory: "Compliance",
    frequency: "Usage-Based",
  },
  network: {
    serviceName: "Confluent Cloud Networking",
    category: "Networking",
    subcategory: "Network Connectivity",
    frequency: "Usage-Based",
  },
  networking: {
    serviceName: "Confluent Cloud Networking",
    category: "Networking",
    subcategory: "Network Connectivity",
    frequency: "Usage-Based",
  },
  private_link: {
    serviceName: "Confluent Cloud Networking",
    category: "Networking",
    subcategory: "Network Connectivity",
    frequency: "Usage-Based",
  },
  support: {
    serviceName: "Confluent Cloud Support",
    category: "Management and Governance",
    subcategory: "Support",
    frequency: "Recurring",
  },
  billing: {
    serviceName: "Confluent Cloud Billing",
    category: "Management and Governance",
    subcategory: "Cost Management",
    frequency: "One-Time",
  },
};

/** The unallocated row of the vendor's generic shape (product `unallocated` or none). */
const UNALLOCATED_SERVICE: ServiceInfo = {
  serviceName: "Confluent Cloud Unallocated",
  category: "Management and Governance",
  subcategory: "Cost Management",
  frequency: "Usage-Based",
};

/** A row without a product (a restatement after close, a usage row whose product is empty). */
export const GENERIC_SERVICE: ServiceInfo = {
  serviceName: "Confluent Cloud",
  category: "Other",
  subcategory: "Other (Other)",
  frequency: "Usage-Based",
};

/** `stream_governance` → `Stream Governance` (an unknown product's display form). */
export function productTitle(product: string): string {
  const words = product
    .trim()
    .split(/[_\s-]+/)
    .filter((w) => w !== "");
  return words.map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");
}

/**
 * The FOCUS service of a Confluent product key: one ServiceName per product, each with exactly one
 * ServiceCategory / ServiceSubcategory pair from the 1.2 allowed values. Unknown products get
 * `Confluent Cloud <Title Case>` in `Other` / `Other (Other)`.
 */
export function serviceOf(product: string): ServiceInfo {
  const key = product.trim().toLowerCase();
  if (key === "") return GENERIC_SERVICE;
  if (key === "unallocated") return UNALLOCATED_SERVICE;
  const known = SERVICES[key];
  if (known) return known;
  return {
    serviceName: `Confluent Cloud ${productTitle(product)}`,
    category: "Other",
    subcategory: "Other (Other)",
    frequency: "Usage-Based",
  };
}

const RESOURCE_TYPES: ReadonlyArray<[prefix: string, type: string]> = [
  ["lkc-", "Kafka Cluster"],
  ["lcc-", "Connector"],
  ["ccp-", "Custom Connector Plugin"],
  ["lfcp-", "Flink Compute Pool"],
  ["lsrc-", "Schema Registry"],
  ["lksqlc-", "ksqlDB Cluster"],
  ["env-", "Environment"],
  ["n-", "Network"],
  ["pla-", "PrivateLink Attachment"],
  ["dlz-", "Dedicated Link Zone"],
  ["sa-", "Service Account"],
  ["u-", "User"],
  ["pool-", "Identity Pool"],
];

/** ResourceType from a Confluent Cloud id's prefix (`lkc-…` → `Kafka Cluster`); `Confluent Cloud Resource` otherwise. */
export function resourceTypeOf(resourceId: string): string {
  for (const [prefix, type] of RESOURCE_TYPES) if (resourceId.startsWith(prefix)) return type;
  return "Confluent Cloud Resource";
}

export type ChargeCategory = "Usage" | "Credit" | "Adjustment";

/**
 * What the unallocated row of a bucket holds, from its product and metric (never from the sign):
 * credits the provider grants (`PromotionalCredit`, any metric or product naming a credit other
 * than a credit note) → Credit; credit notes and adjustments for prior periods → Adjustment;
 * anything else (refunds, usage without a principal such as Tableflow, the generic net row) → Usage.
 */
export function unallocatedCategory(product: string, metric: string): ChargeCategory {
  const s = `${product} ${metric}`.toLowerCase().replace(/[_\s-]+/g, "");
  if (/adjust|creditnote|creditmemo/.test(s)) return "Adjustment";
  if (/credit|promo/.test(s)) return "Credit";
  return "Usage";
}

// ------------------------------------------------------------------ rows

/** The billing scope of the rows of one (org, month). Dates YYYY-MM-DD; ends exclusive. */
export interface FocusScope {
  orgId: string;
  orgName: string | null;
  billingStart: string;
  billingEnd: string;
  granularity: string;
}

const instant = (date: string) => `${date}T00:00:00Z`;
/** A decimal in FOCUS numeric format: plain notation, no `+`, no `-0`. */
export function focusNumber(v: string | Decimal): string {
  const d = dec(v);
  return d.isZero() ? "0" : d.toFixed();
}
const nonEmpty = (v: string | null | undefined): string | null => (v === null || v === undefined || v === "" ? null : v);

function baseRow(scope: FocusScope, cost: string | Decimal, chargeStart: string, chargeEnd: string): FocusRow {
  const amount = focusNumber(cost);
  return {
    BilledCost: amount,
    EffectiveCost: amount,
    ListCost: amount,
    ContractedCost: amount,
    BillingAccountId: scope.orgId,
    BillingAccountName: nonEmpty(scope.orgName) ?? scope.orgId,
    BillingCurrency: "USD",
    BillingPeriodStart: instant(scope.billingStart),
    BillingPeriodEnd: instant(scope.billingEnd),
    ChargePeriodStart: instant(chargeStart),
    ChargePeriodEnd: instant(chargeEnd),
    ChargeClass: null,
    InvoiceIssuerName: PROVIDER,
    ProviderName: PROVIDER,
    PublisherName: PROVIDER,
    PricingQuantity: null,
    PricingUnit: null,
    x_Granularity: scope.granularity,
    x_RestatementId: null,
    x_AllocationPolicy: null,
    x_MappedBy: null,
    x_SplitPercent: null,
  };
}

function serviceCells(s: ServiceInfo) {
  return { ServiceName: s.serviceName, ServiceCategory: s.category, ServiceSubcategory: s.subcategory };
}

function resourceCells(r: { resourceId: string; resourceName: string | null; environmentId: string; environmentName: string | null }) {
  const resourceId = nonEmpty(r.resourceId);
  const env = nonEmpty(r.environmentId);
  return {
    ResourceId: resourceId,
    ResourceName: resourceId ? nonEmpty(r.resourceName) : null,
    ResourceType: resourceId ? resourceTypeOf(resourceId) : null,
    SubAccountId: env,
    SubAccountName: env ? (nonEmpty(r.environmentName) ?? env) : null,
  };
}

/** One direct cost row of the export (a split's share of it when the owner is split), as read. */
export interface FocusDirectInput {
  chargeStart: string;
  chargeEnd: string;
  ownerId: string;
  environmentId: string;
  environmentName: string | null;
  resourceId: string;
  resourceName: string | null;
  product: string;
  metric: string;
  unit: string;
  cost: string;
  /** null = unmapped */
  team: string | null;
  costCenter: string;
  /** how the team was found (`entry #3`, `rule "name" (#2)`, `split 40 % of entry #3`); null when unmapped */
  mappedBy: string | null;
  /** the split share in percent, when the owner is split; null otherwise */
  splitPct: string | null;
}

const metricPhrase = (product: string, metric: string, unit: string) =>
  [product.trim() === "" ? "" : serviceOf(product).serviceName.replace(/^Confluent Cloud /, ""), metric || "usage"]
    .filter((w) => w !== "")
    .join(" ") + (unit ? ` (${unit})` : "");

/** The FOCUS row of a direct cost: who drove it and which team it is charged to are in ChargeDescription too. */
export function focusDirectRow(scope: FocusScope, r: FocusDirectInput, unmappedTeam: string): FocusRow {
  const service = serviceOf(r.product);
  const team = r.team ?? unmappedTeam;
  const to =
    r.team === null ? "unmapped" : `charged to team ${r.team}${r.splitPct !== null ? ` (${focusNumber(r.splitPct)} % split)` : ""}`;
  return {
    ...baseRow(scope, r.cost, r.chargeStart, r.chargeEnd),
    ...serviceCells(service),
    ...resourceCells(r),
    ChargeCategory: "Usage",
    ChargeFrequency: service.frequency === "One-Time" ? "Usage-Based" : service.frequency,
    ChargeDescription: `${metricPhrase(r.product, r.metric, r.unit)} used by ${r.ownerId}, ${to}`,
    x_AllocationMethod: "direct",
    x_Team: team,
    x_CostCenter: r.costCenter,
    x_OwnerId: r.ownerId,
    x_MappedBy: r.mappedBy,
    x_SplitPercent: r.splitPct === null ? null : focusNumber(r.splitPct),
    x_Product: nonEmpty(r.product),
    x_Metric: nonEmpty(r.metric),
    x_Unit: nonEmpty(r.unit),
  };
}

/** A team's share of one bucket's unallocated row, with what that row holds. */
export interface FocusShareInput {
  chargeStart: string;
  chargeEnd: string;
  team: string;
  costCenter: string;
  share: string;
  /** product / metric / unit of the bucket's unallocated row */
  product: string;
  metric: string;
  unit: string;
  /** the org's unallocated policy in text form (`proportional`, `shared:platform`, …) */
  policy: string;
  /** the owner id of the unallocated row (`unallocated`) */
  ownerId: string;
}

/** The FOCUS row of a team's share of the unallocated amount (ChargeCategory from the row's content). */
export function focusShareRow(scope: FocusScope, s: FocusShareInput): FocusRow {
  const category = unallocatedCategory(s.product, s.metric);
  const service = serviceOf(s.product.trim() === "" ? "unallocated" : s.product);
  const named = s.metric || s.product;
  const what = named === "" || named.toLowerCase() === "unallocated" ? "amount" : named;
  return {
    ...baseRow(scope, s.share, s.chargeStart, s.chargeEnd),
    ...serviceCells(service),
    ResourceId: null,
    ResourceName: null,
    ResourceType: null,
    SubAccountId: null,
    SubAccountName: null,
    ChargeCategory: category,
    ChargeFrequency: category === "Usage" ? "Usage-Based" : "One-Time",
    ChargeDescription: `Share of the unallocated ${what} allocated to team ${s.team} (policy ${s.policy})`,
    x_AllocationMethod: "unallocated_share",
    x_AllocationPolicy: s.policy,
    x_Team: s.team,
    x_CostCenter: s.costCenter,
    x_OwnerId: s.ownerId,
    x_Product: nonEmpty(s.product),
    x_Metric: nonEmpty(s.metric),
    x_Unit: nonEmpty(s.unit),
  };
}

/** A per-team change to a closed month found after its close. */
export interface FocusCorrectionInput {
  team: string;
  costCenter: string;
  old: string;
  new: string;
  delta: string;
  /** the restatement record that reported it, when there is one */
  restatementId: number | null;
}

/** The Correction row of a restatement after close: the month as charge period, the team's delta as cost. */
export function focusCorrectionRow(scope: FocusScope, d: FocusCorrectionInput): FocusRow {
  return {
    ...baseRow(scope, d.delta, scope.billingStart, scope.billingEnd),
    ...serviceCells(GENERIC_SERVICE),
    ResourceId: null,
    ResourceName: null,
    ResourceType: null,
    SubAccountId: null,
    SubAccountName: null,
    ChargeCategory: "Usage",
    ChargeClass: "Correction",
    ChargeFrequency: "Usage-Based",
    ChargeDescription: `Restatement after close: team ${d.team} from ${focusNumber(d.old)} to ${focusNumber(d.new)}`,
    x_AllocationMethod: "restatement",
    x_Team: d.team,
    x_CostCenter: d.costCenter,
    x_OwnerId: null,
    x_Product: null,
    x_Metric: null,
    x_Unit: null,
    x_RestatementId: d.restatementId === null ? null : String(d.restatementId),
  };
}

/**
 * Merges rows equal on every column but the costs (summing the costs), keeping first-seen order.
 * Rows still equal on every FOCUS column after that differ only in `x_` columns (a product
 * alias such as `ksql` / `ksqldb`, both "Confluent Cloud ksqlDB"): their ChargeDescription gets
 * the differing `x_` values appended, so that no two rows of the dataset are identical on their
 * FOCUS columns and a tool that de-duplicates on them counts every row.
 */
export function mergeIdenticalRows(rows: readonly FocusRow[]): FocusRow[] {
  const isCost = (c: string) => (COST_COLUMNS as readonly string[]).includes(c);
  const keyOf = (r: FocusRow, cols: readonly string[]) => JSON.stringify(cols.map((c) => r[c] ?? null));
  const allCols = FOCUS_HEADER.filter((c) => !isCost(c));
  const focusCols = allCols.filter((c) => !c.startsWith("x_"));
  const xCols = allCols.filter((c) => c.startsWith("x_"));
  const out = new Map<string, FocusRow>();
  for (const r of rows) {
    const k = keyOf(r, allCols);
    const seen = out.get(k);
    if (!seen) out.set(k, { ...r });
    else for (const c of COST_COLUMNS) seen[c] = focusNumber(dec(seen[c]!).plus(dec(r[c]!)));
  }
  const merged = [...out.values()];
  const groups = new Map<string, FocusRow[]>();
  for (const r of merged) {
    const k = keyOf(r, focusCols);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const differing = xCols.filter((c) => new Set(group.map((r) => r[c] ?? null)).size > 1);
    for (const r of group) {
      const tag = differing.map((c) => `${c.slice(2)} ${r[c] ?? "none"}`).join(", ");
      r.ChargeDescription = `${r.ChargeDescription ?? ""} [${tag}]`;
    }
  }
  return merged;
}

// ------------------------------------------------------------------ metadata

/** FOCUS metadata (Schema and DataGenerator objects of the 1.2 metadata specification) for FOCUS_COLUMNS. */
export function focusMetadata(p: { generatorVersion: string; costScale: number }) {
  const columns = FOCUS_COLUMNS.map((c) =>
    c.type === "DECIMAL"
      ? { ColumnName: c.name, DataType: c.type, NumericPrecision: 38, NumberScale: p.costScale }
      : c.type === "STRING"
        ? { ColumnName: c.name, DataType: c.type, StringEncoding: "UTF-8", ...(c.maxLength ? { StringMaxLength: c.maxLength } : {}) }
        : { ColumnName: c.name, DataType: c.type },
  );
  return {
    DataGenerator: { DataGenerator: "Showback" },
    Schema: {
      SchemaId: `showback-focus-${FOCUS_VERSION}-v1-scale${p.costScale}`,
      FocusVersion: FOCUS_VERSION,
      DataGeneratorVersion: p.generatorVersion,
      CreationDate: "2026-12-02T00:00:00Z",
      ColumnDefinition: columns,
    },
  };
}
