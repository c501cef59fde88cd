/**
 * Finance admin workspace queries: import history (with rejected attempts from the
 * audit log), per-metric restatement diffs, the unmapped queue, team lifecycle
 * (create, rename, move, archive, delete), org settings with recompute, audit facets.
 * Money stays in decimal strings; sums are done by SQL `numeric` or Decimal.
 */
import { PSEUDO_TEAMS } from "../../app/domain/allocation";
import { DEFAULT_POLICY, explainPolicy, formatPolicy, parsePolicy, type Policy } from "../../app/domain/policies";
import { dec, parseNonNegativeDecimal, type Decimal } from "../../app/domain/money";
import type { ExportSummary } from "../../app/domain/csv/export";
import type { Db } from "../client";
import { recomputeOrgRange } from "./allocation";
import { writeAudit } from "./audit";
import { getImport, type ImportRow } from "./ingest";
import { ensureOrg, getOrg, listOrgs, lockOrg, orgPolicies, PolicyInputError, policiesReferencingTeam, policyToStore, updateOrgSettings, type OrgRow } from "./orgs";
import { ensureCostCenter, getTeamByName, type TeamRow } from "./teams";

export class AdminInputError extends Error {}

// ---------------------------------------------------------------- imports

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

/** Records a rejected upload attempt (nothing else is stored). */
export async function recordRejectedUpload(
  db: Db,
  actor: string,
  p: { orgId: string; fileName: string; summary: ExportSummary },
): Promise<void> {
  await writeAudit(db, {
    actor,
    action: "ingest_rejected",
    entity: "import",
    entityId: null,
    after: {
      orgId: p.orgId,
      fileName: p.fileName,
      granularity: p.summary.granularity,
      firstBucket: p.summary.firstBucket,
      lastBucket: p.summary.lastBucket,
      rowCount: p.summary.rowCount,
      errorCount: p.summary.errorCount,
      errors: p.summary.errors.slice(0, 10),
    },
  });
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
  const replaced = ids.length
    ? await db.query<ImportRow>(`select * from imports where id = any($1::int[]) order by id`, [ids])
    : [];
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

// ---------------------------------------------------------------- unmapped queue

export interface UnmappedOwner {
  orgId: string;
  ownerId: string;
  displayName: string | null;
  cost: string;
  rows: number;
  granularity: string;
  products: Array<{ product: string; cost: string }>;
  firstSeen: string;
  lastSeen: string;
}

/**
 * Owners with cost in [from, toExclusive) whose rows have no crosswalk entry
 * effective at the bucket start, largest cost first. Per org the month's source is
 * the monthly import if there is one, else daily, else weekly (never two at once).
 */
export async function listUnmappedOwners(
  db: Db,
  p: { from: string; toExclusive: string; orgId?: string },
): Promise<UnmappedOwner[]> {
  const rows = await db.query<{
    org_id: string; owner_id: string; granularity: string; product: string; cost: string; n: number;
    first_seen: string; last_seen: string; display_name: string | null;
  }>(
    `with src as (
       select org_id,
              (array_agg(granularity order by case granularity when 'monthly' then 1 when 'daily' then 2 else 3 end))[1] as granularity
         from cost_rows
        where active and bucket_start >= $1::date and bucket_start < $2::date and ($3::text is null or org_id = $3)
        group by org_id),
     un as (
       select c.org_id, c.owner_id, c.granularity, c.product, c.chargeback_cost, c.bucket_start
         from cost_rows c join src s on s.org_id = c.org_id and s.granularity = c.granularity
        where c.active and not c.is_unallocated and c.bucket_start >= $1::date and c.bucket_start < $2::date
          and not exists (select 1 from crosswalk_entries x
                           where x.org_id = c.org_id and x.owner_id = c.owner_id
                             and x.valid_from <= c.bucket_start and (x.valid_to is null or x.valid_to > c.bucket_start)))
     select u.org_id, u.owner_id, u.granularity, u.product, sum(u.chargeback_cost)::text as cost, count(*)::int as n,
            min(u.bucket_start)::text as first_seen, max(u.bucket_start)::text as last_seen, n.display_name
       from un u left join owner_names n on n.org_id = u.org_id and n.owner_id = u.owner_id
      group by u.org_id, u.owner_id, u.granularity, u.product, n.display_name`,
    [p.from, p.toExclusive, p.orgId ?? null],
  );
  const acc = new Map<string, { o: UnmappedOwner; total: Decimal }>();
  for (const r of rows) {
    const k = `${r.org_id}\u0000${r.owner_id}`;
    let e = acc.get(k);
    if (!e) {
      e = {
        o: {
          orgId: r.org_id, ownerId: r.owner_id, displayName: r.display_name, cost: "0", rows: 0, granularity: r.granularity,
          products: [], firstSeen: r.first_seen, lastSeen: r.last_seen,
        },
        total: dec("0"),
      };
      acc.set(k, e);
    }
    e.total = e.total.plus(dec(r.cost));
    e.o.rows += r.n;
    e.o.products.push({ product: r.product, cost: r.cost });
    if (r.first_seen < e.o.firstSeen) e.o.firstSeen = r.first_seen;
    if (r.last_seen > e.o.lastSeen) e.o.lastSeen = r.last_seen;
  }
  const out = [...acc.values()].map(({ o, total }) => {
    o.cost = total.toFixed();
    o.products.sort((a, b) => dec(b.cost).comparedTo(dec(a.cost)) || (a.product < b.product ? -1 : 1));
    return { o, total };
  });
  out.sort((a, b) => b.total.comparedTo(a.total) || (a.o.orgId + a.o.ownerId < b.o.orgId + b.o.ownerId ? -1 : 1));
  return out.map((x) => x.o);
}

/** First and last bucket any owner was seen at all (all time, active rows). */
export async function ownerSeenRange(db: Db, orgId: string, ownerId: string): Promise<{ first: string | null; last: string | null }> {
  const [r] = await db.query<{ first: string | null; last: string | null }>(
    `select min(bucket_start)::text as first, max(bucket_start)::text as last from cost_rows where active and org_id = $1 and owner_id = $2`,
    [orgId, ownerId],
  );
  return r;
}

// ---------------------------------------------------------------- teams

export interface TeamAdminRow extends TeamRow {
  mapped_entries: number;
  active_entries: number;
}

export async function listTeamsForAdmin(db: Db): Promise<TeamAdminRow[]> {
  return db.query<TeamAdminRow>(
    `select t.*, count(c.id)::int as mapped_entries,
            count(c.id) filter (where c.valid_to is null or c.valid_to > current_date)::int as active_entries
       from teams t left join crosswalk_entries c on c.team_id = t.id
      group by t.id order by t.archived, t.name`,
  );
}

export async function listCostCenters(db: Db): Promise<Array<{ code: string; name: string | null; teams: number }>> {
  return db.query(
    `select cc.code, cc.name, count(t.id)::int as teams from cost_centers cc left join teams t on t.cost_center = cc.code
      group by cc.code, cc.name order by cc.code`,
  );
}

function checkTeamName(name: string): string {
  const n = name.trim();
  if (!n) throw new AdminInputError("The team name is empty.");
  if (n.length > 100) throw new AdminInputError("The team name is longer than 100 characters.");
  if (PSEUDO_TEAMS.includes(n.toLowerCase())) throw new AdminInputError(`"${n}" is a pseudo-team name and cannot be used for a team.`);
  return n;
}

function checkCostCenter(code: string | null | undefined): string | null {
  const c = (code ?? "").trim();
  if (!c) return null;
  if (c.length > 50) throw new AdminInputError("The cost center code is longer than 50 characters.");
  return c;
}

async function getTeamById(db: Db, id: number): Promise<TeamRow | null> {
  return (await db.query<TeamRow>(`select * from teams where id = $1`, [id]))[0] ?? null;
}

export async function createTeam(db: Db, actor: string, name: string, costCenter: string | null): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const n = checkTeamName(name);
    const cc = checkCostCenter(costCenter);
    if (await getTeamByName(tx, n)) throw new AdminInputError(`A team named "${n}" already exists.`);
    if (cc) await ensureCostCenter(tx, actor, cc);
    const [row] = await tx.query<TeamRow>(`insert into teams (name, cost_center) values ($1, $2) returning *`, [n, cc]);
    await writeAudit(tx, { actor, action: "create", entity: "team", entityId: n, after: row });
    return row;
  });
}

/**
 * Renames a team everywhere reports read it, in one transaction: the team row and the
 * stored allocation results. Policies reference teams by id, so they are not touched.
 */
export async function renameTeam(db: Db, actor: string, id: number, newName: string): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const before = await getTeamById(tx, id);
    if (!before) throw new AdminInputError(`Team #${id} does not exist.`);
    const n = checkTeamName(newName);
    if (n === before.name) return before;
    const clash = await getTeamByName(tx, n);
    if (clash) throw new AdminInputError(`A team named "${n}" already exists.`);
    const orgs = await tx.query<{ org_id: string }>(`select org_id from organizations order by org_id`);
    for (const o of orgs) await lockOrg(tx, o.org_id);
    const [after] = await tx.query<TeamRow>(`update teams set name = $2 where id = $1 returning *`, [id, n]);
    const moved = await tx.query<{ n: number }>(
      `with u as (update allocation_results set team = $2 where team = $1 returning 1) select count(*)::int as n from u`,
      [before.name, n],
    );
    await tx.query(`update allocation_details set team = $2 where team = $1`, [before.name, n]);
    // Shares are rounded with ties broken by team name: recompute the orgs the team appears in
    // so stored figures stay exactly what a full recomputation gives (closed months stay frozen).
    const touched = await tx.query<{ org_id: string }>(`select distinct org_id from allocation_results where team = $1`, [n]);
    for (const o of touched) await recomputeOrgRange(tx, o.org_id, null, null, { detailsOwnerId: "unallocated" });
    await writeAudit(tx, {
      actor, action: "rename", entity: "team", entityId: n,
      before: { ...before },
      // the orgs whose policy names the team: stored by id, untouched, they now read with the new name
      after: { ...after, allocationRows: moved[0]?.n ?? 0, policiesUpdated: await policiesReferencingTeam(tx, id) },
    });
    return after;
  });
}

export async function moveTeam(db: Db, actor: string, id: number, costCenter: string | null): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const before = await getTeamById(tx, id);
    if (!before) throw new AdminInputError(`Team #${id} does not exist.`);
    const cc = checkCostCenter(costCenter);
    if (cc === before.cost_center) return before;
    if (cc) await ensureCostCenter(tx, actor, cc);
    const [after] = await tx.query<TeamRow>(`update teams set cost_center = $2 where id = $1 returning *`, [id, cc]);
    await writeAudit(tx, { actor, action: "move", entity: "team", entityId: before.name, before, after });
    return after;
  });
}

export async function setTeamArchived(db: Db, actor: string, id: number, archived: boolean): Promise<TeamRow> {
  return db.transaction(async (tx) => {
    const before = await getTeamById(tx, id);
    if (!before) throw new AdminInputError(`Team #${id} does not exist.`);
    if (before.archived === archived) return before;
    const [after] = await tx.query<TeamRow>(`update teams set archived = $2 where id = $1 returning *`, [id, archived]);
    await writeAudit(tx, { actor, action: archived ? "archive" : "unarchive", entity: "team", entityId: before.name, before, after });
    return after;
  });
}

/** Deletes a team that no crosswalk entry names (else: archive it). */
export async function deleteTeam(db: Db, actor: string, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await getTeamById(tx, id);
    if (!before) throw new AdminInputError(`Team #${id} does not exist.`);
    const [{ n }] = await tx.query<{ n: number }>(`select count(*)::int as n from crosswalk_entries where team_id = $1`, [id]);
    if (n > 0)
      throw new AdminInputError(
        `Team "${before.name}" has ${n} crosswalk entr${n === 1 ? "y" : "ies"} (mapped owners) and cannot be deleted; archive it instead.`,
      );
    const orgs = await policiesReferencingTeam(tx, id);
    if (orgs.length > 0)
      throw new AdminInputError(
        `Team "${before.name}" receives unallocated cost by the policy of ${orgs.join(", ")} (shared policy or fixed percentages); change the policy first.`,
      );
    await tx.query(`delete from teams where id = $1`, [id]);
    await writeAudit(tx, { actor, action: "delete", entity: "team", entityId: before.name, before });
  });
}

// ---------------------------------------------------------------- organizations

export function checkOrgId(orgId: string): string {
  const o = orgId.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(o))
    throw new AdminInputError("An organization id is letters, digits, dots, dashes, colons or underscores (e.g. org-a1b2c3 or a UUID).");
  return o;
}

export async function createOrg(db: Db, actor: string, orgId: string, displayName: string | null): Promise<OrgRow> {
  return db.transaction(async (tx) => {
    const id = checkOrgId(orgId);
    if (await getOrg(tx, id)) throw new AdminInputError(`Organization ${id} already exists.`);
    await ensureOrg(tx, id);
    if (displayName && displayName.trim())
      await tx.query(`update organizations set display_name = $2 where org_id = $1`, [id, displayName.trim()]);
    const row = (await getOrg(tx, id))!;
    await writeAudit(tx, { actor, action: "create", entity: "organization", entityId: id, after: row });
    return row;
  });
}

/**
 * Updates display name, policy and tolerance; a policy change recomputes the whole
 * org's allocation in the same transaction (docs/allocation.md).
 */
export async function saveOrgSettings(
  db: Db,
  actor: string,
  orgId: string,
  p: { displayName?: string | null; policy?: string; tolerance?: string },
): Promise<{ org: OrgRow; recomputed: boolean }> {
  let policy: string | undefined;
  if (p.policy !== undefined) {
    try {
      policy = formatPolicy(parsePolicy(p.policy.trim()));
    } catch (e) {
      throw new AdminInputError((e as Error).message);
    }
  }
  let tolerance: string | undefined;
  if (p.tolerance !== undefined) {
    const t = p.tolerance.trim();
    if (!parseNonNegativeDecimal(t).ok) throw new AdminInputError(`Tolerance "${t}" must be a non-negative decimal amount in USD, e.g. 0.01.`);
    tolerance = t;
  }
  return db.transaction(async (tx) => {
    await lockOrg(tx, orgId);
    const before = await getOrg(tx, orgId);
    if (!before) throw new AdminInputError(`Unknown organization ${orgId}.`);
    if (policy !== undefined) {
      try {
        await policyToStore(tx, policy); // its teams must exist
      } catch (e) {
        throw e instanceof PolicyInputError ? new AdminInputError(e.message) : e;
      }
    }
    const displayName = p.displayName === undefined ? undefined : p.displayName && p.displayName.trim() ? p.displayName.trim() : null;
    const changed =
      (policy !== undefined && policy !== before.policy) ||
      (displayName !== undefined && displayName !== before.display_name) ||
      (tolerance !== undefined && !sameDecimal(tolerance, before.tolerance));
    if (!changed) return { org: before, recomputed: false };
    const org = await updateOrgSettings(tx, actor, orgId, { policy, displayName, tolerance });
    const recomputed = policy !== undefined && policy !== before.policy;
    if (recomputed) await recomputeOrgRange(tx, orgId, null, null, { detailsOwnerId: "unallocated" }); // a policy moves only U
    return { org, recomputed };
  });
}

function sameDecimal(a: string, b: string): boolean {
  const norm = (s: string) => {
    let [i, f = ""] = s.replace(/^\+/, "").split(".");
    i = i.replace(/^(-?)0+(?=\d)/, "$1");
    f = f.replace(/0+$/, "");
    return f ? `${i}.${f}` : i;
  };
  return norm(a) === norm(b);
}

/** Every org with its counts and its policy as a value (teams by current name) and a one-line explanation. */
export async function orgSummaries(
  db: Db,
): Promise<Array<OrgRow & { imports: number; last_bucket: string | null; entries: number; policy_value: Policy; policy_explain: string }>> {
  const counts = await db.query<{ org_id: string; imports: number; last_bucket: string | null; entries: number }>(
    `select o.org_id, (select count(*)::int from imports i where i.org_id = o.org_id and i.status = 'active') as imports,
            (select max(last_bucket)::text from imports i where i.org_id = o.org_id) as last_bucket,
            (select count(*)::int from crosswalk_entries c where c.org_id = o.org_id) as entries
       from organizations o`,
  );
  const byOrg = new Map(counts.map((c) => [c.org_id, c]));
  const policies = await orgPolicies(db);
  return (await listOrgs(db)).map((o) => {
    const value = policies.get(o.org_id) ?? DEFAULT_POLICY;
    const c = byOrg.get(o.org_id);
    return { ...o, imports: c?.imports ?? 0, last_bucket: c?.last_bucket ?? null, entries: c?.entries ?? 0, policy_value: value, policy_explain: explainPolicy(value) };
  });
}

// ---------------------------------------------------------------- audit

export async function auditFacets(db: Db): Promise<{ actors: string[]; entities: string[]; actions: string[] }> {
  const [a, e, x] = await Promise.all([
    db.query<{ v: string }>(`select distinct actor as v from audit_log order by 1 limit 200`),
    db.query<{ v: string }>(`select distinct entity as v from audit_log order by 1`),
    db.query<{ v: string }>(`select distinct action as v from audit_log order by 1`),
  ]);
  return { actors: a.map((r) => r.v), entities: e.map((r) => r.v), actions: x.map((r) => r.v) };
}

export async function countAudit(
  db: Db,
  f: { actor?: string; entity?: string; action?: string; from?: string; to?: string } = {},
): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>(
    `select count(*)::int as n from audit_log
      where ($1::text is null or actor = $1) and ($2::text is null or entity = $2) and ($3::text is null or action = $3)
        and ($4::timestamptz is null or at >= $4::timestamptz) and ($5::timestamptz is null or at < $5::timestamptz)`,
    [f.actor ?? null, f.entity ?? null, f.action ?? null, f.from ?? null, f.to ?? null],
  );
  return n;
}

/** Owner display names for a set of (org, owner) pairs. */
export async function ownerNames(db: Db, orgId?: string): Promise<Map<string, string>> {
  const rows = await db.query<{ org_id: string; owner_id: string; display_name: string }>(
    `select org_id, owner_id, display_name from owner_names where ($1::text is null or org_id = $1)`,
    [orgId ?? null],
  );
  return new Map(rows.map((r) => [`${r.org_id}\u0000${r.owner_id}`, r.display_name]));
}
