/**
 * The alert evaluators (issue 16, docs/alerts.md): the conditions that hold now, as events with
 * stable keys, so that raising the same condition again delivers nothing new.
 *
 * - **Budget thresholds**: for every team and cost center with a budget in force for the
 *   data's current month, each threshold (SHOWBACK_ALERT_THRESHOLDS, percent of the budget,
 *   default 80,100) reached by the forecast or by the actual spend. Key
 *   `budget:<scope>:<name>:<org|*>:<month>:<threshold>:<actual|forecast>`: a threshold first
 *   reached by the forecast alerts once, and once more when the actual spend reaches it.
 * - **Anomalies**: the flagged days not acknowledged in the last 7 days of data, per team
 *   (app/services/anomalies.ts). Key `anomaly:<team>:<day>`: each day alerts once.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import type { AlertEvent } from "../domain/alerts";
import { DEFAULT_THRESHOLDS, thresholdCrossings } from "../domain/budgets";
import { InputError } from "../domain/errors";
import { dec } from "../domain/money";
import { dataSpan } from "../../db/queries/freshness";
import { addDays } from "../domain/periods";
import { listAnomalies } from "./anomalies";
import { listBudgetStatuses } from "./budget-status";

const thresholdsSchema = z
  .string()
  .optional()
  .transform((s, ctx) => {
    if (!s || !s.trim()) return [...DEFAULT_THRESHOLDS];
    const xs = s.split(",").map((x) => x.trim());
    const out: number[] = [];
    for (const x of xs) {
      const n = Number(x);
      if (!/^\d+(\.\d+)?$/.test(x) || !(n > 0) || n > 1000) {
        ctx.addIssue({ code: "custom", message: `SHOWBACK_ALERT_THRESHOLDS: ${JSON.stringify(x)} is not a percentage (e.g. 80,100)` });
        return z.NEVER;
      }
      out.push(n);
    }
    return [...new Set(out)].sort((a, b) => a - b);
  });

/** SHOWBACK_ALERT_THRESHOLDS (percent of the budget, comma-separated; default 80,100). */
export function alertThresholds(env: NodeJS.ProcessEnv = process.env): number[] {
  const r = thresholdsSchema.safeParse(env.SHOWBACK_ALERT_THRESHOLDS);
  if (!r.success) throw new InputError(r.error.issues.map((i) => i.message).join("; "));
  return r.data;
}

/** `$12,345.67` (exact to the cent) */
function usd(v: string): string {
  const [i, f] = dec(v).abs().toFixed(2).split(".");
  return `${dec(v).isNegative() ? "-" : ""}$${i!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${f}`;
}

const STATUS_WORDS = { over: "over budget", at_risk: "at risk", on_track: "on track" } as const;

/** The budget threshold events that hold now. */
export async function budgetAlertEvents(db: Db, opts: { thresholds?: number[]; now?: Date } = {}): Promise<AlertEvent[]> {
  const thresholds = opts.thresholds ?? alertThresholds();
  const now = (opts.now ?? new Date()).toISOString();
  const out: AlertEvent[] = [];
  for (const s of await listBudgetStatuses(db)) {
    if (s.budget === null) continue;
    for (const c of thresholdCrossings({ spent: s.spent, forecast: s.forecast, budget: s.budget, thresholds })) {
      const who = `${s.scope === "team" ? "Team" : "Cost center"} ${s.name}`;
      const what =
        c.basis === "actual" ? `has spent ${c.threshold} % of its budget` : `is forecast to reach ${c.threshold} % of its budget`;
      out.push({
        key: `budget:${s.scope}:${s.name.replace(/\s+/g, "_")}:${s.budgetOrg ?? "*"}:${s.month}:${c.threshold}:${c.basis}`,
        kind: "budget_threshold",
        subject: { scope: s.scope, name: s.name },
        title: `${who} ${what} for ${s.month}`,
        text:
          `${who}: spent ${usd(s.spent)} of ${usd(s.budget)} in ${s.month} (data through ${s.asOf}), ` +
          `forecast ${usd(s.forecast)} (range ${usd(s.low)} – ${usd(s.high)}): ${STATUS_WORDS[s.status!]}.`,
        data: {
          month: s.month,
          as_of: s.asOf,
          threshold_pct: c.threshold,
          basis: c.basis,
          spent: s.spent,
          forecast: s.forecast,
          forecast_low: s.low,
          forecast_high: s.high,
          budget: s.budget,
          budget_org: s.budgetOrg,
          status: s.status,
        },
        occurredAt: now,
      });
    }
  }
  return out;
}

/** Days of data (ending on the last day with data) whose flagged days raise an alert. */
export const ANOMALY_ALERT_DAYS = 7;

/** The anomaly events: the flagged, not acknowledged days of each team in the last 7 days of data. */
export async function anomalyAlertEvents(db: Db, opts: { now?: Date } = {}): Promise<AlertEvent[]> {
  const span = await dataSpan(db);
  if (!span) return [];
  const now = (opts.now ?? new Date()).toISOString();
  const from = addDays(span.last, -(ANOMALY_ALERT_DAYS - 1));
  const out: AlertEvent[] = [];
  for (const a of await listAnomalies(db, { from: from < span.first ? span.first : from, to: span.last })) {
    if (a.ack) continue;
    const movers = a.movers.slice(0, 3);
    out.push({
      key: `anomaly:${a.team.replace(/\s+/g, "_")}:${a.date}`,
      kind: "anomaly",
      subject: { scope: "team", name: a.team },
      title: `Team ${a.team}: spend ${a.direction === "spike" ? "spike" : "drop"} on ${a.date}`,
      text:
        `Team ${a.team} spent ${usd(a.cost)} on ${a.date} against a usual ${usd(a.baseline)} (score ${a.score}).` +
        (movers.length
          ? ` Top movers: ${movers.map((m) => `${m.displayName ?? m.ownerId} ${m.metric}${m.resourceId ? ` on ${m.resourceId}` : ""} ${dec(m.delta).isNegative() ? "" : "+"}${usd(m.delta)}`).join("; ")}.`
          : ""),
      data: {
        day: a.date,
        cost: a.cost,
        baseline: a.baseline,
        delta: a.delta,
        score: a.score,
        direction: a.direction,
        movers: movers.map((m) => ({ owner_id: m.ownerId, metric: m.metric, resource_id: m.resourceId, delta: m.delta })),
      },
      occurredAt: now,
    });
  }
  return out;
}
