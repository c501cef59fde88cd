/**
 * Mapping rules and the resolved crosswalk (docs/crosswalk.md): rows of `crosswalk_rules` and
 * `mapping_segments`, and what the resolver needs to compute segments (usage keys, entries,
 * names). The use cases (validation, audit, recompute) are app/services/mapping.ts.
 */
import { parseRulesJson, ruleToJson, type MappingEntry, type OwnerName, type Rule } from "../../app/domain/rules";
import type { Segment, UsageKey } from "../../app/domain/segments";
import { storedSplit } from "./crosswalk";
import { copyLine, type Db } from "../client";

interface RuleRow {
  id: number;
  position: number;
  org_id: string | null;
  name: string;
  when: unknown;
  then: unknown;
  valid_from: string;
  valid_to: string | null;
}

/** Every rule in priority order (position), with ids. */
export async function loadRules(db: Db): Promise<Rule[]> {
  const rows = await db.query<RuleRow>(
    `select id, position, org_id, name, "when", "then", valid_from::text, valid_to::text from crosswalk_rules order by position, id`,
  );
  const parsed = parseRulesJson(
    rows.map((r) => ({ org_id: r.org_id, name: r.name, when: r.when, then: r.then, valid_from: r.valid_from, valid_to: r.valid_to })),
  );
  if (!parsed.ok) throw new Error(`stored rules do not parse: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  return parsed.rules.map((r, i) => ({ ...r, id: rows[i].id }));
}

/** Replaces the whole rules list with `rules` in this order (ids kept where given). */
export async function writeRules(db: Db, rules: readonly Rule[]): Promise<Rule[]> {
  const keep = rules.filter((r) => r.id !== undefined).map((r) => r.id as number);
  await db.query(`delete from crosswalk_rules where not (id = any($1::int[]))`, [keep]);
  // names are unique: renames that swap two names would clash mid-way, so clear them first
  await db.query(`update crosswalk_rules set name = '~renaming~' || id where id = any($1::int[])`, [keep]);
  const out: Rule[] = [];
  for (const [i, r] of rules.entries()) {
    const j = ruleToJson(r);
    const params = [i + 1, r.orgId, r.name, JSON.stringify(j.when), JSON.stringify(j.then), r.validFrom, r.validTo];
    if (r.id !== undefined) {
      await db.query(
        `update crosswalk_rules set position = $2, org_id = $3, name = $4, "when" = $5::json, "then" = $6::json,
                valid_from = $7, valid_to = $8, updated_at = now() where id = $1`,
        [r.id, ...params],
      );
      out.push(r);
    } else {
      const [{ id }] = await db.query<{ id: number }>(
        `insert into crosswalk_rules (position, org_id, name, "when", "then", valid_from, valid_to)
         values ($1, $2, $3, $4::json, $5::json, $6, $7) returning id`,
        params,
      );
      out.push({ ...r, id });
    }
  }
  return out;
}

/** Records the usage keys of org/granularity's aggregate over bucket starts in [from, to] (ingest, after the aggregate). */
export async function addUsageKeys(db: Db, orgId: string, granularity: string, from: string, to: string): Promise<void> {
  await db.query(
    `insert into usage_keys (org_id, owner_id, environment_id, resource_id, product)
     select distinct org_id, owner_id, environment_id, resource_id, product from owner_bucket_costs
      where org_id = $1 and granularity = $2 and bucket_start between $3::date and $4::date and not is_unallocated
     on conflict do nothing`,
    [orgId, granularity, from, to],
  );
}

/** The usage keys an org's exports have contained (the unallocated row left out), in key order. */
export async function usageKeys(db: Db, orgId: string): Promise<UsageKey[]> {
  const rows = await db.query<{ owner_id: string; environment_id: string; resource_id: string; product: string }>(
    `select owner_id, environment_id, resource_id, product from usage_keys where org_id = $1 order by 1, 2, 3, 4`,
    [orgId],
  );
  return rows.map((r) => ({ orgId, ownerId: r.owner_id, environmentId: r.environment_id, resourceId: r.resource_id, product: r.product }));
}

/** An org's crosswalk entries as the resolver takes them (team or split). */
export async function loadMappingEntries(db: Db, orgId: string): Promise<MappingEntry[]> {
  const rows = await db.query<{
    id: number;
    owner_id: string;
    team: string | null;
    split: unknown;
    valid_from: string;
    valid_to: string | null;
  }>(
    `select c.id, c.owner_id, t.name as team, c.split, c.valid_from::text, c.valid_to::text
       from crosswalk_entries c left join teams t on t.id = c.team_id
      where c.org_id = $1 order by c.owner_id, c.valid_from`,
    [orgId],
  );
  return rows.map((r) => {
    return {
      id: r.id,
      orgId,
      ownerId: r.owner_id,
      team: r.team,
      split: storedSplit(r.split),
      validFrom: r.valid_from,
      validTo: r.valid_to,
    };
  });
}

/** Every display name of an org (owners, environments, clusters). */
export async function orgNames(db: Db, orgId: string): Promise<OwnerName[]> {
  const rows = await db.query<{ owner_id: string; display_name: string }>(
    `select owner_id, display_name from owner_names where org_id = $1`,
    [orgId],
  );
  return rows.map((r) => ({ orgId, ownerId: r.owner_id, displayName: r.display_name }));
}

interface SegmentRow {
  owner_id: string;
  environment_id: string;
  resource_id: string;
  product: string;
  valid_from: string;
  valid_to: string | null;
  team: string;
  pct: string;
  parts: number;
  mapped_by: string;
}

/** The stored segments of an org, in key then date order. */
export async function loadSegments(db: Db, orgId: string): Promise<Segment[]> {
  const rows = await db.query<SegmentRow>(
    `select owner_id, environment_id, resource_id, product, valid_from::text, valid_to::text, team, pct::text, parts, mapped_by
       from mapping_segments where org_id = $1
      order by owner_id, environment_id, resource_id, product, valid_from, team`,
    [orgId],
  );
  return rows.map((r) => ({
    orgId,
    ownerId: r.owner_id,
    environmentId: r.environment_id,
    resourceId: r.resource_id,
    product: r.product,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    team: r.team,
    pct: r.pct,
    parts: r.parts,
    mappedBy: r.mapped_by,
  }));
}

/** Replaces the stored segments of `keys` (of one org) with `segments` (those of the same keys). */
export async function replaceSegments(db: Db, orgId: string, keys: readonly UsageKey[], segments: readonly Segment[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `delete from mapping_segments m
      using unnest($2::text[], $3::text[], $4::text[], $5::text[]) as k(owner_id, environment_id, resource_id, product)
      where m.org_id = $1 and m.owner_id = k.owner_id and m.environment_id = k.environment_id
        and m.resource_id = k.resource_id and m.product = k.product`,
    [orgId, keys.map((k) => k.ownerId), keys.map((k) => k.environmentId), keys.map((k) => k.resourceId), keys.map((k) => k.product)],
  );
  if (segments.length === 0) return;
  await db.copyRows(
    "mapping_segments",
    ["org_id", "owner_id", "environment_id", "resource_id", "product", "valid_from", "valid_to", "team", "pct", "parts", "mapped_by"],
    (function* () {
      for (const s of segments)
        yield copyLine([
          orgId,
          s.ownerId,
          s.environmentId,
          s.resourceId,
          s.product,
          s.validFrom,
          s.validTo,
          s.team,
          s.pct,
          s.parts,
          s.mappedBy,
        ]);
    })(),
  );
}
