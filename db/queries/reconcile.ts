/**
 * Reconciliation (docs/reconciliation.md): invoices (history kept, latest row wins) and the inputs of the
 * domain `reconcile` for one (org, month) read from the stored rows and allocation.
 */
import { reconcile, rollupReconcile, type ReconcileInput, type ReconcileResult, type ReconcileSource } from "../../app/domain/reconcile";
import { UNMAPPED } from "../../app/domain/allocation";
import { InputError } from "../../app/domain/errors";
import { assertMonth } from "../../app/domain/month-end";
import { dec, fmtExact } from "../../app/domain/money";
import { addDays, monthRange } from "../../app/domain/periods";
import type { Db } from "../client";
import { getOrg, listOrgs } from "./orgs";

export interface InvoiceRow {
  id: number;
  org_id: string;
  month: string;
  amount: string;
  entered_by: string;
  entered_at: string;
}

export async function getInvoice(db: Db, orgId: string, month: string): Promise<InvoiceRow | null> {
  const rows = await db.query<InvoiceRow>(
    `select * from invoices where org_id = $1 and month = $2 order by entered_at desc, id desc limit 1`,
    [orgId, month],
  );
  return rows[0] ?? null;
}

/** Every invoice figure entered for the month (newest first); `orgId` optional. */
export async function listInvoiceHistory(db: Db, f: { orgId?: string; month?: string }): Promise<InvoiceRow[]> {
  return db.query<InvoiceRow>(
    `select * from invoices where ($1::text is null or org_id = $1) and ($2::text is null or month = $2)
      order by org_id, month, entered_at desc, id desc`,
    [f.orgId ?? null, f.month ?? null],
  );
}

/** Appends an invoice figure of (org, month); earlier figures stay as history (app/services/invoices.ts). */
export async function insertInvoice(db: Db, p: { orgId: string; month: string; amount: string; enteredBy: string }): Promise<InvoiceRow> {
  const [row] = await db.query<InvoiceRow>(
    `insert into invoices (org_id, month, amount, entered_by) values ($1, $2, $3::numeric, $4) returning *`,
    [p.orgId, p.month, p.amount, p.enteredBy],
  );
  return row;
}

/** Which stored granularity reconciles the month: monthly import, else daily rows, else weekly only, else none. */
export async function monthSource(db: Db, orgId: string, month: string): Promise<ReconcileSource> {
  const { from, to } = monthRange(month);
  const rows = await db.query<{ granularity: string }>(
    `select distinct granularity from cost_rows
      where active and org_id = $1
        and ((granularity in ('daily', 'monthly') and bucket_start >= $2::date and bucket_start < $3::date)
          or (granularity = 'weekly' and bucket_start > ($2::date - 7) and bucket_start < $3::date))`,
    [orgId, from, to],
  );
  const g = new Set(rows.map((r) => r.granularity));
  return g.has("monthly") ? "monthly" : g.has("daily") ? "daily" : g.has("weekly") ? "weekly_only" : "none";
}

/** Reads everything `reconcile` needs for (org, month). */
export async function reconcileInput(db: Db, orgId: string, month: string, now: string): Promise<ReconcileInput> {
  const { from, to } = monthRange(month);
  const org = await getOrg(db, orgId);
  if (!org) throw new InputError(`unknown organization ${orgId}`);
  const source = await monthSource(db, orgId, month);
  const invoice = await getInvoice(db, orgId, month);
  const base: ReconcileInput = {
    orgId,
    month,
    exportTotal: null,
    invoiceSubtotal: invoice ? dec(invoice.amount) : null,
    tolerance: dec(org.tolerance),
    source,
    presentBuckets: [],
    lastIngestAt: null,
    allocatedTotal: null,
    unmappedTotal: null,
    now,
  };
  if (source === "none" || source === "weekly_only") return base;
  const granularity = source;
  const [tot] = await db.query<{ t: string | null }>(
    `select sum(chargeback_cost)::text as t from cost_rows
      where active and org_id = $1 and granularity = $2 and bucket_start >= $3::date and bucket_start < $4::date`,
    [orgId, granularity, from, to],
  );
  const buckets = await db.query<{ b: string; at: string }>(
    `select c.bucket_start::text as b,
            to_char(max(i.created_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
       from cost_rows c join imports i on i.id = c.import_id
      where c.active and c.org_id = $1 and c.granularity = $2 and c.bucket_start >= $3::date and c.bucket_start < $4::date
      group by c.bucket_start order by 1`,
    [orgId, granularity, from, to],
  );
  const [alloc] = await db.query<{ n: number; t: string | null; u: string | null }>(
    `select count(*)::int as n, sum(total)::text as t, coalesce(sum(total) filter (where team = $5), 0)::text as u
       from allocation_results
      where org_id = $1 and granularity = $2 and bucket_start >= $3::date and bucket_start < $4::date`,
    [orgId, granularity, from, to, UNMAPPED],
  );
  const ats = buckets.map((b) => b.at).sort();
  return {
    ...base,
    exportTotal: tot.t === null ? null : dec(tot.t),
    presentBuckets: buckets.map((b) => b.b),
    lastIngestAt: ats.length ? ats[ats.length - 1] : null,
    allocatedTotal: alloc.n > 0 && alloc.t !== null ? dec(alloc.t) : null,
    unmappedTotal: alloc.n > 0 && alloc.u !== null ? dec(alloc.u) : null,
  };
}

export interface OrgMonthReconciliation extends ReconcileResult {
  source: ReconcileSource;
  invoiceEnteredBy: string | null;
  invoiceEnteredAt: string | null;
}

export async function reconcileOrgMonth(
  db: Db,
  orgId: string,
  month: string,
  now = new Date().toISOString(),
): Promise<OrgMonthReconciliation> {
  assertMonth(month);
  const input = await reconcileInput(db, orgId, month, now);
  const invoice = await getInvoice(db, orgId, month);
  return {
    ...reconcile(input),
    source: input.source,
    invoiceEnteredBy: invoice?.entered_by ?? null,
    invoiceEnteredAt: invoice?.entered_at ?? null,
  };
}

/** One result per org (all organizations, or those given) plus the rollup (orgId "ALL"). */
export async function reconcileMonth(
  db: Db,
  month: string,
  opts: { orgIds?: string[]; now?: string } = {},
): Promise<{ orgs: OrgMonthReconciliation[]; total: ReconcileResult | null }> {
  assertMonth(month);
  const now = opts.now ?? new Date().toISOString();
  const ids = opts.orgIds ?? (await listOrgs(db)).map((o) => o.org_id);
  const orgs: OrgMonthReconciliation[] = [];
  for (const id of ids) orgs.push(await reconcileOrgMonth(db, id, month, now));
  return { orgs, total: orgs.length ? rollupReconcile(orgs) : null };
}

/** Export totals per product of (org, month) from the reconciling source ("compare per product"). */
export async function productTotals(
  db: Db,
  orgId: string,
  month: string,
): Promise<Array<{ product: string; total: string; rows: number }>> {
  const source = await monthSource(db, orgId, month);
  if (source !== "monthly" && source !== "daily") return [];
  const { from, to } = monthRange(month);
  const rows = await db.query<{ product: string; total: string; rows: number }>(
    `select product, sum(chargeback_cost)::text as total, count(*)::int as rows from cost_rows
      where active and org_id = $1 and granularity = $2 and bucket_start >= $3::date and bucket_start < $4::date
      group by product order by product`,
    [orgId, source, from, to],
  );
  return rows.map((r) => ({ ...r, total: fmtExact(dec(r.total)) }));
}

/** Months (YYYY-MM, newest first) with daily or monthly data, any org. */
export async function monthsWithData(db: Db): Promise<string[]> {
  const rows = await db.query<{ m: string }>(
    `select distinct to_char(bucket_start, 'YYYY-MM') as m from cost_rows
      where active and granularity in ('daily', 'monthly') order by 1 desc`,
  );
  return rows.map((r) => r.m);
}

/** Months (YYYY-MM, newest first, at most `limit`) with active rows of any granularity, any org. */
export async function listMonthsWithRows(db: Db, limit = 60): Promise<string[]> {
  const rows = await db.query<{ m: string }>(
    `select distinct to_char(bucket_start, 'YYYY-MM') as m from cost_rows where active order by 1 desc limit $1`,
    [limit],
  );
  return rows.map((r) => r.m);
}

/**
 * The month to reconcile by default: the latest month with data that has ended before
 * `currentMonth` (YYYY-MM, the caller's clock), else the latest month with data
 * (daily/monthly; weekly data alone counts too), or null.
 */
export async function latestMonthWithData(db: Db, currentMonth?: string): Promise<string | null> {
  const months = await monthsWithData(db);
  const finished = currentMonth ? months.find((m) => m < currentMonth) : undefined;
  if (finished) return finished;
  if (months.length) return months[0];
  const [r] = await db.query<{ m: string | null }>(`select to_char(max(bucket_start), 'YYYY-MM') as m from cost_rows where active`);
  return r?.m ?? null;
}

/** The deadline after which an ingest is complete for the month (month end + 48 h), ISO. */
export function ingestDueAt(month: string): string {
  return `${addDays(monthRange(month).to, 2)}T00:00:00.000Z`;
}
