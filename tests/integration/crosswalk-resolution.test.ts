/**
 * Crosswalk resolution has one definition in SQL (db/queries/crosswalk-resolution.ts, used by
 * the allocation details, the drill-downs and the unmapped queue) and one in the domain
 * (`createResolver`, app/domain/crosswalk.ts; docs/crosswalk.md). Differential property: for
 * random crosswalks (several orgs and owners, adjacent and gapped periods, closed and open
 * valid_to, BEGINNING_OF_TIME valid_from) and probes on and around every boundary, the SQL
 * answers exactly what the resolver answers (one row per probe: never two entries at once).
 * Runs on TEST_DB=pglite|pg. CROSSWALK_SEED replays a run.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BEGINNING_OF_TIME, createResolver, findOverlap, validateCrosswalkEntry, type CrosswalkEntry } from "../../app/domain/crosswalk";
import { addDays } from "../../app/domain/periods";
import { resolvedTeamJoin, unmappedAt } from "../../db/queries/crosswalk-resolution";
import { createTestDb, testEngine, type TestDb } from "../helpers/db";

const ORGS = ["org-a", "org-b"];
const OWNERS = ["sa-1", "sa-2", "sa-3"];
/** never in a crosswalk */
const STRANGER = "sa-none";
const TEAMS = ["payments", "search", "platform"];
const DAY0 = "2026-01-01";
const dayOf = (n: number) => addDays(DAY0, n * 3);

/** One (org, owner): boundaries b0 < b1 < …; a period [b_i, b_i+1) per pair (kept or a gap) and maybe an open last one. */
const slotHistory = fc.record({
  cuts: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 5 }),
  sinceBeginning: fc.boolean(),
  openEnd: fc.boolean(),
  periods: fc.array(fc.record({ keep: fc.boolean(), team: fc.constantFrom(...TEAMS) }), { minLength: 6, maxLength: 6 }),
});

const crosswalk: fc.Arbitrary<CrosswalkEntry[]> = fc
  .array(slotHistory, { minLength: ORGS.length * OWNERS.length, maxLength: ORGS.length * OWNERS.length })
  .map((slots) =>
    slots.flatMap((h, k) => {
      const orgId = ORGS[Math.floor(k / OWNERS.length)]!;
      const ownerId = OWNERS[k % OWNERS.length]!;
      const days = [...h.cuts].sort((a, b) => a - b).map(dayOf);
      const bounds = h.sinceBeginning ? [BEGINNING_OF_TIME, ...days] : days;
      const spans: Array<[string, string | null]> = bounds.slice(0, -1).map((b, i) => [b, bounds[i + 1]!]);
      if (h.openEnd) spans.push([bounds[bounds.length - 1]!, null]);
      return spans.flatMap(([validFrom, validTo], i) =>
        h.periods[i]!.keep ? [{ orgId, ownerId, team: h.periods[i]!.team, validFrom, validTo }] : [],
      );
    }),
  );

/** Every boundary of the crosswalk and the days next to it, the first day, a far day and some random days. */
function probeDays(entries: readonly CrosswalkEntry[], extra: number[]): string[] {
  const days = new Set<string>([BEGINNING_OF_TIME, addDays(BEGINNING_OF_TIME, 1), "2099-12-31", ...extra.map(dayOf)]);
  for (const e of entries)
    for (const d of [e.validFrom, e.validTo])
      if (d !== null) for (const x of [-1, 0, 1]) if (!(d === BEGINNING_OF_TIME && x < 0)) days.add(addDays(d, x));
  return [...days].sort();
}

describe(`crosswalk resolution: SQL = createResolver (${testEngine()})`, () => {
  let t: TestDb;
  const teamId = new Map<string, number>();
  beforeAll(async () => {
    t = await createTestDb();
    for (const name of TEAMS) {
      const [r] = await t.db.query<{ id: number }>(`insert into teams (name) values ($1) returning id`, [name]);
      teamId.set(name, r!.id);
    }
  });
  afterAll(() => t?.cleanup());

  /** The SQL resolution of each probe: the team (null = unmapped) and what `unmappedAt` says. */
  async function resolveInSql(probes: Array<{ orgId: string; ownerId: string; day: string; skip: boolean }>) {
    return t.db.query<{ i: number; team: string | null; unmapped: boolean }>(
      `with p as (select * from unnest($1::int[], $2::text[], $3::text[], $4::date[], $5::int[]) as p(i, org_id, owner_id, day, skip))
       select p.i, t.name as team, ${unmappedAt({ orgId: "p.org_id", ownerId: "p.owner_id", day: "p.day" })} as unmapped
         from p
         ${resolvedTeamJoin({ entry: "e", team: "t", orgId: "p.org_id", ownerId: "p.owner_id", day: "p.day", when: "p.skip = 0" })}
        order by p.i`,
      [
        probes.map((_, i) => i),
        probes.map((p) => p.orgId),
        probes.map((p) => p.ownerId),
        probes.map((p) => p.day),
        probes.map((p) => (p.skip ? 1 : 0)),
      ],
    );
  }

  it("answers the resolver's team for every (org, owner, bucket start)", async () => {
    await fc.assert(
      fc.asyncProperty(crosswalk, fc.array(fc.integer({ min: -2, max: 45 }), { maxLength: 4 }), async (entries, extra) => {
        // the generated crosswalk is one the domain allows
        for (const [i, e] of entries.entries()) {
          expect(validateCrosswalkEntry(e)).toEqual([]);
          expect(
            findOverlap(
              entries.filter((_, j) => j !== i),
              e,
            ),
          ).toBeNull();
        }
        await t.db.exec(`delete from crosswalk_entries`);
        if (entries.length)
          await t.db.query(
            `insert into crosswalk_entries (org_id, owner_id, team_id, valid_from, valid_to)
             select * from unnest($1::text[], $2::text[], $3::int[], $4::date[], $5::date[])`,
            [
              entries.map((e) => e.orgId),
              entries.map((e) => e.ownerId),
              entries.map((e) => teamId.get(e.team)!),
              entries.map((e) => e.validFrom),
              entries.map((e) => e.validTo),
            ],
          );
        const resolve = createResolver(entries);
        const probes = probeDays(entries, extra).flatMap((day) =>
          ORGS.flatMap((orgId) => [...OWNERS, STRANGER].map((ownerId, k) => ({ orgId, ownerId, day, skip: k === 0 && day.endsWith("1") }))),
        );
        const rows = await resolveInSql(probes);
        // one row per probe: at most one entry applies
        expect(rows.map((r) => r.i)).toEqual(probes.map((_, i) => i));
        for (const [i, p] of probes.entries()) {
          const want = resolve(p.orgId, p.ownerId, p.day);
          const got = rows[i]!;
          const where = `${p.orgId}/${p.ownerId} at ${p.day}`;
          expect(got.team, where).toBe(p.skip ? null : want);
          expect(got.unmapped, where).toBe(want === null);
        }
      }),
      { numRuns: 100, ...(process.env.CROSSWALK_SEED ? { seed: Number(process.env.CROSSWALK_SEED) } : {}) },
    );
  });
});
