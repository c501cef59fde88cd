/**
 * Splits (docs/crosswalk.md): one owner's cost shared by several teams in fixed percentages,
 * the target of a crosswalk entry (the `split` column, `payments:60;search:40`, in place of
 * `team`) or of a mapping rule (`"then": { "split": { "payments": "60", "search": "40" } }`,
 * app/domain/rules.ts).
 *
 * A split is an ordered list of shares `{ team, pct }`:
 * - `pct` is a decimal STRING (never a JS number), > 0, at most 4 decimals, normalised
 *   (`"60.50"` → `"60.5"`); the percentages sum to exactly 100;
 * - team names are non-empty, without surrounding spaces, distinct, and never a pseudo-team
 *   (`unmapped`, `unallocated`; app/domain/vocabulary.ts).
 * The order is the order written (text or object); it is kept for display only: amounts do
 * not depend on it (`splitAmount` breaks rounding ties by team name, as `allocate()` does).
 *
 * Pure: imports only decimal.js (through money.ts) and the domain.
 */
import { InputError } from "./errors";
import { allocate, dec, type Decimal, ZERO } from "./money";
import { isReservedTeamName, RESERVED_TEAM_NAMES } from "./vocabulary";

/** One share of a split: a team and its percentage (normalised decimal string). */
export interface SplitShare {
  team: string;
  pct: string;
}

/** An ordered, validated list of shares (see the module comment for the rules). */
export type Split = readonly SplitShare[];

/**
 * A problem with a split. `team` names the share it is about (absent for problems of the whole
 * split, such as the sum); `part` is the 1-based position of the share in the text or object.
 */
export interface SplitIssue {
  message: string;
  team?: string;
  part?: number;
}

export type SplitResult = { ok: true; split: Split } | { ok: false; errors: SplitIssue[] };

const HUNDRED = dec("100");
/** The same percentage syntax as the `fixed` allocation policy (app/domain/policies.ts). */
const PCT_RE = /^\d+(?:\.\d+)?$/;
const MAX_PCT_DECIMALS = 4;

/** Why a percentage string is refused, or null when it is valid. */
function pctProblem(pct: string): string | null {
  if (!PCT_RE.test(pct)) return `percentage ${JSON.stringify(pct)} is not a decimal number such as 60 or 12.5`;
  const dot = pct.indexOf(".");
  if (dot >= 0 && pct.length - dot - 1 > MAX_PCT_DECIMALS) return `percentage ${pct} has more than ${MAX_PCT_DECIMALS} decimals`;
  if (!dec(pct).gt(0)) return `percentage ${pct} must be more than 0`;
  return null;
}

/** Why a team name (of a split share, an entry or a rule) is refused, or null when it is valid. */
export function teamNameProblem(team: string): string | null {
  if (team === "") return "team name is empty";
  if (team.trim() !== team) return `team name ${JSON.stringify(team)} must not start or end with spaces`;
  if (isReservedTeamName(team)) {
    return `team ${JSON.stringify(team)} is a pseudo-team (${RESERVED_TEAM_NAMES.join(", ")}): no entry, rule or split can name it`;
  }
  return null;
}

/**
 * Validates raw shares (team names and percentage strings as written) and normalises them.
 * Every problem is reported (not only the first); the sum is checked only when every
 * percentage is valid.
 */
export function validateSplit(raw: ReadonlyArray<{ team: string; pct: string; part?: number }>): SplitResult {
  const errors: SplitIssue[] = [];
  if (raw.length === 0) return { ok: false, errors: [{ message: "a split needs at least one team with a percentage" }] };
  const seen = new Map<string, number>();
  const shares: SplitShare[] = [];
  let pctsOk = true;
  raw.forEach(({ team, pct, part: given }, i) => {
    const part = given ?? i + 1;
    const tp = teamNameProblem(team);
    if (tp) errors.push({ message: tp, team, part });
    else if (seen.has(team)) {
      errors.push({ message: `team ${JSON.stringify(team)} is listed twice (parts ${seen.get(team)} and ${part})`, team, part });
    } else seen.set(team, part);
    const pp = pctProblem(pct);
    if (pp) {
      pctsOk = false;
      errors.push({ message: `${pp} (team ${JSON.stringify(team)})`, team, part });
    } else shares.push({ team, pct: dec(pct).toFixed() });
  });
  if (pctsOk) {
    const total = shares.reduce((a, s) => a.plus(dec(s.pct)), ZERO);
    if (!total.eq(HUNDRED)) errors.push({ message: `the percentages sum to ${total.toFixed()}, not 100` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, split: shares };
}

/**
 * Parses the text form of the crosswalk CSV `split` column: `team:pct` parts separated by `;`,
 * e.g. `payments:60;search:40`. Spaces around parts, team names and percentages are ignored
 * (`payments: 60; search: 40`). The LAST `:` of a part separates team and percentage, so a team
 * name may contain `:` (never `;`). An empty part (`a:50;;b:50`, a trailing `;`) is an error.
 */
export function parseSplitText(text: string): SplitResult {
  const t = text.trim();
  if (t === "") return { ok: false, errors: [{ message: "split is empty, expected team:percent parts such as payments:60;search:40" }] };
  const raw: Array<{ team: string; pct: string; part: number }> = [];
  const errors: SplitIssue[] = [];
  t.split(";").forEach((p, i) => {
    const part = p.trim();
    const n = i + 1;
    if (part === "") {
      errors.push({ message: `part ${n} of the split is empty (parts are team:percent separated by ";")`, part: n });
      return;
    }
    const colon = part.lastIndexOf(":");
    if (colon < 0) {
      errors.push({ message: `part ${n} ${JSON.stringify(part)} is not team:percent`, part: n });
      return;
    }
    raw.push({ team: part.slice(0, colon).trim(), pct: part.slice(colon + 1).trim(), part: n });
  });
  if (errors.length > 0) return { ok: false, errors };
  return validateSplit(raw);
}

/**
 * Parses the object form used in the rules file: `{ "payments": "60", "search": "40" }`
 * (team → percentage as a decimal STRING; a JSON number is refused so that no percentage ever
 * passes through a binary float). The order is the object's key order (JavaScript lists
 * integer-like keys such as "42" first; the order is for display only).
 */
export function parseSplitObject(obj: unknown): SplitResult {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    return { ok: false, errors: [{ message: 'a split is an object of team → percentage, e.g. { "payments": "60", "search": "40" }' }] };
  }
  const raw: Array<{ team: string; pct: string; part: number }> = [];
  const errors: SplitIssue[] = [];
  Object.entries(obj as Record<string, unknown>).forEach(([team, v], i) => {
    if (typeof v === "string") raw.push({ team, pct: v, part: i + 1 });
    else {
      const shown = typeof v === "number" ? `the number ${String(v)}` : v === null ? "null" : `a ${typeof v}`;
      errors.push({
        message: `percentage of team ${JSON.stringify(team)} must be a decimal string such as "60" or "12.5", not ${shown}`,
        team,
        part: i + 1,
      });
    }
  });
  if (errors.length > 0) {
    // still report the team-name and percentage problems of the other shares (not the sum)
    const rest = raw.length > 0 ? validateSplit(raw) : null;
    const more = rest && !rest.ok ? rest.errors.filter((e) => e.team !== undefined) : [];
    return { ok: false, errors: [...errors, ...more].sort((a, b) => (a.part ?? 0) - (b.part ?? 0)) };
  }
  return validateSplit(raw);
}

/** One line per problem, e.g. for an InputError or a CSV line error. */
export function splitErrorText(errors: readonly SplitIssue[]): string {
  return errors.map((e) => e.message).join("; ");
}

/** `parseSplitText`, throwing an InputError (field `split` unless told) with every problem. */
export function requireSplitText(text: string, field = "split"): Split {
  const r = parseSplitText(text);
  if (!r.ok) throw new InputError(splitErrorText(r.errors), { field });
  return r.split;
}

/**
 * The text form of a split, `payments:60;search:40` (parts in split order). `parseSplitText`
 * of the result gives the same split back. Throws when a team name contains `;` (not
 * representable in the text form; the rules file's object form has no such limit).
 */
export function formatSplitText(split: Split): string {
  return split
    .map((s) => {
      if (s.team.includes(";")) throw new Error(`team ${JSON.stringify(s.team)} contains ";" and cannot be written as split text`);
      return `${s.team}:${s.pct}`;
    })
    .join(";");
}

/** The object form of a split (rules file): `{ team: pct }` in split order. */
export function formatSplitObject(split: Split): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of split) out[s.team] = s.pct;
  return out;
}

/** Same teams with the same percentages in the same order. */
export function sameSplit(a: Split, b: Split): boolean {
  return a.length === b.length && a.every((s, i) => s.team === b[i].team && dec(s.pct).eq(dec(b[i].pct)));
}

/**
 * Splits `amount` by the split's percentages with `allocate()` (app/domain/money.ts, weights =
 * pct): the parts sum to `amount` EXACTLY, each is rounded to max(4, scale of amount) decimals
 * and lies within one unit of that scale of amount × pct / 100 (largest remainder; ties by team
 * name). E.g. 1 by 33.3333/33.3333/33.3334 → 0.3333/0.3333/0.3334. Negative amounts are split
 * symmetrically. Returns the parts in split order.
 */
export function splitAmount(amount: Decimal, split: Split): Array<{ team: string; amount: Decimal }> {
  if (split.length === 0) throw new Error("splitAmount: empty split");
  const parts = allocate(
    amount,
    split.map((s) => ({ key: s.team, weight: dec(s.pct) })),
  );
  if (!parts) throw new Error("splitAmount: split with no positive percentage");
  return split.map((s) => ({ team: s.team, amount: parts.get(s.team) as Decimal }));
}
