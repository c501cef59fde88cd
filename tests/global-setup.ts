/**
 * Names this run's PostgreSQL test databases with a run id and drops them at the end,
 * so aborted or parallel runs never collide and nothing is left behind.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";

export default function setup() {
  const run = randomBytes(3).toString("hex");
  process.env.SHOWBACK_TEST_RUN = run;
  return async () => {
    if (process.env.TEST_DB !== "pg") return;
    const sql = postgres(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test", { max: 1, onnotice: () => {} });
    try {
      const dbs = await sql<{ datname: string }[]>`select datname from pg_database where datname like ${"showback_%" + run + "%"}`;
      for (const d of dbs) await sql.unsafe(`drop database if exists "${d.datname}" with (force)`);
    } finally {
      await sql.end();
    }
  };
}
