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
  // the journal's GL accounts (docs/journal.md): the every-org suspense account needs nothing seeded
  "routes/admin.gl-accounts": {
    path: "/admin/gl-accounts",
    form: { intent: "save", scope: "suspense", key: "*", org_id: "", account: "6999" },
  },
};
