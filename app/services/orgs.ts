/**
 * Organization use cases (docs/allocation.md, docs/reconciliation.md), shared by the
 * Organizations page and `npm run orgs`: the same checks and messages on both.
 */
import { InputError } from "../domain/errors";
import { dec, parseNonNegativeDecimal } from "../domain/money";
import { checkOrgId } from "../domain/orgs";
import { formatPolicy, parsePolicy } from "../domain/policies";
import type { Db } from "../../db/client";
import { recomputeOrgRange } from "./allocation";
import { writeAudit } from "../../db/queries/audit";
import { ensureOrg, getOrg, lockOrg, policyToStore, updateOrg, type OrgRow } from "../../db/queries/orgs";

/** A new org row (the id checked), audited as created. */
async function insertOrg(tx: Db, actor: string, orgId: string, displayName: string | null): Promise<OrgRow> {
  const id = checkOrgId(orgId);
  if (await getOrg(tx, id)) throw new InputError(`Organization ${id} already exists.`, { field: "org_id" });
  await ensureOrg(tx, id);
  if (displayName && displayName.trim()) await updateOrg(tx, id, { displayName: displayName.trim() });
  const row = (await getOrg(tx, id))!;
  await writeAudit(tx, { actor, action: "create", entity: "organization", entityId: id, after: row });
  return row;
}

export async function createOrg(db: Db, actor: string, orgId: string, displayName: string | null): Promise<OrgRow> {
  return db.transaction((tx) => insertOrg(tx, actor, orgId, displayName));
}

/**
 * Updates display name, policy and tolerance of an existing org; a policy change recomputes
 * the whole org's allocation in the same transaction (docs/allocation.md). Nothing given
 * that differs from what is stored: no write, no audit entry. An empty display name clears it.
 * An unknown org is refused, or with `createIfMissing` (`npm run orgs -- set`) created as
 * createOrg does (the id checked, audited) in the same transaction.
 */
export async function saveOrgSettings(
  db: Db,
  actor: string,
  orgId: string,
  p: { displayName?: string | null; policy?: string; tolerance?: string },
  opts: { createIfMissing?: boolean } = {},
): Promise<{ org: OrgRow; recomputed: boolean }> {
  let policy: string | undefined;
  if (p.policy !== undefined) {
    try {
      policy = formatPolicy(parsePolicy(p.policy.trim()));
    } catch (e) {
      throw new InputError((e as Error).message, { field: "policy" });
    }
  }
  let tolerance: string | undefined;
  if (p.tolerance !== undefined) {
    const t = p.tolerance.trim();
    if (!parseNonNegativeDecimal(t).ok)
      throw new InputError(`Tolerance "${t}" must be a non-negative decimal amount in USD, e.g. 0.01.`, { field: "tolerance" });
    tolerance = t;
  }
  return db.transaction(async (tx) => {
    await lockOrg(tx, orgId);
    let before = await getOrg(tx, orgId);
    if (!before && opts.createIfMissing) before = await insertOrg(tx, actor, orgId, null);
    if (!before) throw new InputError(`Unknown organization ${orgId}.`, { field: "org_id" });
    if (policy !== undefined) await policyToStore(tx, policy); // its teams must exist (InputError)
    const displayName = p.displayName === undefined ? undefined : p.displayName && p.displayName.trim() ? p.displayName.trim() : null;
    const changed =
      (policy !== undefined && policy !== before.policy) ||
      (displayName !== undefined && displayName !== before.display_name) ||
      (tolerance !== undefined && !dec(tolerance).eq(dec(before.tolerance)));
    if (!changed) return { org: before, recomputed: false };
    const org = await updateOrg(tx, orgId, { policy, displayName, tolerance });
    await writeAudit(tx, { actor, action: "update", entity: "organization", entityId: orgId, before, after: org });
    const recomputed = policy !== undefined && policy !== before.policy;
    if (recomputed) await recomputeOrgRange(tx, orgId, null, null, { detailsOwnerIds: [] }); // a policy moves only U
    return { org, recomputed };
  });
}
