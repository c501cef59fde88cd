import { describe, expect, it } from "vitest";
import {
  EXPLAIN_FROZEN,
  EXPLAIN_POLICY,
  EXPLAIN_UNALLOCATED,
  explainTeamBucket,
  type ExplainedPart,
  type StoredTeamResult,
} from "./explain";
import { dec, sum } from "./money";

const stored = (team: string, direct: string, share: string): StoredTeamResult => ({
  team,
  direct: dec(direct),
  unallocatedShare: dec(share),
  total: dec(direct).plus(dec(share)),
});
const part = (mappedBy: string, direct: string) => ({ mappedBy, direct: dec(direct) });
const text = (ps: ExplainedPart[]) =>
  ps.map((p) => [p.mappedBy, p.direct.toFixed(), p.unallocatedShare.toFixed(), p.total.toFixed()].join(" | "));

/** Σ of the parts equals the stored row exactly, in each amount. */
function expectExact(s: StoredTeamResult, ps: ExplainedPart[]) {
  expect(sum(ps.map((p) => p.direct)).eq(s.direct)).toBe(true);
  expect(sum(ps.map((p) => p.unallocatedShare)).eq(s.unallocatedShare)).toBe(true);
  expect(sum(ps.map((p) => p.total)).eq(s.total)).toBe(true);
  for (const p of ps) expect(p.total.eq(p.direct.plus(p.unallocatedShare))).toBe(true);
}

describe("explainTeamBucket", () => {
  it("spreads the team's share over its mapped_by parts by direct cost, exactly (largest remainder, ties by label)", () => {
    const s = stored("search", "3", "-1");
    const ps = explainTeamBucket(s, [part('rule "b" (#2)', "1"), part("entry #4", "1"), part('rule "a" (#1)', "1")]);
    // -1 / 3 = -0.3333… each; the one unit left goes to the first label in order
    expect(text(ps)).toEqual([
      "entry #4 | 1 | -0.3334 | 0.6666",
      'rule "a" (#1) | 1 | -0.3333 | 0.6667',
      'rule "b" (#2) | 1 | -0.3333 | 0.6667',
    ]);
    expectExact(s, ps);
  });

  it("keeps the share's own finer scale and the parts' exact direct cost", () => {
    const s = stored("payments", "7.21875", "-1.5859375");
    const ps = explainTeamBucket(s, [part("entry #1", "4.74375"), part("entry #2", "2.475")]);
    expect(text(ps)).toEqual(["entry #1 | 4.74375 | -1.0421875 | 3.7015625", "entry #2 | 2.475 | -0.54375 | 1.93125"]);
    expectExact(s, ps);
  });

  it("merges parts of the same mapped_by and sorts by mapped_by", () => {
    const s = stored("platform", "6", "0");
    const ps = explainTeamBucket(s, [part("entry #5", "2"), part("entry #3", "1"), part("entry #5", "3")]);
    expect(text(ps)).toEqual(["entry #3 | 1 | 0 | 1", "entry #5 | 5 | 0 | 5"]);
    expectExact(s, ps);
  });

  it("a share without direct cost (shared:<team>) is the policy's", () => {
    const s = stored("platform", "0", "-5.5");
    const ps = explainTeamBucket(s, []);
    expect(text(ps)).toEqual([`${EXPLAIN_POLICY} | 0 | -5.5 | -5.5`]);
    expectExact(s, ps);
  });

  it("parts whose direct costs weigh nothing (zero or credits) keep their direct; the share is the policy's", () => {
    const s = stored("analytics", "-2", "1.25");
    const ps = explainTeamBucket(s, [part("entry #7", "-2"), part('rule "z" (#1)', "0")]);
    expect(text(ps)).toEqual(["entry #7 | -2 | 0 | -2", `${EXPLAIN_POLICY} | 0 | 1.25 | 1.25`, 'rule "z" (#1) | 0 | 0 | 0']);
    expectExact(s, ps);
  });

  it("the unmapped pseudo-team is explained like a team (its rows are labelled unmapped)", () => {
    const s = stored("unmapped", "4", "-2");
    const ps = explainTeamBucket(s, [part("unmapped", "4")]);
    expect(text(ps)).toEqual(["unmapped | 4 | -2 | 2"]);
  });

  it("the unallocated pseudo-team is labelled unallocated, whatever the parts", () => {
    const s = stored("unallocated", "0", "-5.5");
    expect(text(explainTeamBucket(s, []))).toEqual([`${EXPLAIN_UNALLOCATED} | 0 | -5.5 | -5.5`]);
    expect(text(explainTeamBucket(s, [part("entry #1", "3")]))).toEqual([`${EXPLAIN_UNALLOCATED} | 0 | -5.5 | -5.5`]);
  });

  it("stored figures the parts no longer give (a frozen closed month) stay whole, labelled frozen", () => {
    const s = stored("search", "16.5", "-3.625");
    const ps = explainTeamBucket(s, [part("entry #3", "10"), part('rule "jkl" (#1)', "6.5"), part("entry #9", "1")]);
    expect(text(ps)).toEqual([`${EXPLAIN_FROZEN} | 16.5 | -3.625 | 12.875`]);
    expectExact(s, ps);
    // a stored team the current mapping gives nothing at all
    expect(text(explainTeamBucket(stored("gone", "2", "0"), []))).toEqual([`${EXPLAIN_FROZEN} | 2 | 0 | 2`]);
    expect(text(explainTeamBucket(stored("gone", "0", "0"), []))).toEqual([`${EXPLAIN_FROZEN} | 0 | 0 | 0`]);
  });

  it("sums exactly for many parts of awkward amounts", () => {
    const parts = Array.from({ length: 7 }, (_, i) => part(`entry #${i + 1}`, `0.${String(i * 137 + 11).padStart(5, "0")}`));
    const d = sum(parts.map((p) => p.direct)).toFixed();
    const s = stored("t", d, "-0.0001");
    const ps = explainTeamBucket(s, parts);
    expectExact(s, ps);
    expect(ps.filter((p) => !p.unallocatedShare.isZero())).toHaveLength(1);
  });
});
