/**
 * Mapping rules (docs/crosswalk.md): ordered, effective-dated conditions that map cost to a team
 * or a split when no crosswalk entry does, and the one resolver that decides, row by row,
 * entry > rules > unmapped.
 *
 * ## The rules file
 *
 * A JSON array in priority order (first match wins):
 *
 * ```json
 * [{ "org_id": "alpha", "name": "env-abc to platform",
 *    "when": { "environment_id": "env-abc", "owner_kind": "service_account",
 *              "owner_name": { "starts_with": "payments-" } },
 *    "then": { "team": "platform" },
 *    "valid_from": "2026-01-01", "valid_to": null },
 *  { "org_id": null, "name": "shared ingest account",
 *    "when": { "owner_id": "sa-123" },
 *    "then": { "split": { "payments": "60", "search": "40" } } }]
 * ```
 *
 * - `org_id`: required; an organization id, or `null` for every organization.
 * - `name`: required, non-empty, no surrounding spaces, unique in the whole list (whatever the
 *   org): an import merges rules by name, and `rule "name"` always identifies one rule.
 * - `when`: required object; every condition given must hold (an empty `when` matches every row
 *   of its scope: a catch-all). Conditions: `owner_id` (exact), `owner_id_prefix`, `owner_name`
 *   (exactly one of `equals` / `starts_with` / `ends_with` / `contains` / `regex`, plus optional
 *   `"case_sensitive": false`; default case-sensitive), `owner_kind` (`service_account` / `user` /
 *   `identity_pool` / `resource`), `environment_id`, `resource_id`, `product` (all exact,
 *   case-sensitive). A regex is a JavaScript regular expression, unanchored (write `^…$` to
 *   anchor), without flags (`case_sensitive: false` adds `i`); an invalid one is an error.
 *   An owner without a known display name never matches an `owner_name` condition.
 * - `then`: exactly one of `team` (a team name) or `split` (team → percentage as a decimal
 *   string, app/domain/splits.ts).
 * - `valid_from` / `valid_to`: as crosswalk entries (app/domain/crosswalk.ts): UTC dates
 *   `YYYY-MM-DD`, period `[valid_from, valid_to)` (valid_to EXCLUSIVE); `valid_from` missing,
 *   empty or null = since the beginning (BEGINNING_OF_TIME); `valid_to` missing or null =
 *   open-ended; valid_to must be after valid_from.
 * - Unknown keys (at the top of a rule, in `when`, `owner_name` or `then`) are errors.
 *
 * `parseRulesFile` is all-or-nothing: it returns every rule, or every error located by array
 * index and JSON path (`[2].when.owner_name.regex`). Checks that compare fields (valid_to after
 * valid_from, unique names) are reported once the fields they compare are valid themselves.
 * `formatRulesFile` writes the canonical form; parsing it gives the same rules back.
 *
 * ## Resolution (`createMappingResolver`)
 *
 * For a cost row of (org, owner) with bucket start date d (the date part of the bucket start,
 * exactly as `createResolver` in app/domain/crosswalk.ts):
 * 1. a crosswalk entry of (org, owner) in effect on d (valid_from ≤ d < valid_to) wins over every
 *    rule; its target is its team or its split;
 * 2. otherwise the rules in effect on d that apply to the org (its own rules and the all-org
 *    rules, interleaved in ONE list by their position in the file: an all-org rule written
 *    before an org rule is tried first) are tried in order; the first whose conditions all hold
 *    wins;
 * 3. otherwise the row is unmapped.
 * A period that ends inside a bucket follows the bucket START: a rule with valid_to 2026-03-15
 * maps the whole monthly bucket of March, and the daily buckets of 1–14 March only.
 * The unallocated row (owner `unallocated`) is never matched by a rule: it is spread by the
 * allocation policy (docs/allocation.md), and the resolver answers `unmapped` for it.
 *
 * Pure: imports only zod and the domain.
 */
import { z } from "zod";
import { BEGINNING_OF_TIME, createResolver } from "./crosswalk";
import { isValidDate } from "./periods";
import { parseSplitObject, teamNameProblem, formatSplitObject, type Split } from "./splits";
import { UNALLOCATED } from "./vocabulary";

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** What kind of owner an owner_id is (docs/export-format.md). */
export const OWNER_KINDS = ["service_account", "user", "identity_pool", "resource"] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];

/** The `owner_name` operators, in the order the file format lists them. */
export const NAME_OPS = ["equals", "starts_with", "ends_with", "contains", "regex"] as const;
export type NameOp = (typeof NAME_OPS)[number];

export interface NameCondition {
  op: NameOp;
  value: string;
  /** default true; false = case-insensitive */
  caseSensitive: boolean;
}

/** The conditions of a rule; absent = not tested. */
export interface RuleWhen {
  ownerId?: string;
  ownerIdPrefix?: string;
  ownerName?: NameCondition;
  ownerKind?: OwnerKind;
  environmentId?: string;
  resourceId?: string;
  product?: string;
}

/** Where a mapped row's cost goes: one team, or a split (app/domain/splits.ts). */
export type MappingTarget = { team: string } | { split: Split };

export interface Rule {
  /** the rule's database id, once stored (never in the file) */
  id?: number;
  /** null = every organization */
  orgId: string | null;
  name: string;
  when: RuleWhen;
  then: MappingTarget;
  /** YYYY-MM-DD inclusive; BEGINNING_OF_TIME when the file leaves it out */
  validFrom: string;
  /** YYYY-MM-DD exclusive; null = open-ended */
  validTo: string | null;
}

/** A located problem of a rules file: `index` is the 0-based array index (null for the whole file). */
export interface RuleFileIssue {
  index: number | null;
  /** JSON path, e.g. `[2].when.owner_name.regex` ("" for the whole file) */
  path: string;
  message: string;
}

export type RulesFileResult = { ok: true; rules: Rule[] } | { ok: false; errors: RuleFileIssue[] };

// ---------------------------------------------------------------------------------------------
// Schemas (file form, snake_case)
// ---------------------------------------------------------------------------------------------

const MAX_NAME_LENGTH = 200;
const MAX_REGEX_LENGTH = 1000;

/** A required or optional non-empty string without surrounding spaces, with messages naming it. */
const text = (what: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be a string`) })
    .min(1, `${what} is empty`)
    .refine((s) => s.trim() === s, `${what} must not start or end with spaces`);

const dateField = (what: string) =>
  z
    .string({ error: () => `${what} must be a date YYYY-MM-DD or null` })
    .nullable()
    .optional()
    .refine((s) => s === undefined || s === null || s === "" || isValidDate(s), {
      error: (i) => `${what} ${JSON.stringify(i.input)} is not a date YYYY-MM-DD`,
    });

const ORG_ID_REQUIRED = "org_id is required: an organization id, or null for every organization";

/** The message of a non-object where an object is expected (missing, or of another type); undefined = zod's own. */
function objectError(i: { code?: string; input?: unknown }, missing: string, wrongType: string): string | undefined {
  if (i.code !== "invalid_type") return undefined;
  return i.input === undefined ? missing : wrongType;
}

const regexText = text("owner_name.regex")
  .refine((s) => s.length <= MAX_REGEX_LENGTH, `owner_name.regex is longer than ${MAX_REGEX_LENGTH} characters`)
  .superRefine((s, ctx) => {
    try {
      new RegExp(s);
    } catch (e) {
      const message = `owner_name.regex ${JSON.stringify(s)} is not a valid regular expression: ${(e as Error).message}`;
      ctx.addIssue({ code: "custom", message });
    }
  });

const ownerNameSchema = z
  .strictObject(
    {
      equals: text("owner_name.equals").optional(),
      starts_with: text("owner_name.starts_with").optional(),
      ends_with: text("owner_name.ends_with").optional(),
      contains: text("owner_name.contains").optional(),
      regex: regexText.optional(),
      case_sensitive: z.boolean({ error: () => "owner_name.case_sensitive must be true or false" }).optional(),
    },
    { error: (i) => (i.code === "invalid_type" ? 'owner_name must be an object such as { "starts_with": "payments-" }' : undefined) },
  )
  .superRefine((o, ctx) => {
    const ops = NAME_OPS.filter((k) => o[k] !== undefined);
    if (ops.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          ops.length === 0
            ? `owner_name needs exactly one of ${NAME_OPS.join(", ")}`
            : `owner_name takes exactly one of ${NAME_OPS.join(", ")}, got ${ops.join(" and ")}`,
      });
    }
  });

const whenSchema = z.strictObject(
  {
    owner_id: text("owner_id").optional(),
    owner_id_prefix: text("owner_id_prefix").optional(),
    owner_name: ownerNameSchema.optional(),
    owner_kind: z.enum(OWNER_KINDS, { error: () => `owner_kind must be one of ${OWNER_KINDS.join(", ")}` }).optional(),
    environment_id: text("environment_id").optional(),
    resource_id: text("resource_id").optional(),
    product: text("product").optional(),
  },
  { error: (i) => objectError(i, "when is required (use {} to match every row)", "when must be an object of conditions") },
);

const thenSchema = z
  .strictObject(
    {
      team: z
        .string({ error: () => "then.team must be a string" })
        .superRefine((t, ctx) => {
          const p = teamNameProblem(t);
          if (p) ctx.addIssue({ code: "custom", message: p });
        })
        .optional(),
      split: z.unknown().optional(),
    },
    { error: (i) => objectError(i, "then is required", 'then must be an object: { "team": … } or { "split": … }') },
  )
  .superRefine((t, ctx) => {
    const hasTeam = t.team !== undefined;
    const hasSplit = t.split !== undefined;
    if (hasTeam === hasSplit) {
      ctx.addIssue({ code: "custom", message: hasTeam ? 'then takes "team" or "split", not both' : 'then needs "team" or "split"' });
      return;
    }
    if (hasSplit) {
      const r = parseSplitObject(t.split);
      if (r.ok) return;
      for (const e of r.errors) {
        ctx.addIssue({ code: "custom", message: e.message, path: e.team === undefined ? ["split"] : ["split", e.team] });
      }
    }
  });

const ruleSchema = z
  .strictObject(
    {
      org_id: z
        .string({ error: (i) => (i.input === undefined ? ORG_ID_REQUIRED : "org_id must be a string or null") })
        .min(1, "org_id is empty (use null for every organization)")
        .refine((s) => s.trim() === s, "org_id must not start or end with spaces")
        .nullable(),
      name: text("name").refine((s) => s.length <= MAX_NAME_LENGTH, `name is longer than ${MAX_NAME_LENGTH} characters`),
      when: whenSchema,
      then: thenSchema,
      valid_from: dateField("valid_from"),
      valid_to: dateField("valid_to").refine((s) => s !== "", "valid_to is empty (use null for open-ended)"),
    },
    { error: (i) => (i.code === "invalid_type" ? "a rule must be an object" : undefined) },
  )
  .superRefine((r, ctx) => {
    const from = r.valid_from || BEGINNING_OF_TIME;
    if (r.valid_to && r.valid_to <= from) {
      ctx.addIssue({ code: "custom", message: `valid_to ${r.valid_to} must be after valid_from ${from}`, path: ["valid_to"] });
    }
  });

type RuleJson = z.output<typeof ruleSchema>;

/** Allowed keys per object, for the unknown-key messages. */
const ALLOWED_KEYS: Record<string, readonly string[]> = {
  rule: Object.keys(ruleSchema.shape),
  when: Object.keys(whenSchema.shape),
  owner_name: Object.keys(ownerNameSchema.shape),
  then: Object.keys(thenSchema.shape),
};

function toRule(j: RuleJson): Rule {
  const when: RuleWhen = {};
  const w = j.when;
  if (w.owner_id !== undefined) when.ownerId = w.owner_id;
  if (w.owner_id_prefix !== undefined) when.ownerIdPrefix = w.owner_id_prefix;
  if (w.owner_name !== undefined) {
    const n = w.owner_name;
    const op = NAME_OPS.find((k) => n[k] !== undefined) as NameOp;
    when.ownerName = { op, value: n[op] as string, caseSensitive: n.case_sensitive ?? true };
  }
  if (w.owner_kind !== undefined) when.ownerKind = w.owner_kind;
  if (w.environment_id !== undefined) when.environmentId = w.environment_id;
  if (w.resource_id !== undefined) when.resourceId = w.resource_id;
  if (w.product !== undefined) when.product = w.product;
  const split = j.then.split === undefined ? null : parseSplitObject(j.then.split);
  const then: MappingTarget = split && split.ok ? { split: split.split } : { team: j.then.team as string };
  return {
    orgId: j.org_id,
    name: j.name,
    when,
    then,
    validFrom: j.valid_from || BEGINNING_OF_TIME,
    validTo: j.valid_to ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Parse / format
// ---------------------------------------------------------------------------------------------

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `[2].when.owner_name.regex`; keys that are not identifiers as `["team a"]`. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((k, i) => {
      if (typeof k === "number") return `[${k}]`;
      const s = String(k);
      return IDENT_RE.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    })
    .join("");
}

/** Human-readable form of a located issue: `[2].when.owner_name.regex: …`. */
export function formatRuleIssue(e: RuleFileIssue): string {
  return e.path === "" ? e.message : `${e.path}: ${e.message}`;
}

function objectName(path: ReadonlyArray<PropertyKey>): string {
  const last = path[path.length - 1];
  return typeof last === "string" && last in ALLOWED_KEYS ? last : "rule";
}

function issuesOf(index: number, error: z.ZodError): RuleFileIssue[] {
  const out: RuleFileIssue[] = [];
  for (const iss of error.issues) {
    const path = [index, ...iss.path];
    if (iss.code === "unrecognized_keys") {
      const obj = objectName(iss.path);
      const where = obj === "rule" ? "a rule" : obj;
      for (const key of iss.keys) {
        out.push({
          index,
          path: jsonPath([...path, key]),
          message: `unknown key ${JSON.stringify(key)} in ${where} (allowed: ${ALLOWED_KEYS[obj].join(", ")})`,
        });
      }
    } else out.push({ index, path: jsonPath(path), message: iss.message });
  }
  return out;
}

/**
 * Parses a rules file (the JSON text). All-or-nothing: every rule, or every problem located by
 * array index and JSON path. Rules are returned in file order (their priority).
 */
export function parseRulesFile(jsonText: string): RulesFileResult {
  let data: unknown;
  try {
    data = JSON.parse(jsonText);
  } catch (e) {
    return { ok: false, errors: [{ index: null, path: "", message: `the rules file is not valid JSON: ${(e as Error).message}` }] };
  }
  return parseRulesJson(data);
}

/** `parseRulesFile` for an already parsed JSON value. */
export function parseRulesJson(data: unknown): RulesFileResult {
  if (!Array.isArray(data)) {
    return { ok: false, errors: [{ index: null, path: "", message: "the rules file must be a JSON array of rules, in priority order" }] };
  }
  const errors: RuleFileIssue[] = [];
  const rules: Array<Rule | null> = [];
  data.forEach((item, index) => {
    const r = ruleSchema.safeParse(item);
    if (r.success) rules.push(toRule(r.data));
    else {
      errors.push(...issuesOf(index, r.error));
      rules.push(null);
    }
  });
  // names unique in the whole list: imports merge by name (only among rules that are otherwise valid)
  rules.forEach((r, index) => {
    if (!r) return;
    for (let j = 0; j < index; j++) {
      const o = rules[j];
      if (!o || o.name !== r.name) continue;
      const scope = (org: string | null) => (org === null ? "every organization" : `org ${org}`);
      errors.push({
        index,
        path: jsonPath([index, "name"]),
        message: `rule name ${JSON.stringify(r.name)} (${scope(r.orgId)}) is already used by rule #${j + 1} (${scope(o.orgId)}); names are unique (an import merges rules by name)`,
      });
      break;
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, rules: rules as Rule[] };
}

export function ruleToJson(r: Rule): Record<string, unknown> {
  const when: Record<string, unknown> = {};
  const w = r.when;
  if (w.ownerId !== undefined) when.owner_id = w.ownerId;
  if (w.ownerIdPrefix !== undefined) when.owner_id_prefix = w.ownerIdPrefix;
  if (w.ownerName !== undefined) {
    const n: Record<string, unknown> = { [w.ownerName.op]: w.ownerName.value };
    if (!w.ownerName.caseSensitive) n.case_sensitive = false;
    when.owner_name = n;
  }
  if (w.ownerKind !== undefined) when.owner_kind = w.ownerKind;
  if (w.environmentId !== undefined) when.environment_id = w.environmentId;
  if (w.resourceId !== undefined) when.resource_id = w.resourceId;
  if (w.product !== undefined) when.product = w.product;
  const out: Record<string, unknown> = {
    org_id: r.orgId,
    name: r.name,
    when,
    then: "team" in r.then ? { team: r.then.team } : { split: formatSplitObject(r.then.split) },
  };
  if (r.validFrom !== BEGINNING_OF_TIME) out.valid_from = r.validFrom;
  out.valid_to = r.validTo;
  return out;
}

/**
 * The canonical rules file for `rules` (in their order): 2-space indented JSON with a final
 * newline; `valid_from` left out when since the beginning, `valid_to` always written (null =
 * open-ended), `case_sensitive` written only when false, ids never written.
 * `parseRulesFile(formatRulesFile(rules))` gives the same rules (without ids).
 */
export function formatRulesFile(rules: readonly Rule[]): string {
  return `${JSON.stringify(rules.map(ruleToJson), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

/**
 * The owner kind of an owner_id by its Confluent Cloud prefix: `sa-` service account, `u-` user,
 * `pool-` identity pool; any other `prefix-…` id (`lkc-`, `env-`, `lcc-`, `lfcp-`, …) a resource.
 * null for the unallocated row and ids of no known shape.
 */
export function ownerKindOf(ownerId: string): OwnerKind | null {
  if (ownerId.startsWith("sa-")) return "service_account";
  if (ownerId.startsWith("u-")) return "user";
  if (ownerId.startsWith("pool-")) return "identity_pool";
  if (ownerId === UNALLOCATED) return null;
  return /^[a-z][a-z0-9]*-./.test(ownerId) ? "resource" : null;
}

/** A crosswalk entry as the resolver takes it: `team` or `split` (exactly one). A CrosswalkEntry fits. */
export interface MappingEntry {
  id?: number;
  orgId: string;
  ownerId: string;
  team?: string | null;
  split?: Split | null;
  validFrom: string;
  validTo: string | null;
}

/** An owner display name (`npm run crosswalk -- names`, app/domain/names-json.ts). */
export interface OwnerName {
  orgId: string;
  ownerId: string;
  displayName: string;
}

export interface MappingRow {
  orgId: string;
  ownerId: string;
  /** undefined = `ownerKindOf(ownerId)`; null = unknown (no owner_kind condition holds) */
  ownerKind?: OwnerKind | null;
  environmentId: string;
  resourceId: string;
  product: string;
  /** YYYY-MM-DD or an ISO instant (its date part is used) */
  bucketStart: string;
}

export type MappingSource =
  | { kind: "entry"; id: number | null }
  /** `order` = 1-based position of the rule in the rules list (the file) */
  | { kind: "rule"; name: string; order: number; id?: number };

export type MappingResolution = { target: MappingTarget; source: MappingSource } | { unmapped: true };

export interface MappingResolverInput {
  entries: readonly MappingEntry[];
  /** in priority order, as parsed from the rules file */
  rules: readonly Rule[];
  /** display names, as a list or a lookup; absent = no names known */
  names?: Iterable<OwnerName> | ((orgId: string, ownerId: string) => string | null | undefined);
}

const keyOf = (orgId: string, ownerId: string) => `${orgId}\u0000${ownerId}`;

type Test = (row: MappingRow, name: () => string | null) => boolean;

function nameTest(c: NameCondition): (name: string) => boolean {
  if (c.op === "regex") {
    const re = new RegExp(c.value, c.caseSensitive ? "" : "i");
    return (name) => re.test(name);
  }
  const fold = (s: string) => (c.caseSensitive ? s : s.toLowerCase());
  const v = fold(c.value);
  switch (c.op) {
    case "equals":
      return (name) => fold(name) === v;
    case "starts_with":
      return (name) => fold(name).startsWith(v);
    case "ends_with":
      return (name) => fold(name).endsWith(v);
    case "contains":
      return (name) => fold(name).includes(v);
  }
}

function compileWhen(w: RuleWhen): Test {
  const tests: Test[] = [];
  if (w.ownerId !== undefined) tests.push((r) => r.ownerId === w.ownerId);
  if (w.ownerIdPrefix !== undefined) tests.push((r) => r.ownerId.startsWith(w.ownerIdPrefix as string));
  if (w.ownerKind !== undefined) tests.push((r) => (r.ownerKind === undefined ? ownerKindOf(r.ownerId) : r.ownerKind) === w.ownerKind);
  if (w.environmentId !== undefined) tests.push((r) => r.environmentId === w.environmentId);
  if (w.resourceId !== undefined) tests.push((r) => r.resourceId === w.resourceId);
  if (w.product !== undefined) tests.push((r) => r.product === w.product);
  if (w.ownerName !== undefined) {
    const t = nameTest(w.ownerName);
    tests.push((_r, name) => {
      const n = name();
      return n !== null && t(n);
    });
  }
  return (row, name) => tests.every((t) => t(row, name));
}

function entryTarget(e: MappingEntry): MappingTarget {
  const hasTeam = e.team !== undefined && e.team !== null;
  const hasSplit = e.split !== undefined && e.split !== null;
  if (hasTeam === hasSplit) throw new Error(`crosswalk entry ${e.id ?? `${e.orgId}/${e.ownerId}`} needs exactly one of team or split`);
  return hasTeam ? { team: e.team as string } : { split: e.split as Split };
}

/**
 * The resolver of docs/crosswalk.md: entry in effect > rules in effect, first match in list order
 * (org and all-org rules interleaved) > unmapped. Entries are resolved with `createResolver`
 * (app/domain/crosswalk.ts), so entry periods follow exactly the crosswalk semantics.
 * Throws (a programming error, not bad input) on an entry with both or neither of team/split
 * and on an invalid regex (rules come from `parseRulesFile`, which refuses them).
 */
export function createMappingResolver(input: MappingResolverInput): { resolve(row: MappingRow): MappingResolution } {
  const entries = input.entries;
  const targets = entries.map(entryTarget);
  // createResolver answers the entry's index (as its "team"): one resolver, one semantics.
  const byIndex = entries.map(({ orgId, ownerId, validFrom, validTo }, i) => ({ orgId, ownerId, team: String(i), validFrom, validTo }));
  const entryAt = createResolver(byIndex);

  let nameOf: (orgId: string, ownerId: string) => string | null;
  const names = input.names;
  if (typeof names === "function") nameOf = (o, w) => names(o, w) ?? null;
  else {
    const map = new Map<string, string>();
    for (const n of names ?? []) map.set(keyOf(n.orgId, n.ownerId), n.displayName);
    nameOf = (o, w) => map.get(keyOf(o, w)) ?? null;
  }

  const compiled = input.rules.map((rule, i) => ({ rule, order: i + 1, test: compileWhen(rule.when) }));
  const byOrg = new Map<string, typeof compiled>();
  const rulesOf = (orgId: string) => {
    let list = byOrg.get(orgId);
    if (!list) byOrg.set(orgId, (list = compiled.filter((c) => c.rule.orgId === null || c.rule.orgId === orgId)));
    return list;
  };

  return {
    resolve(row) {
      const day = row.bucketStart.slice(0, 10);
      const hit = entryAt(row.orgId, row.ownerId, day);
      if (hit !== null) {
        const i = Number(hit);
        return { target: targets[i], source: { kind: "entry", id: entries[i].id ?? null } };
      }
      if (row.ownerId === UNALLOCATED) return { unmapped: true };
      let name: string | null | undefined;
      const lazyName = () => (name === undefined ? (name = nameOf(row.orgId, row.ownerId)) : name);
      for (const c of rulesOf(row.orgId)) {
        const r = c.rule;
        if (day < r.validFrom || (r.validTo !== null && day >= r.validTo)) continue;
        if (!c.test(row, lazyName)) continue;
        const source: MappingSource = { kind: "rule", name: r.name, order: c.order };
        if (r.id !== undefined) source.id = r.id;
        return { target: r.then, source };
      }
      return { unmapped: true };
    },
  };
}

/**
 * One line naming where a mapping came from: `entry #12`, `rule "env-abc to platform" (#3)`;
 * with `pct` (one share of a split target): `split 40 % of rule "shared ingest account" (#2)`.
 */
export function explainSource(source: MappingSource, opts: { pct?: string } = {}): string {
  let base: string;
  if (source.kind === "rule") base = `rule ${JSON.stringify(source.name)} (#${source.order})`;
  else base = source.id === null ? "entry" : `entry #${source.id}`;
  return opts.pct === undefined ? base : `split ${opts.pct} % of ${base}`;
}

/** `explainSource` for a whole resolution; `unmapped` when nothing maps the row. */
export function explainResolution(r: MappingResolution): string {
  return "unmapped" in r ? "unmapped: no entry or rule in effect" : explainSource(r.source);
}
