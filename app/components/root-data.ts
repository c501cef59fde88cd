import { useRouteLoaderData } from "@remix-run/react";

import type { Role } from "~/domain/vocabulary";

export type { Role };
export interface RootUser {
  id: number;
  email: string;
  role: Role;
  /** team_viewer only: the teams and cost centers it may see */
  scope: { teams: string[]; costCenters: string[] } | null;
}
/** What the root loader returns (see app/root.tsx). */
export interface RootData {
  user: RootUser | null;
  csrf: string | null;
  authMode: "password" | "header";
}

export function useRootData(): RootData | undefined {
  return useRouteLoaderData("root") as RootData | undefined;
}

/** The signed-in user as seen by the layout (null on /login). */
export function useOptionalUser(): RootUser | null {
  return useRootData()?.user ?? null;
}

export const roleLabel = (role: Role) => (role === "finance_admin" ? "Finance admin" : role === "team_viewer" ? "Team viewer" : "Viewer");
