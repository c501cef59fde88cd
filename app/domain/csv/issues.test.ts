import { describe, expect, it } from "vitest";
import { IssueList, formatIssues, makeIssue } from "./issues";

describe("issues", () => {
  it("makeIssue names line, column, value and rule", () => {
    expect(makeIssue(7, "chargeback_cost", "12,50", "decimal", "is not a decimal")).toEqual({
      line: 7,
      column: "chargeback_cost",
      value: "12,50",
      rule: "decimal",
      message: 'line 7, column "chargeback_cost": value "12,50" is not a decimal (rule: money fields are plain decimals)',
    });
    expect(makeIssue(3, null, null, "field-count", "the row has 2 fields").message).toBe(
      "line 3: the row has 2 fields (rule: every row has the header's field count)",
    );
    expect(makeIssue(0, null, null, "not-empty", "empty").message).toBe("file: empty (rule: the file is not empty)");
    expect(makeIssue(1, null, null, "custom-rule", "x").message).toBe("line 1: x (rule: custom-rule)");
  });

  it("escapes and shortens long values in the message only", () => {
    const long = `"${"x".repeat(200)}`;
    const i = makeIssue(2, "owner_id", long, "required-value", "is odd");
    expect(i.value).toBe(long);
    expect(i.message).toContain('value "\\"xxx');
    expect(i.message.length).toBeLessThan(200);
  });

  it("IssueList keeps the first max issues and counts all", () => {
    const list = new IssueList(2);
    for (let line = 1; line <= 5; line++) list.add(makeIssue(line, null, null, "field-count", "bad"));
    expect(list.count).toBe(5);
    expect(list.issues.map((i) => i.line)).toEqual([1, 2]);
    expect(new IssueList().count).toBe(0);
    const def = new IssueList();
    for (let line = 1; line <= 60; line++) def.add(makeIssue(line, null, null, "field-count", "bad"));
    expect(def.issues).toHaveLength(50);
    expect(def.count).toBe(60);
  });

  it("formatIssues is one message a line and says how many more", () => {
    const issues = [makeIssue(1, null, null, "not-empty", "a"), makeIssue(2, null, null, "not-empty", "b")];
    expect(formatIssues(issues, 2)).toBe(`${issues[0].message}\n${issues[1].message}`);
    expect(formatIssues(issues, 7).split("\n")).toEqual([issues[0].message, issues[1].message, "… and 5 more"]);
    expect(formatIssues([], 0)).toBe("");
  });
});
