/**
 * The drill-down of one team or cost center (docs/allocation.md): its totals, trend and
 * per-org split from the report (`getReport`), and the breakdowns (product, metric,
 * resource, principal) from the active cost rows of the same source granularity the report
 * reads for each (org, view period) (`readByView`), so their direct cost sums to the
 * report's direct cost; the unallocated share bucket by bucket with the policy's weights
 * (the domain registry, app/domain/policies.ts); the crosswalk entries routing cost here.
 */
import { groupKey } from "../../app/domain/allocation";
import { dec, ZERO, type Decimal } from "../../app/domain/money";
import { addDays } from "../../app/domain/periods";
import { DEFAULT_POLICY, formatPolicy, policyFraction } from "../../app/domain/policies";
import { isVisible } from "../../app/domain/scope";
import { UNALLOCATED, UNMAPPED, type GroupBy } from "../../app/domain/vocabulary";
import type { Db } from "../client";
import type { AllocationResultText } from "./allocation";
import { segmentJoin, shareAmount } from "./crosswalk-resolution";
import { orgPolicies } from "./orgs";
import { getReport, type ReportRow } from "./report";
import { costCenterMap } from "./teams";
import { acc0, addTo as add, cmp, fmt as s, orgsParam, readByView, sumBy, type ViewParams } from "./view";

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
  /**
   * `mappedBy`: where the owner's team came from in the range (`entry #3`, `rule "x" (#2)`,
   * `split 40 % of rule "x" (#2)`), several sources comma-separated (largest cost first, ties by
   * label); null when unmapped or unallocated.
   */
  principals: Array<{
    orgId: string;
    ownerId: string;
    displayName: string | null;
    team: string | null;
    mappedBy: string | null;
    direct: string;
  }>;
  unallocated: {
    rows: Array<{
      orgId: string;
      granularity: string;
      bucket: string;
      team: string;
      policy: string;
      bucketU: string;
      teamDirect: string;
      weight: string | null;
      share: string;
    }>;
    totalRows: number;
    shareTotal: string;
  };
  /** the first CROSSWALK_SHOWN entries (by team, org, owner, date) */
  crosswalk: Array<{
    id: number;
    orgId: string;
    ownerId: string;
    displayName: string | null;
    team: string;
    validFrom: string;
    validTo: string | null;
    note: string | null;
  }>;
  /** all the entries routing cost here */
  crosswalkTotal: number;
  /** a scoped viewer: the crosswalk is not shown (docs/auth.md "Scoped viewers") */
  crosswalkHidden: boolean;
}

/** Principals shown on a drill-down: the largest PRINCIPALS_SHOWN by |direct| (ties by org, owner, team). */
export const PRINCIPALS_SHOWN = 25;

/**
 * The principal rows (one per org, owner, team and mapping source) merged per (org, owner, team):
 * direct summed, the sources listed comma-separated, largest cost first (ties by label).
 */
function principalsOf(
  rows: ReadonlyArray<{ org_id: string; owner_id: string; team: string | null; mapped_by: string | null; direct: string }>,
) {
  const acc = new Map<string, { orgId: string; ownerId: string; team: string | null; direct: Decimal; by: Map<string, Decimal> }>();
  for (const r of rows) {
    const k = [r.org_id, r.owner_id, r.team ?? ""].join("|");
    const e = acc.get(k) ?? { orgId: r.org_id, ownerId: r.owner_id, team: r.team || null, direct: ZERO, by: new Map<string, Decimal>() };
    e.direct = e.direct.plus(dec(r.direct));
    if (r.mapped_by) e.by.set(r.mapped_by, (e.by.get(r.mapped_by) ?? ZERO).plus(dec(r.direct)));
    acc.set(k, e);
  }
  return [...acc.entries()]
    .sort(([ka, a], [kb, b]) => b.direct.abs().cmp(a.direct.abs()) || cmp(ka, kb))
    .slice(0, PRINCIPALS_SHOWN)
    .map(([, e]) => ({
      orgId: e.orgId,
      ownerId: e.ownerId,
      team: e.team,
      mappedBy: e.by.size
        ? [...e.by.entries()]
            .sort((a, b) => b[1].abs().cmp(a[1].abs()) || cmp(a[0], b[0]))
            .map(([label]) => label)
            .join(", ")
        : null,
      direct: s(e.direct),
    }));
}

/** Team names (and pseudo-teams) that make up a group, from the results in range. */
async function membersOf(db: Db, kind: GroupKind, key: string, p: ViewParams): Promise<string[]> {
  // a scoped viewer: its visible teams only (the pseudo-teams and every other team are OTHER_TEAMS)
  const seen = (t: string) => isVisible(p.visible ?? null, t);
  if (kind === "team") return seen(key) ? [key] : [];
  const teams = await db.query<{ team: string }>(
    `select distinct team from allocation_results
      where bucket_start between $1::date and $2::date and ($3::text[] is null or org_id = any($3::text[]))
     union select name from teams`,
    [p.from, p.to, orgsParam(p.orgIds)],
  );
  const cc = await costCenterMap(db);
  return teams
    .map((t) => t.team)
    .filter((t) => groupKey(t, "cost_center", (x) => cc.get(x)) === key && seen(t))
    .sort();
}

/** The report's source choice (db/queries/view.ts) for a row `s` whose bucket date is `day`. */
const readByThisView = (day: string) => readByView({ view: "$1::text", row: "s", day });

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
    org_id: string;
    environment_id: string;
    resource_id: string;
    product: string;
    metric: string;
    unit: string;
    owner_id: string;
    team: string | null;
    mapped_by: string | null;
    direct: string;
  };
  // Whole months (daily or monthly view): read the month-level aggregate; otherwise the raw rows.
  const wholeMonths = p.granularity !== "weekly" && p.from.endsWith("-01") && addDays(p.to, 1).endsWith("-01");
  // (hash aggregation: the row estimate makes the planner sort ~20k rows on 8 text keys, 2-3x slower)
  // The team's rows: from the month-level aggregate, or from the raw rows (custom day ranges,
  // weekly views, and the tests' oracle); then every breakdown in one GROUPING SETS pass.
  const inner =
    wholeMonths && !opts.forceRaw
      ? `select org_id, environment_id, resource_id, product, metric, unit, owner_id,
              case when team in ('${UNMAPPED}', '${UNALLOCATED}', '') then null else team end as team,
              nullif(mapped_by, '') as mapped_by, sum(direct) as direct
         from allocation_details s
        where s.month between $2::date and $3::date
          and ($4::text[] is null or s.org_id = any($4::text[]))
          and ${readByThisView("s.month")}
          and (s.team = any($5::text[]) or ($6::boolean and s.team = '${UNMAPPED}') or ($7::boolean and s.team = '${UNALLOCATED}'))
        group by 1, 2, 3, 4, 5, 6, 7, 8, 9`
      : `with chosen as (
         select s.* from cost_rows s
          where s.active and s.bucket_start between $2::date and $3::date
            and ($4::text[] is null or s.org_id = any($4::text[]))
            and ${readByThisView("s.bucket_start")}),
       mapped as (
         select c.*, m.team, m.mapped_by, ${shareAmount("m", "c.chargeback_cost")} as amount from chosen c
           ${segmentJoin({ seg: "m", row: "c", day: "c.bucket_start", when: "not c.is_unallocated" })})
       select org_id, environment_id, resource_id, product, metric, unit, owner_id, team, mapped_by, sum(amount) as direct
         from mapped m
        where (not m.is_unallocated and m.team = any($5::text[]))
           or ($6::boolean and not m.is_unallocated and m.team is null)
           or ($7::boolean and m.is_unallocated and exists (
                 select 1 from allocation_results a where a.org_id = m.org_id and a.granularity = m.granularity
                    and a.bucket_start = m.bucket_start and a.team = '${UNALLOCATED}'))
        group by 1, 2, 3, 4, 5, 6, 7, 8, 9`;
  // gset = grouping(product, metric, environment_id, owner_id): 3 product+metric, 7 product, 13 org/env/resource,
  // 14 principal (per mapping source: merged per owner below), 15 all
  type SetRow = RawRow & { gset: number };
  const sets = await db.transaction(async (tx) => {
    // hash aggregation: the row estimate makes the planner sort ~50k rows on 8 text keys, 2-3x slower
    await tx.exec("set local enable_sort = off");
    return tx.query<SetRow>(
      `with r as (${inner})
       select grouping(product, metric, environment_id, owner_id)::int as gset, org_id, environment_id, resource_id, product, metric,
              unit, owner_id, team, mapped_by, sum(direct)::text as direct
         from r
        group by grouping sets ((product, metric, unit), (product), (org_id, environment_id, resource_id), (org_id, owner_id, team, mapped_by), ())`,
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
  const ua = await db.query<Omit<AllocationResultText, "total"> & { u: string; directs: Record<string, string> }>(
    `with chosen as (
       select s.* from allocation_results s
        where s.bucket_start between $2::date and $3::date and ($4::text[] is null or s.org_id = any($4::text[]))
          and ${readByThisView("s.bucket_start")}),
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
      orgId: r.org_id,
      granularity: r.granularity,
      bucket: r.bucket_start,
      team: r.team,
      policy: formatPolicy(value),
      bucketU: s(dec(r.u)),
      teamDirect: s(dec(r.direct_cost)),
      weight,
      share: s(dec(r.unallocated_share)),
    };
  });
  const shareTotal = ua.reduce((a, r) => a.plus(dec(r.unallocated_share)), ZERO);
  // largest amounts first, capped for the page
  const shown = [...uaRows].sort((a, b) => dec(b.share).abs().cmp(dec(a.share).abs()) || cmp(a.bucket, b.bucket)).slice(0, 60);
  shown.sort((a, b) => cmp(a.bucket, b.bucket) || cmp(a.orgId, b.orgId) || cmp(a.team, b.team));

  // the crosswalk is not shown to a scoped viewer (docs/auth.md "Scoped viewers")
  const cw =
    realTeams.length && (p.visible ?? null) === null
      ? await db.query<{
          id: number;
          org_id: string;
          owner_id: string;
          display_name: string | null;
          team: string;
          valid_from: string;
          valid_to: string | null;
          note: string | null;
          n: number;
        }>(
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
    trend: [...trendM.entries()]
      .sort((a, b) => cmp(a[0], b[0]))
      .map(([period, a]) => ({ period, direct: s(a.direct), unallocatedShare: s(a.share), total: s(a.total) })),
    byOrgReport: [...orgM.entries()]
      .sort((a, b) => cmp(a[0], b[0]))
      .map(([orgId, a]) => ({ orgId, direct: s(a.direct), unallocatedShare: s(a.share), total: s(a.total) })),
    rawDirect: s(rawDirect),
    byProductMetric: group(3, (r) => [r.product, r.metric, r.unit], ["product", "metric", "unit"] as const),
    byProduct: group(7, (r) => [r.product], ["product"] as const),
    byOrgEnvResource: group(13, (r) => [r.org_id, r.environment_id, r.resource_id], ["orgId", "environmentId", "resourceId"] as const),
    principals: principalsOf(sets.filter((r) => r.gset === 14)).map((x) => ({
      orgId: x.orgId,
      ownerId: x.ownerId,
      team: x.team,
      displayName: nameOf.get(`${x.orgId}|${x.ownerId}`) ?? null,
      mappedBy: x.mappedBy,
      direct: x.direct,
    })),
    unallocated: { rows: shown, totalRows: uaRows.length, shareTotal: s(shareTotal) },
    crosswalk: cw.map((c) => ({
      id: c.id,
      orgId: c.org_id,
      ownerId: c.owner_id,
      displayName: c.display_name,
      team: c.team,
      validFrom: c.valid_from,
      validTo: c.valid_to,
      note: c.note,
    })),
    crosswalkTotal: cw[0]?.n ?? 0,
    crosswalkHidden: (p.visible ?? null) !== null,
  };
}
