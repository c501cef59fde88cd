/**
 * GL account mapping use cases (docs/journal.md), shared by /admin/gl-accounts and
 * `npm run gl-accounts`: save one mapping, delete one, the CSV import (all-or-nothing, planned
 * first) and export, and the cost centers that have no account (their journal lines post to
 * suspense). Every change is one audit entry (entity `gl_account`, before/after).
 *
 * The routes and the CLI guard who may call the mutations (finance admins on the web).
 */
import { formatGlAccountsCsv, parseGlAccountsCsv } from "../domain/csv/gl-accounts";
import { formatIssues, type ValidationIssue } from "../domain/csv/issues";
import { InputError } from "../domain/errors";
import {
  checkGlAccount,
  compareGlAccounts,
  glAccountId,
  glAccountLabel,
  glResolver,
  isGlScope,
  sameGlKey,
  type GlAccount,
  type GlAccountKey,
} from "../domain/journal";
import type { Db } from "../../db/client";
import { writeAudit } from "../../db/queries/audit";
import {
  costCentersWithTeams,
  deleteGlAccountRow,
  getGlAccount,
  glAccountInputs,
  glAccountRefs,
  listGlAccounts,
  upsertGlAccount,
  type GlAccountRow,
} from "../../db/queries/gl-accounts";
import { listOrgIds } from "../../db/queries/orgs";
import { readCsvRecords, toSafeCsv } from "./csv";

export { listGlAccounts, type GlAccountRow };

const auditValue = (a: GlAccount) => ({ scope: a.scope, key: a.key, org_id: a.orgId, account: a.account });
const plain = (a: GlAccount): GlAccount => ({ scope: a.scope, key: a.key, orgId: a.orgId, account: a.account });

async function auditChange(db: Db, actor: string, before: GlAccount | null, after: GlAccount | null): Promise<void> {
  const k = (after ?? before)!;
  await writeAudit(db, {
    actor,
    action: before === null ? "create" : after === null ? "delete" : "update",
    entity: "gl_account",
    entityId: glAccountId(k),
    before: before ? auditValue(before) : null,
    after: after ? auditValue(after) : null,
  });
}

/**
 * Maps (scope, key, org_id) to `account` (a new mapping or a changed account), checked as the
 * CSV import checks a line (app/domain/journal.ts `glAccountProblems`). Audited; an unchanged
 * account changes nothing.
 */
export async function saveGlAccount(
  db: Db,
  actor: string,
  input: { scope: string; key: string; orgId?: string | null; account: string },
): Promise<{ before: GlAccountRow | null; after: GlAccountRow; changed: boolean }> {
  return db.transaction(async (tx) => {
    const m = checkGlAccount(input, await glAccountRefs(tx));
    const before = await getGlAccount(tx, m);
    if (before && before.account === m.account) return { before, after: before, changed: false };
    const after = await upsertGlAccount(tx, { ...m, updatedBy: actor });
    await auditChange(tx, actor, before, after);
    return { before, after, changed: true };
  });
}

/** Deletes one mapping (its cost center then resolves further down: docs/journal.md). Audited. */
export async function deleteGlAccount(
  db: Db,
  actor: string,
  k: { scope: string; key: string; orgId?: string | null },
): Promise<GlAccountRow> {
  const key = { scope: k.scope.trim(), key: k.key.trim(), orgId: (k.orgId ?? "").trim() };
  if (!isGlScope(key.scope)) throw new InputError(`scope ${JSON.stringify(key.scope)} is not a GL account scope`, { field: "scope" });
  return db.transaction(async (tx) => {
    const gone = await deleteGlAccountRow(tx, key as GlAccountKey);
    if (!gone) throw new InputError(`there is no GL account mapping ${glAccountId(key as GlAccountKey)}`, { field: "key" });
    await auditChange(tx, actor, gone, null);
    return gone;
  });
}

// ---------------------------------------------------------------- CSV import / export

/** The CSV's problems (nothing was imported): by line, column, value and rule. */
export class GlAccountsCsvError extends InputError {
  constructor(
    readonly issues: ValidationIssue[],
    readonly issueCount: number,
  ) {
    super(
      `The GL accounts file has ${issueCount} problem${issueCount === 1 ? "" : "s"}; nothing was imported.\n${formatIssues(issues, issueCount)}`,
      {
        field: "csv_file",
      },
    );
  }
}

export interface GlImportPlan {
  added: GlAccount[];
  updated: Array<{ before: GlAccount; after: GlAccount }>;
  unchanged: GlAccount[];
  /** only with `replace`: the stored mappings the file does not have */
  removed: GlAccount[];
  replace: boolean;
}

export const planHasChanges = (p: GlImportPlan) => p.added.length + p.updated.length + p.removed.length > 0;

/** `3 added, 1 updated, 4 unchanged, 0 removed` */
export const planCounts = (p: GlImportPlan) =>
  `${p.added.length} added, ${p.updated.length} updated, ${p.unchanged.length} unchanged, ${p.removed.length} removed`;

/** The plan's changes, one a line: `+ cost_center CC-100 → 6100`, `~ clearing * 2100 → 2101`, `- suspense unmapped@org-a (6998)`. */
export function planLines(p: GlImportPlan): string[] {
  const at = glAccountLabel;
  return [
    ...p.added.map((a) => `+ ${at(a)} → ${a.account}`),
    ...p.updated.map((u) => `~ ${at(u.after)}: ${u.before.account} → ${u.after.account}`),
    ...p.removed.map((a) => `- ${at(a)} (was ${a.account})`),
  ];
}

/**
 * What importing `text` (the GL accounts CSV, app/domain/csv/gl-accounts.ts) would change:
 * merged by (scope, key, org_id); with `replace`, the mappings the file does not list are
 * removed. Throws GlAccountsCsvError with every problem; changes nothing.
 */
export async function planGlAccountsImport(db: Db, text: string, opts: { replace?: boolean } = {}): Promise<GlImportPlan> {
  const recs = readCsvRecords(text);
  if (recs.syntaxError)
    throw new GlAccountsCsvError(
      [{ line: recs.syntaxError.line, column: null, value: null, rule: "csv", message: recs.syntaxError.message }],
      1,
    );
  const parsed = parseGlAccountsCsv(recs.header, recs.rows, await glAccountRefs(db), { maxErrors: 200 });
  if (!parsed.ok) throw new GlAccountsCsvError(parsed.errors, parsed.errorCount);
  const current = (await glAccountInputs(db)).sort(compareGlAccounts);
  const plan: GlImportPlan = { added: [], updated: [], unchanged: [], removed: [], replace: !!opts.replace };
  for (const a of parsed.accounts.map(plain)) {
    const before = current.find((c) => sameGlKey(c, a));
    if (!before) plan.added.push(a);
    else if (before.account !== a.account) plan.updated.push({ before, after: a });
    else plan.unchanged.push(a);
  }
  if (opts.replace) plan.removed = current.filter((c) => !parsed.accounts.some((a) => sameGlKey(a, c)));
  return plan;
}

/**
 * Imports the GL accounts CSV, all-or-nothing, in one transaction: every added, changed and
 * (with `replace`) removed mapping written and audited with its before/after. `dryRun` plans
 * only. Throws GlAccountsCsvError (nothing changed) when the file has problems.
 */
export async function importGlAccounts(
  db: Db,
  actor: string,
  text: string,
  opts: { replace?: boolean; dryRun?: boolean } = {},
): Promise<GlImportPlan> {
  if (opts.dryRun) return planGlAccountsImport(db, text, opts);
  return db.transaction(async (tx) => {
    const plan = await planGlAccountsImport(tx, text, opts);
    for (const a of plan.added) {
      await upsertGlAccount(tx, { ...a, updatedBy: actor });
      await auditChange(tx, actor, null, a);
    }
    for (const u of plan.updated) {
      await upsertGlAccount(tx, { ...u.after, updatedBy: actor });
      await auditChange(tx, actor, u.before, u.after);
    }
    for (const r of plan.removed) {
      await deleteGlAccountRow(tx, r);
      await auditChange(tx, actor, r, null);
    }
    return plan;
  });
}

/** The current mapping as the GL accounts CSV (`scope,key,account,org_id`): importing it changes nothing. */
export async function glAccountsCsv(db: Db): Promise<string> {
  const { header, rows } = formatGlAccountsCsv(await glAccountInputs(db));
  return toSafeCsv(header, rows);
}

// ---------------------------------------------------------------- coverage

export interface CostCenterWithoutAccount {
  code: string;
  name: string | null;
  teams: string[];
  /** the organizations whose journal posts this cost center to suspense (every org, when none is stored yet: []) */
  orgs: string[];
}

/**
 * The cost centers that have no expense account for at least one organization (no
 * cost_center mapping for it or for every org, and no org_default): their journal lines post to
 * suspense, flagged "no GL account mapped". With no organization stored yet, those without an
 * every-org cost_center mapping.
 */
export async function costCentersWithoutAccount(db: Db): Promise<CostCenterWithoutAccount[]> {
  const [ccs, accounts, orgs] = [await costCentersWithTeams(db), await glAccountInputs(db), await listOrgIds(db)];
  const resolvers = orgs.map((o) => ({ org: o, r: glResolver(accounts, o) }));
  const out: CostCenterWithoutAccount[] = [];
  for (const cc of ccs) {
    if (!orgs.length) {
      if (!accounts.some((a) => a.scope === "cost_center" && a.key === cc.code && a.orgId === "")) out.push({ ...cc, orgs: [] });
      continue;
    }
    const missing = resolvers.filter((x) => x.r.expense(cc.code) === null).map((x) => x.org);
    if (missing.length) out.push({ ...cc, orgs: missing });
  }
  return out;
}

/** How many cost centers post to suspense for want of an account (`costCentersWithoutAccount`), for a badge or a check. */
export async function countCostCentersWithoutAccount(db: Db): Promise<number> {
  return (await costCentersWithoutAccount(db)).length;
}
