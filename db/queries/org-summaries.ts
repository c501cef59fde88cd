/**
 * The per-org read models (/orgs, /orgs/:org): each org's totals from the report, its
 * policy, freshness and last import; its recent imports and month closes.
 */
import { UNMAPPED } from "../../app/domain/vocabulary";
import { ZERO } from "../../app/domain/money";
import type { Db } from "../client";
import { orgFreshness, type ImportHead } from "./freshness";
import { listOrgs } from "./orgs";
import { getReport } from "./report";
import { acc0, fmt as s, isoUtc, orgsParam, sumBy, type ViewParams } from "./view";

export interface OrgSummary {
  orgId: string;
  displayName: string | null;
  policy: string;
  direct: string;
  unallocatedShare: string;
  total: string;
  unmapped: string;
  lastImport: {
    id: number;
    at: string;
    fileName: string;
    granularity: string;
    firstBucket: string;
    lastBucket: string;
    createdBy: string;
  } | null;
  /** latest bucket with data (any granularity), and the exclusive end of that bucket */
  latestBucket: string | null;
  dataThrough: string | null;
  importCount: number;
}

export async function orgSummaries(db: Db, p: ViewParams): Promise<OrgSummary[]> {
  const only = orgsParam(p.orgIds);
  const orgs = (await listOrgs(db)).filter((o) => only === null || only.includes(o.org_id)); // policy: its text form
  const report = await getReport(db, { ...p, by: "team" });
  const byOrg = sumBy(report, (r) => r.orgId);
  const unm = sumBy(
    report.filter((r) => r.group === UNMAPPED),
    (r) => r.orgId,
  );
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
        ? {
            id: i.id,
            at: i.at,
            fileName: i.file_name,
            granularity: i.granularity,
            firstBucket: i.first_bucket,
            lastBucket: i.last_bucket,
            createdBy: i.created_by,
          }
        : null,
      latestBucket: f?.latestBucket ?? null,
      dataThrough: f?.dataThrough ?? null,
      importCount: i?.n ?? 0,
    };
  });
}

export async function recentImports(db: Db, orgId: string, limit = 10) {
  return db.query<ImportHead & { row_count: number; total: string; status: string; warnings: string[] }>(
    `select id, ${isoUtc("created_at")} as at, file_name, granularity, first_bucket::text, last_bucket::text, row_count, total::text, status, created_by, warnings
       from imports where org_id = $1 order by created_at desc, id desc limit $2`,
    [orgId, limit],
  );
}

export async function monthClosesOf(db: Db, orgIds?: string[]) {
  return db.query<{ org_id: string; month: string; status: string; closed_at: string; closed_by: string }>(
    `select org_id, month, status, ${isoUtc("closed_at")} as closed_at, closed_by
       from month_closes where ($1::text[] is null or org_id = any($1::text[])) order by month desc, org_id`,
    [orgsParam(orgIds)],
  );
}
