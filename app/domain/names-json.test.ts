import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONFLUENT_LIST_KINDS,
  itemKind,
  namesJsonErrorText,
  ownerKindOfList,
  parseConfluentNamesJson,
  toOwnerNames,
  type ConfluentListKind,
  type NamesJsonResult,
} from "./names-json";

const FIXTURES = path.resolve(__dirname, "../../tests/fixtures/confluent-cli");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");

const okOf = (r: NamesJsonResult) => {
  if (!r.ok) throw new Error(namesJsonErrorText(r.errors));
  return r;
};
const errorsOf = (r: NamesJsonResult) => (r.ok ? [] : r.errors.map((e) => e.message));

describe("the CLI fixtures", () => {
  const cases: Array<[string, ConfluentListKind, Array<[string, string]>, number]> = [
    [
      "service-account-list.json",
      "service_account",
      [
        ["sa-r6x5kq", "payments-ingest"],
        ["sa-0jv8d2", "search-indexer"],
        ["sa-k3m91p", "platform-connect"],
      ],
      0,
    ],
    [
      "user-list.json",
      "user",
      [
        ["u-4z9wq1", "Dana Whitfield"],
        ["u-77lmn0", "ops-oncall@example.com"], // no full name: the email
      ],
      0,
    ],
    [
      "environment-list.json",
      "environment",
      [
        ["env-abc123", "production"],
        ["env-q2w8zz", "staging"],
      ],
      0,
    ],
    [
      "kafka-cluster-list.json",
      "kafka_cluster",
      [
        ["lkc-1x2y3z", "payments-prod"],
        ["lkc-8kq0vw", "search-dev"],
      ],
      0,
    ],
    ["identity-pool-list.json", "identity_pool", [["pool-W5Qe", "analytics-jobs"]], 0],
  ];

  it.each(cases)("%s is recognised as %s", (file, kind, names, skipped) => {
    const r = okOf(parseConfluentNamesJson(fixture(file)));
    expect(r.kind).toBe(kind);
    expect(r.names.map((n) => [n.id, n.name])).toEqual(names);
    expect(r.names.every((n) => n.kind === kind)).toBe(true);
    expect(r.skipped).toHaveLength(skipped);
    // the same with the kind named
    expect(okOf(parseConfluentNamesJson(fixture(file), { kind })).names).toEqual(r.names);
  });

  it("maps list kinds to owner kinds and names to one org's owner names", () => {
    expect(CONFLUENT_LIST_KINDS.map(ownerKindOfList)).toEqual(["service_account", "user", "identity_pool", "resource", "resource"]);
    const r = okOf(parseConfluentNamesJson(fixture("environment-list.json")));
    expect(toOwnerNames("alpha", r.names)).toEqual([
      { orgId: "alpha", ownerId: "env-abc123", displayName: "production" },
      { orgId: "alpha", ownerId: "env-q2w8zz", displayName: "staging" },
    ]);
  });
});

describe("parseConfluentNamesJson", () => {
  it("accepts unknown extra fields and recognises a list by id prefix alone", () => {
    const r = okOf(parseConfluentNamesJson(JSON.stringify([{ id: "sa-1", name: " ingest ", created_at: "2026-01-01", tags: { a: 1 } }])));
    expect(r).toEqual({ ok: true, kind: "service_account", names: [{ kind: "service_account", id: "sa-1", name: "ingest" }], skipped: [] });
    expect(okOf(parseConfluentNamesJson(JSON.stringify([{ id: "env-1", name: "prod", is_current: false }]))).kind).toBe("environment");
  });

  it("skips items without a name", () => {
    const items = [
      { id: "lkc-1", name: "", type: "BASIC" },
      { id: "lkc-2", name: "b", type: "BASIC" },
    ];
    const r = okOf(parseConfluentNamesJson(JSON.stringify(items)));
    expect(r.names.map((n) => n.id)).toEqual(["lkc-2"]);
    expect(r.skipped).toEqual([{ index: 0, id: "lkc-1", reason: "Kafka cluster lkc-1 has no name" }]);
  });

  it("takes an empty list (its kind unknown without a hint)", () => {
    expect(parseConfluentNamesJson("[]")).toEqual({ ok: true, kind: null, names: [], skipped: [] });
    expect(parseConfluentNamesJson("[]", { kind: "user" })).toEqual({ ok: true, kind: "user", names: [], skipped: [] });
  });

  it("refuses what is not a list's JSON output", () => {
    expect(errorsOf(parseConfluentNamesJson("  Current |     ID     | Name"))[0]).toMatch(
      /^not valid JSON \(.*\); run the list command with -o json: `confluent iam service-account list -o json`, /,
    );
    const oneEnvironment = JSON.stringify(JSON.parse(fixture("environment-list.json"))[0]);
    expect(errorsOf(parseConfluentNamesJson(oneEnvironment))).toEqual([
      "expected the JSON array printed by a list command, got an object (a single object is the output of a describe command, not a list)",
    ]);
    expect(errorsOf(parseConfluentNamesJson("42"))).toEqual(["expected the JSON array printed by a list command, got a number"]);
  });

  it("refuses mixed or unrecognisable lists", () => {
    const mixed = JSON.stringify([...JSON.parse(fixture("service-account-list.json")), ...JSON.parse(fixture("user-list.json"))]);
    expect(errorsOf(parseConfluentNamesJson(mixed))).toEqual([
      "the items come from different lists: item 0 looks like a service account, item 3 looks like a user; give one list's output at a time",
    ]);
    expect(errorsOf(parseConfluentNamesJson(JSON.stringify([{ id: "x-1", name: "a" }])))).toEqual([
      "cannot tell which list this is (no known fields or id prefixes); name the kind (service_account, user, identity_pool, environment, kafka_cluster)",
    ]);
  });

  it("reports every bad item", () => {
    const r = parseConfluentNamesJson(
      JSON.stringify([
        { id: "sa-1", name: "a" },
        "sa-2",
        { name: "c" },
        { id: 4, name: "d" },
        { id: "sa-5", name: null },
        { id: "u-6", name: "f" },
        { id: "sa-1", name: "g" },
      ]),
      { kind: "service_account" },
    );
    expect(errorsOf(r)).toEqual([
      "item 1 is a string, expected an object with id and name",
      "item 2 has no id",
      "item 3 has an id that is not a string",
      "item 4 has a name that is not a string",
      'item 5 has id "u-6", not a service account id (sa-…)',
      'item 6 repeats id "sa-1" of item 0',
    ]);
    expect(r.ok ? null : r.errors.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("with a kind hint, refuses the ids of another list", () => {
    expect(errorsOf(parseConfluentNamesJson(fixture("kafka-cluster-list.json"), { kind: "environment" }))).toEqual([
      'item 0 has id "lkc-1x2y3z", not an environment id (env-…)',
      'item 1 has id "lkc-8kq0vw", not an environment id (env-…)',
    ]);
  });

  it("recognises single items", () => {
    expect(itemKind({ id: "x", email: "a@b" })).toBe("user");
    expect(itemKind({ id: "lkc-1" })).toBe("kafka_cluster");
    expect(itemKind({ id: "x", cloud: "aws" })).toBe("kafka_cluster");
    expect(itemKind({ id: "x", identity_claim: "claims.sub" })).toBe("identity_pool");
    expect(itemKind({ id: "x" })).toBe(null);
    expect(itemKind("sa-1")).toBe(null);
  });
});
