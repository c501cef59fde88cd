/**
 * The read API's routes (docs/api.md), wired into the shared access test: they take a bearer
 * token, never a session, so an anonymous request gets a JSON 401 instead of the /login
 * redirect; the OpenAPI document is public. tests/integration/api.test.ts covers them in depth.
 */
export const apiRoutes: Record<string, { path: string; anonymousStatus: 200 | 401 }> = {
  "routes/api.v1.report": { path: "/api/v1/report", anonymousStatus: 401 },
  "routes/api.v1.reconciliation": { path: "/api/v1/reconciliation", anonymousStatus: 401 },
  "routes/api.v1.unmapped": { path: "/api/v1/unmapped", anonymousStatus: 401 },
  "routes/api.v1.teams.$team": { path: "/api/v1/teams/sample", anonymousStatus: 401 },
  "routes/api.v1.openapi[.]json": { path: "/api/v1/openapi.json", anonymousStatus: 200 },
};

let seq = 0;
/** The finance-admin page that issues and revokes tokens (a valid payload: a service client's token). */
export const tokenCases: Record<string, { path: string; form: () => Promise<Record<string, string>> }> = {
  "routes/admin.tokens": {
    path: "/admin/tokens",
    form: async () => ({ intent: "create", kind: "client", client: `access-${++seq}`, role: "viewer", name: "access sample" }),
  },
};
