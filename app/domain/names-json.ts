/**
 * Owner display names from the Confluent CLI (docs/crosswalk.md): parses what
 * `confluent … list -o json` prints into `{ kind, id, name }` items, to be stored as owner
 * display names of one organization (`toOwnerNames`) and matched by `owner_name` rule
 * conditions (app/domain/rules.ts).
 *
 * The shapes come from the CLI source (github.com/confluentinc/cli): each list command prints
 * a JSON array of its output struct, keyed by the struct's `serialized:"…"` tags; samples are in
 * tests/fixtures/confluent-cli/ (its README names the source files):
 *
 * | kind            | command                                       | fields                                                              |
 * | --------------- | --------------------------------------------- | ------------------------------------------------------------------- |
 * | service_account | `confluent iam service-account list -o json`  | id (sa-…), name, description                                        |
 * | user            | `confluent iam user list -o json`             | id (u-…), name (full name), email, authentication_method            |
 * | identity_pool   | `confluent iam pool list --provider … -o json`| id (pool-…), name, description, identity_claim, filter              |
 * | environment     | `confluent environment list -o json`          | is_current, id (env-…), name, stream_governance_package             |
 * | kafka_cluster   | `confluent kafka cluster list -o json`        | is_current, id (lkc-…), name, type, cloud, region, availability, …  |
 *
 * The list is recognised from its fields (then from the id prefixes), or named by the caller
 * (`kind`). Unknown extra fields are accepted (newer CLI versions add some). Every item must have
 * a string `id` with the kind's prefix and a string `name`; names are trimmed; an item whose name
 * is empty is skipped (a user without a full name falls back to the email). Pure: imports zod and
 * the domain only.
 */
import { z } from "zod";
import type { OwnerKind, OwnerName } from "./rules";

export const CONFLUENT_LIST_KINDS = ["service_account", "user", "identity_pool", "environment", "kafka_cluster"] as const;
export type ConfluentListKind = (typeof CONFLUENT_LIST_KINDS)[number];

interface KindSpec {
  /** the command that prints the list */
  command: string;
  /** what one item is, for messages */
  label: string;
  /** owner kind of the ids (docs/export-format.md) */
  ownerKind: OwnerKind;
  idPrefix: string;
  /** fields only this list has (any one identifies it) */
  marks: readonly string[];
}

/** The lists this module reads, in detection order. */
export const CONFLUENT_LISTS: Readonly<Record<ConfluentListKind, KindSpec>> = {
  service_account: {
    command: "confluent iam service-account list -o json",
    label: "service account",
    ownerKind: "service_account",
    idPrefix: "sa-",
    marks: [],
  },
  user: {
    command: "confluent iam user list -o json",
    label: "user",
    ownerKind: "user",
    idPrefix: "u-",
    marks: ["email", "authentication_method"],
  },
  identity_pool: {
    command: "confluent iam pool list --provider <provider-id> -o json",
    label: "identity pool",
    ownerKind: "identity_pool",
    idPrefix: "pool-",
    marks: ["identity_claim", "filter"],
  },
  environment: {
    command: "confluent environment list -o json",
    label: "environment",
    ownerKind: "resource",
    idPrefix: "env-",
    marks: ["stream_governance_package"],
  },
  kafka_cluster: {
    command: "confluent kafka cluster list -o json",
    label: "Kafka cluster",
    ownerKind: "resource",
    idPrefix: "lkc-",
    marks: ["type", "cloud", "region", "availability", "endpoint", "deletion_protection"],
  },
};

export interface ConfluentName {
  kind: ConfluentListKind;
  id: string;
  name: string;
}

/** `index` = 0-based position in the array (null for the whole document). */
export interface NamesJsonIssue {
  index: number | null;
  message: string;
}

export type NamesJsonResult =
  | {
      ok: true;
      /** null only for an empty list without a kind hint */
      kind: ConfluentListKind | null;
      names: ConfluentName[];
      /** items left out because they have no name */
      skipped: Array<{ index: number; id: string; reason: string }>;
    }
  | { ok: false; errors: NamesJsonIssue[] };

/** One item: an object with string id and name; every other field is free. */
const itemSchema = z.looseObject({
  id: z.string({ error: (i) => (i.input === undefined ? "has no id" : "has an id that is not a string") }).min(1, "has an empty id"),
  name: z.string({ error: (i) => (i.input === undefined ? "has no name" : "has a name that is not a string") }),
  email: z.unknown().optional(),
});

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The list kind one item looks like: by its distinctive fields, then by its id prefix; null if neither tells. */
export function itemKind(item: unknown): ConfluentListKind | null {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return null;
  for (const k of CONFLUENT_LIST_KINDS) if (CONFLUENT_LISTS[k].marks.some((m) => hasOwn(item, m))) return k;
  const id = (item as { id?: unknown }).id;
  if (typeof id === "string") for (const k of CONFLUENT_LIST_KINDS) if (id.startsWith(CONFLUENT_LISTS[k].idPrefix)) return k;
  return null;
}

/** "a user", "an environment". */
const withArticle = (word: string) => `${/^[aeio]/i.test(word) ? "an" : "a"} ${word}`; // the words used here: "a user"

function describe(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : withArticle(typeof v);
}

/**
 * Parses the JSON text printed by one of the list commands above. With `kind`, the list is taken
 * to be of that kind (ids must have its prefix); without, the kind is recognised from the items,
 * which must all be of one list. All-or-nothing: the names, or every problem.
 */
export function parseConfluentNamesJson(text: string, opts: { kind?: ConfluentListKind } = {}): NamesJsonResult {
  const commands = CONFLUENT_LIST_KINDS.map((k) => `\`${CONFLUENT_LISTS[k].command}\``).join(", ");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      errors: [{ index: null, message: `not valid JSON (${(e as Error).message}); run the list command with -o json: ${commands}` }],
    };
  }
  if (!Array.isArray(data)) {
    const hint = typeof data === "object" && data !== null ? " (a single object is the output of a describe command, not a list)" : "";
    const message = `expected the JSON array printed by a list command, got ${describe(data)}${hint}`;
    return { ok: false, errors: [{ index: null, message }] };
  }

  let kind: ConfluentListKind | null = opts.kind ?? null;
  const errors: NamesJsonIssue[] = [];
  if (kind === null && data.length > 0) {
    const kinds = data.map(itemKind);
    const found = [...new Set(kinds.filter((k): k is ConfluentListKind => k !== null))];
    if (found.length > 1) {
      const first = (k: ConfluentListKind) => kinds.indexOf(k);
      return {
        ok: false,
        errors: [
          {
            index: null,
            message: `the items come from different lists: ${found.map((k) => `item ${first(k)} looks like ${withArticle(CONFLUENT_LISTS[k].label)}`).join(", ")}; give one list's output at a time`,
          },
        ],
      };
    }
    if (found.length === 0) {
      const message = `cannot tell which list this is (no known fields or id prefixes); name the kind (${CONFLUENT_LIST_KINDS.join(", ")})`;
      return { ok: false, errors: [{ index: null, message }] };
    }
    kind = found[0];
  }

  const names: ConfluentName[] = [];
  const skipped: Array<{ index: number; id: string; reason: string }> = [];
  const seen = new Map<string, number>();
  data.forEach((item, index) => {
    const at = (message: string) => errors.push({ index, message: `item ${index} ${message}` });
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      return at(`is ${describe(item)}, expected an object with id and name`);
    }
    const r = itemSchema.safeParse(item);
    if (!r.success) {
      for (const iss of r.error.issues) at(iss.message);
      return;
    }
    const spec = CONFLUENT_LISTS[kind as ConfluentListKind];
    const id = r.data.id.trim();
    if (!id.startsWith(spec.idPrefix)) return at(`has id ${JSON.stringify(id)}, not ${withArticle(spec.label)} id (${spec.idPrefix}…)`);
    if (seen.has(id)) return at(`repeats id ${JSON.stringify(id)} of item ${seen.get(id)}`);
    seen.set(id, index);
    let name = r.data.name.trim();
    if (name === "" && kind === "user" && typeof r.data.email === "string") name = r.data.email.trim();
    if (name === "") skipped.push({ index, id, reason: `${spec.label} ${id} has no name` });
    else names.push({ kind: kind as ConfluentListKind, id, name });
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, kind, names, skipped };
}

/** One line per problem: `item 2 has no name`. */
export function namesJsonErrorText(errors: readonly NamesJsonIssue[]): string {
  return errors.map((e) => e.message).join("\n");
}

/** The owner kind of a list's ids: environments and Kafka clusters own cost as resources. */
export function ownerKindOfList(kind: ConfluentListKind): OwnerKind {
  return CONFLUENT_LISTS[kind].ownerKind;
}

/** The parsed names as owner display names of one organization (the CLI output carries no org). */
export function toOwnerNames(orgId: string, names: readonly ConfluentName[]): OwnerName[] {
  return names.map((n) => ({ orgId, ownerId: n.id, displayName: n.name }));
}
