/**
 * The alerts page (app/routes/alerts.tsx) in the shared access test: any signed-in role
 * subscribes its own email to a team it can see (the least role is team_viewer; the access
 * test's scoped viewer sees `payments`). tests/integration/alerts-web.test.ts covers the rest.
 */
import type { Db } from "../../../db/client";
import { ensureTeam } from "../../../app/services/teams";

export const alertCases: Record<
  string,
  { path: string; form: Record<string, string>; setup: (db: Db) => Promise<void>; role: "team_viewer" }
> = {
  "routes/alerts": {
    path: "/alerts",
    form: { intent: "subscribe", scope: "team", name: "payments", channel: "email", target: "" },
    setup: async (db) => {
      await ensureTeam(db, "seed", "payments", null);
    },
    role: "team_viewer",
  },
};
