/** Valid finance-admin sample payloads for the admin workspace action routes (wired into the shared access test). Work on an empty database. */
export const adminCases: Record<string, { path: string; form: Record<string, string>; multipart?: boolean }> = {
  // discarding an unknown upload token is a harmless no-op that answers 200
  "routes/imports.new": {
    path: "/imports/new",
    form: { intent: "cancel", token: "" },
  },
  "routes/crosswalk._index": {
    path: "/crosswalk?index",
    form: { intent: "create", org_id: "org-access", owner_id: "sa-access-1", team: "access-team", valid_from: "2026-01-01", valid_to: "" },
  },
  "routes/crosswalk.unmapped": {
    path: "/crosswalk/unmapped",
    form: { org_id: "org-access", owner_id: "sa-access-2", team: "access-team", cost_center: "", valid_from: "2026-01-01" },
  },
  "routes/crosswalk.rules": {
    path: "/crosswalk/rules",
    form: { intent: "create", name: "access rule", org_id: "org-access", owner_id: "sa-access-3", team: "access-team" },
  },
  "routes/admin.teams": {
    path: "/admin/teams",
    form: { intent: "create", name: "access-team-2", cost_center: "CC-ACCESS" },
  },
  "routes/admin.orgs": {
    path: "/admin/orgs",
    form: { intent: "create", org_id: "org-access-2", display_name: "Access sample" },
  },
};
