/** Valid finance-admin sample payloads for the budgets page (wired into the shared access test). */
import type { Db } from "../../../db/client";
import { ensureTeam } from "../../../app/services/teams";

export const budgetCases: Record<string, { path: string; form: Record<string, string>; setup?: (db: Db) => Promise<void> }> = {
  // a budget names a known team: seed it (idempotent, the setup runs before each post)
  "routes/admin.budgets": {
    path: "/admin/budgets",
    form: { intent: "set", scope: "team", name: "budget-access", amount: "1000.00", from_month: "2026-01", org_id: "" },
    setup: async (db) => {
      await ensureTeam(db, "seed", "budget-access", "CC-BUDGET");
    },
  },
};
