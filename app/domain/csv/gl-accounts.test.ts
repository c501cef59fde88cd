import { describe, expect, it } from "vitest";
import { readCsvRecords, toSafeCsv } from "../../services/csv";
import { formatGlAccountsCsv, parseGlAccountsCsv } from "./gl-accounts";

const refs = { costCenters: new Set(["CC-100", "CC-200", "-CC"]), orgs: new Set(["org-a", "org-b"]) };
const parse = (text: string) => {
  const r = readCsvRecords(text);
  return parseGlAccountsCsv(r.header, r.rows, refs);
};
const errors = (text: string) => {
  const r = parse(text);
  if (r.ok) throw new Error("expected errors");
  return r.errors.map((e) => ({ line: e.line, column: e.column, value: e.value, rule: e.rule }));
};

describe("parseGlAccountsCsv", () => {
  it("reads every scope, with and without org_id, in any column order, trimmed, blank lines skipped", () => {
    const r = parse(
      "scope,key,account,org_id\ncost_center,CC-100,6100,\ncost_center, CC-100 ,6101,org-a\n\norg_default,org-b,6190,\nclearing,*,2100,\nsuspense,unmapped,6998,org-a\n,,,\n",
    );
    expect(r).toEqual({
      ok: true,
      accounts: [
        { scope: "cost_center", key: "CC-100", orgId: "", account: "6100", line: 2 },
        { scope: "cost_center", key: "CC-100", orgId: "org-a", account: "6101", line: 3 },
        { scope: "org_default", key: "org-b", orgId: "", account: "6190", line: 5 },
        { scope: "clearing", key: "*", orgId: "", account: "2100", line: 6 },
        { scope: "suspense", key: "unmapped", orgId: "org-a", account: "6998", line: 7 },
      ],
    });
    const noOrg = parse("ACCOUNT,Scope,key\n2100,clearing,org-a\n");
    expect(noOrg).toEqual({ ok: true, accounts: [{ scope: "clearing", key: "org-a", orgId: "", account: "2100", line: 2 }] });
  });

  it("reports every problem by line, column, value and rule; nothing is returned", () => {
    expect(
      errors(
        "scope,key,account,org_id\ncost_centre,CC-100,6100,\ncost_center,CC-999,6100,\norg_default,org-a,6190,org-a\nsuspense,*,=SUM(A1),\nclearing,*,2100,\nclearing,*,2101,\nsuspense,*,6999,org-z\ncost_center,CC-100\n",
      ),
    ).toEqual([
      { line: 2, column: "scope", value: "cost_centre", rule: "gl-scope" },
      { line: 3, column: "key", value: "CC-999", rule: "gl-key" },
      { line: 4, column: "org_id", value: "org-a", rule: "gl-org" },
      { line: 5, column: "account", value: "=SUM(A1)", rule: "gl-account" },
      { line: 7, column: "key", value: "*", rule: "duplicate-entry" },
      { line: 8, column: "org_id", value: "org-z", rule: "gl-org" },
      { line: 9, column: null, value: null, rule: "field-count" },
    ]);
    const r = parse("scope,key,account\ncost_center,CC-999,6100\n");
    expect(!r.ok && r.errors[0].message).toBe(
      'line 2, column "key": value "CC-999" is not a known cost center: add it on the Teams page first, or check the spelling (rule: the key names what the scope maps: a known cost center, a known organization (clearing: or *), a pseudo cost center or *)',
    );
    const dup = parse("scope,key,account\nclearing,*,1\nclearing,*,2\n");
    expect(!dup.ok && dup.errors[0].message).toMatch(
      /repeats the mapping of line 2 .*\(rule: a \(scope, key, org_id\) appears once per file\)$/,
    );
  });

  it("refuses a header that is not scope,key,account[,org_id]: unknown columns are errors", () => {
    expect(errors("scope,key,account,org\ncost_center,CC-100,6100,org-a\n")).toEqual([
      { line: 1, column: null, value: "org", rule: "unknown-column" },
    ]);
    expect(errors("scope,key\ncost_center,CC-100\n").map((e) => e.rule)).toEqual(["missing-columns"]);
    expect(errors("").map((e) => e.rule)).toEqual(["not-empty"]);
  });

  it("round-trips through the formatter and the formula-safe writer", () => {
    const accounts = [
      { scope: "suspense" as const, key: "*", orgId: "", account: "6999" },
      { scope: "cost_center" as const, key: "-CC", orgId: "org-a", account: "6100" },
      { scope: "clearing" as const, key: "*", orgId: "", account: "2100" },
    ];
    const { header, rows } = formatGlAccountsCsv(accounts);
    const text = toSafeCsv(header, rows);
    expect(text).toBe("scope,key,account,org_id\ncost_center,'-CC,6100,org-a\nclearing,*,2100,\nsuspense,*,6999,\n");
    const back = parse(text);
    expect(back.ok && back.accounts.map(({ line: _line, ...a }) => a)).toEqual([accounts[1], accounts[2], accounts[0]]);
  });
});
