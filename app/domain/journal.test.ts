import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildJournal,
  checkGlAccount,
  DEFAULT_CLEARING_ACCOUNT,
  DEFAULT_SUSPENSE_ACCOUNT,
  glAccountProblems,
  glResolver,
  importsReference,
  JOURNAL_HEADER,
  journalCsvRow,
  postingDateFor,
  roundToCents,
  summarizeJournal,
  withPostingDate,
  type GlAccount,
} from "./journal";
import { Decimal, dec, sum } from "./money";

describe("roundToCents", () => {
  it("sums exactly to the rounded total, the missing cents to the largest remainders", () => {
    const items = [
      { key: "a", value: dec("0.333") },
      { key: "b", value: dec("0.333") },
      { key: "c", value: dec("0.334") },
    ];
    const r = roundToCents(items);
    expect([...r.entries()].map(([k, v]) => [k, v.toFixed(2)])).toEqual([
      ["a", "0.33"],
      ["b", "0.33"],
      ["c", "0.34"],
    ]);
    expect(sum([...r.values()]).toFixed(2)).toBe("1.00");
  });
  it("breaks ties by key and handles negatives", () => {
    const r = roundToCents([
      { key: "y", value: dec("0.005") },
      { key: "x", value: dec("0.005") },
    ]);
    expect(r.get("x")!.toFixed(2)).toBe("0.01");
    expect(r.get("y")!.toFixed(2)).toBe("0.00");
    const n = roundToCents([
      { key: "a", value: dec("-1.006") },
      { key: "b", value: dec("2.003") },
    ]);
    expect(sum([...n.values()]).toFixed(2)).toBe("1.00");
  });
  it("returns an empty map for no items", () => expect(roundToCents([]).size).toBe(0));
});

const ACCOUNTS: GlAccount[] = [
  { scope: "cost_center", key: "CC-100", orgId: "", account: "6100" },
  { scope: "cost_center", key: "CC-100", orgId: "o2", account: "6101" },
  { scope: "org_default", key: "o2", orgId: "", account: "6190" },
  { scope: "clearing", key: "*", orgId: "", account: "2100" },
  { scope: "clearing", key: "o2", orgId: "", account: "2102" },
  { scope: "suspense", key: "*", orgId: "", account: "6999" },
  { scope: "suspense", key: "unmapped", orgId: "", account: "6998" },
  { scope: "suspense", key: "*", orgId: "o3", account: "6993" },
];

const col = (row: string[], c: (typeof JOURNAL_HEADER)[number]) => row[JOURNAL_HEADER.indexOf(c)];

describe("account resolution", () => {
  it("cost center: org-specific, then all orgs, then the org default; else none", () => {
    expect(glResolver(ACCOUNTS, "o2").expense("CC-100")).toEqual({ account: "6101", source: "cost_center_org" });
    expect(glResolver(ACCOUNTS, "o1").expense("CC-100")).toEqual({ account: "6100", source: "cost_center" });
    expect(glResolver(ACCOUNTS, "o2").expense("CC-200")).toEqual({ account: "6190", source: "org_default" });
    expect(glResolver(ACCOUNTS, "o1").expense("CC-200")).toBeNull();
  });
  it("suspense: key+org, key, *+org, *, then the built-in default", () => {
    expect(glResolver(ACCOUNTS, "o1").suspense("unmapped")).toEqual({ account: "6998", source: "suspense" });
    expect(glResolver(ACCOUNTS, "o1").suspense("unassigned")).toEqual({ account: "6999", source: "suspense_all" });
    expect(glResolver(ACCOUNTS, "o3").suspense("unassigned")).toEqual({ account: "6993", source: "suspense_all_org" });
    expect(glResolver([], "o1").suspense("unallocated")).toEqual({ account: DEFAULT_SUSPENSE_ACCOUNT, source: "suspense_default" });
    expect(
      glResolver([{ scope: "suspense", key: "unmapped", orgId: "o1", account: "S1" }, ...ACCOUNTS], "o1").suspense("unmapped"),
    ).toEqual({ account: "S1", source: "suspense_org" });
  });
  it("clearing: the org's, then *, then the built-in default", () => {
    expect(glResolver(ACCOUNTS, "o2").clearing().account).toBe("2102");
    expect(glResolver(ACCOUNTS, "o1").clearing().account).toBe("2100");
    expect(glResolver([], "o1").clearing()).toEqual({ account: DEFAULT_CLEARING_ACCOUNT, source: "clearing_default" });
  });
});

describe("buildJournal", () => {
  const cc = new Map<string, string | null>([
    ["payments", "CC-100"],
    ["search", "CC-100"],
    ["platform", "CC-200"],
    ["analytics", null],
  ]);
  const teams = [
    { team: "payments", total: "1.3333" },
    { team: "search", total: "2.3333" },
    { team: "platform", total: "4.004" },
    { team: "analytics", total: "0.505" },
    { team: "unmapped", total: "3" },
    { team: "unallocated", total: "-0.10" },
  ];
  const lines = buildJournal({
    orgId: "o1",
    month: "2026-04",
    teams,
    costCenterOf: (t) => cc.get(t),
    accounts: ACCOUNTS,
    importIds: [9, 3, 4, 5],
  });
  const rows = lines.map(journalCsvRow);

  it("debits per cost center (teams aggregated), pseudo cost centers to suspense, one credit to clearing", () => {
    expect(
      rows.map((r) => [col(r, "line"), col(r, "account"), col(r, "cost_center"), col(r, "debit"), col(r, "credit"), col(r, "amount")]),
    ).toEqual([
      ["1", "6100", "CC-100", "3.67", "", "3.67"],
      ["2", "6999", "CC-200", "4.00", "", "4.00"], // no account for CC-200 in o1: suspense
      ["3", "6998", "", "3.00", "", "3.00"], // unmapped
      ["4", "6999", "", "0.51", "", "0.51"], // unassigned (analytics)
      ["5", "6999", "", "", "0.10", "-0.10"], // unallocated credit: on the credit side
      ["6", "2100", "", "", "11.08", "-11.08"],
    ]);
    // 1.3333 + 2.3333 + 4.004 + 0.505 + 3 − 0.10 = 11.0756 → 11.08
    expect(rows.every((r) => col(r, "journal_id") === "SB-o1-2026-04")).toBe(true);
    expect(rows.every((r) => col(r, "posting_date") === "2026-04-30" && col(r, "currency") === "USD" && col(r, "org_id") === "o1")).toBe(
      true,
    );
    expect(rows.every((r) => col(r, "reference") === "imports:3-5;9")).toBe(true);
    expect(rows[0]).toHaveLength(JOURNAL_HEADER.length);
  });

  it("memos name the month, the cost center and its teams, and flag a cost center without an account", () => {
    expect(col(rows[0], "memo")).toBe("Confluent Cloud chargeback 2026-04 - cost center CC-100 - teams: payments; search");
    expect(col(rows[1], "memo")).toBe(
      "Confluent Cloud chargeback 2026-04 - cost center CC-200 - teams: platform - no GL account mapped (suspense)",
    );
    expect(lines[1]).toMatchObject({ kind: "suspense", noAccount: true, accountSource: "suspense_all" });
    expect(col(rows[2], "memo")).toContain("unmapped: usage of owners without a team");
    expect(col(rows[3], "memo")).toContain("unassigned: teams without a cost center: analytics (suspense)");
    expect(col(rows[5], "memo")).toBe("Confluent Cloud chargeback 2026-04 - o1 total (clearing)");
  });

  it("summarizes its rows for the reconciliation page and the close pack", () => {
    expect(summarizeJournal(rows)).toEqual([
      {
        orgId: "o1",
        journalId: "SB-o1-2026-04",
        lines: 6,
        debits: "11.18",
        credits: "11.18",
        total: "11.08",
        suspense: "7.41",
        unmappedCostCenters: ["CC-200"],
        balanced: true,
      },
    ]);
  });

  it("summarizes by the journal's layout, not by what team names say", () => {
    const tricky = buildJournal({
      orgId: "o1",
      month: "2026-04",
      teams: [
        { team: "ops (suspense)", total: "2" },
        { team: "x (clearing)", total: "1" },
      ],
      costCenterOf: (t) => (t === "ops (suspense)" ? "CC-100" : undefined),
      accounts: ACCOUNTS,
      importIds: [1],
    }).map(journalCsvRow);
    expect(col(tricky[0], "memo")).toMatch(/teams: ops \(suspense\)$/);
    expect(summarizeJournal(tricky)).toEqual([
      expect.objectContaining({ total: "3.00", suspense: "1.00", unmappedCostCenters: [], balanced: true }),
    ]);
  });

  it("a negative org total puts the clearing line on the debit side; zero lines are left out", () => {
    const j = buildJournal({
      orgId: "o2",
      month: "2026-02",
      teams: [
        { team: "payments", total: "-5.004" },
        { team: "platform", total: "0.004" },
      ],
      costCenterOf: (t) => cc.get(t),
      accounts: ACCOUNTS,
      importIds: [],
    }).map(journalCsvRow);
    expect(j.map((r) => [col(r, "account"), col(r, "debit"), col(r, "credit"), col(r, "amount"), col(r, "reference")])).toEqual([
      ["6101", "", "5.00", "-5.00", ""],
      ["2102", "5.00", "", "5.00", ""],
    ]);
    expect(col(j[0], "posting_date")).toBe("2026-02-28");
    expect(
      buildJournal({
        orgId: "o1",
        month: "2026-04",
        teams: [{ team: "payments", total: "0.004" }],
        costCenterOf: () => "CC-100",
        accounts: [],
        importIds: [1],
      }),
    ).toEqual([]);
  });

  it("the posting date: the month's last day, or a given date on or after the month's start", () => {
    expect(postingDateFor("2024-02")).toBe("2024-02-29");
    expect(postingDateFor("2026-04", "2026-05-03")).toBe("2026-05-03");
    expect(() => postingDateFor("2026-04", "2026-03-31")).toThrow(/before the month/);
    expect(() => postingDateFor("2026-04", "2026-04-31")).toThrow(/not a YYYY-MM-DD/);
    expect(col(withPostingDate(rows, "2026-05-02")[3], "posting_date")).toBe("2026-05-02");
    expect(col(withPostingDate(rows, "2026-05-02")[3], "amount")).toBe("0.51");
  });

  it("the imports reference writes runs as ranges", () => {
    expect(importsReference([])).toBe("");
    expect(importsReference([7])).toBe("imports:7");
    expect(importsReference([1, 2, 3, 5, 7, 8, 2])).toBe("imports:1-3;5;7-8");
  });
});

describe("GL account rules", () => {
  const refs = { costCenters: new Set(["CC-100", "CC-200"]), orgs: new Set(["o1", "o2"]) };
  const problems = (scope: string, key: string, account: string, orgId = "") =>
    glAccountProblems({ scope, key, account, orgId }, refs).map((p) => `${p.field}/${p.rule}`);
  it("accepts the four scopes with their keys", () => {
    expect(problems("cost_center", "CC-100", "6100")).toEqual([]);
    expect(problems("cost_center", "CC-100", "6100", "o1")).toEqual([]);
    expect(problems("org_default", "o1", "6190")).toEqual([]);
    expect(problems("clearing", "*", "2100")).toEqual([]);
    expect(problems("clearing", "o2", "2100")).toEqual([]);
    expect(problems("suspense", "unassigned", "6999", "o1")).toEqual([]);
    expect(problems("suspense", "*", "6999")).toEqual([]);
  });
  it("refuses unknown scopes, cost centers, orgs and keys, and accounts that are not codes", () => {
    expect(problems("costcenter", "CC-100", "6100")).toEqual(["scope/gl-scope"]);
    expect(problems("cost_center", "CC-300", "6100")).toEqual(["key/gl-key"]);
    expect(problems("cost_center", "unmapped", "6100")).toEqual(["key/gl-key"]);
    expect(problems("cost_center", "*", "6100")).toEqual(["key/gl-key"]);
    expect(problems("org_default", "o9", "6100")).toEqual(["key/gl-key"]);
    expect(problems("org_default", "o1", "6100", "o1")).toEqual(["org_id/gl-org"]);
    expect(problems("suspense", "CC-100", "6999")).toEqual(["key/gl-key"]);
    expect(problems("suspense", "*", "6999", "o9")).toEqual(["org_id/gl-org"]);
    expect(problems("cost_center", "CC-100", "")).toEqual(["account/gl-account"]);
    expect(problems("cost_center", "CC-100", "=1+2")).toEqual(["account/gl-account"]);
    expect(problems("cost_center", "CC-100", "61 00")).toEqual(["account/gl-account"]);
    expect(problems("cost_center", "CC-100", "6100-200.10/A:1")).toEqual([]);
  });
  it("checkGlAccount trims and names the field at fault", () => {
    expect(checkGlAccount({ scope: " cost_center ", key: " CC-100", account: "6100 ", orgId: null }, refs)).toEqual({
      scope: "cost_center",
      key: "CC-100",
      orgId: "",
      account: "6100",
    });
    expect(() => checkGlAccount({ scope: "cost_center", key: "cc-100", account: "6100" }, refs)).toThrow(/did you mean "CC-100"/);
  });
});

describe("journal properties", () => {
  const CCS = ["CC-1", "CC-2", "CC-3", null];
  const team = fc.constantFrom("t1", "t2", "t3", "t4", "t5", "t6", "unmapped", "unallocated");
  const amount = fc
    .tuple(fc.integer({ min: -5_000_000_000, max: 50_000_000_000 }), fc.integer({ min: 0, max: 6 }))
    .map(([n, scale]) => new Decimal(n).div(new Decimal(10).pow(scale)).toFixed());
  const input = fc.record({
    teams: fc.uniqueArray(fc.record({ team, total: amount }), { selector: (t) => t.team, maxLength: 8 }),
    ccOf: fc.array(fc.constantFrom(...CCS), { minLength: 6, maxLength: 6 }),
    accounts: fc.uniqueArray(
      fc.record({
        scope: fc.constantFrom("cost_center" as const, "org_default" as const, "clearing" as const, "suspense" as const),
        key: fc.constantFrom("CC-1", "CC-2", "CC-3", "o1", "*", "unmapped", "unassigned", "unallocated"),
        orgId: fc.constantFrom("", "o1", "o2"),
        account: fc.constantFrom("6100", "6200", "2100", "6999"),
      }),
      { selector: (a) => `${a.scope}/${a.key}/${a.orgId}`, maxLength: 10 },
    ),
  });

  it("balances (Σ amount = 0, Σ debit = Σ credit) and ties to the org's total to the cent", () => {
    fc.assert(
      fc.property(input, ({ teams, ccOf, accounts }) => {
        const lines = buildJournal({
          orgId: "o1",
          month: "2026-04",
          teams,
          costCenterOf: (t) => ccOf[Number(t.slice(1)) - 1],
          accounts,
          importIds: [1],
        });
        const rows = lines.map(journalCsvRow);
        const d = (s: string) => (s === "" ? new Decimal(0) : dec(s));
        const target = sum(teams.map((t) => dec(t.total))).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
        expect(sum(rows.map((r) => d(col(r, "amount")))).isZero()).toBe(true);
        expect(sum(rows.map((r) => d(col(r, "debit")))).eq(sum(rows.map((r) => d(col(r, "credit")))))).toBe(true);
        const posted = lines.filter((l) => l.kind !== "clearing");
        expect(sum(posted.map((l) => l.amount)).eq(target)).toBe(true);
        expect(lines.filter((l) => l.kind === "clearing")).toHaveLength(target.isZero() ? 0 : 1);
        for (const r of rows) {
          const [dr, cr, am] = [col(r, "debit"), col(r, "credit"), col(r, "amount")];
          expect((dr === "") !== (cr === "")).toBe(true); // exactly one side
          expect(d(dr).minus(d(cr)).eq(dec(am))).toBe(true);
          expect(d(dr).isNegative() || d(cr).isNegative() || dec(am).isZero()).toBe(false);
          expect(am).toMatch(/^-?\d+\.\d\d$/);
        }
        // one line per group, numbered 1…n
        expect(new Set(posted.map((l) => l.group)).size).toBe(posted.length);
        expect(lines.map((l) => l.line)).toEqual(lines.map((_, i) => i + 1));
        const s = summarizeJournal(rows);
        if (rows.length) expect(s[0]).toMatchObject({ balanced: true, total: target.toFixed(2) });
      }),
      { numRuns: 300 },
    );
  });
});
