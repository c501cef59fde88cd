/**
 * Anomalies in each team's daily spend (issue 16, docs/forecasting.md "Anomalies"): the days the detector
 * (app/domain/anomalies.ts: trailing 28-day median and MAD) flags, each explained by its top
 * movers (owner, metric, resource against their median over the same baseline days), and their
 * acknowledgement by a finance admin (audited: entity `anomaly`, action `acknowledge`).
 *
 * Anomalies are computed on every read from the persisted daily allocation (`allocation_results`,
 * the team's direct cost plus its share of the unallocated row); only acknowledgements are stored.
 *
 * - Real teams only: the pseudo-teams `unmapped` and `unallocated` (and `other teams`) are left
 *   out. Their spend swings with the crosswalk and the vendor's credits rather than with anyone's
 *   usage, nobody owns them, and the unmapped queue and reconciliation already watch them.
 * - A team_viewer (`visible`) sees its visible teams only; nothing of the others is read.
 * - A day of data (any team has a daily row, in the chosen orgs) on which a team has no row is a
 *   0 for it from its first day in the window on, so a team whose spend stops is a drop.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import { dailyDataDays, getTeamMoverRows, MOVER_RANGE_MAX_DAYS, ownerDisplayNames, type MoverDbRow } from "../../db/queries/anomalies";
import { writeAudit } from "../../db/queries/audit";
import { getTeamDaily, insertAnomalyAck, listAnomalyAcks } from "../../db/queries/budgets";
import { ANOMALY_DEFAULTS, detectAnomalies, moversDelta, topMovers, type Anomaly, type DailyPoint, type Mover } from "../domain/anomalies";
import { InputError } from "../domain/errors";
import { dec, fmt4 } from "../domain/money";
import { addDays, isValidDate, toDayNumber } from "../domain/periods";
import type { Visible } from "../domain/scope";
import { isReservedTeamName } from "../domain/vocabulary";

/** Movers listed per flagged day. */
export const TOP_MOVERS = 5;
/** The longest range `listAnomalies` answers for (the history before it is read too). */
export const ANOMALY_RANGE_MAX_DAYS = 400;

export interface AnomalyMover extends Mover {
  displayName: string | null;
}

export interface TeamAnomaly extends Anomaly {
  team: string;
  /** cost − baseline (4 dp) */
  delta: string;
  /** the top movers (at most TOP_MOVERS), by |delta|; [] when `movers: false` */
  movers: AnomalyMover[];
  /** Σ of the listed movers' deltas (4 dp) */
  explained: string;
  ack: { by: string; at: string; note: string | null } | null;
}

export interface ListAnomaliesParams {
  /** inclusive YYYY-MM-DD: the flagged days listed; the 28 days before `from` are the first baseline */
  from: string;
  to: string;
  orgIds?: string[];
  /** a team_viewer's visible teams (app/domain/scope.ts); null or absent: every team */
  visible?: Visible;
  /** only these teams */
  teams?: string[];
  /** compute the movers (default true); the team page only marks the days */
  movers?: boolean;
}

function checkRange(from: string, to: string) {
  if (!isValidDate(from)) throw new InputError(`invalid from date ${JSON.stringify(from)}: expected YYYY-MM-DD`, { field: "from" });
  if (!isValidDate(to)) throw new InputError(`invalid to date ${JSON.stringify(to)}: expected YYYY-MM-DD`, { field: "to" });
  if (from > to) throw new InputError(`from (${from}) is after to (${to})`, { field: "from" });
  if (toDayNumber(to) - toDayNumber(from) + 1 > ANOMALY_RANGE_MAX_DAYS) {
    throw new InputError(`anomalies are listed over at most ${ANOMALY_RANGE_MAX_DAYS} days`, { field: "from" });
  }
}

/** The teams to look at: the requested ones within the visible ones, without pseudo-teams; null = every real team. */
function teamsToRead(p: ListAnomaliesParams): string[] | null {
  let teams: string[] | null = p.teams ? [...p.teams] : null;
  if (p.visible) teams = teams ? teams.filter((t) => p.visible!.includes(t)) : [...p.visible];
  return teams ? teams.filter((t) => !isReservedTeamName(t)) : null;
}

/** The flagged days in [from, to] of every (visible, requested) team, newest first, then by |delta|. */
export async function listAnomalies(db: Db, p: ListAnomaliesParams): Promise<TeamAnomaly[]> {
  checkRange(p.from, p.to);
  const teams = teamsToRead(p);
  if (teams !== null && teams.length === 0) return [];
  const historyFrom = addDays(p.from, -ANOMALY_DEFAULTS.windowDays);
  const orgIds = p.orgIds?.length ? p.orgIds : undefined;
  const rows = await getTeamDaily(db, { from: historyFrom, to: p.to, orgIds, teams: teams ?? undefined });
  const dataDays = await dailyDataDays(db, { from: historyFrom, to: p.to, orgIds });

  const byTeam = new Map<string, DailyPoint[]>();
  for (const r of rows) {
    if (isReservedTeamName(r.team)) continue;
    if (teams !== null && !teams.includes(r.team)) continue;
    (byTeam.get(r.team) ?? byTeam.set(r.team, []).get(r.team)!).push({ date: r.day, cost: r.total });
  }

  const flagged: Array<{ team: string; a: Anomaly; series: Set<string> }> = [];
  for (const [team, points] of byTeam) {
    const seen = new Set(points.map((x) => x.date));
    const first = points.reduce((m, x) => (x.date < m ? x.date : m), points[0]!.date);
    const series = [...points];
    for (const d of dataDays) if (d >= first && !seen.has(d)) series.push({ date: d, cost: "0" });
    const days = new Set(series.map((x) => x.date));
    for (const a of detectAnomalies(series)) if (a.date >= p.from && a.date <= p.to) flagged.push({ team, a, series: days });
  }

  const acks = new Map((await listAnomalyAcks(db, { from: p.from, to: p.to })).map((r) => [`${r.team}\u0000${r.day}`, r]));
  const out: TeamAnomaly[] = flagged.map(({ team, a }) => {
    const ack = acks.get(`${team}\u0000${a.date}`);
    return {
      team,
      ...a,
      delta: fmt4(dec(a.cost).minus(dec(a.baseline))),
      movers: [],
      explained: "0.0000",
      ack: ack ? { by: ack.acked_by, at: ack.acked_at, note: ack.note } : null,
    };
  });

  if (p.movers !== false) {
    const movers = await moversOf(
      db,
      flagged.map((f) => ({ team: f.team, day: f.a.date, series: f.series })),
      orgIds,
    );
    const ids = [...new Set([...movers.values()].flat().map((m) => m.ownerId))];
    const names = await ownerDisplayNames(db, ids, orgIds);
    for (const x of out) {
      const ms = movers.get(`${x.team}\u0000${x.date}`) ?? [];
      x.movers = ms.map((m) => ({ ...m, displayName: names.get(m.ownerId) ?? null }));
      x.explained = moversDelta(ms);
    }
  }

  return out.sort(
    (a, b) =>
      (a.date < b.date ? 1 : a.date > b.date ? -1 : 0) ||
      dec(b.delta).abs().comparedTo(dec(a.delta).abs()) ||
      (a.team < b.team ? -1 : a.team > b.team ? 1 : 0),
  );
}

/**
 * The top movers of each flagged (team, day): its rows against the same baseline days the
 * detector used (the team's days of data in [day − 28, day − 1]). The mover rows of a team are
 * read once for flagged days close together (one read covers at most MOVER_RANGE_MAX_DAYS days).
 */
async function moversOf(
  db: Db,
  flagged: Array<{ team: string; day: string; series: Set<string> }>,
  orgIds: string[] | undefined,
): Promise<Map<string, Mover[]>> {
  const out = new Map<string, Mover[]>();
  const w = ANOMALY_DEFAULTS.windowDays;
  const byTeam = new Map<string, typeof flagged>();
  for (const f of flagged) (byTeam.get(f.team) ?? byTeam.set(f.team, []).get(f.team)!).push(f);
  for (const [team, fs] of byTeam) {
    fs.sort((a, b) => (a.day < b.day ? -1 : 1));
    let i = 0;
    while (i < fs.length) {
      // a group: the flagged days whose windows fit in one read
      const start = addDays(fs[i]!.day, -w);
      let j = i;
      while (j + 1 < fs.length && toDayNumber(fs[j + 1]!.day) - toDayNumber(start) + 1 <= MOVER_RANGE_MAX_DAYS) j++;
      const rows = await getTeamMoverRows(db, { team, from: start, to: fs[j]!.day, orgIds });
      const byDay = new Map<string, MoverDbRow[]>();
      for (const r of rows) (byDay.get(r.day) ?? byDay.set(r.day, []).get(r.day)!).push(r);
      const asMover = (rs: MoverDbRow[] | undefined) =>
        (rs ?? []).map((r) => ({ ownerId: r.owner_id, metric: r.metric, resourceId: r.resource_id, cost: r.cost }));
      for (const f of fs.slice(i, j + 1)) {
        const baseline: ReturnType<typeof asMover>[] = [];
        for (let k = w; k >= 1; k--) {
          const d = addDays(f.day, -k);
          if (f.series.has(d)) baseline.push(asMover(byDay.get(d)));
        }
        out.set(`${team}\u0000${f.day}`, topMovers(asMover(byDay.get(f.day)), baseline, { limit: TOP_MOVERS }));
      }
      i = j + 1;
    }
  }
  return out;
}

export const acknowledgeSchema = z.object({
  team: z.string().trim().min(1, "Which team?").max(200, "The team name is too long."),
  day: z
    .string()
    .trim()
    .refine((d) => isValidDate(d), "The day must be a date (YYYY-MM-DD)."),
  note: z
    .string()
    .trim()
    .max(1000, "The note must be at most 1000 characters.")
    .optional()
    .transform((s) => (s ? s : null)),
});

/**
 * Acknowledges the flagged day of a team (audited). The day must be flagged now (for `orgIds`
 * when given, as the page showed it); acknowledging it again changes nothing (`already`).
 */
export async function acknowledgeAnomaly(
  db: Db,
  actor: string,
  input: { team: unknown; day: unknown; note?: unknown; orgIds?: string[] },
): Promise<{ anomaly: TeamAnomaly; already: boolean }> {
  const r = acknowledgeSchema.safeParse({ team: input.team, day: input.day, note: input.note ?? undefined });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError(issue.message, { field: String(issue.path[0] ?? "") || undefined });
  }
  const { team, day, note } = r.data;
  const [anomaly] = await listAnomalies(db, { from: day, to: day, teams: [team], orgIds: input.orgIds, movers: false });
  if (!anomaly) {
    throw new InputError(`${team} has no anomaly on ${day}: only a day the detector flags now can be acknowledged.`, { field: "day" });
  }
  return db.transaction(async (tx) => {
    const inserted = await insertAnomalyAck(tx, { team, day, note, actor });
    if (!inserted) return { anomaly, already: true };
    await writeAudit(tx, {
      actor,
      action: "acknowledge",
      entity: "anomaly",
      entityId: `${team}/${day}`,
      before: null,
      after: { team, day, note, cost: anomaly.cost, baseline: anomaly.baseline, score: anomaly.score, direction: anomaly.direction },
    });
    return { anomaly: { ...anomaly, ack: { by: actor, at: new Date().toISOString(), note } }, already: false };
  });
}
