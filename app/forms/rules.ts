/**
 * The mapping rules page's forms (app/routes/crosswalk.rules.tsx), one schema per intent.
 *
 * A rule typed in the form is built into the rules file's JSON shape (app/domain/rules.ts) and
 * checked by `parseRulesJson` on a one-element array, so a form and an imported file share one
 * validation; each located problem (`[0].when.owner_name.regex`) is reported on the form field
 * it comes from. The split target is typed as text (`payments:60;search:40`, `parseSplitText`).
 *
 * Every change has a what-if intent (`preview-…`) with the same fields as the real one: the
 * page previews first, then sends the same values with the real intent.
 */
import { z } from "zod";
import { BEGINNING_OF_TIME } from "../domain/crosswalk";
import { NAME_OPS, OWNER_KINDS, parseRulesJson, type NameOp, type Rule } from "../domain/rules";
import { formatSplitObject, formatSplitText, parseSplitText, splitErrorText } from "../domain/splits";
import { rowId, text } from "./admin-fields";

/** The fields of a rule in the create and edit forms (all text; `owner_name_ci` a checkbox). */
export const RULE_FIELDS = [
  "name",
  "org_id",
  "owner_id",
  "owner_id_prefix",
  "owner_name_op",
  "owner_name_value",
  "owner_name_ci",
  "owner_kind",
  "environment_id",
  "resource_id",
  "product",
  "team",
  "split",
  "valid_from",
  "valid_to",
] as const;
export type RuleField = (typeof RULE_FIELDS)[number];
export type RuleFieldValues = Partial<Record<RuleField | "position" | "id", string>>;

/** The form field a rules-file JSON path points at (`[0].when.owner_name.regex` → owner_name_value); null when none. */
export function ruleFieldOfPath(path: string): RuleField | null {
  const p = path.replace(/^\[\d+\]\.?/, "");
  const [head, sub] = p.split(/[.[]/, 2);
  if (head === "when") {
    if (sub === undefined || sub === "") return null;
    if (sub === "owner_name") return "owner_name_value";
    return (RULE_FIELDS as readonly string[]).includes(sub) ? (sub as RuleField) : null;
  }
  if (head === "then") return sub === "split" ? "split" : "team";
  return (RULE_FIELDS as readonly string[]).includes(head ?? "") ? (head as RuleField) : null;
}

/**
 * The field problems of a service's rules-list message (`[2].name: rule name … is already
 * used …`, one per line, as `saveRules` reports the whole list): field and message without the path.
 */
export function ruleIssuesOfMessage(message: string): Array<{ field: RuleField | null; message: string }> {
  return message.split("\n").map((line) => {
    const m = /^(\[\d+\][^\s:]*): (.*)$/s.exec(line);
    return m ? { field: ruleFieldOfPath(m[1]), message: m[2] } : { field: null, message: line };
  });
}

const ruleShape = {
  name: text(),
  org_id: text(),
  owner_id: text(),
  owner_id_prefix: text(),
  owner_name_op: text(),
  owner_name_value: text(),
  owner_name_ci: text().transform((v) => v === "on" || v === "true"),
  owner_kind: text(),
  environment_id: text(),
  resource_id: text(),
  product: text(),
  team: text(),
  split: text(),
  valid_from: text(),
  valid_to: text(),
};

type RuleFields = { [K in keyof typeof ruleShape]: z.output<(typeof ruleShape)[K]> };

/** The rules-file JSON of a rule typed in the form (split text already turned into the object form; null when it does not parse). */
function ruleJsonOf(v: RuleFields, split: Record<string, string> | null): Record<string, unknown> {
  const when: Record<string, unknown> = {};
  if (v.owner_id) when.owner_id = v.owner_id;
  if (v.owner_id_prefix) when.owner_id_prefix = v.owner_id_prefix;
  if (v.owner_name_value) {
    // an unknown test is said on its own field (toRule)
    const op: NameOp = (NAME_OPS as readonly string[]).includes(v.owner_name_op) ? (v.owner_name_op as NameOp) : "equals";
    when.owner_name = { [op]: v.owner_name_value, ...(v.owner_name_ci ? { case_sensitive: false } : {}) };
  }
  if (v.owner_kind) when.owner_kind = v.owner_kind;
  if (v.environment_id) when.environment_id = v.environment_id;
  if (v.resource_id) when.resource_id = v.resource_id;
  if (v.product) when.product = v.product;
  const then: Record<string, unknown> = {};
  if (v.team) then.team = v.team;
  if (v.split) then.split = split ?? {};
  return {
    org_id: v.org_id || null,
    name: v.name,
    when,
    then,
    ...(v.valid_from ? { valid_from: v.valid_from } : {}),
    valid_to: v.valid_to || null,
  };
}

/** The form's fields as one rule, through the rules-file parser; each problem on its field. */
function toRule(v: RuleFields, ctx: z.RefinementCtx): Rule {
  const issue = (field: RuleField, message: string) => ctx.addIssue({ code: "custom", message, path: [field] });
  if (v.owner_name_op && !(NAME_OPS as readonly string[]).includes(v.owner_name_op))
    issue("owner_name_op", `owner name test must be one of ${NAME_OPS.join(", ")}`);
  let split: Record<string, string> | null = null;
  let splitFailed = false;
  if (v.split) {
    const s = parseSplitText(v.split);
    if (s.ok) split = formatSplitObject(s.split);
    else {
      splitFailed = true;
      issue("split", splitErrorText(s.errors));
    }
  }
  const parsed = parseRulesJson([ruleJsonOf(v, split)]);
  if (parsed.ok) return parsed.rules[0];
  for (const e of parsed.errors) {
    // the split text's own problems are already said
    if (splitFailed && e.path.startsWith("[0].then.split")) continue;
    // "team or split, not both" on the split; "needs team or split" on the team
    const field = e.path === "[0].then" ? (v.split ? "split" : "team") : (ruleFieldOfPath(e.path) ?? "name");
    issue(field, e.message);
  }
  return z.NEVER;
}

/** A 1-based position ("" = none); a problem is said on the field `position`. */
function positionOf(v: string, ctx: z.RefinementCtx): number | undefined {
  if (v === "") return undefined;
  if (/^[1-9]\d{0,5}$/.test(v)) return Number(v);
  ctx.addIssue({ code: "custom", message: `position "${v}" must be a whole number from 1`, path: ["position"] });
  return undefined;
}

// the position is checked with the rule (not before it), so that every field's problem is said at once
const ruleForm = <I extends string>(intent: I) =>
  z
    .object({ intent: z.literal(intent), ...ruleShape, position: text() })
    .transform((v, ctx) => ({ position: positionOf(v.position, ctx), rule: toRule(v, ctx) }));

const ruleEditForm = <I extends string>(intent: I) =>
  z.object({ intent: z.literal(intent), id: rowId(), ...ruleShape }).transform((v, ctx) => ({ id: v.id, rule: toRule(v, ctx) }));

const deleteForm = <I extends string>(intent: I) => z.object({ intent: z.literal(intent), id: rowId() });

const moveForm = <I extends string>(intent: I) =>
  z
    .object({ intent: z.literal(intent), id: rowId(), position: text() })
    .transform((v, ctx) => ({ id: v.id, position: positionOf(v.position || "0", ctx) ?? 0 }));

const mode = () => text().transform((m): "merge" | "replace" => (m === "replace" ? "replace" : "merge"));
/** The uploaded file itself (`rules_file`) is read by the route; `rules_text` is the pasted (or carried) text. */
const importForm = <I extends string>(intent: I) =>
  z.object({
    intent: z.literal(intent),
    mode: mode(),
    rules_text: z
      .string()
      .optional()
      .transform((v) => v ?? ""),
  });

export const createRuleSchema = ruleForm("create");
export const previewCreateRuleSchema = ruleForm("preview-create");
export const updateRuleSchema = ruleEditForm("update");
export const previewUpdateRuleSchema = ruleEditForm("preview-update");
export const deleteRuleSchema = deleteForm("delete");
export const previewDeleteRuleSchema = deleteForm("preview-delete");
export const moveRuleSchema = moveForm("move");
export const previewMoveRuleSchema = moveForm("preview-move");
export const importRulesSchema = importForm("import");
export const previewImportRulesSchema = importForm("preview-import");

/** The form values of a stored rule (the edit form's defaults; `parse(values)` gives the rule back). */
export function ruleFieldValues(r: Rule): Record<RuleField, string> {
  const w = r.when;
  const t = r.then;
  return {
    name: r.name,
    org_id: r.orgId ?? "",
    owner_id: w.ownerId ?? "",
    owner_id_prefix: w.ownerIdPrefix ?? "",
    owner_name_op: w.ownerName?.op ?? "equals",
    owner_name_value: w.ownerName?.value ?? "",
    owner_name_ci: w.ownerName && !w.ownerName.caseSensitive ? "on" : "",
    owner_kind: w.ownerKind ?? "",
    environment_id: w.environmentId ?? "",
    resource_id: w.resourceId ?? "",
    product: w.product ?? "",
    team: "team" in t ? t.team : "",
    split: "split" in t ? splitTextOrObject(t.split) : "",
    valid_from: r.validFrom === BEGINNING_OF_TIME ? "" : r.validFrom,
    valid_to: r.validTo ?? "",
  };
}

function splitTextOrObject(split: Parameters<typeof formatSplitText>[0]): string {
  try {
    return formatSplitText(split);
  } catch {
    // a team name with ";" has no text form: the edit form cannot hold it
    return "";
  }
}

export { OWNER_KINDS, NAME_OPS };
