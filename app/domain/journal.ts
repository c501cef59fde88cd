/**
 * The general-ledger journal of one (org, month), in double entry (docs/journal.md). Pure.
 *
 * From the month's stored per-team totals (the frozen figures of a closed month), each team's
 * cost center and the GL account mapping:
 * - one DEBIT line per cost center (its teams aggregated) to the cost center's expense account;
 *   the pseudo cost centers (`unmapped`, `unassigned`, `unallocated`) go to the suspense account,
 *   and so does a cost center without an account (its memo says "no GL account mapped");
 * - one CREDIT line to the org's clearing (payable) account, the offset of the others.
 *
 * Amounts are in cents, rounded per cost center by the largest-remainder method so that the
 * expense lines sum exactly to the org's total rounded to the cent, and the lines to zero.
 * A cost center whose total is negative (credits larger than its usage) is a credit line, and
 * an org whose total is negative has its clearing line on the debit side: `debit` and `credit`
 * are never negative, exactly one of them is set, `amount` = debit − credit. Zero lines are left out.
 *
 * Account resolution (first match wins; `org_id` '' = every org):
 * - a cost center: (cost_center, code, org) → (cost_center, code, '') → (org_default, org, '')
 *   → the suspense account (below, key `*`), flagged "no GL account mapped";
 * - a pseudo cost center P: (suspense, P, org) → (suspense, P, '') → (suspense, `*`, org)
 *   → (suspense, `*`, '') → DEFAULT_SUSPENSE_ACCOUNT;
 * - the clearing line: (clearing, org, '') → (clearing, `*`, '') → DEFAULT_CLEARING_ACCOUNT.
 *
 * Also here: the GL account mapping's own rules (scopes, keys, account codes), shared by the
 * admin page, the CLI and the CSV import (./csv/gl-accounts.ts).
 */
import { InputError } from "./errors";
import { Decimal, dec, sum } from "./money";
import { addDays, isMonth, isValidDate, monthRange } from "./periods";
import { UNALLOCATED, UNASSIGNED, UNMAPPED, isReservedTeamName } from "./vocabulary";

// ---------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------

/** The journal CSV's columns, in this order (docs/journal.md). */
export const JOURNAL_HEADER = [
  "journal_id",
  "posting_date",
  "currency",
  "line",
  "account",
  "cost_center",
  "org_id",
  "debit",
  "credit",
  "amount",
  "memo",
  "reference",
] as const;

export type JournalColumn = (typeof JOURNAL_HEADER)[number];

/** The index of a column in a journal row. */
export const journalCol = (c: JournalColumn): number => JOURNAL_HEADER.indexOf(c);

/** Confluent Cloud bills in US dollars; every journal line is in USD. */
export const JOURNAL_CURRENCY = "USD";

/** The suspense account when none is mapped (map `suspense,*,…` before posting: a GL refuses an unknown account). */
export const DEFAULT_SUSPENSE_ACCOUNT = "SUSPENSE";
/** The clearing (payable) account when none is mapped (map `clearing,*,…`). */
export const DEFAULT_CLEARING_ACCOUNT = "CLEARING";

/** The memo marker of a cost center posted to suspense for want of an account. */
export const NO_GL_ACCOUNT = "no GL account mapped";

/** The journal id of (org, month): `SB-<org>-<YYYY-MM>`, the same on every export of the month. */
export const journalId = (orgId: string, month: string): string => `SB-${orgId}-${month}`;

// ---------------------------------------------------------------------------------------------
// Rounding
// ---------------------------------------------------------------------------------------------

const CENT = new Decimal("0.01");
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Rounds each value to cents so that the parts sum exactly to round-half-up(Σ values, 2):
 * floor every value, then give the missing cents to the largest remainders (ties by key).
 */
export function roundToCents(items: ReadonlyArray<{ key: string; value: Decimal }>): Map<string, Decimal> {
  const target = sum(items.map((i) => i.value)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const floors = items.map((i) => ({
    key: i.key,
    floor: i.value.toDecimalPlaces(2, Decimal.ROUND_FLOOR),
    rem: i.value.minus(i.value.toDecimalPlaces(2, Decimal.ROUND_FLOOR)),
  }));
  // missing cents: 0 ≤ deficit ≤ the number of items with a remainder (Σ floors ≤ Σ values, target ≥ floor of Σ)
  let deficit = target.minus(sum(floors.map((f) => f.floor)));
  const order = [...floors].sort((a, b) => (b.rem.cmp(a.rem) !== 0 ? b.rem.cmp(a.rem) : cmpStr(a.key, b.key)));
  const out = new Map(floors.map((f) => [f.key, f.floor]));
  for (let i = 0; deficit.gt(0) && order.length > 0; i = (i + 1) % order.length) {
    out.set(order[i].key, out.get(order[i].key)!.plus(CENT));
    deficit = deficit.minus(CENT);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The GL account mapping
// ---------------------------------------------------------------------------------------------

export const GL_SCOPES = ["cost_center", "org_default", "clearing", "suspense"] as const;
export type GlScope = (typeof GL_SCOPES)[number];
export const isGlScope = (s: string): s is GlScope => (GL_SCOPES as readonly string[]).includes(s);

/** The key meaning "every one" (clearing: every org; suspense: every pseudo cost center and unmapped cost centers). */
export const ALL_KEY = "*";

/** The pseudo cost centers, which post to suspense (app/domain/allocation.ts groupKey). */
export const PSEUDO_COST_CENTERS = [UNMAPPED, UNASSIGNED, UNALLOCATED] as const;
export const isPseudoCostCenter = (s: string): boolean => (PSEUDO_COST_CENTERS as readonly string[]).includes(s);

/** One mapping: (scope, key, org_id) → account. `orgId` '' = every organization. */
export interface GlAccount {
  scope: GlScope;
  key: string;
  orgId: string;
  account: string;
}

/** The identity of a mapping (its primary key). */
export type GlAccountKey = Pick<GlAccount, "scope" | "key" | "orgId">;

/** A mapping's identity as text, e.g. `cost_center:CC-100` or `suspense:*@org-a` (audit entity ids, messages). */
export const glAccountId = (k: GlAccountKey): string => `${k.scope}:${k.key}${k.orgId ? `@${k.orgId}` : ""}`;

/** A mapping for people, e.g. `cost_center CC-100 (org org-a)` (messages, the import's plan). */
export const glAccountLabel = (k: GlAccountKey): string => `${k.scope} ${k.key}${k.orgId ? ` (org ${k.orgId})` : ""}`;

export const sameGlKey = (a: GlAccountKey, b: GlAccountKey): boolean => a.scope === b.scope && a.key === b.key && a.orgId === b.orgId;

const SCOPE_ORDER = new Map(GL_SCOPES.map((s, i) => [s, i]));
/** Mappings in display order: scope (as GL_SCOPES), key, org. */
export const compareGlAccounts = (a: GlAccountKey, b: GlAccountKey): number =>
  SCOPE_ORDER.get(a.scope)! - SCOPE_ORDER.get(b.scope)! || cmpStr(a.key, b.key) || cmpStr(a.orgId, b.orgId);

export const MAX_ACCOUNT_LENGTH = 50;
/** An account code: letters, digits and `. _ - / :`, starting with a letter or digit (so no spreadsheet formula guard applies). */
const ACCOUNT_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

/** Why `account` (trimmed) cannot be an account code, or null. */
export function accountProblem(account: string): string | null {
  const a = account.trim();
  if (!a) return "is empty: give the GL account code";
  if (a.length > MAX_ACCOUNT_LENGTH) return `is longer than ${MAX_ACCOUNT_LENGTH} characters`;
  if (!ACCOUNT_RE.test(a)) return "is not an account code (letters, digits and . _ - / :, starting with a letter or digit, no spaces)";
  return null;
}

/** What a mapping's key and org may refer to: the stored cost center codes and organization ids. */
export interface GlRefs {
  costCenters: ReadonlySet<string>;
  orgs: ReadonlySet<string>;
}

export type GlField = "scope" | "key" | "account" | "org_id";

export interface GlProblem {
  field: GlField;
  /** rule id (./csv/gl-accounts.ts GL_CSV_RULES) */
  rule: "gl-scope" | "gl-key" | "gl-account" | "gl-org";
  /** the problem, to follow the value: `is not a scope …` */
  text: string;
}

const similar = (set: ReadonlySet<string>, v: string): string | undefined => {
  const l = v.toLowerCase();
  return [...set].find((x) => x.toLowerCase() === l);
};
const didYouMean = (set: ReadonlySet<string>, v: string) => {
  const s = similar(set, v);
  return s ? ` (did you mean ${JSON.stringify(s)}?)` : "";
};

/** Every problem of one mapping (values trimmed by the caller); empty when it can be saved. */
export function glAccountProblems(m: { scope: string; key: string; orgId: string; account: string }, refs: GlRefs): GlProblem[] {
  const out: GlProblem[] = [];
  const p = (field: GlField, rule: GlProblem["rule"], text: string) => out.push({ field, rule, text });
  const { scope, key, orgId } = m;
  if (!isGlScope(scope)) p("scope", "gl-scope", `is not a scope: one of ${GL_SCOPES.join(", ")}`);
  else if (!key) p("key", "gl-key", "is empty");
  else if (scope === "cost_center") {
    if (key === ALL_KEY)
      p("key", "gl-key", "is not a cost center: the account of an org's cost centers without their own is the org_default scope");
    else if (isPseudoCostCenter(key))
      p("key", "gl-key", `is a pseudo cost center: map it with the suspense scope (suspense,${key},ACCOUNT)`);
    else if (!refs.costCenters.has(key))
      p(
        "key",
        "gl-key",
        `is not a known cost center${didYouMean(refs.costCenters, key)}: add it on the Teams page first, or check the spelling`,
      );
  } else if (scope === "org_default" || scope === "clearing") {
    if (!(scope === "clearing" && key === ALL_KEY) && !refs.orgs.has(key))
      p(
        "key",
        "gl-key",
        `is not a known organization${didYouMean(refs.orgs, key)}${scope === "clearing" ? ` (or ${ALL_KEY} for every organization)` : ""}`,
      );
  } else if (key !== ALL_KEY && !isPseudoCostCenter(key))
    p(
      "key",
      "gl-key",
      `is not a pseudo cost center: one of ${PSEUDO_COST_CENTERS.join(", ")} or ${ALL_KEY} (every one, and cost centers without an account)`,
    );
  if (orgId) {
    if (scope === "org_default" || scope === "clearing")
      p("org_id", "gl-org", `must be empty for the ${scope} scope: its key is the organization`);
    else if (!refs.orgs.has(orgId))
      p("org_id", "gl-org", `is not a known organization${didYouMean(refs.orgs, orgId)} (empty = every organization)`);
  }
  const a = accountProblem(m.account);
  if (a) p("account", "gl-account", a);
  return out;
}

/** The mapping trimmed and checked; InputError naming the first field at fault (the single-mapping forms and CLI). */
export function checkGlAccount(m: { scope: string; key: string; orgId?: string | null; account: string }, refs: GlRefs): GlAccount {
  const t = { scope: m.scope.trim(), key: m.key.trim(), orgId: (m.orgId ?? "").trim(), account: m.account.trim() };
  const [problem] = glAccountProblems(t, refs);
  if (problem) {
    const value = problem.field === "org_id" ? t.orgId : t[problem.field];
    throw new InputError(`${problem.field} ${JSON.stringify(value)} ${problem.text}`, { field: problem.field });
  }
  return t as GlAccount;
}

/** How an account was found (docs/journal.md "Resolution"). */
export type AccountSource =
  | "cost_center_org"
  | "cost_center"
  | "org_default"
  | "suspense_org"
  | "suspense"
  | "suspense_all_org"
  | "suspense_all"
  | "suspense_default"
  | "clearing_org"
  | "clearing_all"
  | "clearing_default";

export interface Resolved {
  account: string;
  source: AccountSource;
}

/** Resolves accounts from a list of mappings. */
export interface GlResolver {
  /** the expense account of a real cost center; `null` = none mapped (it posts to `suspense(ALL_KEY)`) */
  expense(costCenter: string): Resolved | null;
  /** the suspense account for a pseudo cost center, or `ALL_KEY` for an unmapped cost center */
  suspense(key: string): Resolved;
  clearing(): Resolved;
}

/** The resolver of one organization's accounts. */
export function glResolver(accounts: readonly GlAccount[], orgId: string): GlResolver {
  const m = new Map(accounts.map((a) => [`${a.scope}\u0000${a.key}\u0000${a.orgId}`, a.account]));
  const get = (scope: GlScope, key: string, org: string) => m.get(`${scope}\u0000${key}\u0000${org}`);
  const first = (tries: Array<[GlScope, string, string, AccountSource]>): Resolved | null => {
    for (const [scope, key, org, source] of tries) {
      const account = get(scope, key, org);
      if (account !== undefined) return { account, source };
    }
    return null;
  };
  return {
    expense: (cc) =>
      first([
        ["cost_center", cc, orgId, "cost_center_org"],
        ["cost_center", cc, "", "cost_center"],
        ["org_default", orgId, "", "org_default"],
      ]),
    suspense: (key) =>
      first([
        ...(key === ALL_KEY
          ? []
          : ([
              ["suspense", key, orgId, "suspense_org"],
              ["suspense", key, "", "suspense"],
            ] as Array<[GlScope, string, string, AccountSource]>)),
        ["suspense", ALL_KEY, orgId, "suspense_all_org"],
        ["suspense", ALL_KEY, "", "suspense_all"],
      ]) ?? { account: DEFAULT_SUSPENSE_ACCOUNT, source: "suspense_default" },
    clearing: () =>
      first([
        ["clearing", orgId, "", "clearing_org"],
        ["clearing", ALL_KEY, "", "clearing_all"],
      ]) ?? { account: DEFAULT_CLEARING_ACCOUNT, source: "clearing_default" },
  };
}

// ---------------------------------------------------------------------------------------------
// Posting date, reference
// ---------------------------------------------------------------------------------------------

/** The default posting date of a month's journal: its last day. */
export const defaultPostingDate = (month: string): string => addDays(monthRange(month).to, -1);

/**
 * The posting date of `month`'s journal: `override` (YYYY-MM-DD, on or after the month's first
 * day) when given, else the month's last day. InputError (field `posting_date`) otherwise.
 */
export function postingDateFor(month: string, override?: string | null): string {
  if (!isMonth(month)) throw new InputError(`invalid month ${JSON.stringify(month)}: expected YYYY-MM`, { field: "month" });
  const o = (override ?? "").trim();
  if (!o) return defaultPostingDate(month);
  if (!isValidDate(o)) throw new InputError(`posting date ${JSON.stringify(o)} is not a YYYY-MM-DD date`, { field: "posting_date" });
  if (o < monthRange(month).from)
    throw new InputError(`posting date ${o} is before the month ${month} it posts`, { field: "posting_date" });
  return o;
}

/** The reference of the imports a month's figures come from: `imports:3-5;9` (runs of ids as ranges); '' for none. */
export function importsReference(ids: readonly number[]): string {
  const s = [...new Set(ids)].sort((a, b) => a - b);
  if (!s.length) return "";
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j > i ? `${s[i]}-${s[j]}` : String(s[i]));
    i = j + 1;
  }
  return `imports:${parts.join(";")}`;
}

// ---------------------------------------------------------------------------------------------
// The journal
// ---------------------------------------------------------------------------------------------

/** A team's stored total for the month (decimal string, any scale). */
export interface TeamTotal {
  team: string;
  total: string;
}

export interface JournalInput {
  orgId: string;
  /** YYYY-MM */
  month: string;
  /** the org's per-team totals of the month (a team at most once) */
  teams: readonly TeamTotal[];
  /** a team's cost center (null/undefined/blank = none: `unassigned`) */
  costCenterOf: (team: string) => string | null | undefined;
  /** the GL account mapping (every org's; the resolver picks this org's) */
  accounts: readonly GlAccount[];
  /** the ids of the imports the figures come from (the `reference`) */
  importIds: readonly number[];
  /** YYYY-MM-DD; default the month's last day (`postingDateFor`) */
  postingDate?: string | null;
}

export type JournalLineKind = "expense" | "suspense" | "clearing";

export interface JournalLine {
  journalId: string;
  postingDate: string;
  currency: string;
  /** 1…n within the journal */
  line: number;
  account: string;
  /** the real cost center code; '' on pseudo cost center and clearing lines */
  costCenter: string;
  orgId: string;
  /** signed, in cents: + debit, − credit; never zero */
  amount: Decimal;
  memo: string;
  reference: string;
  kind: JournalLineKind;
  /** the cost center or pseudo cost center of the line ('' for the clearing line) */
  group: string;
  /** the teams of the line's group, sorted */
  teams: string[];
  accountSource: AccountSource;
  /** a real cost center posted to suspense for want of an account */
  noAccount: boolean;
}

const MEMO_TEAMS = 5;
const SUSPENSE_SUFFIX = " (suspense)";
const CLEARING_SUFFIX = " (clearing)";
const teamList = (teams: readonly string[]) =>
  teams.length <= MEMO_TEAMS ? teams.join("; ") : `${teams.slice(0, MEMO_TEAMS).join("; ")} and ${teams.length - MEMO_TEAMS} more`;

const PSEUDO_MEMO: Record<string, string> = {
  [UNMAPPED]: "unmapped: usage of owners without a team",
  [UNASSIGNED]: "unassigned: teams without a cost center",
  [UNALLOCATED]: "unallocated: the amount the org's policy does not spread",
};

/** The group (cost center or pseudo cost center) a team's total posts under. */
function groupOf(team: string, costCenterOf: JournalInput["costCenterOf"]): string {
  if (isReservedTeamName(team)) return team;
  const cc = costCenterOf(team);
  return cc != null && cc.trim() !== "" ? cc : UNASSIGNED;
}

/**
 * The journal of one (org, month) (see the module comment): expense lines by cost center code,
 * then the suspense lines of the pseudo cost centers (unmapped, unassigned, unallocated), then
 * the clearing line; numbered 1…n. Empty when every amount rounds to zero.
 */
export function buildJournal(input: JournalInput): JournalLine[] {
  const { orgId, month } = input;
  const postingDate = postingDateFor(month, input.postingDate);
  const id = journalId(orgId, month);
  const reference = importsReference(input.importIds);
  const resolver = glResolver(input.accounts, orgId);
  const memoHead = `Confluent Cloud chargeback ${month}`;

  const groups = new Map<string, { total: Decimal; teams: string[] }>();
  for (const t of input.teams) {
    const g = groupOf(t.team, input.costCenterOf);
    let e = groups.get(g);
    if (!e) groups.set(g, (e = { total: new Decimal(0), teams: [] }));
    e.total = e.total.plus(dec(t.total));
    if (!isReservedTeamName(t.team)) e.teams.push(t.team);
  }
  const cents = roundToCents([...groups.entries()].map(([key, g]) => ({ key, value: g.total })));
  const pseudoRank = (g: string) => (PSEUDO_COST_CENTERS as readonly string[]).indexOf(g);
  const keys = [...groups.keys()].sort((a, b) => pseudoRank(a) - pseudoRank(b) || cmpStr(a, b));

  type Draft = Omit<JournalLine, "line" | "journalId" | "postingDate" | "currency" | "orgId" | "reference">;
  const drafts: Draft[] = [];
  for (const g of keys) {
    const amount = cents.get(g)!;
    if (amount.isZero()) continue;
    const teams = [...groups.get(g)!.teams].sort(cmpStr);
    if (isPseudoCostCenter(g)) {
      const r = resolver.suspense(g);
      const who = g === UNASSIGNED && teams.length ? `: ${teamList(teams)}` : "";
      drafts.push({
        account: r.account,
        costCenter: "",
        amount,
        memo: `${memoHead} - ${PSEUDO_MEMO[g]}${who}${SUSPENSE_SUFFIX}`,
        kind: "suspense",
        group: g,
        teams,
        accountSource: r.source,
        noAccount: false,
      });
      continue;
    }
    const found = resolver.expense(g);
    const r = found ?? resolver.suspense(ALL_KEY);
    drafts.push({
      account: r.account,
      costCenter: g,
      amount,
      memo: `${memoHead} - cost center ${g} - teams: ${teamList(teams)}${found ? "" : ` - ${NO_GL_ACCOUNT}${SUSPENSE_SUFFIX}`}`,
      kind: found ? "expense" : "suspense",
      group: g,
      teams,
      accountSource: r.source,
      noAccount: !found,
    });
  }
  const total = sum(drafts.map((d) => d.amount));
  if (!total.isZero()) {
    const r = resolver.clearing();
    drafts.push({
      account: r.account,
      costCenter: "",
      amount: total.negated(),
      memo: `${memoHead} - ${orgId} total${CLEARING_SUFFIX}`,
      kind: "clearing",
      group: "",
      teams: [],
      accountSource: r.source,
      noAccount: false,
    });
  }
  return drafts.map((d, i) => ({ journalId: id, postingDate, currency: JOURNAL_CURRENCY, line: i + 1, orgId, reference, ...d }));
}

/** A journal line as CSV cells, in JOURNAL_HEADER order (debit / credit: the non-negative side, the other empty). */
export function journalCsvRow(l: JournalLine): string[] {
  const cells: Record<JournalColumn, string> = {
    journal_id: l.journalId,
    posting_date: l.postingDate,
    currency: l.currency,
    line: String(l.line),
    account: l.account,
    cost_center: l.costCenter,
    org_id: l.orgId,
    debit: l.amount.isPositive() ? l.amount.toFixed(2) : "",
    credit: l.amount.isNegative() ? l.amount.negated().toFixed(2) : "",
    amount: l.amount.toFixed(2),
    memo: l.memo,
    reference: l.reference,
  };
  return JOURNAL_HEADER.map((c) => cells[c]);
}

/** Journal rows with their posting date replaced (an explicit `--posting-date` over stored rows). */
export function withPostingDate(rows: readonly string[][], postingDate: string): string[][] {
  const i = journalCol("posting_date");
  return rows.map((r) => r.map((c, j) => (j === i ? postingDate : c)));
}

/** What the reconciliation page and the close pack show of a journal (from its CSV rows, so a closed month reads its frozen lines). */
export interface JournalSummary {
  orgId: string;
  journalId: string;
  lines: number;
  /** Σ debit, Σ credit (equal when balanced), 2 decimals */
  debits: string;
  credits: string;
  /** Σ amount of the expense and suspense lines = the org's total to the cent */
  total: string;
  /** Σ amount of the lines posted to suspense */
  suspense: string;
  /** real cost centers posted to suspense for want of an account */
  unmappedCostCenters: string[];
  balanced: boolean;
}

/** Summaries per org of journal CSV rows (in their order of first appearance). */
export function summarizeJournal(rows: readonly string[][]): JournalSummary[] {
  const c = (r: readonly string[], k: JournalColumn) => r[journalCol(k)] ?? "";
  const amt = (s: string) => (s === "" ? new Decimal(0) : dec(s));
  const by = new Map<string, string[][]>();
  for (const r of rows) {
    const org = c(r, "org_id");
    if (!by.has(org)) by.set(org, []);
    by.get(org)!.push([...r]);
  }
  return [...by.entries()].map(([orgId, rs]) => {
    const debits = sum(rs.map((r) => amt(c(r, "debit"))));
    const credits = sum(rs.map((r) => amt(c(r, "credit"))));
    // buildJournal's layout tells the kinds apart: the clearing line is the last, without a cost
    // center; the other lines without one are pseudo cost centers (suspense); a real cost center
    // posted to suspense has the no-account flag at the end of its memo
    const last = rs[rs.length - 1];
    const offsets = c(last, "cost_center") === "" && c(last, "memo").endsWith(CLEARING_SUFFIX) ? [last] : [];
    const posted = rs.filter((r) => !offsets.includes(r));
    const noAccount = ` - ${NO_GL_ACCOUNT}${SUSPENSE_SUFFIX}`;
    const suspense = posted.filter((r) => c(r, "cost_center") === "" || c(r, "memo").endsWith(noAccount));
    return {
      orgId,
      journalId: c(rs[0], "journal_id"),
      lines: rs.length,
      debits: debits.toFixed(2),
      credits: credits.toFixed(2),
      total: sum(posted.map((r) => amt(c(r, "amount")))).toFixed(2),
      suspense: sum(suspense.map((r) => amt(c(r, "amount")))).toFixed(2),
      unmappedCostCenters: suspense
        .filter((r) => c(r, "cost_center") !== "")
        .map((r) => c(r, "cost_center"))
        .sort(cmpStr),
      balanced: debits.eq(credits) && sum(rs.map((r) => amt(c(r, "amount")))).isZero(),
    };
  });
}
