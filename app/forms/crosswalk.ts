/**
 * The crosswalk editor's and the unmapped queue's forms (app/routes/crosswalk._index.tsx,
 * app/routes/crosswalk.unmapped.tsx), one schema per intent. An entry is checked by the
 * crosswalk rules (app/domain/crosswalk.ts) in the browser and on the server alike.
 */
import { z } from "zod";
import { parseValidFrom, validateCrosswalkEntry, type CrosswalkEntry } from "../domain/crosswalk";
import { isValidDate } from "../domain/periods";
import { isReservedTeamName } from "../domain/vocabulary";
import { rowId, text } from "./admin-fields";

const FIELDS = ["org_id", "owner_id", "team", "valid_from", "valid_to"] as const;

/** Every problem of an entry typed in a form: the entry rules, then the pseudo-team and "unallocated" owner. */
export function entryFormProblems(e: CrosswalkEntry): Array<{ field: string; message: string }> {
  const problems = validateCrosswalkEntry(e).map((message) => ({
    field: FIELDS.find((f) => message.startsWith(`${f} `)) ?? "org_id",
    message,
  }));
  if (isReservedTeamName(e.team.toLowerCase()))
    problems.push({ field: "team", message: `"${e.team}" is a pseudo-team and cannot be mapped to` });
  if (e.ownerId.toLowerCase() === "unallocated")
    problems.push({ field: "owner_id", message: `"unallocated" is not an owner that can be mapped; it is spread by the org's policy` });
  return problems;
}

const entryShape = {
  org_id: text(),
  owner_id: text(),
  team: text(),
  // empty: since the beginning
  valid_from: text().transform(parseValidFrom),
  valid_to: text().transform((v) => v || null),
  note: text().transform((v) => v || null),
  cost_center: text().transform((v) => v || null),
};

type EntryFields = { [K in keyof typeof entryShape]: z.output<(typeof entryShape)[K]> };

const toEntry = (v: EntryFields) => ({ orgId: v.org_id, ownerId: v.owner_id, team: v.team, validFrom: v.valid_from, validTo: v.valid_to });

/** All of an entry's problems in one message (joined by "; "), on the field of the first. */
function checkEntry(v: EntryFields, ctx: z.RefinementCtx) {
  const problems = entryFormProblems(toEntry(v));
  if (problems.length) ctx.addIssue({ code: "custom", message: problems.map((p) => p.message).join("; "), path: [problems[0].field] });
}

const entryOf = (v: EntryFields) => ({ ...toEntry(v), note: v.note, costCenter: v.cost_center });

export const createEntrySchema = z
  .object({ intent: z.literal("create"), ...entryShape })
  .superRefine(checkEntry)
  .transform(entryOf);
export const updateEntrySchema = z
  .object({ intent: z.literal("update"), id: rowId(), ...entryShape })
  .superRefine(checkEntry)
  .transform((v) => ({ id: v.id, ...entryOf(v) }));
/** The unmapped queue's Assign form: an open-ended entry. */
export const assignEntrySchema = z
  .object(entryShape)
  .superRefine(checkEntry)
  .transform((v) => ({ ...entryOf(v), validTo: null }));

export const endDateSchema = z.object({
  intent: z.literal("end_date"),
  id: rowId(),
  valid_to: text().superRefine((to, ctx) => {
    if (!isValidDate(to)) ctx.addIssue({ code: "custom", message: `"${to}" is not a date (YYYY-MM-DD).` });
  }),
});
export const deleteEntrySchema = z.object({ intent: z.literal("delete"), id: rowId() });

const mode = () => text().transform((m): "merge" | "replace" => (m === "replace" ? "replace" : "merge"));
/** The file itself (`csv_file`) is read by the route; pasted text is the fallback. */
export const bulkPreviewSchema = z.object({ intent: z.literal("bulk_preview"), mode: mode(), csv_text: z.string().optional() });
export const bulkApplySchema = z.object({
  intent: z.literal("bulk_apply"),
  mode: mode(),
  csv: z
    .string()
    .optional()
    .transform((v) => v ?? ""),
});
/** The file itself (`names_file`) is read by the route; pasted text is the fallback. */
export const ownerNamesSchema = z.object({ intent: z.literal("names"), names_text: z.string().optional() });

// ---------------------------------------------------------------- the unmapped queue's work list

/** The queue's "Accept" button: an open-ended entry to the suggested team, the evidence as its note. */
export const acceptSuggestionSchema = z
  .object({ intent: z.literal("accept"), ...entryShape })
  .superRefine(checkEntry)
  .transform((v) => ({ ...entryOf(v), validTo: null }));

/** An owner ticked in the queue: the JSON pair `["org_id","owner_id"]` (any id is safe in it). */
const ownerRef = z.string().transform((v, ctx) => {
  try {
    const x: unknown = JSON.parse(v);
    if (Array.isArray(x) && x.length === 2 && typeof x[0] === "string" && typeof x[1] === "string") return { orgId: x[0], ownerId: x[1] };
  } catch {
    // reported below
  }
  ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not an owner of the queue` });
  return z.NEVER;
});

/** The queue's bulk assign: the ticked owners, each to one team from one date, open-ended. */
export const bulkAssignSchema = z
  .object({
    intent: z.literal("bulk_assign"),
    owners: z.array(ownerRef),
    team: entryShape.team,
    cost_center: entryShape.cost_center,
    valid_from: entryShape.valid_from,
  })
  .superRefine((v, ctx) => {
    if (v.owners.length === 0) {
      ctx.addIssue({ code: "custom", message: "Tick at least one owner to assign.", path: ["owners"] });
      return;
    }
    for (const o of v.owners) {
      const problems = entryFormProblems({ ...o, team: v.team, validFrom: v.valid_from, validTo: null });
      if (problems.length) {
        const field = problems[0].field === "team" || problems[0].field === "valid_from" ? problems[0].field : "owners";
        ctx.addIssue({ code: "custom", message: `${o.orgId}/${o.ownerId}: ${problems.map((p) => p.message).join("; ")}`, path: [field] });
        return;
      }
    }
  })
  .transform((v) => {
    const seen = new Set<string>();
    const owners = v.owners.filter((o) => {
      const k = JSON.stringify([o.orgId, o.ownerId]);
      return seen.has(k) ? false : (seen.add(k), true);
    });
    return { owners, team: v.team, costCenter: v.cost_center, validFrom: v.valid_from };
  });
