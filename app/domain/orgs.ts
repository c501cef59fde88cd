/** What an organization id may be (docs/architecture.md): one rule for the admin page, the upload page and the org services. */
import { InputError } from "./errors";

const ORG_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** Why `orgId` (trimmed) cannot be an organization id, or null when it can. */
export function orgIdProblem(orgId: string): string | null {
  return ORG_ID_RE.test(orgId.trim())
    ? null
    : "An organization id is letters, digits, dots, dashes, colons or underscores (e.g. org-a1b2c3 or a UUID).";
}

/** The trimmed organization id; InputError (field `org_id`) when it is not one. */
export function checkOrgId(orgId: string): string {
  const p = orgIdProblem(orgId);
  if (p) throw new InputError(p, { field: "org_id" });
  return orgId.trim();
}
