/**
 * Import history reads: rejected attempts (kept in the audit log, written by
 * app/services/ingest.ts), one import's detail,
 * per-metric restatement diffs and the preview of what a replacement would restate
 * (docs/export-format.md, docs/reconciliation.md).
 */
import type { Db } from "../client";
import { getImport, type ImportRow } from "./ingest";

export interface RejectedAttempt {
  id: number;
  at: string;
  actor: string;
  orgId: string | null;
  fileName: string | null;
  granularity: string | null;
  rowCount: number | null;
  errorCount: number | null;
  errors: Array<{ line: number; column: string | null; value: string | null; rule: string; message: string }>;
}

export async function listRejectedAttempts(db: Db, f: { orgId?: string; limit?: number } = {}): Promise<RejectedAttempt[]> {
  const rows = await db.query<{ id: number; at: string; actor: string; after: Record<string, unknown> | null }>(
    `select id, at::text as at, actor, after from audit_log
      where action = 'ingest_rejected' and ($1::text is null or after->>'orgId' = $1)
      order by id desc limit $2`,
    [f.orgId ?? null, f.limit ?? 200],
  );
  return rows.map((r) => {
    const a = (r.after ?? {}) as Record<string, unknown>;
    return {
      id: r.id,
      at: r.at,
      actor: r.actor,
      orgId: (a.orgId as string) ?? null,
      fileName: (a.fileName as string) ?? null,
      granularity: (a.granularity as string) ?? null,
      rowCount: typeof a.rowCount === "number" ? a.rowCount : null,
      errorCount: typeof a.errorCount === "number" ? a.errorCount : null,
      errors: Array.isArray(a.errors) ? (a.errors as RejectedAttempt["errors"]) : [],
    };
  });
}

export interface ImportDetail {
  import: ImportRow;
  /** imports this one replaced rows of */
  replaced: ImportRow[];
  supersededBy: ImportRow | null;
  /** rows of this import still active */
  activeRows: number;
}

export async function getImportDetail(db: Db, id: number): Promise<ImportDetail | null> {
  const imp = await getImport(db, id);
  if (!imp) return null;
  const ids = (imp.replaced_import_ids ?? []).map(Number);
  const replaced = ids.length ? await db.query<ImportRow>(`select * from imports where id = any($1::int[]) order by id`, [ids]) : [];
  const supersededBy = imp.superseded_by ? await getImport(db, imp.superseded_by) : null;
  const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from cost_rows where import_id = $1 and active`, [id]);
  return { import: imp, replaced, supersededBy, activeRows: n };
}

export interface MetricDiff {
  product: string;
  metric: string;
  old: string;
  new: string;
  delta: string;
}

/**
 * What an import changed per (product, metric) over its covered range: the rows of
 * the imports it replaced that were still active just before it (rows of a replaced
 * import in a bucket that no later, earlier-than-this import covered) vs its own rows.
 */
export async function metricRestatementDiff(db: Db, importId: number): Promise<MetricDiff[]> {
  const imp = await getImport(db, importId);
  if (!imp) return [];
  const replaced = (imp.replaced_import_ids ?? []).map(Number);
  if (replaced.length === 0) return [];
  return db.query<MetricDiff>(
    `with old as (
       select c.product, c.metric, sum(c.chargeback_cost) as amount
         from cost_rows c
        where c.org_id = $1 and c.granularity = $2 and c.import_id = any($3::int[])
          and c.bucket_start between $4::date and $5::date
          and not exists (select 1 from imports i
                           where i.org_id = c.org_id and i.granularity = c.granularity
                             and i.id > c.import_id and i.id < $6
                             and c.bucket_start between i.first_bucket and i.last_bucket)
        group by 1, 2),
     new as (
       select product, metric, sum(chargeback_cost) as amount from cost_rows where import_id = $6 group by 1, 2)
     select coalesce(o.product, n.product) as product, coalesce(o.metric, n.metric) as metric,
            coalesce(o.amount, 0)::text as old, coalesce(n.amount, 0)::text as new,
            (coalesce(n.amount, 0) - coalesce(o.amount, 0))::text as delta
       from old o full outer join new n on o.product = n.product and o.metric = n.metric
      order by abs(coalesce(n.amount, 0) - coalesce(o.amount, 0)) desc, 1, 2`,
    [imp.org_id, imp.granularity, replaced, imp.first_bucket, imp.last_bucket, importId],
  );
}

/** Active rows an upload would replace (for the preview). */
export async function replacementPreview(
  db: Db,
  p: { orgId: string; granularity: string; from: string; to: string },
): Promise<Array<{ importId: number; rows: number; total: string }>> {
  return db.query(
    `select import_id as "importId", count(*)::int as rows, sum(chargeback_cost)::text as total
       from cost_rows where active and org_id = $1 and granularity = $2 and bucket_start between $3::date and $4::date
      group by import_id order by import_id`,
    [p.orgId, p.granularity, p.from, p.to],
  );
}
