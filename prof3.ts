import { createPostgresDb, type Db } from "./db/client";
import { getDrilldown } from "./db/queries/dashboard";
const db = createPostgresDb("postgres://postgres@127.0.0.1:5432/showback_prof");
const orig = db.query.bind(db);
const times: Array<[number, string, number]> = [];
(db as { query: Db["query"] }).query = (async (text: string, params?: unknown[]) => {
  const t = performance.now(); const r = await orig(text, params); times.push([performance.now() - t, text.replace(/\s+/g, " ").slice(0, 70), r.length]); return r;
}) as Db["query"];
const v = { granularity: "monthly" as const, from: "2026-01-01", to: "2026-12-31" };
for (let i = 0; i < 3; i++) { times.length = 0; const t = performance.now(); await getDrilldown(db, "team", "payments", v); console.log("drilldown", Math.round(performance.now() - t)); }
for (const [ms, q, n] of times) console.log(Math.round(ms), n, q);
await db.close();
