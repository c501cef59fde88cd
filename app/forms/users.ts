/**
 * The /admin/users forms (docs/auth.md): one schema per intent. The fields are handed to
 * the users service (app/services/users.ts) as typed: the service validates them for the
 * web and the CLI alike, with the same messages.
 */
import { z } from "zod";

// parseForm turns an empty field into undefined; the default gives the service the empty
// string the browser posted, so an empty email is "not a valid address", as on the CLI
const typed = z.string().default("");

/** A team_viewer's scope: comma-separated team names and cost center codes (the service parses them). */
const scope = { teams: typed, cost_centers: typed };

export const addUserSchema = z.object({ intent: z.literal("add"), email: typed, role: typed, password: typed, ...scope });
export const disableUserSchema = z.object({ intent: z.literal("disable"), email: typed });
export const enableUserSchema = z.object({ intent: z.literal("enable"), email: typed });
export const setRoleSchema = z.object({ intent: z.literal("set-role"), email: typed, role: typed, ...scope });
export const setScopeSchema = z.object({ intent: z.literal("set-scope"), email: typed, ...scope });
export const resetPasswordSchema = z.object({ intent: z.literal("reset-password"), email: typed, password: typed });

export const userIntents = {
  add: addUserSchema,
  disable: disableUserSchema,
  enable: enableUserSchema,
  "set-role": setRoleSchema,
  "set-scope": setScopeSchema,
  "reset-password": resetPasswordSchema,
} as const;
export type UserIntent = keyof typeof userIntents;

export const isUserIntent = (s: string): s is UserIntent => Object.hasOwn(userIntents, s);
