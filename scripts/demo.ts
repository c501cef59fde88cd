/**
 * npm run demo: the embedded database (or DATABASE_URL) is migrated; when it holds no
 * organization yet the demo data set is loaded; a demo finance admin and a demo viewer
 * are created with random passwords printed once; then the built app is served.
 */
import { randomBytes } from "node:crypto";
import { seedUser } from "../app/services/users";
import { openDb } from "../db/migrate";
import { listOrgs } from "../db/queries/orgs";
import { listUsers } from "../db/queries/users";
import { loadDemoData } from "./lib/demo-data";
import { startServer } from "./serve";

const started = Date.now();
const db = await openDb();
if ((await listOrgs(db)).length === 0) {
  process.stdout.write("Loading the demo data set (generated exports for 3 organizations, about six months)…\n");
  const s = await loadDemoData(db, { now: new Date(), log: (l) => process.stdout.write(l + "\n") });
  process.stdout.write(
    `Loaded ${s.rows} rows in ${s.imports} imports (${s.from}..${s.to}) in ${Math.round((Date.now() - started) / 100) / 10} s.\n`,
  );
}
const credentials: string[] = [];
if ((await listUsers(db)).length === 0) {
  for (const [email, role] of [
    ["admin@showback.local", "finance_admin"],
    ["viewer@showback.local", "viewer"],
  ] as const) {
    const password = randomBytes(12).toString("base64url");
    await seedUser(db, { email, role, password });
    credentials.push(`  ${role.padEnd(13)} ${email}  password: ${password}`);
  }
}
const server = await startServer({ db, port: Number(process.env.PORT || 3000), host: process.env.HOST || "127.0.0.1" });
process.stdout.write(`\nShowback demo is running at ${server.url} (ready after ${Math.round((Date.now() - started) / 100) / 10} s)\n`);
if (credentials.length)
  process.stdout.write(`Demo accounts (shown once; reset with npm run users -- reset-password):\n${credentials.join("\n")}\n`);
else process.stdout.write("Sign in with your existing accounts (npm run users -- list).\n");
const stop = async () => {
  await server.close();
  await db.close();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
