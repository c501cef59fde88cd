/**
 * Mapping use cases (docs/crosswalk.md): keeping the resolved crosswalk (`mapping_segments`) in
 * step with the entries, rules and names, the rules themselves (create, edit, reorder, delete,
 * import, export: validated, audited), and the what-if preview of any change.
 *
 * After any change to entries, rules or names, `resyncOrgs` recomputes the segments of each org
 * with the domain resolver, compares them with the stored ones, and recomputes exactly the
 * buckets and the drill-down owners whose answer changed (incremental; a full recompute gives the
 * same figures, which the tests check).
 */
import { InputError } from "../domain/errors";
import { dec, ZERO, type Decimal } from "../domain/money";
import { formatRulesCsv, parseRulesCsv } from "../domain/csv/rules";
import { formatRulesFile, formatRuleIssue, parseRulesFile, parseRulesJson, ruleToJson, type Rule } from "../domain/rules";
import { diffSegments, resolveSegments, usageKeyId, type SegmentChange } from "../domain/segments";
import type { Db } from "../../db/client";
import { writeAudit } from "../../db/queries/audit";
import { loadMappingEntries, loadRules, loadSegments, orgNames, replaceSegments, usageKeys, writeRules } from "../../db/queries/mapping";
import { listOrgIds, lockOrg } from "../../db/queries/orgs";
import { getReport } from "../../db/queries/report";
import { latestDataMonth, restatementsSince, maxRestatementId } from "../../db/queries/restatements";
import { addDays, monthOf, monthRange } from "../domain/periods";
import { recomputeOrgRange } from "./allocation";
import { readCsvRecords, toSafeCsv } from "./csv";
import { ensureTeam } from "./teams";

/**
 * Recomputes the segments of one org and stores those that changed; returns what changed.
 * Does not recompute the allocation (`resyncOrg` does both).
 */
export async function syncSegments(db: Db, orgId: string): Promise<SegmentChange> {
  const [keys, entries, rules, names, stored] = await Promise.all([
    usageKeys(db, orgId),
    loadMappingEntries(db, orgId),
    loadRules(db),
    orgNames(db, orgId),
    loadSegments(db, orgId),
  ]);
  const next = resolveSegments(keys, { entries, rules, names });
  const change = diffSegments(stored, next);
  if (change.changed) {
    const ids = new Set(change.keys.map(usageKeyId));
    await replaceSegments(
      db,
      orgId,
      change.keys,
      next.filter((s) => ids.has(usageKeyId(s))),
    );
  }
  return change;
}

/**
 * Brings one org's segments and allocation in step with its entries, rules and names:
 * recomputes only the buckets in the changed date range and refreshes only the drill-down
 * details of the owners whose mapping changed. Returns what changed.
 */
export async function resyncOrg(db: Db, orgId: string): Promise<SegmentChange> {
  const change = await syncSegments(db, orgId);
  if (change.changed) {
    const owners = [...new Set(change.keys.map((k) => k.ownerId))].sort();
    await recomputeOrgRange(db, orgId, change.from, change.to, { detailsOwnerIds: owners });
  }
  return change;
}

/** `resyncOrg` for each org (null = every org), each locked first. */
export async function resyncOrgs(db: Db, orgIds: readonly string[] | null): Promise<void> {
  const orgs = orgIds === null ? await listOrgIds(db) : [...new Set(orgIds)].sort();
  for (const o of orgs) await lockOrg(db, o);
  for (const o of orgs) await resyncOrg(db, o);
}

// ---------------------------------------------------------------- rules

export const listRules = (db: Db): Promise<Rule[]> => loadRules(db);

/** The rules file of every rule, or of those that apply to `orgId` (its own and the all-org ones). */
export async function exportRules(db: Db, orgId?: string | null): Promise<string> {
  return formatRulesFile(await rulesFor(db, orgId));
}

/** Every rule, or those that apply to `orgId` (its own and the all-org ones), in order. */
async function rulesFor(db: Db, orgId?: string | null): Promise<Rule[]> {
  const rules = await loadRules(db);
  return orgId ? rules.filter((r) => r.orgId === null || r.orgId === orgId) : rules;
}

/** Checks a whole list as one rules file (unique names, valid fields); throws InputError with each problem located. */
function checkList(rules: readonly Rule[]): Rule[] {
  const parsed = parseRulesJson(rules.map(ruleToJson));
  if (!parsed.ok) throw new InputError(parsed.errors.map(formatRuleIssue).join("\n"), { field: "rules" });
  return parsed.rules.map((r, i) => (rules[i].id === undefined ? r : { ...r, id: rules[i].id }));
}

const teamsOf = (r: Rule) => ("team" in r.then ? [r.then.team] : r.then.split.map((s) => s.team));
const orgsTouched = (...lists: ReadonlyArray<readonly Rule[]>): string[] | null => {
  const orgs = new Set<string>();
  for (const list of lists) for (const r of list) if (r.orgId === null) return null;
  for (const list of lists) for (const r of list) orgs.add(r.orgId as string);
  return [...orgs];
};
const sameRule = (a: Rule, b: Rule) => JSON.stringify(ruleToJson(a)) === JSON.stringify(ruleToJson(b));

/**
 * Replaces the rules list with `next` (ids kept for rules that stay): validated as one file,
 * teams created when new, audited (`before` / `after` lists), and every org whose rules changed
 * resynced. The one write path of every rule change.
 */
async function saveRules(db: Db, actor: string, next: readonly Rule[], action: string, entityId: string): Promise<Rule[]> {
  return db.transaction(async (tx) => {
    const checked = checkList(next);
    const before = await loadRules(tx);
    for (const r of checked) for (const t of teamsOf(r)) await ensureTeam(tx, actor, t, null);
    const stored = await writeRules(tx, checked);
    // a rule is unchanged when the same rule stays at the same position (its `#order` label too)
    const samePlace = (i: number) => before[i]?.id !== undefined && before[i].id === checked[i]?.id && sameRule(before[i], checked[i]);
    const changedBefore = before.filter((_, i) => !samePlace(i));
    const changedAfter = checked.filter((_, i) => !samePlace(i));
    await writeAudit(tx, {
      actor,
      action,
      entity: "crosswalk_rule",
      entityId,
      before: { rules: before.map((r) => ({ id: r.id, ...ruleToJson(r) })) },
      after: { rules: stored.map((r) => ({ id: r.id, ...ruleToJson(r) })) },
    });
    if (changedBefore.length || changedAfter.length) await resyncOrgs(tx, orgsTouched(changedBefore, changedAfter));
    return stored;
  });
}

/** Adds a rule at `position` (1-based; default last). */
export async function createRule(db: Db, actor: string, rule: Rule, position?: number): Promise<Rule> {
  const list = await loadRules(db);
  const at = Math.min(Math.max((position ?? list.length + 1) - 1, 0), list.length);
  const next = [...list.slice(0, at), { ...rule, id: undefined }, ...list.slice(at)];
  const stored = await saveRules(db, actor, next, "create", rule.name);
  return stored[at];
}

async function existingRule(db: Db, id: number): Promise<{ list: Rule[]; i: number }> {
  const list = await loadRules(db);
  const i = list.findIndex((r) => r.id === id);
  if (i < 0) throw new InputError(`rule #${id} does not exist`, { field: "id" });
  return { list, i };
}

export async function updateRule(db: Db, actor: string, id: number, rule: Rule): Promise<void> {
  const { list, i } = await existingRule(db, id);
  const next = list.map((r, j) => (j === i ? { ...rule, id } : r));
  await saveRules(db, actor, next, "update", String(id));
}

export async function deleteRule(db: Db, actor: string, id: number): Promise<void> {
  const { list, i } = await existingRule(db, id);
  await saveRules(
    db,
    actor,
    list.filter((_, j) => j !== i),
    "delete",
    String(id),
  );
}

/** Moves a rule to `position` (1-based, clamped). */
export async function moveRule(db: Db, actor: string, id: number, position: number): Promise<void> {
  const { list, i } = await existingRule(db, id);
  const rest = list.filter((_, j) => j !== i);
  const at = Math.min(Math.max(position - 1, 0), rest.length);
  await saveRules(db, actor, [...rest.slice(0, at), list[i], ...rest.slice(at)], "reorder", String(id));
}

export interface RulesImportPlan {
  next: Rule[];
  added: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * The list a rules import leaves (nothing stored): with `replace` exactly the file's rules in
 * its order; otherwise merged by name: a rule of the file replaces the stored rule of that name
 * in its place, new rules are appended in file order, the other stored rules stay.
 */
export async function planRulesImport(db: Db, rules: readonly Rule[], opts: { replace: boolean }): Promise<RulesImportPlan> {
  const current = await loadRules(db);
  const byName = new Map(current.map((r) => [r.name, r]));
  const fileNames = new Set(rules.map((r) => r.name));
  const added: string[] = [];
  const updated: string[] = [];
  const unchanged: string[] = [];
  for (const r of rules) {
    const old = byName.get(r.name);
    if (!old) added.push(r.name);
    else if (sameRule(old, r)) unchanged.push(r.name);
    else updated.push(r.name);
  }
  let next: Rule[];
  const removed: string[] = [];
  if (opts.replace) {
    next = rules.map((r) => ({ ...r, id: byName.get(r.name)?.id }));
    for (const r of current) if (!fileNames.has(r.name)) removed.push(r.name);
    // the order alone may change
    if (!removed.length && !added.length) {
      const order = (xs: readonly Rule[]) => xs.map((r) => r.name).join("\u0000");
      if (order(current) !== order(rules)) for (const n of unchanged.splice(0)) updated.push(n);
    }
  } else {
    const fileByName = new Map(rules.map((r) => [r.name, r]));
    next = current.map((r) => (fileByName.has(r.name) ? { ...fileByName.get(r.name)!, id: r.id } : r));
    for (const r of rules) if (!byName.has(r.name)) next.push({ ...r, id: undefined });
  }
  return { next, added, updated, unchanged, removed };
}

/** The rules import (all-or-nothing; the file already parsed by `parseRulesFile`). */
export async function importRules(
  db: Db,
  actor: string,
  rules: readonly Rule[],
  opts: { replace: boolean },
): Promise<Omit<RulesImportPlan, "next">> {
  return db.transaction(async (tx) => {
    const plan = await planRulesImport(tx, rules, opts);
    if (plan.added.length || plan.updated.length || plan.removed.length)
      await saveRules(tx, actor, plan.next, opts.replace ? "import_replace" : "import_merge", "rules");
    const { next: _next, ...counts } = plan;
    return counts;
  });
}

// ---------------------------------------------------------------- what-if

export interface TeamDelta {
  month: string;
  orgId: string;
  team: string;
  before: string;
  after: string;
  delta: string;
}

export interface WhatIf {
  /** the months compared: the latest month with data and the one before (YYYY-MM) */
  months: string[];
  /** per (month, org, team) whose total would change */
  deltas: TeamDelta[];
  /** per month: Σ of the teams' deltas by team across orgs */
  byTeam: Array<{ month: string; team: string; delta: string }>;
  /** closed (org, month) pairs the change would not touch: a restatement is recorded instead */
  closedUntouched: Array<{ orgId: string; month: string }>;
}

class Rollback extends Error {}

/**
 * What a change would do, without doing it: runs `apply` (any service call: an entry, a rule, a
 * reorder, a bulk import) in a transaction, reads the per-team monthly totals before and after
 * for the latest month with data and the one before, lists the closed months it would record a
 * restatement for instead of changing, and rolls everything back.
 */
export async function whatIf(db: Db, apply: (tx: Db) => Promise<unknown>): Promise<WhatIf> {
  let out: WhatIf | null = null;
  try {
    await db.transaction(async (tx) => {
      const latest = await latestDataMonth(tx);
      const months = latest ? [monthOf(addDays(`${latest}-01`, -1)), latest] : [];
      const totals = async () => {
        const m = new Map<string, string>();
        if (!months.length) return m;
        const rows = await getReport(tx, {
          granularity: "monthly",
          from: `${months[0]}-01`,
          to: addDays(monthRange(months[1]).to, -1),
          by: "team",
        });
        for (const r of rows) m.set(`${r.periodStart.slice(0, 7)}\u0000${r.orgId}\u0000${r.group}`, r.total);
        return m;
      };
      const before = await totals();
      const mark = await maxRestatementId(tx);
      await apply(tx);
      const after = await totals();
      const deltas: TeamDelta[] = [];
      for (const k of new Set([...before.keys(), ...after.keys()])) {
        const b = dec(before.get(k) ?? "0");
        const a = dec(after.get(k) ?? "0");
        if (a.eq(b)) continue;
        const [month, orgId, team] = k.split("\u0000");
        deltas.push({ month, orgId, team, before: b.toFixed(), after: a.toFixed(), delta: a.minus(b).toFixed() });
      }
      deltas.sort((x, y) => (x.month + x.orgId + x.team < y.month + y.orgId + y.team ? -1 : 1));
      const agg = new Map<string, Decimal>();
      for (const d of deltas) {
        const k = `${d.month}\u0000${d.team}`;
        agg.set(k, (agg.get(k) ?? ZERO).plus(dec(d.delta)));
      }
      const byTeam = [...agg.entries()]
        .map(([k, v]) => ({ month: k.split("\u0000")[0], team: k.split("\u0000")[1], delta: v.toFixed() }))
        .filter((x) => !dec(x.delta).isZero());
      const closedUntouched = (await restatementsSince(tx, mark)).filter((r) => r.kind === "closed_month");
      out = {
        months,
        deltas,
        byTeam,
        closedUntouched: [
          ...new Map(closedUntouched.map((r) => [`${r.orgId}\u0000${r.month}`, { orgId: r.orgId, month: r.month }])).values(),
        ],
      };
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return out!;
}

// ---------------------------------------------------------------- rules as CSV (the rules file's second spelling)

/**
 * Parses a rules file in either spelling (docs/crosswalk.md "Rules"): the JSON (`parseRulesFile`,
 * problems as `[2].when.owner_name.regex: …`) or the rules CSV (app/domain/csv/rules.ts, problems
 * as `line 4, column "owner_name_value": …`). All-or-nothing: every rule, or every problem.
 */
export function parseRulesText(text: string, format: "json" | "csv"): { ok: true; rules: Rule[] } | { ok: false; errors: string[] } {
  if (format === "json") {
    const r = parseRulesFile(text);
    return r.ok ? { ok: true, rules: r.rules } : { ok: false, errors: r.errors.map(formatRuleIssue) };
  }
  const recs = readCsvRecords(text);
  if (recs.syntaxError) return { ok: false, errors: [recs.syntaxError.message] };
  const r = parseRulesCsv(recs.header, recs.rows, { maxErrors: Number.MAX_SAFE_INTEGER });
  return r.ok ? { ok: true, rules: r.rules } : { ok: false, errors: r.errors.map((e) => e.message) };
}

/** `exportRules` as the rules CSV (formula-safe cells); an InputError when a split team's name has no CSV form. */
export async function exportRulesCsv(db: Db, orgId?: string | null): Promise<string> {
  const { header, rows } = formatRulesCsv(await rulesFor(db, orgId));
  return toSafeCsv(header, rows);
}
