/** Valid finance-admin sample payloads for the month-end action routes (wired into the shared access test). */
import type { Db } from "../../../db/client";

export const monthCases: Record<string, { path: string; form: Record<string, string>; setup?: (db: Db) => Promise<void> }> = {
  "routes/reconciliation": {
    path: "/reconciliation?month=2026-04",
    form: { intent: "invoice", org_id: "org-vendor", month: "2026-04", amount: "27.50" },
    // the invoice needs a known organization
    setup: async (db) => {
      await db.query(`insert into organizations (org_id) values ('org-vendor') on conflict (org_id) do nothing`);
    },
  },
};
