/** The Teams page's forms (app/routes/admin.teams.tsx), one schema per intent; the New team form also validates in the browser. */
import { z } from "zod";
import { costCenterProblem, teamNameProblem } from "../domain/teams";
import { rowId, text } from "./admin-fields";

const check = (problem: (v: string) => string | null) => (v: string | undefined, ctx: z.RefinementCtx) => {
  const p = problem(v ?? "");
  if (p) ctx.addIssue({ code: "custom", message: p });
};

/** Name and cost center checked by the rules the service applies (app/domain/teams.ts), same messages. */
export const createTeamSchema = z.object({
  intent: z.literal("create"),
  name: z
    .string()
    .optional()
    .superRefine(check(teamNameProblem))
    .transform((v) => (v ?? "").trim()),
  cost_center: z
    .string()
    .optional()
    .superRefine(check(costCenterProblem))
    .transform((v) => (v ?? "").trim() || null),
});

// The other intents name a team by id: the service checks it exists before the new value.
export const renameTeamSchema = z.object({ intent: z.literal("rename"), id: rowId(), name: text() });
export const moveTeamSchema = z.object({ intent: z.literal("move"), id: rowId(), cost_center: text().transform((v) => v || null) });
export const archiveTeamSchema = z.object({ intent: z.enum(["archive", "unarchive"]), id: rowId() });
export const deleteTeamSchema = z.object({ intent: z.literal("delete"), id: rowId() });
