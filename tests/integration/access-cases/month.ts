/** Valid finance-admin sample payloads for the month-end action routes (wired into the shared access test). */
export const monthCases: Record<string, { path: string; form: Record<string, string> }> = {
  "routes/reconciliation": {
    path: "/reconciliation?month=2026-04",
    form: { intent: "invoice", org_id: "org-vendor", month: "2026-04", amount: "27.50" },
  },
};
