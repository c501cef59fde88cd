/**
 * Saved views (app/routes/views.tsx, issue 15) in the shared access test: any signed-in role
 * saves and deletes its own views (the least role is team_viewer), with the CSRF token and Origin
 * checks of every action. tests/integration/saved-views.test.ts covers the rest.
 */
let seq = 0;

export const viewCases: Record<string, { path: string; form: () => Promise<Record<string, string>>; role: "team_viewer" }> = {
  "routes/views": {
    path: "/views",
    form: async () => ({ intent: "save", name: `sample view ${++seq}`, path: "/teams", query: "period=last-3-months&gran=monthly" }),
    role: "team_viewer",
  },
};
