import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsvRecords, toSafeCsv } from "../../services/csv";
import { InputError } from "../errors";
import { formatRuleIssue, formatRulesFile, parseRulesFile, parseRulesJson, type Rule } from "../rules";
import { formatRulesCsv, parseRulesCsv, protectCell, RULES_CSV_HEADER, unprotectCell } from "./rules";

const HEADER = RULES_CSV_HEADER.join(",");

/** The rules CSV text through the real reader. */
function parse(text: string) {
  const recs = readCsvRecords(text);
  if (recs.syntaxError) throw new Error(recs.syntaxError.message);
  return parseRulesCsv(recs.header, recs.rows);
}
function rulesOf(text: string): Rule[] {
  const r = parse(text);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("\n"));
  return r.rules;
}
function errorsOf(text: string) {
  const r = parse(text);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.rules)}`);
  return r.errors;
}
/** The written file (what the service writes: `toSafeCsv` of the canonical rows). */
function write(rules: readonly Rule[]): string {
  const { header, rows } = formatRulesCsv(rules);
  return toSafeCsv(header, rows);
}
function jsonRules(json: unknown): Rule[] {
  const r = parseRulesJson(json);
  if (!r.ok) throw new Error(r.errors.map(formatRuleIssue).join("\n"));
  return r.rules;
}
/** One CSV line from the named cells (the others empty), in header order. */
function line(cells: Partial<Record<(typeof RULES_CSV_HEADER)[number], string>>): string {
  return RULES_CSV_HEADER.map((c) => {
    const v = cells[c] ?? "";
    return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  }).join(",");
}
const file = (...lines: string[]) => [HEADER, ...lines].join("\n") + "\n";

const EXAMPLE_JSON = [
  {
    org_id: "alpha",
    name: "env-abc to platform",
    when: { environment_id: "env-abc", owner_kind: "service_account", owner_name: { starts_with: "payments-" } },
    then: { team: "platform" },
    valid_from: "2026-01-01",
    valid_to: null,
  },
  { org_id: null, name: "shared ingest account", when: { owner_id: "sa-123" }, then: { split: { payments: "60", search: "40" } } },
];
const EXAMPLE_CSV = `${HEADER}
1,alpha,env-abc to platform,,,starts_with,payments-,,service_account,env-abc,,,platform,,2026-01-01,
2,,shared ingest account,sa-123,,,,,,,,,,payments:60;search:40,,
`;

describe("parseRulesCsv", () => {
  it("reads the documented example as the same rules as its JSON", () => {
    expect(rulesOf(EXAMPLE_CSV)).toEqual(jsonRules(EXAMPLE_JSON));
    // and the canonical CSV of those rules is exactly that text
    expect(write(jsonRules(EXAMPLE_JSON))).toBe(EXAMPLE_CSV);
  });

  it("takes a minimal header in any order and case; missing columns are empty; all-empty lines are skipped", () => {
    const rules = rulesOf("\uFEFFTeam, Name ,ORG_ID\nplatform,catch-all,\n,,\n\nsearch,alpha only,alpha\n");
    expect(rules).toEqual(
      jsonRules([
        { org_id: null, name: "catch-all", when: {}, then: { team: "platform" } },
        { org_id: "alpha", name: "alpha only", when: {}, then: { team: "search" } },
      ]),
    );
    expect(rulesOf(`${HEADER}\n`)).toEqual([]);
    expect(rulesOf("org_id,name\n")).toEqual([]);
  });

  it("reads owner_name_case_sensitive true/false in any case, empty = true", () => {
    const rules = rulesOf(
      file(
        line({ name: "a", owner_name_op: "regex", owner_name_value: "^sa-.*$", owner_name_case_sensitive: "FALSE", team: "t" }),
        line({ name: "b", owner_name_op: "contains", owner_name_value: "x", owner_name_case_sensitive: "True", team: "t" }),
        line({ name: "c", owner_name_op: "equals", owner_name_value: "y", team: "t" }),
      ),
    );
    expect(rules.map((r) => r.when.ownerName)).toEqual([
      { op: "regex", value: "^sa-.*$", caseSensitive: false },
      { op: "contains", value: "x", caseSensitive: true },
      { op: "equals", value: "y", caseSensitive: true },
    ]);
  });

  it("orders the rules by position when given, by the lines otherwise", () => {
    const a = line({ position: "2", name: "a", team: "t" });
    const b = line({ position: "3", name: "b", team: "t" });
    const c = line({ position: "1", name: "c", team: "t" });
    expect(rulesOf(file(a, b, c)).map((r) => r.name)).toEqual(["c", "a", "b"]);
    const noPos = (s: string) => s.replace(/^\d+/, "");
    expect(rulesOf(file(noPos(a), noPos(b), noPos(c))).map((r) => r.name)).toEqual(["a", "b", "c"]);
    expect(rulesOf("org_id,name,team\n,a,t\n,b,t\n").map((r) => r.name)).toEqual(["a", "b"]);
  });

  it("refuses bad positions, located: repeated, out of 1…n, not a number, missing on some lines", () => {
    const errs = errorsOf(
      file(
        line({ position: "1", name: "a", team: "t" }),
        line({ position: "1", name: "b", team: "t" }),
        line({ position: "9", name: "c", team: "t" }),
        line({ position: "x", name: "d", team: "t" }),
        line({ name: "e", team: "t" }),
      ),
    );
    expect(errs.map((e) => [e.line, e.column, e.value, e.rule])).toEqual([
      [3, "position", "1", "position"],
      [4, "position", "9", "position"],
      [5, "position", "x", "position"],
      [6, "position", "", "position"],
    ]);
    expect(errs[0].message).toBe(
      'line 3, column "position": value "1" repeats the position of line 2 (rule: positions are 1…n, each once, on every line or on none)',
    );
    expect(errs[1].message).toMatch(/is not a position 1…5 \(the file has 5 rules\)/);
    expect(errs[3].message).toMatch(/is empty while other lines give a position/);
  });

  it("locates the JSON problems at the line and column they came from", () => {
    // the third rule's regex: [2].when.owner_name.regex → line 4, column owner_name_value
    const json = [
      { org_id: null, name: "a", when: {}, then: { team: "t" } },
      { org_id: null, name: "b", when: {}, then: { team: "t" } },
      { org_id: "alpha", name: "bad regex", when: { owner_name: { regex: "(unclosed" } }, then: { team: "t" } },
    ];
    const jsonErrors = parseRulesFile(JSON.stringify(json));
    expect(!jsonErrors.ok && jsonErrors.errors.map((e) => e.path)).toEqual(["[2].when.owner_name.regex"]);
    const jsonMessage = !jsonErrors.ok ? jsonErrors.errors[0].message : "";
    const errs = errorsOf(
      file(
        line({ name: "a", team: "t" }),
        line({ name: "b", team: "t" }),
        line({ org_id: "alpha", name: "bad regex", owner_name_op: "regex", owner_name_value: "(unclosed", team: "t" }),
      ),
    );
    expect(errs).toEqual([
      {
        line: 4,
        column: "owner_name_value",
        value: "(unclosed",
        rule: "rules-file",
        message: `line 4, column "owner_name_value": value "(unclosed" is refused: ${jsonMessage} (rule: each rule is valid as in the rules JSON file (docs/crosswalk.md#rules))`,
      },
    ]);
  });

  it("locates every kind of problem on its column, all of them at once, nothing returned", () => {
    const errs = errorsOf(
      file(
        line({ org_id: " ", name: "", owner_kind: "robot", team: "unmapped" }),
        line({ name: "x", owner_id: "sa-1", team: "t", split: "a:60;b:40" }),
        line({ name: "y", split: "a:60;b:30" }),
        line({ name: "z", owner_name_value: "pay", owner_name_case_sensitive: "yes", team: "t" }),
        line({ name: "w", owner_name_op: "like", owner_name_value: "pay", team: "t" }),
        line({ name: "v", owner_name_op: "starts_with", team: "t", valid_from: "2026-02-30" }),
        line({ name: "u", team: "t", valid_from: "2026-03-01", valid_to: "2026-02-01" }),
        line({ name: "z", team: "t" }),
        line({ name: "nothing" }),
      ),
    );
    const at = errs.map((e) => [e.line, e.column, e.rule]);
    expect(at).toEqual([
      [2, "name", "rules-file"],
      [2, "owner_kind", "rules-file"],
      [2, "team", "rules-file"],
      [3, "split", "rules-file"],
      [4, "split", "split"],
      [5, "owner_name_case_sensitive", "boolean"],
      [5, "owner_name_op", "owner-name"],
      [6, "owner_name_op", "owner-name"],
      [7, "owner_name_value", "rules-file"],
      [7, "valid_from", "date"],
      [8, "valid_to", "valid-to-after-from"],
      [9, "name", "unique-name"],
      [10, "team", "rules-file"],
    ]);
    const msg = (l: number, c: string) => errs.find((e) => e.line === l && e.column === c)!.message;
    expect(msg(2, "name")).toMatch(/value "" is refused: name is empty/);
    expect(msg(2, "owner_kind")).toMatch(/value "robot" is refused: owner_kind must be one of service_account, user/);
    expect(msg(2, "team")).toMatch(/pseudo-team/);
    expect(msg(3, "split")).toMatch(/then takes "team" or "split", not both/);
    expect(msg(4, "split")).toMatch(/value "a:60;b:30" is not a valid split: the percentages sum to 90, not 100/);
    expect(msg(6, "owner_name_op")).toMatch(/value "like" is not one of equals, starts_with, ends_with, contains, regex/);
    expect(msg(7, "owner_name_value")).toMatch(/owner_name.starts_with is empty/);
    expect(msg(8, "valid_to")).toMatch(/valid_to 2026-02-01 must be after valid_from 2026-03-01/);
    // the other rule of that name, by position and line
    expect(msg(9, "name")).toMatch(/is already used by rule #4 \(line 5\)/);
    expect(msg(10, "team")).toMatch(/then needs "team" or "split"/);
    // " " is trimmed: org_id empty = every organization, not an error
    expect(errs.some((e) => e.column === "org_id")).toBe(false);
  });

  it("refuses unknown columns (a misspelt condition would widen the rule), a missing required column, wrong field counts", () => {
    const unknown = errorsOf("org_id,name,team,enviroment_id\n,a,t,env-1\n");
    expect(unknown.map((e) => [e.line, e.column, e.value, e.rule])).toEqual([[1, null, "enviroment_id", "unknown-column"]]);
    expect(unknown[0].message).toMatch(/^line 1: value "enviroment_id" \(field 4\) is not a rules CSV column/);
    const missing = errorsOf("name,team\na,t\n");
    expect(missing.map((e) => e.rule)).toEqual(["missing-columns"]);
    expect(missing[0].message).toMatch(/lacks required column\(s\) org_id/);
    const count = errorsOf("org_id,name,team\n,a,t\n,b\n");
    expect(count.map((e) => [e.line, e.rule])).toEqual([[3, "field-count"]]);
    expect(errorsOf("").map((e) => [e.line, e.rule])).toEqual([[0, "not-empty"]]);
  });

  it("lists the first maxErrors by line and counts all", () => {
    const lines = Array.from({ length: 60 }, (_, i) => line({ name: `r${i}` }));
    const recs = readCsvRecords(file(...lines));
    const r = parseRulesCsv(recs.header, recs.rows, { maxErrors: 5 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errorCount).toBe(60);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6]);
  });

  it("reads formula-protected cells back as their values", () => {
    const text = file(line({ name: "'=HYPERLINK(1)", owner_name_op: "starts_with", owner_name_value: "'-x", team: "'@t" }));
    const [r] = rulesOf(text);
    expect(r.name).toBe("=HYPERLINK(1)");
    expect(r.when.ownerName?.value).toBe("-x");
    expect(r.then).toEqual({ team: "@t" });
    // an apostrophe that protects nothing is part of the value
    expect(rulesOf(file(line({ name: "'quoted'", team: "t" })))[0].name).toBe("'quoted'");
  });
});

describe("protectCell / unprotectCell", () => {
  it("round-trip every value through the writer's neutralisation", () => {
    const values = ["-x", "=1+1", "+x", "@x", "-5", "+1", "'", "'x", "'=x", "''-y", "'''@", "x'", "a", ""];
    for (const v of values) {
      const written = readCsvRecords(toSafeCsv(["c"], [[protectCell(v)]])).rows[0]?.fields[0] ?? "";
      expect(unprotectCell(written), JSON.stringify(v)).toBe(v);
    }
    expect(protectCell("'=x")).toBe("''=x");
    expect(protectCell("-x")).toBe("-x");
  });
});

describe("formatRulesCsv", () => {
  it("writes every column, positions 1…n, case_sensitive only when false, valid_from empty since the beginning", () => {
    const rules = jsonRules([
      { org_id: null, name: "a", when: { owner_name: { ends_with: "-ingest", case_sensitive: false } }, then: { team: "t" } },
      { org_id: "o", name: "b", when: { owner_name: { ends_with: "-ingest" } }, then: { team: "t" }, valid_to: "2026-05-01" },
    ]);
    const { header, rows } = formatRulesCsv(rules);
    expect(header.join(",")).toBe(HEADER);
    const col = (c: string) => rows.map((r) => r[header.indexOf(c)]);
    expect(col("position")).toEqual(["1", "2"]);
    expect(col("owner_name_case_sensitive")).toEqual(["false", ""]);
    expect(col("org_id")).toEqual(["", "o"]);
    expect(col("valid_from")).toEqual(["", ""]);
    expect(col("valid_to")).toEqual(["", "2026-05-01"]);
  });

  it("refuses a split team whose name contains ; (no text form), naming the rule", () => {
    const rules = jsonRules([{ org_id: null, name: "semi", when: {}, then: { split: { "a;b": "50", c: "50" } } }]);
    expect(() => formatRulesCsv(rules)).toThrow(InputError);
    expect(() => formatRulesCsv(rules)).toThrow(/rule "semi": the split's team "a;b" contains ";"/);
  });

  // tricky strings: CSV quoting, formula characters, apostrophes, numbers, colons, unicode
  const tricky = fc.constantFrom(
    "a,b",
    'say "hi"',
    "two\nlines",
    "=SUM(A1)",
    "-x",
    "+y",
    "@z",
    "'q",
    "'=p",
    "''-r",
    "-5",
    "42",
    "ä ö",
    "x:y",
  );
  const word = fc.oneof(fc.constantFrom("payments", "search", "platform", "sa-1", "env-abc", "lkc-9", "KAFKA"), tricky);
  const team = fc.oneof(fc.constantFrom("payments", "search", "platform", "data;lake"), tricky);
  const splitTeam = fc.oneof(fc.constantFrom("payments", "search", "platform", "data;lake"), tricky);
  const regex = fc.constantFrom("^sa-.*$", "-ingest$", "(a|b)", "=x", "x,y", "\\d+");
  const date = fc.integer({ min: 0, max: 400 }).map((d) => new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10));
  const ruleJson = fc
    .record(
      {
        org_id: fc.option(fc.constantFrom("alpha", "org-vendor", "-neg", "a,b"), { nil: null }),
        when: fc.record(
          {
            owner_id: word,
            owner_id_prefix: word,
            owner_name: fc.oneof(
              fc
                .record({ regex }, { requiredKeys: ["regex"] })
                .chain((n) =>
                  fc.option(fc.boolean(), { nil: undefined }).map((cs) => (cs === undefined ? n : { ...n, case_sensitive: cs })),
                ),
              fc
                .tuple(fc.constantFrom("equals", "starts_with", "ends_with", "contains"), word, fc.option(fc.boolean(), { nil: undefined }))
                .map(([op, v, cs]) => (cs === undefined ? { [op]: v } : { [op]: v, case_sensitive: cs })),
            ),
            owner_kind: fc.constantFrom("service_account", "user", "identity_pool", "resource"),
            environment_id: word,
            resource_id: word,
            product: word,
          },
          { requiredKeys: [] },
        ),
        then: fc.oneof(
          team.map((t) => ({ team: t })),
          fc.uniqueArray(splitTeam, { minLength: 2, maxLength: 3 }).chain((ts) =>
            fc
              .constantFrom(
                ...(ts.length === 2
                  ? [
                      ["60", "40"],
                      ["33.3333", "66.6667"],
                      ["50.5", "49.5"],
                    ]
                  : [
                      ["10", "20", "70"],
                      ["33.3333", "33.3333", "33.3334"],
                    ]),
              )
              .map((pcts) => ({ split: Object.fromEntries(ts.map((t, i) => [t, pcts[i]])) })),
          ),
        ),
        from: fc.option(date, { nil: undefined }),
        days: fc.option(fc.integer({ min: 1, max: 90 }), { nil: null }),
      },
      { requiredKeys: ["org_id", "when", "then", "days"] },
    )
    .map(({ from, days, ...r }) => {
      const out: Record<string, unknown> = { ...r };
      if (from !== undefined) out.valid_from = from;
      const start = from ?? "2025-01-01";
      out.valid_to = days === null ? null : new Date(Date.parse(`${start}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
      return out;
    });
  const listJson = fc
    .array(fc.tuple(ruleJson, fc.oneof(fc.constant(""), tricky)), { maxLength: 6 })
    .map((xs) => xs.map(([r, suffix], i) => ({ ...r, name: `rule ${i}${suffix}` })));

  it("round-trips every rules file: parseRulesCsv(written CSV) = the JSON's rules, and the JSON is unchanged", () => {
    fc.assert(
      fc.property(listJson, (json) => {
        const parsed = parseRulesJson(json);
        // the sample is valid by construction
        expect(parsed.ok ? null : parsed.errors.map(formatRuleIssue)).toBeNull();
        if (!parsed.ok) return;
        const rules = parsed.rules;
        if (rules.some((r) => "split" in r.then && r.then.split.some((s) => s.team.includes(";")))) {
          expect(() => formatRulesCsv(rules)).toThrow(InputError);
          return;
        }
        const text = write(rules);
        const back = parse(text);
        expect(back.ok ? null : back.errors.map((e) => e.message)).toBeNull();
        if (!back.ok) return;
        expect(back.rules).toEqual(rules);
        expect(formatRulesFile(back.rules)).toBe(formatRulesFile(rules));
        // canonical: writing the rules read back gives the same text
        expect(write(back.rules)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
