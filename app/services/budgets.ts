/**
 * Budgets (issue 16, docs/budgets.md), shared by /admin/budgets and `npm run budgets`: set or
 * delete one budget, import the CSV all-or-nothing, export it; every change audited (entity
 * `budget`, before/after). The rules of a budget are app/domain/budgets.ts.
 */
import type { Db } from "../../db/client";
import { writeAudit } from "../../db/queries/audit";
import { deleteBudgetRow, getBudgetById, listBudgets, upsertBudget, type BudgetDbRow } from "../../db/queries/budgets";
import { listCostCenters } from "../../db/queries/cost-centers";
import { listOrgIds } from "../../db/queries/orgs";
import { listTeams } from "../../db/queries/teams";
import { budgetKey, budgetPath, budgetSchema, formatBudgetCsv, parseBudgetCsv, type Budget, type BudgetRefs } from "../domain/budgets";
import { formatIssues, type ValidationIssue } from "../domain/csv/issues";
import { InputError } from "../domain/errors";
import { dec } from "../domain/money";
import { readCsvRecords, toSafeCsv } from "./csv";

/** The CSV's problems (nothing was imported): by line, column, value and rule. */
export class BudgetsCsvError extends InputError {
  constructor(
    readonly issues: ValidationIssue[],
    readonly issueCount: number,
  ) {
    super(
      `The budgets file has ${issueCount} problem${issueCount === 1 ? "" : "s"}; nothing was imported.\n${formatIssues(issues, issueCount)}`,
      {
        field: "csv_file",
      },
    );
  }
}

export const toBudget = (r: BudgetDbRow): Budget & { id: number } => ({
  id: r.id,
  scope: r.scope,
  name: r.name,
  orgId: r.org_id,
  fromMonth: r.from_month,
  amount: r.amount,
});

/** Every stored budget (app/domain/budgets.ts shape, with its id). */
export async function getBudgets(db: Db): Promise<Array<Budget & { id: number }>> {
  return (await listBudgets(db)).map(toBudget);
}

async function budgetRefs(db: Db): Promise<BudgetRefs> {
  return {
    teams: new Set((await listTeams(db, { includeArchived: true })).map((t) => t.name)),
    costCenters: new Set((await listCostCenters(db)).map((c) => c.code)),
    orgs: new Set(await listOrgIds(db)),
  };
}

/** `team payments (org-a) from 2026-05` */
export const budgetLabel = (b: Pick<Budget, "scope" | "name" | "orgId" | "fromMonth">) =>
  `${b.scope === "team" ? "team" : "cost center"} ${b.name}${b.orgId ? ` (${b.orgId})` : ""} from ${b.fromMonth}`;

async function write(db: Db, actor: string, b: Budget): Promise<{ row: BudgetDbRow; before: string | null }> {
  const r = await upsertBudget(db, { ...b, actor });
  if (r.before !== null && sameAmount(r.before, r.row.amount)) return r;
  await writeAudit(db, {
    actor,
    action: r.before === null ? "create" : "update",
    entity: "budget",
    entityId: budgetPath(b),
    before: r.before === null ? null : { ...b, amount: r.before },
    after: { ...b, amount: r.row.amount },
  });
  return r;
}

/** Sets one budget (the admin form): the same rules and messages as a CSV row. */
export async function setBudget(db: Db, actor: string, input: unknown): Promise<{ row: BudgetDbRow; changed: boolean }> {
  const p = budgetSchema.safeParse(input);
  if (!p.success) {
    const i = p.error.issues[0]!;
    const field = String(i.path[0] ?? "amount");
    throw new InputError(`${field.replace("_", " ")} ${i.message}`, { field });
  }
  const b = p.data;
  return db.transaction(async (tx) => {
    const refs = await budgetRefs(tx);
    const known = b.scope === "team" ? refs.teams : refs.costCenters;
    if (!known?.has(b.name))
      throw new InputError(`no ${b.scope === "team" ? "team" : "cost center"} named ${JSON.stringify(b.name)}`, { field: "name" });
    if (b.orgId !== null && !refs.orgs?.has(b.orgId))
      throw new InputError(`no organization ${JSON.stringify(b.orgId)}`, { field: "org_id" });
    const r = await write(tx, actor, b);
    return { row: r.row, changed: r.before === null || !sameAmount(r.before, r.row.amount) };
  });
}

export async function deleteBudget(db: Db, actor: string, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await getBudgetById(tx, id);
    if (!row) throw new InputError(`there is no budget #${id}`, { field: "id" });
    await deleteBudgetRow(tx, id);
    const b = toBudget(row);
    await writeAudit(tx, {
      actor,
      action: "delete",
      entity: "budget",
      entityId: budgetPath(b),
      before: b,
      after: null,
    });
  });
}

export interface BudgetImportResult {
  added: Budget[];
  updated: Array<{ before: string; after: Budget }>;
  unchanged: Budget[];
}

/**
 * Imports the budgets CSV (`scope,name,amount,from_month[,org_id]`), all-or-nothing in one
 * transaction: every row inserted or its amount replaced, each audited. Throws BudgetsCsvError
 * with every problem (line, column, value, rule); nothing changes then. `dryRun` only plans.
 */
export async function importBudgets(db: Db, actor: string, text: string, opts: { dryRun?: boolean } = {}): Promise<BudgetImportResult> {
  const recs = readCsvRecords(text);
  if (recs.syntaxError) {
    throw new BudgetsCsvError(
      [{ line: recs.syntaxError.line, column: null, value: null, rule: "csv", message: recs.syntaxError.message }],
      1,
    );
  }
  const run = async (tx: Db): Promise<BudgetImportResult> => {
    const parsed = parseBudgetCsv(recs.header, recs.rows, { refs: await budgetRefs(tx), maxErrors: 200 });
    if (!parsed.ok) throw new BudgetsCsvError(parsed.errors, parsed.errorCount);
    const current = new Map((await getBudgets(tx)).map((b) => [budgetKey(b), b]));
    const out: BudgetImportResult = { added: [], updated: [], unchanged: [] };
    for (const { line: _line, ...b } of parsed.rows) {
      const before = current.get(budgetKey(b));
      if (!before) out.added.push(b);
      else if (!sameAmount(before.amount, b.amount)) out.updated.push({ before: before.amount, after: b });
      else out.unchanged.push(b);
      if (!opts.dryRun && (!before || !sameAmount(before.amount, b.amount))) await write(tx, actor, b);
    }
    return out;
  };
  return opts.dryRun ? run(db) : db.transaction(run);
}

const sameAmount = (a: string, b: string) => dec(a).eq(dec(b));

/** The stored budgets as the import's CSV: importing it changes nothing. */
export async function budgetsCsv(db: Db): Promise<string> {
  const { header, rows } = formatBudgetCsv(await getBudgets(db));
  return toSafeCsv(header, rows);
}
