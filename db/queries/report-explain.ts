/**
 * The explained report (`npm run report -- --explain`, docs/crosswalk.md "Command line"): the
 * report's rows split by where the cost came from, one row per (period, org, group, mapped_by),
 * summing EXACTLY to the report's row of (period, org, group).
 *
 * Per stored bucket and team (allocation_results, the stored granularity chosen by `readByView`
 * exactly as `getTeamPeriods` reads it), the direct cost per `mapped_by` is read from the raw
 * rows resolved through the stored segments (`segmentJoin`, split shares with `shareAmount`,
 * db/queries/crosswalk-resolution.ts); `explainTeamBucket` (app/domain/explain.ts) spreads the
 * team's unallocated share over those parts and labels what they do not explain (`policy`,
 * `unallocated`, `frozen`). Then rolled up to the view's periods and groups.
 */
import { groupKey, rollup, type KeyedAmounts } from "../../app/domain/allocation";
import { EXPLAIN_UNMAPPED, explainTeamBucket, type MappedByPart } from "../../app/domain/explain";
import { dec } from "../../app/domain/money";
import { UNMAPPED } from "../../app/domain/vocabulary";
import type { Db } from "../client";
import type { AllocationResultText } from "./allocation";
import { segmentAppliesAt, segmentJoin, shareAmount } from "./crosswalk-resolution";
import type { ReportParams, ReportRow } from "./report";
import { costCenterMap } from "./teams";
import { orgsParam, readByView, viewPeriodStartSql } from "./view";

export interface ExplainedReportRow extends ReportRow {
  /** `entry #3`, `rule "x" (#2)`, `split 40 % of …`, `unmapped`, `policy`, `unallocated`, `frozen` */
  mappedBy: string;
}

interface StoredRow extends AllocationResultText {
  period_start: string;
}

interface PartRow {
  org_id: string;
  granularity: string;
  bucket_start: string;
  team: string;
  mapped_by: string;
  direct: string;
}

const PARAMS = (p: Omit<ReportParams, "by">) => [p.granularity, p.from, p.to, orgsParam(p.orgIds)];

/** The stored results per bucket and team that the report of `p` reads (as `getTeamPeriods`, before the roll-up). */
function storedBuckets(db: Db, p: Omit<ReportParams, "by">): Promise<StoredRow[]> {
  return db.query<StoredRow>(
    `select ${viewPeriodStartSql("$1::text", "s.bucket_start")}::text as period_start, s.org_id, s.granularity,
            s.bucket_start::text as bucket_start, s.team,
            s.direct_cost::text as direct_cost, s.unallocated_share::text as unallocated_share, s.total::text as total
       from allocation_results s
      where s.bucket_start between $2::date and $3::date
        and ($4::text[] is null or s.org_id = any($4::text[]))
        and ${readByView({ view: "$1::text", row: "s", day: "s.bucket_start" })}`,
    PARAMS(p),
  );
}

/**
 * Direct cost per (bucket, team, mapped_by) of the active rows the same view reads, resolved
 * through the stored segments (the unallocated row is not direct cost: it is left out).
 */
function directParts(db: Db, p: Omit<ReportParams, "by">): Promise<PartRow[]> {
  return db.query<PartRow>(
    `with src as (
       select c.import_id, c.line, c.org_id, c.granularity, c.bucket_start, c.owner_id, c.environment_id, c.resource_id,
              c.product, c.chargeback_cost
         from cost_rows c
        where c.active and not c.is_unallocated
          and c.bucket_start between $2::date and $3::date
          and ($4::text[] is null or c.org_id = any($4::text[]))
          and ${readByView({ view: "$1::text", row: "c", day: "c.bucket_start" })}),
     plain as (
       select r.org_id, r.granularity, r.bucket_start, coalesce(m.team, '${UNMAPPED}') as team,
              coalesce(m.mapped_by, '${EXPLAIN_UNMAPPED}') as mapped_by, r.chargeback_cost as cost
         from src r
         ${segmentJoin({ seg: "m", row: "r", day: "r.bucket_start" })}
        where m.parts is null or m.parts = 1),
     split_rows as (
       select r.org_id, r.granularity, r.bucket_start, m.team, m.mapped_by,
              ${shareAmount("m", "r.chargeback_cost")} as cost
         from src r
         join mapping_segments m on m.parts > 1 and ${segmentAppliesAt({ seg: "m", row: "r", day: "r.bucket_start" })})
     select org_id, granularity, bucket_start::text as bucket_start, team, mapped_by, sum(cost)::text as direct
       from (select * from plain union all select * from split_rows) u
      group by 1, 2, 3, 4, 5`,
    PARAMS(p),
  );
}

const bucketTeamKey = (r: { org_id: string; granularity: string; bucket_start: string; team: string }) =>
  `${r.org_id}\u0000${r.granularity}\u0000${r.bucket_start}\u0000${r.team}`;

type Keyed = KeyedAmounts<"periodStart" | "orgId" | "group" | "mappedBy">;

/**
 * The report of `p` with a row per (period, org, group, mapped_by), sorted by those four
 * (plain string compare). Σ over mapped_by of a (period, org, group) = `getReport`'s row exactly.
 */
export async function getExplainedReport(db: Db, p: ReportParams): Promise<ExplainedReportRow[]> {
  const [stored, partRows] = await Promise.all([storedBuckets(db, p), directParts(db, p)]);
  const parts = new Map<string, MappedByPart[]>();
  for (const r of partRows) {
    const k = bucketTeamKey(r);
    let list = parts.get(k);
    if (!list) parts.set(k, (list = []));
    list.push({ mappedBy: r.mapped_by, direct: dec(r.direct) });
  }
  const by = p.by ?? "team";
  const cc = by === "cost_center" ? await costCenterMap(db) : new Map<string, string | null>();
  const rows: Keyed[] = [];
  for (const s of stored) {
    const group = groupKey(s.team, by, (t) => cc.get(t));
    const explained = explainTeamBucket(
      { team: s.team, direct: dec(s.direct_cost), unallocatedShare: dec(s.unallocated_share), total: dec(s.total) },
      parts.get(bucketTeamKey(s)) ?? [],
    );
    for (const e of explained)
      rows.push({
        periodStart: s.period_start,
        orgId: s.org_id,
        group,
        mappedBy: e.mappedBy,
        direct: e.direct,
        unallocatedShare: e.unallocatedShare,
        total: e.total,
      });
  }
  return rollup(rows, ["periodStart", "orgId", "group", "mappedBy"]).map((r) => ({
    periodStart: r.periodStart,
    orgId: r.orgId,
    group: r.group,
    mappedBy: r.mappedBy,
    direct: r.direct.toFixed(),
    unallocatedShare: r.unallocatedShare.toFixed(),
    total: r.total.toFixed(),
  }));
}
