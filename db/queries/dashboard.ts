/**
 * Dashboard read models. Every amount comes from `getReport` / `getTeamPeriods`
 * (the CLI report's figures; docs/allocation.md, docs/cli.md) over the persisted `allocation_results`; only the
 * drill-downs (product, metric, resource, principal) read active `cost_rows`, from the
 * same source granularity the report uses for each (org, view period), so their direct
 * cost sums to the report's direct cost. Amounts are decimal strings throughout.
 */
import { groupKey, UNALLOCATED, UNMAPPED, UNASSIGNED } from "../../app/domain/allocation";
import { Decimal, dec, ZERO } from "../../app/domain/money";
import { addDays, periodEnd, startOfMonth, startOfNextMonth, type Granularity } from "../../app/domain/periods";
import type { Db } from "../client";
import { getReport, type ReportRow, type ViewGranularity } from "./report";
import { costCenterMap } from "./teams";
import { DEFAULT_POLICY, formatPolicy, policyFraction } from "../../app/domain/policies";
import { listOrgs, orgPolicies } from "./orgs";

export type { GroupBy } from "../../app/domain/vocabulary";
import type { GroupBy } from "../../app/domain/vocabulary";

export interface ViewParams {
  granularity: ViewGranularity;
  from: string;
  to: string;
  orgIds?: string[];
}

const orgsParam = (orgIds?: string[]) => (orgIds && orgIds.length ? orgIds : null);
const s = (d: Decimal) => d.toFixed();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Latest bucket start with allocation results for these orgs (null when there is no data). */
export async function latestDataDay(db: Db, orgIds?: string[]): Promise<string | null> {
  const [r] = await db.query<{ d: string | null }>(
    `select max(bucket_start)::text as d from allocation_results where ($1::text[] is null or org_id = any($1::text[]))`,
    [orgsParam(orgIds)],
  );
  return r?.d ?? null;
}

// ------------------------------------------------------------------ group totals

export interface GroupTotal {
  group: string;
  direct: string;
  unallocatedShare: string;
  total: string;
}

interface Acc {
  direct: Decimal;
  share: Decimal;
  total: Decimal;
}
const acc0 = (): Acc => ({ direct: ZERO, share: ZERO, total: ZERO });
const add = (a: Acc, r: ReportRow) => {
  a.direct = a.direct.plus(dec(r.direct));
  a.share = a.share.plus(dec(r.unallocatedShare));
  a.total = a.total.plus(dec(r.total));
};

function sumBy(rows: ReportRow[], key: (r: ReportRow) => string): Map<string, Acc> {
  const m = new Map<string, Acc>();
  for (const r of rows) {
    const k = key(r);
    let a = m.get(k);
    if (!a) m.set(k, (a = acc0()));
    add(a, r);
  }
  return m;
}

export interface OverviewRow extends GroupTotal {
  /** share of the grand total (ratio string), null when the grand total is 0 */
  pctOfTotal: string | null;
  previousTotal: string;
  /** total − previous total */
  change: string;
  /** change / |previous total|, null when previous is 0 */
  changePct: string | null;
}

export interface Overview {
  rows: OverviewRow[];
  kpi: {
    total: string;
    previousTotal: string;
    change: string;
    changePct: string | null;
    direct: string;
    unmapped: string;
    /** 1 − unmapped/total (ratio string), null when total ≤ 0 */
    coverage: string | null;
    unmappedShare: string | null;
    /** Σ of the buckets' unallocated amounts U in range (negative = credits) */
    netUnallocated: string;
    /** part of U that stayed on the pseudo-team `unallocated` */
    unallocatedKept: string;
  };
  /** chart series: top 8 groups by total, the rest as "Other" */
  series: string[];
  /** one entry per view period: total per series (decimal strings) */
  periods: Array<{ period: string; total: string; values: Record<string, string> }>;
  /** report rows (for tests and the period table) */
  report: ReportRow[];
}

export const OTHER = "Other";
export const TOP_N = 8;

/** The overview of the CLI report for these filters and the previous equal range. */
export async function getOverview(
  db: Db,
  p: ViewParams & { by: GroupBy; previous: { from: string; to: string } },
): Promise<Overview> {
  const report = await getReport(db, { granularity: p.granularity, from: p.from, to: p.to, orgIds: p.orgIds, by: p.by });
  const prev = await getReport(db, { granularity: p.granularity, from: p.previous.from, to: p.previous.to, orgIds: p.orgIds, by: p.by });
  const cur = sumBy(report, (r) => r.group);
  const before = sumBy(prev, (r) => r.group);
  const grand = [...cur.values()].reduce((a, x) => a.plus(x.total), ZERO);
  const grandPrev = [...before.values()].reduce((a, x) => a.plus(x.total), ZERO);
  const direct = [...cur.values()].reduce((a, x) => a.plus(x.direct), ZERO);
  const netU = [...cur.values()].reduce((a, x) => a.plus(x.share), ZERO);
  const ratio = (n: Decimal, d: Decimal) => (d.isZero() ? null : n.div(d).toFixed());

  const groups = new Set([...cur.keys(), ...before.keys()]);
  const rows: OverviewRow[] = [...groups].map((g) => {
    const a = cur.get(g) ?? acc0();
    const b = before.get(g)?.total ?? ZERO;
    const change = a.total.minus(b);
    return {
      group: g,
      direct: s(a.direct),
      unallocatedShare: s(a.share),
      total: s(a.total),
      pctOfTotal: grand.isZero() ? null : a.total.div(grand).toFixed(),
      previousTotal: s(b),
      change: s(change),
      changePct: b.isZero() ? null : change.div(b.abs()).toFixed(),
    };
  });
  rows.sort((x, y) => dec(y.total).cmp(dec(x.total)) || cmp(x.group, y.group));

  const unmapped = cur.get(UNMAPPED)?.total ?? ZERO;
  const kept = cur.get(UNALLOCATED)?.total ?? ZERO;
  const totalChange = grand.minus(grandPrev);

  const ranked = rows.filter((r) => cur.has(r.group)).map((r) => r.group);
  const top = ranked.slice(0, TOP_N);
  const hasOther = ranked.length > TOP_N;
  const series = hasOther ? [...top, OTHER] : top;
  const topSet = new Set(top);
  const perPeriod = new Map<string, Map<string, Decimal>>();
  for (const r of report) {
    let m = perPeriod.get(r.periodStart);
    if (!m) perPeriod.set(r.periodStart, (m = new Map()));
    const k = topSet.has(r.group) ? r.group : OTHER;
    m.set(k, (m.get(k) ?? ZERO).plus(dec(r.total)));
  }
  const periods = [...perPeriod.keys()].sort().map((period) => {
    const m = perPeriod.get(period)!;
    const values: Record<string, string> = {};
    let t = ZERO;
    for (const g of series) {
      const v = m.get(g) ?? ZERO;
      values[g] = s(v);
      t = t.plus(v);
    }
    return { period, total: s(t), values };
  });

  return {
    rows,
    kpi: {
      total: s(grand),
      previousTotal: s(grandPrev),
      change: s(totalChange),
      changePct: grandPrev.isZero() ? null : totalChange.div(grandPrev.abs()).toFixed(),
      direct: s(direct),
      unmapped: s(unmapped),
      coverage: grand.gt(0) ? ZERO.plus(1).minus(unmapped.div(grand)).toFixed() : null,
      unmappedShare: grand.gt(0) ? unmapped.div(grand).toFixed() : null,
      netUnallocated: s(netU),
      unallocatedKept: s(kept),
    },
    series,
    periods,
    report,
  };
}

/** Sort for the overview table (server side: the sort lives in the URL). */
export function sortOverviewRows(rows: OverviewRow[], key: "group" | "direct" | "share" | "total" | "pct" | "change", dir: "asc" | "desc"): OverviewRow[] {
  const val = (r: OverviewRow): Decimal | string => {
    switch (key) {
      case "group":
        return r.group;
      case "direct":
        return dec(r.direct);
      case "share":
        return dec(r.unallocatedShare);
      case "total":
      case "pct":
        return dec(r.total);
      case "change":
        return dec(r.change);
    }
  };
  const sign = dir === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    const c = typeof x === "string" ? cmp(x, y as string) : x.cmp(y as Decimal);
    return sign * c || cmp(a.group, b.group);
  });
}

// ------------------------------------------------------------------ per org

export interface OrgSummary {
  orgId: string;
  displayName: string | null;
  policy: string;
  direct: string;
  unallocatedShare: string;
  total: string;
  unmapped: string;
  lastImport: { id: number; at: string; fileName: string; granularity: string; firstBucket: string; lastBucket: string; createdBy: string } | null;
  /** latest bucket with data (any granularity), and the exclusive end of that bucket */
  latestBucket: string | null;
  dataThrough: string | null;
  importCount: number;
}

const ISO = `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

export async function orgSummaries(db: Db, p: ViewParams): Promise<OrgSummary[]> {
  const only = orgsParam(p.orgIds);
  const orgs = (await listOrgs(db)).filter((o) => only === null || only.includes(o.org_id)); // policy: its text form
  const report = await getReport(db, { ...p, by: "team" });
  const byOrg = sumBy(report, (r) => r.orgId);
  const unm = sumBy(report.filter((r) => r.group === UNMAPPED), (r) => r.orgId);
  const fr = await orgFreshness(db, p.orgIds);
  return orgs.map((o) => {
    const a = byOrg.get(o.org_id) ?? acc0();
    const f = fr.get(o.org_id);
    const i = f?.imp;
    return {
      orgId: o.org_id,
      displayName: o.display_name,
      policy: o.policy,
      direct: s(a.direct),
      unallocatedShare: s(a.share),
      total: s(a.total),
      unmapped: s(unm.get(o.org_id)?.total ?? ZERO),
      lastImport: i
        ? { id: i.id, at: i.at, fileName: i.file_name, granularity: i.granularity, firstBucket: i.first_bucket, lastBucket: i.last_bucket, createdBy: i.created_by }
        : null,
      latestBucket: f?.latestBucket ?? null,
      dataThrough: f?.dataThrough ?? null,
      importCount: i?.n ?? 0,
    };
  });
}

/** Per org: the last import and the last day with data (the trust signals of every page). */
export async function orgFreshness(db: Db, orgIds?: string[]) {
  const imps = await db.query<{
    org_id: string; id: number; at: string; file_name: string; granularity: string; first_bucket: string; last_bucket: string; created_by: string; n: number;
  }>(
    `select distinct on (org_id) org_id, id, ${ISO} as at, file_name, granularity, first_bucket::text, last_bucket::text, created_by,
            count(*) over (partition by org_id)::int as n
       from imports where ($1::text[] is null or org_id = any($1::text[]))
      order by org_id, created_at desc, id desc`,
    [orgsParam(orgIds)],
  );
  const fresh = await db.query<{ org_id: string; granularity: Granularity; last: string }>(
    `select org_id, granularity, max(bucket_start)::text as last from allocation_results
      where ($1::text[] is null or org_id = any($1::text[])) group by 1, 2`,
    [orgsParam(orgIds)],
  );
  const out = new Map<string, { imp: (typeof imps)[number] | undefined; latestBucket: string | null; dataThrough: string | null }>();
  const orgs = new Set([...imps.map((i) => i.org_id), ...fresh.map((f) => f.org_id)]);
  for (const o of orgs) {
    let latest: string | null = null;
    let through: string | null = null;
    for (const f of fresh.filter((x) => x.org_id === o)) {
      const end = periodEnd(f.last, f.granularity);
      if (!through || end > through) through = end;
      if (!latest || f.last > latest) latest = f.last;
    }
    out.set(o, { imp: imps.find((i) => i.org_id === o), latestBucket: latest, dataThrough: through ? addDays(through, -1) : null });
  }
  return out;
}

export async function recentImports(db: Db, orgId: string, limit = 10) {
  return db.query<{ id: number; at: string; file_name: string; granularity: string; first_bucket: string; last_bucket: string; row_count: number; total: string; status: string; created_by: string; warnings: string[] }>(
    `select id, ${ISO} as at, file_name, granularity, first_bucket::text, last_bucket::text, row_count, total::text, status, created_by, warnings
       from imports where org_id = $1 order by created_at desc, id desc limit $2`,
    [orgId, limit],
  );
}

export async function monthClosesOf(db: Db, orgIds?: string[]) {
  return db.query<{ org_id: string; month: string; status: string; closed_at: string; closed_by: string }>(
    `select org_id, month, status, to_char(closed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as closed_at, closed_by
       from month_closes where ($1::text[] is null or org_id = any($1::text[])) order by month desc, org_id`,
    [orgsParam(orgIds)],
  );
}

// ------------------------------------------------------------------ trust: period status

export interface PeriodStatus {
  period: string;
  status: "closed" | "provisional";
  reasons: string[];
}

const H48 = 48 * 3600 * 1000;
const dayMs = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));

/**
 * For each view period: "closed" when every org with data in it has closed every month the
 * period touches; otherwise "provisional", with why (month not closed, period not over, data
 * ingested less than 48 h after the period's end).
 */
export async function periodStatuses(
  db: Db,
  p: { granularity: ViewGranularity; periods: string[]; orgIds?: string[]; now: Date; report: ReportRow[] },
): Promise<PeriodStatus[]> {
  if (p.periods.length === 0) return [];
  const closes = await db.query<{ org_id: string; month: string }>(
    `select org_id, month from month_closes where status = 'closed' and ($1::text[] is null or org_id = any($1::text[]))`,
    [orgsParam(p.orgIds)],
  );
  const closed = new Set(closes.map((c) => `${c.org_id}|${c.month}`));
  const imps = await db.query<{ org_id: string; granularity: Granularity; first_bucket: string; last_bucket: string; at: string }>(
    `select org_id, granularity, first_bucket::text, last_bucket::text, ${ISO} as at from imports
      where status = 'active' and ($1::text[] is null or org_id = any($1::text[]))`,
    [orgsParam(p.orgIds)],
  );
  const orgsIn = new Map<string, Set<string>>();
  for (const r of p.report) {
    let m = orgsIn.get(r.periodStart);
    if (!m) orgsIn.set(r.periodStart, (m = new Set()));
    m.add(r.orgId);
  }
  const nowMs = p.now.getTime();
  return p.periods.map((ps) => {
    const pe = periodEnd(ps, p.granularity);
    const orgs = [...(orgsIn.get(ps) ?? [])];
    const months: string[] = [];
    for (let m = startOfMonth(ps); m < pe; m = startOfNextMonth(m)) months.push(m.slice(0, 7));
    const reasons: string[] = [];
    const allClosed = orgs.length > 0 && orgs.every((o) => months.every((m) => closed.has(`${o}|${m}`)));
    if (allClosed) return { period: ps, status: "closed" as const, reasons: ["month closed"] };
    if (dayMs(pe) > nowMs) reasons.push("period not over yet");
    else {
      const late = imps.some((i) => {
        if (!orgs.includes(i.org_id)) return false;
        const dataEnd = periodEnd(i.last_bucket, i.granularity);
        if (!(i.first_bucket < pe && dataEnd > ps)) return false;
        const coveredEnd = dataEnd < pe ? dataEnd : pe;
        return Date.parse(i.at) < dayMs(coveredEnd) + H48;
      });
      if (late) reasons.push("ingested less than 48 h after the period ended: data may still change");
    }
    reasons.push("month not closed");
    return { period: ps, status: "provisional" as const, reasons };
  });
}

// ------------------------------------------------------------------ drill-down

export type GroupKind = GroupBy;

export interface Breakdown {
  key: string[];
  direct: string;
}

export interface Drilldown {
  kind: GroupKind;
  key: string;
  members: string[];
  totals: { direct: string; unallocatedShare: string; total: string };
  trend: Array<{ period: string; direct: string; unallocatedShare: string; total: string }>;
  byOrgReport: Array<{ orgId: string; direct: string; unallocatedShare: string; total: string }>;
  /** raw-row breakdowns: direct cost only (the unallocated share is explained separately) */
  rawDirect: string;
  byProductMetric: Array<{ product: string; metric: string; unit: string; direct: string }>;
  byProduct: Array<{ product: string; direct: string }>;
  byOrgEnvResource: Array<{ orgId: string; environmentId: string; resourceId: string; direct: string }>;
  principals: Array<{ orgId: string; ownerId: string; displayName: string | null; team: string | null; direct: string }>;
  unallocated: {
    rows: Array<{ orgId: string; granularity: string; bucket: string; team: string; policy: string; bucketU: string; teamDirect: string; weight: string | null; share: string }>;
    totalRows: number;
    shareTotal: string;
  };
  /** the first CROSSWALK_SHOWN entries (by team, org, owner, date) */
  crosswalk: Array<{ id: number; orgId: string; ownerId: string; displayName: string | null; team: string; validFrom: string; validTo: string | null; note: string | null }>;
  /** all the entries routing cost here */
  crosswalkTotal: number;
}

/** Team names (and pseudo-teams) that make up a group, from the results in range. */
async function membersOf(db: Db, kind: GroupKind, key: string, p: ViewParams): Promise<string[]> {
  if (kind === "team") return [key];
  const teams = await db.query<{ team: string }>(
    `select distinct team from allocation_results
      where bucket_start between $1::date and $2::date and ($3::text[] is null or org_id = any($3::text[]))
     union select name from teams`,
    [p.from, p.to, orgsParam(p.orgIds)],
  );
  const cc = await costCenterMap(db);
  return teams.map((t) => t.team).filter((t) => groupKey(t, "cost_center", (x) => cc.get(x)) === key).sort();
}

/** The report's source choice applied to a table with org_id, granularity, bucket_start (alias `s`). */
const SOURCE_FILTER = `(s.granularity = $1::text or not exists (
    select 1 from allocation_results x where x.org_id = s.org_id and x.granularity = $1::text and x.bucket_start =
      case $1::text when 'monthly' then date_trunc('month', s.bucket_start)::date
                    when 'weekly' then date_trunc('week', s.bucket_start)::date else s.bucket_start end))
  and (s.granularity = $1::text or (s.granularity = 'daily' and $1::text <> 'daily'))`;

/** Crosswalk entries listed on a drill-down page (the rest: the crosswalk page, filtered by team). */
export const CROSSWALK_SHOWN = 100;

export async function getDrilldown(
  db: Db,
  kind: GroupKind,
  key: string,
  p: ViewParams,
  /** `report`: the caller's getReport for the same view, grouped by `kind` (saves running it twice). */
  opts: { forceRaw?: boolean; report?: ReportRow[] } = {},
): Promise<Drilldown> {
  const members = await membersOf(db, kind, key, p);
  const report = (opts.report ?? (await getReport(db, { ...p, by: kind }))).filter((r) => r.group === key);
  const tot = acc0();
  for (const r of report) add(tot, r);
  const trendM = sumBy(report, (r) => r.periodStart);
  const orgM = sumBy(report, (r) => r.orgId);

  const realTeams = members.filter((m) => m !== UNMAPPED && m !== UNALLOCATED);
  const wantUnmapped = members.includes(UNMAPPED);
  const wantUnallocated = members.includes(UNALLOCATED);
  const params = [p.granularity, p.from, p.to, orgsParam(p.orgIds), realTeams, wantUnmapped, wantUnallocated];
  type RawRow = {
    org_id: string; environment_id: string; resource_id: string; product: string; metric: string; unit: string;
    owner_id: string; team: string | null; direct: string;
  };
  // Whole months (daily or monthly view): read the month-level aggregate; otherwise the raw rows.
  const wholeMonths = p.granularity !== "weekly" && p.from.endsWith("-01") && addDays(p.to, 1).endsWith("-01");
  // (hash aggregation: the row estimate makes the planner sort ~20k rows on 8 text keys, 2-3x slower)
  // The team's rows: from the month-level aggregate, or from the raw rows (custom day ranges,
  // weekly views, and the tests' oracle); then every breakdown in one GROUPING SETS pass.
  const inner = wholeMonths && !opts.forceRaw
    ? `select org_id, environment_id, resource_id, product, metric, unit, owner_id,
              case when team in ('unmapped', 'unallocated', '') then null else team end as team, sum(direct) as direct
         from allocation_details s
        where s.month between $2::date and $3::date
          and ($4::text[] is null or s.org_id = any($4::text[]))
          and ${SOURCE_FILTER.replaceAll("s.bucket_start", "s.month")}
          and (s.team = any($5::text[]) or ($6::boolean and s.team = 'unmapped') or ($7::boolean and s.team = '${UNALLOCATED}'))
        group by 1, 2, 3, 4, 5, 6, 7, 8`
    : `with chosen as (
         select s.* from cost_rows s
          where s.active and s.bucket_start between $2::date and $3::date
            and ($4::text[] is null or s.org_id = any($4::text[]))
            and ${SOURCE_FILTER}),
       mapped as (
         select c.*, t.name as team from chosen c
           left join crosswalk_entries e on not c.is_unallocated and e.org_id = c.org_id and e.owner_id = c.owner_id
                 and c.bucket_start >= e.valid_from and (e.valid_to is null or c.bucket_start < e.valid_to)
           left join teams t on t.id = e.team_id)
       select org_id, environment_id, resource_id, product, metric, unit, owner_id, team, sum(chargeback_cost) as direct
         from mapped m
        where (not m.is_unallocated and m.team = any($5::text[]))
           or ($6::boolean and not m.is_unallocated and m.team is null)
           or ($7::boolean and m.is_unallocated and exists (
                 select 1 from allocation_results a where a.org_id = m.org_id and a.granularity = m.granularity
                    and a.bucket_start = m.bucket_start and a.team = '${UNALLOCATED}'))
        group by 1, 2, 3, 4, 5, 6, 7, 8`;
  // gset = grouping(product, metric, environment_id, owner_id): 3 product+metric, 7 product, 13 org/env/resource, 14 principal, 15 all
  type SetRow = RawRow & { gset: number };
  const sets = await db.transaction(async (tx) => {
    // hash aggregation: the row estimate makes the planner sort ~50k rows on 8 text keys, 2-3x slower
    await tx.exec("set local enable_sort = off");
    return tx.query<SetRow>(
      `with r as (${inner})
       select grouping(product, metric, environment_id, owner_id)::int as gset, org_id, environment_id, resource_id, product, metric,
              unit, owner_id, team, sum(direct)::text as direct
         from r
        group by grouping sets ((product, metric, unit), (product), (org_id, environment_id, resource_id), (org_id, owner_id, team), ())`,
      params,
    );
  });
  const names = await db.query<{ org_id: string; owner_id: string; display_name: string }>(
    `select org_id, owner_id, display_name from owner_names where ($1::text[] is null or org_id = any($1::text[]))`,
    [orgsParam(p.orgIds)],
  );
  const nameOf = new Map(names.map((n) => [`${n.org_id}|${n.owner_id}`, n.display_name]));

  /** One grouping set, largest amounts first (ties by key), amounts formatted like every other figure. */
  const group = <T extends string>(gset: number, f: (r: SetRow) => string[], keys: readonly T[]) =>
    sets
      .filter((r) => r.gset === gset)
      .map((r) => ({ k: f(r), d: dec(r.direct) }))
      .sort((a, b) => b.d.abs().cmp(a.d.abs()) || cmp(a.k.join("|"), b.k.join("|")))
      .map((e) => {
        const o: Record<string, string> = { direct: s(e.d) };
        keys.forEach((k, i) => (o[k] = e.k[i]!));
        return o as Record<T | "direct", string>;
      });
  const rawDirect = dec(sets.find((r) => r.gset === 15)?.direct || "0");

  // the unallocated share, bucket by bucket (same source choice as the report)
  const policies = await orgPolicies(db);
  const ua = await db.query<{
    org_id: string; granularity: string; bucket_start: string; team: string; direct_cost: string; unallocated_share: string; u: string; directs: Record<string, string>;
  }>(
    `with chosen as (
       select s.* from allocation_results s
        where s.bucket_start between $2::date and $3::date and ($4::text[] is null or s.org_id = any($4::text[]))
          and ${SOURCE_FILTER}),
     w as (select c.*, sum(c.unallocated_share) over b as u,
                  -- the bucket's direct cost per team, for the policy's weights (app/domain/policies.ts)
                  jsonb_object_agg(c.team, c.direct_cost::text) filter (where c.team <> '${UNALLOCATED}') over b as directs
             from chosen c window b as (partition by c.org_id, c.granularity, c.bucket_start))
     select c.org_id, c.granularity, c.bucket_start::text as bucket_start, c.team, c.direct_cost::text as direct_cost,
            c.unallocated_share::text as unallocated_share, c.u::text as u, c.directs
       from w c
      where c.team = any($5::text[]) and c.unallocated_share <> 0
      order by c.bucket_start, c.org_id, c.team`,
    [p.granularity, p.from, p.to, orgsParam(p.orgIds), members],
  );
  const uaRows = ua.map((r) => {
    const value = policies.get(r.org_id) ?? DEFAULT_POLICY;
    const direct = new Map(Object.entries(r.directs ?? {}).map(([t, d]) => [t, dec(d)] as const));
    const weight = r.team === UNALLOCATED ? "1" : (policyFraction(value, direct, r.team)?.toFixed() ?? null);
    return {
      orgId: r.org_id, granularity: r.granularity, bucket: r.bucket_start, team: r.team, policy: formatPolicy(value),
      bucketU: s(dec(r.u)), teamDirect: s(dec(r.direct_cost)), weight, share: s(dec(r.unallocated_share)),
    };
  });
  const shareTotal = ua.reduce((a, r) => a.plus(dec(r.unallocated_share)), ZERO);
  // largest amounts first, capped for the page
  const shown = [...uaRows].sort((a, b) => dec(b.share).abs().cmp(dec(a.share).abs()) || cmp(a.bucket, b.bucket)).slice(0, 60);
  shown.sort((a, b) => cmp(a.bucket, b.bucket) || cmp(a.orgId, b.orgId) || cmp(a.team, b.team));

  const cw = realTeams.length
    ? await db.query<{ id: number; org_id: string; owner_id: string; display_name: string | null; team: string; valid_from: string; valid_to: string | null; note: string | null; n: number }>(
        `select c.id, c.org_id, c.owner_id, n.display_name, t.name as team, c.valid_from::text, c.valid_to::text, c.note, (count(*) over ())::int as n
           from crosswalk_entries c join teams t on t.id = c.team_id
           left join owner_names n on n.org_id = c.org_id and n.owner_id = c.owner_id
          where t.name = any($1::text[]) and ($2::text[] is null or c.org_id = any($2::text[]))
          order by t.name, c.org_id, c.owner_id, c.valid_from
          limit $3`,
        [realTeams, orgsParam(p.orgIds), CROSSWALK_SHOWN],
      )
    : [];

  return {
    kind,
    key,
    members,
    totals: { direct: s(tot.direct), unallocatedShare: s(tot.share), total: s(tot.total) },
    trend: [...trendM.entries()].sort((a, b) => cmp(a[0], b[0])).map(([period, a]) => ({ period, direct: s(a.direct), unallocatedShare: s(a.share), total: s(a.total) })),
    byOrgReport: [...orgM.entries()].sort((a, b) => cmp(a[0], b[0])).map(([orgId, a]) => ({ orgId, direct: s(a.direct), unallocatedShare: s(a.share), total: s(a.total) })),
    rawDirect: s(rawDirect),
    byProductMetric: group(3, (r) => [r.product, r.metric, r.unit], ["product", "metric", "unit"] as const),
    byProduct: group(7, (r) => [r.product], ["product"] as const),
    byOrgEnvResource: group(13, (r) => [r.org_id, r.environment_id, r.resource_id], ["orgId", "environmentId", "resourceId"] as const),
    principals: group(14, (r) => [r.org_id, r.owner_id, r.team ?? ""], ["orgId", "ownerId", "team"] as const)
      .slice(0, 25)
      .map((x) => ({ orgId: x.orgId, ownerId: x.ownerId, team: x.team || null, displayName: nameOf.get(`${x.orgId}|${x.ownerId}`) ?? null, direct: x.direct })),
    unallocated: { rows: shown, totalRows: uaRows.length, shareTotal: s(shareTotal) },
    crosswalk: cw.map((c) => ({ id: c.id, orgId: c.org_id, ownerId: c.owner_id, displayName: c.display_name, team: c.team, validFrom: c.valid_from, validTo: c.valid_to, note: c.note })),
    crosswalkTotal: cw[0]?.n ?? 0,
  };
}

// ------------------------------------------------------------------ teams list

export interface TeamListRow {
  team: string;
  costCenter: string | null;
  pseudo: boolean;
  direct: string;
  unallocatedShare: string;
  total: string;
  previousTotal: string;
  change: string;
}

/** Current and previous totals per report group, over the given group names (those with no cost get zeros). */
async function groupTotals(db: Db, p: ViewParams & { previous: { from: string; to: string } }, by: GroupBy, names: Iterable<string>) {
  const cur = sumBy(await getReport(db, { ...p, by }), (r) => r.group);
  const prev = sumBy(await getReport(db, { ...p, from: p.previous.from, to: p.previous.to, by }), (r) => r.group);
  return [...new Set([...names, ...cur.keys(), ...prev.keys()])].map((key) => {
    const a = cur.get(key) ?? acc0();
    const b = prev.get(key)?.total ?? ZERO;
    return { key, direct: s(a.direct), unallocatedShare: s(a.share), total: s(a.total), previousTotal: s(b), change: s(a.total.minus(b)) };
  });
}

const byTotalDesc = <T extends { total: string }>(key: (x: T) => string) => (x: T, y: T) => dec(y.total).cmp(dec(x.total)) || cmp(key(x), key(y));

export async function listTeamTotals(db: Db, p: ViewParams & { previous: { from: string; to: string } }): Promise<TeamListRow[]> {
  const teams = await db.query<{ name: string; cost_center: string | null; archived: boolean }>(`select name, cost_center, archived from teams order by name`);
  const ccOf = new Map(teams.map((t) => [t.name, t.cost_center]));
  return (await groupTotals(db, p, "team", teams.filter((t) => !t.archived).map((t) => t.name)))
    .map(({ key: team, ...amounts }) => {
      const pseudo = team === UNMAPPED || team === UNALLOCATED;
      return { team, costCenter: pseudo ? null : (ccOf.get(team) ?? null), pseudo, ...amounts };
    })
    .sort(byTotalDesc((t) => t.team));
}

export interface CostCenterListRow {
  code: string;
  name: string | null;
  /** unassigned, unmapped, unallocated */
  pseudo: boolean;
  /** the active teams charged to it */
  teams: string[];
  direct: string;
  unallocatedShare: string;
  total: string;
  previousTotal: string;
  change: string;
}

/** /cost-centers: every cost center (and the unassigned / unmapped / unallocated groups) with totals and teams. */
export async function listCostCenterTotals(db: Db, p: ViewParams & { previous: { from: string; to: string } }): Promise<CostCenterListRow[]> {
  const centers = await db.query<{ code: string; name: string | null }>(`select code, name from cost_centers order by code`);
  const teams = await db.query<{ name: string; cost_center: string | null }>(`select name, cost_center from teams where not archived order by name`);
  const nameOf = new Map(centers.map((c) => [c.code, c.name]));
  const teamsOf = new Map<string, string[]>();
  for (const t of teams) {
    const k = t.cost_center ?? UNASSIGNED;
    teamsOf.set(k, [...(teamsOf.get(k) ?? []), t.name]);
  }
  return (await groupTotals(db, p, "cost_center", centers.map((c) => c.code)))
    .map(({ key: code, ...amounts }) => {
      const pseudo = code === UNASSIGNED || code === UNMAPPED || code === UNALLOCATED;
      return { code, name: nameOf.get(code) ?? null, pseudo, teams: pseudo && code !== UNASSIGNED ? [] : (teamsOf.get(code) ?? []), ...amounts };
    })
    .sort(byTotalDesc((c) => c.code));
}

export { UNASSIGNED, UNMAPPED, UNALLOCATED };

/** Trust signals for pages other than the overview: unmapped share of the scope and period statuses. */
export async function groupTrust(
  db: Db,
  p: {
    view: ViewParams;
    now: Date;
    freshness: Array<{ orgId: string; lastImportAt: string | null; dataThrough: string | null }>;
    /** getReport for the same view by team, when the caller has it */
    report?: ReportRow[];
  },
) {
  const report = p.report ?? (await getReport(db, { ...p.view, by: "team" }));
  let total = ZERO;
  let unmapped = ZERO;
  for (const r of report) {
    total = total.plus(dec(r.total));
    if (r.group === UNMAPPED) unmapped = unmapped.plus(dec(r.total));
  }
  const periods = [...new Set(report.map((r) => r.periodStart))].sort();
  return {
    nowMs: p.now.getTime(),
    freshness: p.freshness,
    unmapped: { amount: s(unmapped), share: total.gt(0) ? unmapped.div(total).toFixed() : null },
    periods: await periodStatuses(db, { granularity: p.view.granularity, periods, orgIds: p.view.orgIds, now: p.now, report }),
    gran: p.view.granularity,
  };
}
