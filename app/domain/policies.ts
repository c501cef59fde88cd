/**
 * The allocation policies as data (docs/allocation.md): one registry entry per policy kind.
 *
 * An entry holds
 * - `schema`: the zod schema of the policy value (teams referenced by NAME: the domain works with names);
 * - `syntax`/`parseArg`/`format`: the text form used by the CLI `--policy` flag and the displays
 *   (`proportional`, `shared:<team>`, `fixed:<team>=<pct>,…`);
 * - `weights`: given the bucket's direct cost per team, the weights `allocate()` (app/domain/money.ts)
 *   applies to U, or null for "U stays on unallocated" (weights computed, then applied);
 * - `explain`: a one-line human description for the UI;
 * - `stored`/`toStored`/`fromStored`: the JSON form kept in `organizations.policy_spec`, where teams are
 *   referenced by team ID, so a rename never touches a policy. Every team reference in a stored policy
 *   is a field named `teamId` (the database relies on it to refuse deleting a referenced team).
 *
 * Names ↔ ids are translated at the db boundary (db/queries/orgs.ts) through `toStored`/`fromStored`.
 * Adding a policy = one entry in POLICY_REGISTRY (plus its form field on /admin/orgs and its tests).
 */
import { z } from "zod";
import { Decimal, dec, ZERO } from "./money";
import { isReservedTeamName, RESERVED_TEAM_NAMES } from "./vocabulary";

/** A team id as stored in `organizations.policy_spec`. */
const teamId = z.number().int().positive();

/** A team name a policy may name explicitly (never a pseudo-team). */
const teamName = (what: string) =>
  z
    .string()
    .min(1, `${what} needs a team name`)
    .refine((t) => t.trim() === t, "team name must not start or end with spaces")
    .refine((t) => !isReservedTeamName(t), `${what} cannot name a pseudo-team (${RESERVED_TEAM_NAMES.join(", ")})`);

export type Weights = Array<{ key: string; weight: Decimal }>;

export interface PolicyEntry<P extends { kind: string }, S extends { kind: string }> {
  /** Zod schema of the policy value (teams by name). */
  schema: z.ZodType<P>;
  /** Text form shown in usage/error messages, e.g. `shared:<team>`. */
  syntax: string;
  label: string;
  hint: string;
  /** `arg` is the text after `<kind>:` (null when there is no colon). Throws an Error with the rule broken. */
  parseArg(arg: string | null): P;
  format(p: P): string;
  explain(p: P): string;
  /** Weights for `allocate()`, or null: U stays on "unallocated". */
  weights(p: P, directByTeam: ReadonlyMap<string, Decimal>): Weights | null;
  /** Team names the policy references explicitly (they must exist). */
  teams(p: P): string[];
  stored: z.ZodType<S>;
  toStored(p: P, idOf: (team: string) => number): S;
  fromStored(s: S, nameOf: (id: number) => string): P;
}

function entry<P extends { kind: string }, S extends { kind: string }>(e: PolicyEntry<P, S>): PolicyEntry<P, S> {
  return e;
}

function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => i.message).join("; ");
}

/** A policy without parameters. */
function plain<K extends string>(
  kind: K,
  label: string,
  hint: string,
  explain: string,
  weights: PolicyEntry<{ kind: K }, { kind: K }>["weights"],
) {
  const schema = z.object({ kind: z.literal(kind) });
  return entry<{ kind: K }, { kind: K }>({
    schema,
    syntax: kind,
    label,
    hint,
    parseArg(arg) {
      if (arg !== null) throw new Error(`"${kind}" takes no parameter`);
      return { kind };
    },
    format: () => kind,
    explain: () => explain,
    weights,
    teams: () => [],
    stored: schema,
    toStored: () => ({ kind }),
    fromStored: () => ({ kind }),
  });
}

const ONE = new Decimal(1);
const HUNDRED = new Decimal(100);

/** A percentage of U: a decimal string, > 0 and ≤ 100, at most 4 decimals (never a JS number). */
const pctSchema = z
  .string()
  .regex(/^\d+(\.\d+)?$/, "a percentage is a decimal number such as 60 or 12.5")
  .refine((s) => !/\.\d{5}/.test(s), "a percentage has at most 4 decimals")
  .refine((s) => dec(s).gt(0) && dec(s).lte(HUNDRED), "a percentage is more than 0 and at most 100")
  .transform((s) => dec(s).toFixed());

const fixedShares = <T extends string | number>(team: z.ZodType<T>, show: (t: T) => string) =>
  z
    .array(z.object({ team, pct: pctSchema }))
    .min(1, "fixed needs at least one team=percent")
    .superRefine((shares, ctx) => {
      const seen = new Set<T>();
      for (const s of shares) {
        if (seen.has(s.team)) ctx.addIssue({ code: "custom", message: `team "${show(s.team)}" is listed twice` });
        seen.add(s.team);
      }
      const total = shares.reduce((a, s) => a.plus(dec(s.pct)), ZERO);
      if (!total.eq(HUNDRED)) ctx.addIssue({ code: "custom", message: `the percentages sum to ${total.toFixed()}, not 100` });
    });

type FixedShare = { team: string; pct: string };
const fixedSchema = z.object({
  kind: z.literal("fixed"),
  shares: fixedShares(teamName("fixed"), (t) => t).transform((xs): FixedShare[] => [...xs].sort((a, b) => cmp(a.team, b.team))),
});
const fixedStored = z.object({
  kind: z.literal("fixed"),
  shares: z.array(z.object({ teamId, pct: pctSchema })).min(1),
});

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const sharedSchema = z.object({ kind: z.literal("shared"), team: teamName("shared:<team>") });

export const POLICY_REGISTRY = {
  proportional: plain(
    "proportional",
    "Proportional",
    "by each team's direct cost in the bucket (default)",
    "U is split in proportion to each team's direct cost in the bucket (teams with direct cost ≤ 0 get none).",
    (_p, direct) => [...direct].map(([key, d]) => ({ key, weight: d })),
  ),
  even: plain(
    "even",
    "Even",
    "equal shares among teams with cost",
    "U is split equally among the teams with direct cost > 0 in the bucket.",
    (_p, direct) => [...direct].map(([key, d]) => ({ key, weight: d.gt(0) ? ONE : ZERO })),
  ),
  shared: entry<{ kind: "shared"; team: string }, { kind: "shared"; teamId: number }>({
    schema: sharedSchema,
    syntax: "shared:<team>",
    label: "Shared team",
    hint: "all of it to one team, e.g. a platform team",
    parseArg(arg) {
      if (arg === null) throw new Error(`"shared" needs a team: shared:<team>`);
      const r = sharedSchema.safeParse({ kind: "shared", team: arg });
      if (!r.success) throw new Error(zodMessage(r.error));
      return r.data;
    },
    format: (p) => `shared:${p.team}`,
    explain: (p) => `All of U goes to the team ${p.team}.`,
    weights: (p) => [{ key: p.team, weight: ONE }],
    teams: (p) => [p.team],
    stored: z.object({ kind: z.literal("shared"), teamId }),
    toStored: (p, idOf) => ({ kind: "shared", teamId: idOf(p.team) }),
    fromStored: (s, nameOf) => ({ kind: "shared", team: nameOf(s.teamId) }),
  }),
  none: plain(
    "none",
    "None",
    "stays on the pseudo-team “unallocated”",
    "U is not spread: it stays on the pseudo-team unallocated.",
    () => null,
  ),
  fixed: entry<z.output<typeof fixedSchema>, z.output<typeof fixedStored>>({
    schema: fixedSchema as z.ZodType<z.output<typeof fixedSchema>>,
    syntax: "fixed:<team>=<pct>,…",
    label: "Fixed percentages",
    hint: "a fixed percent of it to each listed team (sum 100)",
    parseArg(arg) {
      if (arg === null || arg.trim() === "") throw new Error(`"fixed" needs team=percent pairs: fixed:<team>=<pct>,… (summing to 100)`);
      const shares = arg.split(",").map((part, i) => {
        const eq = part.lastIndexOf("=");
        if (eq < 0) throw new Error(`pair ${i + 1} "${part.trim()}" is not team=percent`);
        return { team: part.slice(0, eq).trim(), pct: part.slice(eq + 1).trim() };
      });
      const r = fixedSchema.safeParse({ kind: "fixed", shares });
      if (!r.success) throw new Error(zodMessage(r.error));
      return r.data;
    },
    format: (p) => `fixed:${p.shares.map((s) => `${s.team}=${s.pct}`).join(",")}`,
    explain: (p) => `U is split by fixed percentages: ${p.shares.map((s) => `${s.pct}% to ${s.team}`).join(", ")}.`,
    weights: (p) => p.shares.map((s) => ({ key: s.team, weight: dec(s.pct) })),
    teams: (p) => p.shares.map((s) => s.team),
    stored: fixedStored,
    toStored: (p, idOf) => ({ kind: "fixed", shares: p.shares.map((s) => ({ teamId: idOf(s.team), pct: s.pct })) }),
    fromStored: (s, nameOf) => {
      const r = fixedSchema.safeParse({ kind: "fixed", shares: s.shares.map((x) => ({ team: nameOf(x.teamId), pct: x.pct })) });
      if (!r.success) throw new Error(`stored fixed policy is invalid: ${zodMessage(r.error)}`);
      return r.data;
    },
  }),
};

type Registry = typeof POLICY_REGISTRY;
export type PolicyKind = keyof Registry;
type ValueOf<E> = E extends PolicyEntry<infer P, infer _S> ? P : never;
type StoredOf<E> = E extends PolicyEntry<infer _P, infer S> ? S : never;
/** A policy value, teams by name. */
export type Policy = { [K in PolicyKind]: ValueOf<Registry[K]> }[PolicyKind];
/** A policy as stored in `organizations.policy_spec` (JSON), teams by id. */
export type StoredPolicy = { [K in PolicyKind]: StoredOf<Registry[K]> }[PolicyKind];

export const POLICY_KINDS = Object.keys(POLICY_REGISTRY) as PolicyKind[];
export const DEFAULT_POLICY: Policy = { kind: "proportional" };

// The entries are typed per kind; these helpers look one up for a value of any kind.
function entryOf(kind: string): PolicyEntry<Policy, StoredPolicy> {
  if (!Object.prototype.hasOwnProperty.call(POLICY_REGISTRY, kind))
    throw new Error(`unknown allocation policy kind ${JSON.stringify(kind)}`);
  return POLICY_REGISTRY[kind as PolicyKind] as unknown as PolicyEntry<Policy, StoredPolicy>;
}

export function isPolicyKind(kind: string): kind is PolicyKind {
  return Object.prototype.hasOwnProperty.call(POLICY_REGISTRY, kind);
}

/** "…", "…" or "…": every policy's text form, for usage and error messages. */
export function policySyntaxList(): string {
  const xs = POLICY_KINDS.map((k) => JSON.stringify(POLICY_REGISTRY[k].syntax));
  return `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`;
}

/** Parses the text form (`kind` or `kind:arg`); throws a clear Error naming the value and the rule otherwise. */
export function parsePolicy(s: string): Policy {
  const text = typeof s === "string" ? s : String(s);
  const colon = text.indexOf(":");
  const kind = colon < 0 ? text : text.slice(0, colon);
  if (!isPolicyKind(kind)) throw new Error(`invalid allocation policy ${JSON.stringify(text)}: expected ${policySyntaxList()}`);
  try {
    return entryOf(kind).parseArg(colon < 0 ? null : text.slice(colon + 1));
  } catch (e) {
    throw new Error(`invalid allocation policy ${JSON.stringify(text)}: ${(e as Error).message}`, { cause: e });
  }
}

export function formatPolicy(p: Policy): string {
  return entryOf(p.kind).format(p);
}

export function explainPolicy(p: Policy): string {
  return entryOf(p.kind).explain(p);
}

/** The teams a policy names explicitly (must exist as teams; never pseudo-teams). */
export function policyTeams(p: Policy): string[] {
  return entryOf(p.kind).teams(p);
}

/** Weights `allocate()` applies to U for this bucket, or null when U stays on "unallocated". */
export function policyWeights(p: Policy, directByTeam: ReadonlyMap<string, Decimal>): Weights | null {
  return entryOf(p.kind).weights(p, directByTeam);
}

/**
 * The fraction of U a team receives before rounding (its weight / Σ weights, weights clamped at 0
 * like `allocate()` does), or null when the policy gives it nothing or U stays on "unallocated".
 */
export function policyFraction(p: Policy, directByTeam: ReadonlyMap<string, Decimal>, team: string): Decimal | null {
  const ws = policyWeights(p, directByTeam);
  if (!ws) return null;
  const pos = (w: Decimal) => (w.gt(0) ? w : ZERO);
  const total = ws.reduce((a, w) => a.plus(pos(w.weight)), ZERO);
  const mine = ws.find((w) => w.key === team);
  if (total.isZero() || !mine) return null;
  return pos(mine.weight).div(total);
}

/** Policy value (names) → stored JSON (ids). `idOf` throws for an unknown team. */
export function toStoredPolicy(p: Policy, idOf: (team: string) => number): StoredPolicy {
  return entryOf(p.kind).toStored(p, idOf);
}

/** Stored JSON (ids) → policy value (names); throws a clear Error on malformed JSON. */
export function fromStoredPolicy(json: unknown, nameOf: (id: number) => string): Policy {
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (typeof kind !== "string" || !isPolicyKind(kind))
    throw new Error(`stored allocation policy ${JSON.stringify(json)} has an unknown kind`);
  const e = entryOf(kind);
  const r = e.stored.safeParse(json);
  if (!r.success) throw new Error(`stored allocation policy ${JSON.stringify(json)} is invalid: ${zodMessage(r.error)}`);
  return e.fromStored(r.data, nameOf);
}
