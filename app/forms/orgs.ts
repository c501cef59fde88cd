/** The Organizations page's forms (app/routes/admin.orgs.tsx), one schema per intent. */
import { z } from "zod";
import { isPolicyKind, type PolicyKind } from "../domain/policies";
import { rawText, text } from "./admin-fields";

/** The form field of each policy kind that has parameters: its value is the text after `<kind>:`. */
export const POLICY_FIELD_NAMES: Partial<Record<PolicyKind, string>> = { shared: "shared_team", fixed: "fixed_shares" };

export const createOrgSchema = z.object({ intent: z.literal("create"), org_id: text(), display_name: rawText() });

/**
 * Display name, policy and tolerance of one org. The policy's text form (app/domain/policies.ts)
 * is `<kind>` or `<kind>:<its form field>`; the service parses and checks it.
 */
export const saveOrgSchema = z
  .object({
    intent: z.literal("save"),
    org_id: text(),
    display_name: rawText(),
    policy_kind: z
      .string()
      .optional()
      .transform((v) => v ?? "proportional"),
    shared_team: text(),
    fixed_shares: text(),
    tolerance: rawText(),
  })
  .transform((v) => {
    const field = isPolicyKind(v.policy_kind) ? POLICY_FIELD_NAMES[v.policy_kind] : undefined;
    const param = field === "shared_team" ? v.shared_team : field === "fixed_shares" ? v.fixed_shares : undefined;
    return {
      orgId: v.org_id,
      displayName: v.display_name,
      policy: param === undefined ? v.policy_kind : `${v.policy_kind}:${param}`,
      tolerance: v.tolerance,
    };
  });
