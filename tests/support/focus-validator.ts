/**
 * FOCUS 1.2 conformance checker for tests: a TypeScript interpreter of the FinOps Foundation's
 * focus_validator rule model (tests/fixtures/focus/model-1.2.json, vendored verbatim, MIT).
 *
 * It mirrors the Python validator (focus_validator 2.0.1, see tests/fixtures/focus/README.md):
 *  - the plan: rules reachable from the dataset root CostAndUsage-D-000-M through Dependencies,
 *    scheduled in the validator's topological order (plan_builder.py);
 *  - each generator's SQL in focus_to_duckdb_converter.py, evaluated row by row with SQL's
 *    three-valued logic, the effective row condition (own Condition AND the Conditions of the
 *    Composite rules that reference the rule), Dynamic rules skipped, MAY/OPTIONAL rules skipped,
 *    CheckDecimalValue skipped (not implemented upstream), binder errors (a column missing) as
 *    failures;
 *  - the validator's OR executor (an alternative "passes" when it has fewer violating rows than
 *    the table has rows), CheckModelRule references, and the four post-processing phases
 *    (non-applicable rules and their descendants, upstream skips, composite re-aggregation);
 *  - how the CSV loader (Polars) types columns: "" and NULL markers become null, integers become
 *    BIGINT, a datetime column with a null or an unparseable value is dropped, and so on.
 *
 * `semantics: "strict"` departs from the validator where its results are plainly not the rule's
 * meaning: OR requirements are evaluated per row (a row fails when it matches no alternative), and
 * two malformed Conditions in the model are read as intended (ResourceType-C-005-C and
 * ResourceId-C-006-C name the column under "CheckCondition"; CapacityReservationStatus-C-003/004-C
 * have no CheckFunction). Everything else is the same in both modes.
 *
 * Dependency-free: Node built-ins only. CSV parsing is the caller's job.
 */
import { readFileSync } from "node:fs";

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** Column types for data that carries them (e.g. read from Parquet). Omit `types` for CSV data. */
export type FocusColumnType = "string" | "decimal" | "double" | "integer" | "boolean" | "datetime" | "date";

export interface FocusDataset {
  columns: string[];
  /** Cell values as strings, null for null. Keys missing from a row are null. */
  rows: Array<Record<string, string | null>>;
  /** Given: values are typed as declared (Parquet loader). Omitted: typed the way the CSV loader infers. */
  types?: Record<string, FocusColumnType>;
}

export interface ValidateFocusOptions {
  /** Applicability criteria the provider supports (the validator's --applicability-criteria); ["ALL"] for all. */
  applicability: string[];
  /** Failing rows listed per failed rule (default 5). */
  maxExamples?: number;
  /** "validator" (default): the Python validator's results. "strict": see the file header. */
  semantics?: "validator" | "strict";
}

export type FocusRuleStatus = "pass" | "fail" | "skipped";
export type FocusSkipReason =
  "dynamic" | "optional" | "not implemented" | "not applicable" | "upstream dependency skipped" | "all child rules skipped";

export interface FocusFailureExample {
  /** Index into dataset.rows. */
  row: number;
  /** The raw values of the columns the rule (and its condition) reads. */
  values: Record<string, string | null>;
}

export interface FocusRuleResult {
  ruleId: string;
  status: FocusRuleStatus;
  keyword: string;
  mustSatisfy: string;
  type: "Static" | "Dynamic";
  function: string;
  entityType: string;
  reference: string;
  applicabilityCriteria: string[];
  reason?: FocusSkipReason;
  /** The validator's own skip reason text. */
  reasonText?: string;
  violations: number;
  message?: string;
  /** Set when the check could not run: a missing column (binder error) or a failed cast. */
  error?: string;
  examples: FocusFailureExample[];
  /** For failed composites: the referenced rules that failed. */
  failedChildren?: string[];
  /** For a failed rule that is an alternative of an OR rule that passed (e.g. InvoiceId-C-004-C). */
  orAlternativeOf?: string[];
}

export interface FocusReport {
  modelVersion: string;
  semantics: "validator" | "strict";
  applicability: string[];
  rowCount: number;
  /** Columns as the checks see them, with the DuckDB type each gets. */
  columnTypes: Record<string, string>;
  /** Columns the loader dropped (datetime columns it could not convert). */
  droppedColumns: string[];
  /** Rules in the validator's execution order. */
  rules: FocusRuleResult[];
  byId: Record<string, FocusRuleResult>;
  /** Casts that make the Python validator abort (ConversionException); such rules are reported as failed here. */
  crashes: Array<{ ruleId: string; error: string }>;
}

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

interface Requirement {
  CheckFunction?: string;
  Items?: Requirement[];
  [key: string]: unknown;
}

interface ModelRule {
  Function: string;
  Reference: string;
  EntityType: string;
  Status: string;
  ApplicabilityCriteria: string[];
  Type: "Static" | "Dynamic";
  ValidationCriteria: {
    MustSatisfy: string;
    Keyword: string;
    Requirement: Requirement;
    Condition: Requirement;
    Dependencies: string[];
  };
}

interface FocusModel {
  Details: { ModelVersion: string; FOCUSVersion: string };
  ApplicabilityCriteria: Record<string, { Description: string }>;
  ModelDatasets: Record<string, { ModelRules: string[] }>;
  ModelRules: Record<string, ModelRule>;
}

const FIXTURES = new URL("../fixtures/focus/", import.meta.url);
let modelCache: FocusModel | undefined;
let currencyCache: Set<string> | undefined;

/** The vendored FOCUS 1.2 rule model. */
export function loadFocusModel(): FocusModel {
  modelCache ??= JSON.parse(readFileSync(new URL("model-1.2.json", FIXTURES), "utf8")) as FocusModel;
  return modelCache;
}

function currencyCodes(): Set<string> {
  if (!currencyCache) {
    // pandas.read_csv(...)["currency_codes"]: a header line, then "index,code".
    const lines = readFileSync(new URL("currency_codes.csv", FIXTURES), "utf8").split(/\r?\n/);
    currencyCache = new Set(
      lines
        .slice(1)
        .map((l) => l.split(",")[1]?.trim())
        .filter((c): c is string => !!c),
    );
  }
  return currencyCache;
}

// ---------------------------------------------------------------------------------------------
// Table: the data as DuckDB sees it after the validator's loader
// ---------------------------------------------------------------------------------------------

type Cell = string | number | boolean | null;
const TSTZ = "TIMESTAMP WITH TIME ZONE";
const NUMERIC_TYPES = new Set(["DOUBLE", "FLOAT", "BIGINT", "HUGEINT", "DECIMAL(38,9)"]);
const INTEGER_TYPES = new Set(["BIGINT", "HUGEINT"]);

interface Column {
  name: string;
  type: string;
  values: Cell[];
}

class Table {
  readonly byLower = new Map<string, Column>();
  constructor(
    readonly columns: Column[],
    readonly rowCount: number,
    readonly raw: Array<Record<string, string | null>>,
  ) {
    for (const c of columns) if (!this.byLower.has(c.name.toLowerCase())) this.byLower.set(c.name.toLowerCase(), c);
  }
  /** DuckDB binds unquoted identifiers case-insensitively. */
  col(name: string): Column {
    const c = this.byLower.get(name.toLowerCase());
    if (!c) throw new BinderError(`Referenced column "${name}" not found in FROM clause!`, [name]);
    return c;
  }
  has(name: string): boolean {
    return this.byLower.has(name.toLowerCase());
  }
  /** information_schema.columns WHERE column_name = '...': exact. */
  hasExact(name: string): boolean {
    return this.columns.some((c) => c.name === name);
  }
}

class BinderError extends Error {
  constructor(
    message: string,
    readonly missing: string[] = [],
  ) {
    super(`Binder Error: ${message}`);
  }
}
class ConversionError extends Error {
  constructor(message: string) {
    super(`Conversion Error: ${message}`);
  }
}
class InvalidRuleError extends Error {}

const NULL_MARKERS = new Set(["INVALID", "INVALID_COST", "BAD_DATE", "INVALID_DECIMAL", "INVALID_INT", "NULL"]);

// Polars CSV schema inference (polars-io): checked in this order per value.
const PL_BOOL = /^(true|false)$/i;
const PL_FLOAT = /^[-+]?((\d*\.\d+)([eE][-+]?\d+)?|inf|NaN|(\d+)[eE][-+]?\d+|\d+\.)$/;
const PL_INT = /^-?(\d+)$/;
const TZ = "(Z|z|[+-]\\d{2}(?::?\\d{2})?)";
const HMS = "(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.\\d{1,10})?)?";
const PL_DATE_YMD = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
const PL_DATE_DMY = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/;
const PL_DT_YMD = new RegExp(`^(\\d{4})([-/.])(\\d{1,2})\\2(\\d{1,2})[T ]${HMS}${TZ}?$`);
const PL_DT_DMY = new RegExp(`^(\\d{1,2})([-/.])(\\d{1,2})\\2(\\d{4})[T ]${HMS}${TZ}?$`);
const PL_TIME = /^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}
function validHms(h: number, mi: number, s: number): boolean {
  return h <= 23 && mi <= 59 && s <= 60;
}

/** Epoch ms (UTC) of a datetime string, or null. Naive values are taken as UTC, offsets applied. */
function parseTs(y: number, mo: number, d: number, h: number, mi: number, s: number, tz: string | undefined): number | null {
  if (!validYmd(y, mo, d) || !validHms(h, mi, s)) return null;
  let ms = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59));
  if (tz && tz !== "Z" && tz !== "z") {
    const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz);
    if (!m) return null;
    ms -= (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
  }
  return ms;
}

type InferredClass =
  "null" | "bool" | "float" | "int" | "bigint128" | "string" | "time" | `date:${string}` | `dt:${string}` | `dtz:${string}`;

function inferValue(v: string): { cls: InferredClass; ts?: number } {
  if (PL_BOOL.test(v)) return { cls: "bool" };
  if (PL_FLOAT.test(v)) return { cls: "float" };
  if (PL_INT.test(v)) return { cls: BigInt(v) > 9223372036854775807n || BigInt(v) < -9223372036854775808n ? "bigint128" : "int" };
  let m = PL_DATE_YMD.exec(v);
  if (m && validYmd(+m[1], +m[3], +m[4])) return { cls: "date:ymd", ts: Date.UTC(+m[1], +m[3] - 1, +m[4]) };
  m = PL_DATE_DMY.exec(v);
  if (m && validYmd(+m[4], +m[3], +m[1])) return { cls: "date:dmy", ts: Date.UTC(+m[4], +m[3] - 1, +m[1]) };
  m = PL_DT_YMD.exec(v);
  if (m) {
    const ts = parseTs(+m[1], +m[3], +m[4], +m[5], +m[6], +(m[7] ?? 0), m[8]);
    if (ts !== null) return { cls: m[8] ? "dtz:ymd" : "dt:ymd", ts };
  }
  m = PL_DT_DMY.exec(v);
  if (m) {
    const ts = parseTs(+m[4], +m[3], +m[1], +m[5], +m[6], +(m[7] ?? 0), m[8]);
    if (ts !== null) return { cls: m[8] ? "dtz:dmy" : "dt:dmy", ts };
  }
  if (PL_TIME.test(v)) return { cls: "time" };
  return { cls: "string" };
}

/** Polars' dtype for a column of CSV values (nulls already removed from `classes`). */
function mergeClasses(classes: Set<InferredClass>): InferredClass {
  if (classes.size === 0) return "null";
  if (classes.size === 1) return [...classes][0];
  const numeric = [...classes].every((c) => c === "int" || c === "float" || c === "bigint128");
  if (numeric) return classes.has("float") ? "float" : "bigint128";
  return "string";
}

const DUCK_OF_CLASS: Record<string, string> = {
  bool: "BOOLEAN",
  float: "DOUBLE",
  int: "BIGINT",
  bigint128: "HUGEINT",
  string: "VARCHAR",
  null: "VARCHAR",
  time: "TIME",
};

/** The validator's strategy-5 per-value datetime formats (_smart_datetime_conversion). */
function smartDatetimeValue(v: string): number | null {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})([+-]\d{2}:?\d{2})$/.exec(v); // %z
  if (m) return parseTs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], m[7]);
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})Z$/.exec(v);
  if (m) return parseTs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], undefined);
  m = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(v);
  if (m) return parseTs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], undefined);
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v);
  if (m) return parseTs(+m[1], +m[2], +m[3], 0, 0, 0, undefined);
  return null;
}

function toCell(v: string, type: string): Cell {
  switch (type) {
    case "DOUBLE":
    case "FLOAT":
    case "DECIMAL(38,9)":
      return /^[-+]?inf$/.test(v) ? (v.startsWith("-") ? -Infinity : Infinity) : /nan/i.test(v) ? NaN : Number(v);
    case "BIGINT":
    case "HUGEINT":
      return Number(v);
    case "BOOLEAN":
      return v.toLowerCase() === "true";
    default:
      return v;
  }
}

function focusColumnTypes(model: FocusModel, relevant: string[]): Map<string, "string" | "decimal" | "datetime"> {
  // getColumnTypeMapping(): Function "Type" rules of the relevant rule set.
  const out = new Map<string, "string" | "decimal" | "datetime">();
  for (const id of relevant) {
    const rule = model.ModelRules[id];
    if (rule.Function !== "Type") continue;
    const req = rule.ValidationCriteria.Requirement;
    const col = req.ColumnName as string | undefined;
    if (!req.CheckFunction || !col) continue;
    if (req.CheckFunction === "TypeString") out.set(col, "string");
    else if (req.CheckFunction === "TypeDecimal") out.set(col, "decimal");
    else if (req.CheckFunction === "TypeDateTime") out.set(col, "datetime");
  }
  return out;
}

function buildTable(
  dataset: FocusDataset,
  focusTypes: Map<string, "string" | "decimal" | "datetime">,
): { table: Table; dropped: string[] } {
  const columns: Column[] = [];
  const dropped: string[] = [];
  const n = dataset.rows.length;
  for (const name of dataset.columns) {
    const rawValues = dataset.rows.map((r) => {
      const v = r[name];
      return v === undefined ? null : v;
    });
    const focusType = focusTypes.get(name);
    if (!dataset.types) {
      // CSV loader: Polars read_csv(null_values=[...], try_parse_dates=True); empty fields are null.
      const vals = rawValues.map((v) => (v === null || v === "" || NULL_MARKERS.has(v) ? null : v));
      const inferred = vals.map((v) => (v === null ? null : inferValue(v)));
      const classes = new Set(inferred.filter((x): x is { cls: InferredClass; ts?: number } => x !== null).map((x) => x.cls));
      let cls = mergeClasses(classes);
      const hasNull = vals.some((v) => v === null);
      if (cls === "null" && focusType) {
        // All-null columns get the spec's type forced (schema_overrides).
        cls = focusType === "decimal" ? "float" : focusType === "datetime" ? "dtz:ymd" : "string";
      }
      if (focusType === "datetime") {
        // _smart_datetime_conversion: a datetime column with any null is dropped, a Date column is
        // dropped, a string column is kept only when every value parses with one of its formats.
        let ts: Array<number | null> | null = null;
        if (hasNull) ts = null;
        else if (cls.startsWith("dt:") || cls.startsWith("dtz:")) ts = inferred.map((x) => x?.ts ?? null);
        else if (cls === "string") {
          const parsed = vals.map((v) => (v === null ? null : smartDatetimeValue(v)));
          ts = parsed.every((p) => p !== null) ? parsed : null;
        }
        if (ts === null || (n > 0 && cls === "null")) {
          dropped.push(name);
          continue;
        }
        columns.push({ name, type: TSTZ, values: ts });
        continue;
      }
      let type: string;
      if (cls.startsWith("date:")) type = "DATE";
      else if (cls.startsWith("dtz:")) type = TSTZ;
      else if (cls.startsWith("dt:")) type = "TIMESTAMP";
      else type = DUCK_OF_CLASS[cls] ?? "VARCHAR";
      const values: Cell[] = inferred.map((x, i) =>
        x === null ? null : type === TSTZ || type === "TIMESTAMP" || type === "DATE" ? (x.ts ?? null) : toCell(vals[i] as string, type),
      );
      columns.push({ name, type, values });
    } else {
      // Parquet loader: read with the file's types, then cast the spec-typed columns.
      const declared = dataset.types[name] ?? "string";
      if (focusType === "datetime") {
        let ts: Array<number | null> | null = null;
        if (declared === "datetime") {
          const parsed = rawValues.map((v) => (v === null ? null : parseAnyTs(v)));
          ts = parsed.some((p) => p === null) ? null : parsed;
        } else if (declared === "string") {
          const parsed = rawValues.map((v) => (v === null ? null : smartDatetimeValue(v)));
          ts = parsed.every((p) => p !== null) ? parsed : null;
        }
        if (ts === null) {
          dropped.push(name);
          continue;
        }
        columns.push({ name, type: TSTZ, values: ts });
      } else if (focusType === "string") {
        columns.push({ name, type: "VARCHAR", values: rawValues });
      } else if (focusType === "decimal") {
        // cast(pl.Float64, strict=False): what does not parse becomes null.
        columns.push({
          name,
          type: "DOUBLE",
          values: rawValues.map((v) => (v === null || !PL_FLOAT_OR_INT.test(v.trim()) ? null : toCell(v.trim(), "DOUBLE"))),
        });
      } else {
        const type = {
          string: "VARCHAR",
          decimal: "DECIMAL(38,9)",
          double: "DOUBLE",
          integer: "BIGINT",
          boolean: "BOOLEAN",
          datetime: TSTZ,
          date: "DATE",
        }[declared];
        const values = rawValues.map((v) => (v === null ? null : type === TSTZ || type === "DATE" ? parseAnyTs(v) : toCell(v, type)));
        columns.push({ name, type, values });
      }
    }
  }
  return { table: new Table(columns, n, dataset.rows), dropped };
}

const PL_FLOAT_OR_INT = /^[-+]?((\d*\.\d+)([eE][-+]?\d+)?|inf|NaN|(\d+)([eE][-+]?\d+)?|\d+\.)$/;

function parseAnyTs(v: string): number | null {
  const x = inferValue(v);
  return x.ts ?? smartDatetimeValue(v);
}

// ---------------------------------------------------------------------------------------------
// Predicates: the generators' SQL fragments, with SQL three-valued logic
// ---------------------------------------------------------------------------------------------

type TV = boolean | null;
type RowFn = (i: number) => TV;

/** A SQL boolean expression: the columns it names (binder) and a row evaluator. */
interface Pred {
  cols: string[];
  bind(t: Table): RowFn;
}

const and3 = (a: TV, b: TV): TV => (a === false || b === false ? false : a === null || b === null ? null : true);
const or3 = (a: TV, b: TV): TV => (a === true || b === true ? true : a === null || b === null ? null : false);
const not3 = (a: TV): TV => (a === null ? null : !a);

const TRUE_PRED: Pred = { cols: [], bind: () => () => true };
const FALSE_PRED: Pred = { cols: [], bind: () => () => false };

function andP(items: Pred[]): Pred {
  return {
    cols: items.flatMap((p) => p.cols),
    bind: (t) => {
      const fns = items.map((p) => p.bind(t));
      return (i) => fns.reduce<TV>((acc, f) => (acc === false ? false : and3(acc, f(i))), true);
    },
  };
}
function orP(items: Pred[]): Pred {
  return {
    cols: items.flatMap((p) => p.cols),
    bind: (t) => {
      const fns = items.map((p) => p.bind(t));
      return (i) => fns.reduce<TV>((acc, f) => (acc === true ? true : or3(acc, f(i))), false);
    },
  };
}
function notP(p: Pred): Pred {
  return {
    cols: p.cols,
    bind: (t) =>
      (
        (f) => (i: number) =>
          not3(f(i))
      )(p.bind(t)),
  };
}
function isNull(col: string): Pred {
  return {
    cols: [col],
    bind: (t) =>
      (
        (v) => (i: number) =>
          v[i] === null
      )(t.col(col).values),
  };
}
function notNull(col: string): Pred {
  return notP(isNull(col));
}

/** col::TEXT as DuckDB renders it (only the shape matters to the checks' regexes). */
function cellText(c: Cell, type: string): string | null {
  if (c === null) return null;
  if (typeof c === "number") {
    if (type === TSTZ || type === "TIMESTAMP" || type === "DATE") {
      const iso = new Date(c).toISOString();
      return type === "DATE" ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}${type === TSTZ ? "+00" : ""}`;
    }
    if (Number.isNaN(c)) return "nan";
    if (!Number.isFinite(c)) return c > 0 ? "inf" : "-inf";
    if (INTEGER_TYPES.has(type)) return String(c);
    const s = String(c);
    return /[.e]/.test(s) ? s : `${s}.0`;
  }
  return String(c);
}

/** A predicate on a column's value as text (`col::TEXT`): null stays null, else `test(text)`. */
function textPred(col: string, test: (s: string) => boolean): Pred {
  return {
    cols: [col],
    bind: (t) => {
      const c = t.col(col);
      return (i) => {
        const s = cellText(c.values[i], c.type);
        return s === null ? null : test(s);
      };
    },
  };
}

/** A predicate on a column's text: `[TRIM](col::TEXT) ~ re`. */
function textMatch(col: string, re: RegExp, trim = false): Pred {
  return textPred(col, (s) => re.test(trim ? s.replace(/^ +| +$/g, "") : s));
}
function typeIs(col: string, types: string[]): Pred {
  return {
    cols: [col],
    bind: (t) =>
      (
        (ok) => () =>
          ok
      )(types.includes(t.col(col).type)),
  };
}

function castNumber(s: string, type: string): number {
  const v = s.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return Number(v);
  if (/^[-+]?(inf|infinity)$/i.test(v)) return v.startsWith("-") ? -Infinity : Infinity;
  if (/^[-+]?nan$/i.test(v)) return NaN;
  throw new ConversionError(`Could not convert string '${s}' to ${type}`);
}
function castBool(s: string): boolean {
  const v = s.trim().toLowerCase();
  if (["true", "t", "1", "y", "yes"].includes(v)) return true;
  if (["false", "f", "0", "n", "no"].includes(v)) return false;
  throw new ConversionError(`Could not convert string '${s}' to BOOL`);
}
/** DuckDB ordering for doubles: NaN equals NaN and sorts above everything. */
function cmpNum(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Number.isNaN(a) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
function cmpStr(a: string, b: string): number {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return Buffer.compare(x, y);
}
type CmpOp = "=" | "<>" | "<" | ">=";
function applyOp(c: number, op: CmpOp): boolean {
  return op === "=" ? c === 0 : op === "<>" ? c !== 0 : op === "<" ? c < 0 : c >= 0;
}

/** `col op 'literal'` (a string literal, as CheckValue/CheckNotValue write it). */
function cmpStrLit(col: string, op: CmpOp, lit: string): Pred {
  return {
    cols: [col],
    bind: (t) => {
      const c = t.col(col);
      if (c.type === "VARCHAR") return (i) => (c.values[i] === null ? null : applyOp(cmpStr(c.values[i] as string, lit), op));
      if (NUMERIC_TYPES.has(c.type)) {
        const n = castNumber(lit, c.type);
        return (i) => (c.values[i] === null ? null : applyOp(cmpNum(c.values[i] as number, n), op));
      }
      if (c.type === "BOOLEAN") {
        const b = castBool(lit);
        return (i) => (c.values[i] === null ? null : applyOp(Number(c.values[i]) - Number(b), op));
      }
      const ts = parseAnyTs(lit);
      if (ts === null) throw new ConversionError(`Could not convert string '${lit}' to ${c.type}`);
      return (i) => (c.values[i] === null ? null : applyOp(cmpNum(c.values[i] as number, ts), op));
    },
  };
}
/** `col op <number literal>` (CheckGreaterOrEqualThanValue). */
function cmpNumLit(col: string, op: CmpOp, lit: number): Pred {
  return {
    cols: [col],
    bind: (t) => {
      const c = t.col(col);
      if (!NUMERIC_TYPES.has(c.type))
        throw new BinderError(`Cannot compare values of type ${c.type} and type INTEGER_LITERAL - an explicit cast is required`);
      return (i) => (c.values[i] === null ? null : applyOp(cmpNum(c.values[i] as number, lit), op));
    },
  };
}
/** Values of two columns, coerced the way DuckDB compares them. */
function comparable(t: Table, a: string, b: string): { x: Column; y: Column; cmp: (p: Cell, q: Cell) => number } {
  const x = t.col(a);
  const y = t.col(b);
  const num = (v: Cell): number => (typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : castNumber(String(v), "DOUBLE"));
  if (x.type === "VARCHAR" && y.type === "VARCHAR") return { x, y, cmp: (p, q) => cmpStr(String(p), String(q)) };
  if (x.type === "VARCHAR" || y.type === "VARCHAR") {
    // The VARCHAR side is cast to the other side's type: a value that does not cast aborts the query.
    for (const v of (x.type === "VARCHAR" ? x : y).values) if (v !== null) num(v);
  }
  return { x, y, cmp: (p, q) => cmpNum(num(p), num(q)) };
}
function cmpCols(a: string, op: CmpOp, b: string): Pred {
  return {
    cols: [a, b],
    bind: (t) => {
      const { x, y, cmp } = comparable(t, a, b);
      return (i) => (x.values[i] === null || y.values[i] === null ? null : applyOp(cmp(x.values[i], y.values[i]), op));
    },
  };
}
/** `(a * b) op r`. */
function mulCmp(a: string, b: string, op: CmpOp, r: string): Pred {
  return {
    cols: [a, b, r],
    bind: (t) => {
      const [x, y, z] = [t.col(a), t.col(b), t.col(r)];
      if (!NUMERIC_TYPES.has(x.type) || !NUMERIC_TYPES.has(y.type))
        throw new BinderError(`No function matches the given name and argument types '*(${x.type}, ${y.type})'`);
      if (!NUMERIC_TYPES.has(z.type)) throw new BinderError(`Cannot compare values of type ${x.type} and type ${z.type}`);
      const exactInts = INTEGER_TYPES.has(x.type) && INTEGER_TYPES.has(y.type);
      return (i) => {
        const [p, q, s] = [x.values[i], y.values[i], z.values[i]];
        if (p === null || q === null || s === null) return null;
        const prod = exactInts ? Number(BigInt(p as number) * BigInt(q as number)) : (p as number) * (q as number);
        return applyOp(cmpNum(prod, s as number), op);
      };
    },
  };
}
function regexpMatches(col: string, re: RegExp): Pred {
  return {
    cols: [col],
    bind: (t) => {
      const c = t.col(col);
      if (c.type !== "VARCHAR")
        throw new BinderError(`No function matches the given name and argument types 'regexp_matches(${c.type}, STRING_LITERAL)'`);
      return (i) => (c.values[i] === null ? null : re.test(c.values[i] as string));
    },
  };
}
function inSet(col: string, values: Set<string>): Pred {
  return textPred(col, (s) => values.has(s.replace(/^ +| +$/g, "")));
}
/** json_valid / TRY_CAST(col AS JSON): DuckDB's parser also takes NaN and Infinity. */
function isJson(s: string): boolean {
  try {
    JSON.parse(s.replace(/\b(-?Infinity|NaN)\b/g, "0"));
    return true;
  } catch {
    return false;
  }
}
function jsonOk(col: string): Pred {
  return {
    cols: [col],
    bind: (t) => {
      const c = t.col(col);
      return (i) => (c.values[i] === null ? null : c.type !== "VARCHAR" || isJson(c.values[i] as string));
    },
  };
}
/** TRY_CAST(col AS TIMESTAMP) IS NOT NULL for text DuckDB accepts (hour 24 included). */
function tryCastTs(col: string): Pred {
  return textPred(col, (s) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$/.exec(s);
    if (!m) return /^\d{4}-\d{2}-\d{2}$/.test(s) && validYmd(+s.slice(0, 4), +s.slice(5, 7), +s.slice(8, 10));
    const h = +m[4];
    return validYmd(+m[1], +m[2], +m[3]) && (h < 24 || (h === 24 && +m[5] === 0 && +m[6] === 0)) && +m[5] <= 59 && +m[6] <= 59;
  });
}

const DATETIME_TYPES = ["TIMESTAMP", "TIMESTAMP_NS", TSTZ, "DATE"];
const RE_TYPE_DATETIME = /^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$/;
const RE_FORMAT_DATETIME = /^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z?$/;
const RE_NUMERIC = /^[+-]?([0-9]*[.])?[0-9]+([eE][+-]?[0-9]+)?$/;
// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL
const RE_ASCII = /^[\x00-\x7F]*$/;
const RE_CURRENCY = /^[A-Z]{3}$/;
const RE_UNIT = (() => {
  // FormatUnitGenerator._generate_unit_format_regex()
  const data = "b|Kb|Mb|Gb|Tb|Pb|Eb|B|KB|MB|GB|TB|PB|EB|Kib|Mib|Gib|Tib|Pib|Eib|KiB|MiB|GiB|TiB|PiB|EiB";
  const sing = "Year|Month|Day|Hour|Minute|Second";
  const plur = "Years|Months|Days|Hours|Minutes|Seconds";
  const count = "[A-Za-z][A-Za-z0-9]*(?:\\s+[A-Za-z][A-Za-z0-9]*)*";
  const patterns = [
    `^(${data}|${sing}|${plur}|${count})$`,
    `^(${data}|${count})-(${plur})$`,
    `^(${data}|${count}|${plur})/(${sing})$`,
    `^[0-9]+ (${data}|${sing}|${plur}|${count})$`,
    `^(${data}|${count}|${plur})/[0-9]+ (${plur})$`,
  ];
  return new RegExp(patterns.map((p) => `(${p})`).join("|"));
})();

// ---------------------------------------------------------------------------------------------
// Generators: requirement (violation) and condition (predicate) forms
// ---------------------------------------------------------------------------------------------

const REQUIRED_KEYS: Record<string, string[]> = {
  ColumnPresent: ["ColumnName"],
  TypeString: ["ColumnName"],
  TypeDecimal: ["ColumnName"],
  TypeDateTime: ["ColumnName"],
  FormatNumeric: ["ColumnName"],
  FormatString: ["ColumnName"],
  FormatDateTime: ["ColumnName"],
  FormatBillingCurrencyCode: ["ColumnName"],
  FormatKeyValue: ["ColumnName"],
  FormatCurrency: ["ColumnName"],
  CheckNationalCurrency: ["ColumnName"],
  FormatUnit: ["ColumnName"],
  CheckValue: ["ColumnName", "Value"],
  CheckNotValue: ["ColumnName", "Value"],
  CheckSameValue: ["ColumnAName", "ColumnBName"],
  CheckNotSameValue: ["ColumnAName", "ColumnBName"],
  CheckDecimalValue: [],
  CheckGreaterOrEqualThanValue: ["ColumnName", "Value"],
  CheckDistinctCount: ["ColumnAName", "ColumnBName", "ExpectedCount"],
  CheckModelRule: ["ModelRuleId"],
  AND: ["Items"],
  OR: ["Items"],
  ColumnByColumnEqualsColumnValue: ["ColumnAName", "ColumnBName", "ResultColumnName"],
};

const str = (v: unknown): string => (v === null || v === undefined ? "None" : String(v));

/**
 * What a row-level leaf asks of a row whose columns are not null: the columns, and the match.
 * Its violation predicate is "columns not null AND NOT match", its condition predicate "columns
 * not null AND match" (the generators' generatePredicate() in both modes). CheckValue and
 * CheckNotValue treat nulls on their own and are spelt out in the two functions below.
 */
function leafMatch(fn: string, p: Requirement): { cols: string[]; match: Pred } | null {
  const col = p.ColumnName as string;
  const one = (match: Pred) => ({ cols: [col], match });
  const [a, b] = [p.ColumnAName as string, p.ColumnBName as string];
  switch (fn) {
    case "TypeString":
      return one(typeIs(col, ["VARCHAR"]));
    case "TypeDecimal":
      return one(typeIs(col, ["DECIMAL", "DOUBLE", "FLOAT"]));
    case "TypeDateTime":
      return one(orP([typeIs(col, DATETIME_TYPES), textMatch(col, RE_TYPE_DATETIME)]));
    case "FormatDateTime":
      return one(orP([typeIs(col, DATETIME_TYPES), andP([typeIs(col, ["VARCHAR"]), textMatch(col, RE_FORMAT_DATETIME), tryCastTs(col)])]));
    case "FormatNumeric":
      return one(textMatch(col, RE_NUMERIC, true));
    case "FormatString":
      return one(textMatch(col, RE_ASCII));
    case "FormatCurrency":
      return one(textMatch(col, RE_CURRENCY, true));
    case "FormatBillingCurrencyCode":
    case "CheckNationalCurrency":
      return one(inSet(col, currencyCodes()));
    case "FormatUnit":
      return one(regexpMatches(col, RE_UNIT));
    case "FormatKeyValue":
      return one(jsonOk(col));
    case "CheckSameValue":
      return { cols: [a, b], match: cmpCols(a, "=", b) };
    case "CheckNotSameValue":
      return { cols: [a, b], match: cmpCols(a, "<>", b) };
    case "ColumnByColumnEqualsColumnValue": {
      const r = p.ResultColumnName as string;
      return { cols: [a, b, r], match: mulCmp(a, b, "=", r) };
    }
    case "CheckGreaterOrEqualThanValue":
      return one(cmpNumLit(col, ">=", Number(p.Value)));
    default:
      return null; // ColumnPresent, CheckDistinctCount, CheckModelRule, CheckDecimalValue
  }
}

/** The violation predicate of a row-level leaf (before the row condition is ANDed on). */
function violationPred(fn: string, p: Requirement): Pred | null {
  const col = p.ColumnName as string;
  if (fn === "CheckValue") return p.Value === null ? notNull(col) : cmpStrLit(col, "<>", str(p.Value));
  if (fn === "CheckNotValue") return p.Value === null ? isNull(col) : andP([notNull(col), cmpStrLit(col, "=", str(p.Value))]);
  const m = leafMatch(fn, p);
  return m && andP([...m.cols.map(notNull), notP(m.match)]);
}

/** generatePredicate() in condition mode; null where the generator has none. */
function conditionPred(fn: string, p: Requirement): Pred | null {
  const col = p.ColumnName as string;
  if (fn === "CheckValue") return p.Value === null ? isNull(col) : cmpStrLit(col, "=", str(p.Value));
  if (fn === "CheckNotValue") return p.Value === null ? notNull(col) : andP([notNull(col), cmpStrLit(col, "<>", str(p.Value))]);
  const m = leafMatch(fn, p);
  return m && andP([...m.cols.map(notNull), m.match]);
}

/** _compile_condition_with_generators. In strict mode the model's two malformed shapes are repaired. */
function compileCondition(spec: Requirement | undefined, strict: boolean): Pred | null {
  if (!spec || typeof spec !== "object" || Object.keys(spec).length === 0) return null;
  let fn = spec.CheckFunction;
  let s = spec;
  if (!fn && strict && "AND" in spec) {
    const items = Array.isArray(spec.AND) ? (spec.AND as Requirement[]) : [spec.AND as Requirement];
    s = { CheckFunction: "AND", Items: items };
    fn = "AND";
  }
  if (!fn) return null;
  if (fn === "AND" || fn === "OR") {
    const parts = (s.Items ?? []).map((it) => compileCondition(it, strict)).filter((x): x is Pred => x !== null);
    if (parts.length === 0) return fn === "AND" ? TRUE_PRED : FALSE_PRED;
    return fn === "AND" ? andP(parts) : orP(parts);
  }
  const required = REQUIRED_KEYS[fn];
  if (!required) return null;
  if (strict && !("ColumnName" in s) && typeof s.CheckCondition === "string" && required.includes("ColumnName")) {
    s = { ...s, ColumnName: s.CheckCondition };
  }
  if (required.some((k) => !(k in s))) return null;
  return conditionPred(fn, s);
}

// ---------------------------------------------------------------------------------------------
// Plan (rule_dependency_resolver.py + plan_builder.py)
// ---------------------------------------------------------------------------------------------

interface PlanNode {
  idx: number;
  ruleId: string;
  rule: ModelRule;
  parentIdxs: number[];
}

interface Plan {
  nodes: PlanNode[];
  id2idx: Map<string, number>;
  layers: number[][];
  children: Map<string, Set<string>>;
  relevant: string[];
}

function buildPlan(model: FocusModel, dataset = "CostAndUsage"): Plan {
  const rules = model.ModelRules;
  // collectDatasetRules: the dataset's rules, then their Dependencies breadth-first.
  const relevant = new Map<string, ModelRule>();
  const queue: string[] = [];
  for (const id of model.ModelDatasets[dataset].ModelRules) {
    if (!rules[id]) continue;
    relevant.set(id, rules[id]);
    for (const d of rules[id].ValidationCriteria.Dependencies) if (!relevant.has(d)) queue.push(d);
  }
  const processed = new Set<string>();
  while (queue.length) {
    const id = queue.shift() as string;
    if (processed.has(id)) continue;
    processed.add(id);
    if (rules[id] && !relevant.has(id)) {
      relevant.set(id, rules[id]);
      for (const d of rules[id].ValidationCriteria.Dependencies) if (!relevant.has(d) && !processed.has(d)) queue.push(d);
    }
  }

  // PlanBuilder.build_forest(all relevant rules).
  const nodes = new Set<string>();
  const children = new Map<string, Set<string>>();
  const parentsList = new Map<string, string[]>();
  const edges = new Set<string>();
  const link = (parent: string, child: string) => {
    nodes.add(parent);
    nodes.add(child);
    if (parent === child) return;
    if (!children.has(parent)) children.set(parent, new Set());
    (children.get(parent) as Set<string>).add(child);
    edges.add(`${parent}\u0000${child}`);
    if (!parentsList.has(child)) parentsList.set(child, []);
    (parentsList.get(child) as string[]).push(parent);
  };
  const built = new Set<string>();
  const buildNode = (id: string) => {
    if (built.has(id)) return;
    built.add(id);
    nodes.add(id);
    const rule = relevant.get(id) as ModelRule;
    if (rule.Function === "Composite") {
      for (const item of rule.ValidationCriteria.Requirement.Items ?? []) {
        const dep = item.CheckFunction === "CheckModelRule" ? (item.ModelRuleId as string) : undefined;
        if (dep && relevant.has(dep)) {
          buildNode(dep);
          link(dep, id);
        }
      }
    }
    for (const dep of rule.ValidationCriteria.Dependencies) {
      if (relevant.has(dep)) {
        buildNode(dep);
        link(dep, id);
      }
    }
  };
  for (const id of relevant.keys()) buildNode(id);

  // topo_schedule with default_key_fn: -000- first, Dataset, Column, number, id.
  const keyOf = (id: string): [number, number, number, string] => {
    const m = /-([0-9]{3})-/.exec(id);
    const num = m ? Number(m[1]) : 999;
    const et = relevant.get(id)?.EntityType;
    return [num === 0 ? 0 : 1, et === "Dataset" ? 0 : et === "Column" ? 1 : 2, num, id];
  };
  const cmpKey = (a: string, b: string) => {
    const [x, y] = [keyOf(a), keyOf(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0;
  };
  const indeg = new Map<string, number>([...nodes].map((n) => [n, 0]));
  for (const e of edges) {
    const c = e.split("\u0000")[1];
    indeg.set(c, (indeg.get(c) ?? 0) + 1);
  }
  let frontier = [...nodes].filter((n) => indeg.get(n) === 0);
  const order: string[] = [];
  const layerIds: string[][] = [];
  while (frontier.length) {
    const current = [...frontier].sort(cmpKey);
    frontier = [];
    layerIds.push(current);
    order.push(...current);
    for (const u of current) {
      for (const v of children.get(u) ?? []) {
        indeg.set(v, (indeg.get(v) as number) - 1);
        if (indeg.get(v) === 0) frontier.push(v);
      }
    }
  }
  if (order.length !== nodes.size) throw new Error("focus-validator: cycle in the rule graph");
  const id2idx = new Map(order.map((id, i) => [id, i]));
  const planNodes: PlanNode[] = order.map((id, idx) => ({
    idx,
    ruleId: id,
    rule: relevant.get(id) as ModelRule,
    parentIdxs: (parentsList.get(id) ?? []).map((p) => id2idx.get(p) as number).sort((a, b) => a - b),
  }));
  return {
    nodes: planNodes,
    id2idx,
    layers: layerIds.map((l) => l.map((id) => id2idx.get(id) as number)),
    children,
    relevant: [...relevant.keys()],
  };
}

// ---------------------------------------------------------------------------------------------
// Checks and their execution (build_check / run_check)
// ---------------------------------------------------------------------------------------------

const REASON_DYNAMIC = "Rule skipped - validation is dynamic and cannot be pre-generated";
const REASON_OPTIONAL = "Rule skipped - marked as MAY/OPTIONAL and not enforced";
const REASON_DECIMAL = "Rule skipped - CheckDecimalValue validation is not yet implemented";
const REASON_NA = "rule not applicable";
const REASON_UPSTREAM = "upstream dependency was skipped";
const REASON_ALL_CHILDREN = "Rule skipped - all child rules were skipped";

type Check =
  | { kind: "skipped"; reason: string; checkType: string }
  | { kind: "leaf"; fn: string; params: Requirement; cond: Pred | null; checkType: string; message: string }
  | { kind: "ref"; target: string; checkType: "model_rule_reference" }
  | { kind: "and" | "or"; children: Check[]; checkType: "composite" };

interface Details {
  violations: number;
  message?: string;
  skipped?: boolean;
  reason?: string;
  children?: ChildDetails[];
  aggregated?: "all" | "any";
  check_type?: string;
  error?: string;
  referenced_rule_id?: string;
  // Not in the validator: the violating rows, for examples and strict OR evaluation.
  rows?: Set<number> | "all";
  crash?: string;
}
interface ChildDetails extends Details {
  rule_id: string;
  ok?: boolean;
}
interface NodeResult {
  ok: boolean;
  details: Details;
  rule_id: string;
}

const CHECK_TYPES: Record<string, string> = {
  ColumnPresent: "column_presence",
  TypeString: "type_string",
  TypeDecimal: "type_decimal",
  TypeDateTime: "type_datetime",
  FormatNumeric: "format_numeric",
  FormatString: "format_string",
  FormatDateTime: "format_datetime",
  FormatBillingCurrencyCode: "format_currency_code",
  CheckNationalCurrency: "format_currency_code",
  FormatKeyValue: "format_json",
  FormatCurrency: "national_currency",
  FormatUnit: "format_unit",
  CheckValue: "check_value",
  CheckNotValue: "check_not_value",
  CheckSameValue: "column_comparison_equals",
  CheckNotSameValue: "column_comparison_not_equals",
  CheckGreaterOrEqualThanValue: "check_greater_equal",
  CheckDistinctCount: "distinct_count",
  ColumnByColumnEqualsColumnValue: "column_by_column_equals_column_value",
};

function leafMessage(fn: string, p: Requirement, keyword: string): string {
  const col = p.ColumnName as string;
  const not = keyword.toUpperCase().includes("NOT");
  switch (fn) {
    case "ColumnPresent":
      return `Column '${col}' ${keyword} be present in the table.`;
    case "TypeString":
      return `${col} ${keyword} be of type VARCHAR (string).`;
    case "TypeDecimal":
      return `${col} ${keyword} be of type DECIMAL, DOUBLE, or FLOAT.`;
    case "TypeDateTime":
      return `${col} ${keyword} be a DATE/TIMESTAMP (with/without TZ) or an ISO 8601 UTC string (YYYY-MM-DDTHH:mm:ssZ).`;
    case "FormatNumeric":
      return `${col} ${keyword} be a numeric value (optional +/- sign, optional decimal, optional scientific notation).`;
    case "FormatString":
      return `${col} ${keyword} contain only ASCII characters.`;
    case "FormatDateTime":
      return `${col} ${keyword} be a valid DateTime in UTC format`;
    case "FormatBillingCurrencyCode":
    case "CheckNationalCurrency":
      return `${col} ${keyword} be a valid ISO 4217 currency code (e.g., USD, EUR).`;
    case "FormatKeyValue":
      return `${col} ${keyword} be valid JSON format`;
    case "FormatCurrency":
      return `${col} ${keyword} be a valid ISO 4217 currency code (3 uppercase letters, e.g. USD, EUR).`;
    case "FormatUnit":
      return `Column '${col}' contains values that do not match FOCUS Unit Format specification`;
    case "CheckValue":
      return p.Value === null ? `${col} ${keyword} be NULL.` : `${col} ${keyword} equal '${str(p.Value)}'.`;
    case "CheckNotValue":
      return p.Value === null
        ? `${col} ${keyword}${not ? "" : " NOT"} be NULL.`
        : `${col} ${keyword}${not ? "" : " NOT"} be '${str(p.Value)}'.`;
    case "CheckSameValue":
      return `${p.ColumnAName} and ${p.ColumnBName} ${keyword} have the same value.`;
    case "CheckNotSameValue":
      return `${p.ColumnAName} and ${p.ColumnBName} ${keyword}${not ? "" : " NOT"} have the same value.`;
    case "ColumnByColumnEqualsColumnValue":
      return `Expected ${p.ResultColumnName} = ${p.ColumnAName} * ${p.ColumnBName}`;
    case "CheckGreaterOrEqualThanValue":
      return `${col} ${keyword} be greater than or equal to ${str(p.Value)}.`;
    case "CheckDistinctCount":
      return `For each ${p.ColumnAName}, there ${keyword} be exactly ${str(p.ExpectedCount)} distinct ${p.ColumnBName} values.`;
    default:
      return `Validation rule failed`;
  }
}

interface Ctx {
  table: Table;
  plan: Plan;
  strict: boolean;
  results: Map<number, NodeResult>;
  /** Effective condition contributed by the Composite rules that reference a rule. */
  downstreamCond: Map<string, Pred[]>;
}

function buildCheck(ctx: Ctx, ruleId: string, rule: ModelRule): Check {
  if (rule.Type === "Dynamic") return { kind: "skipped", reason: REASON_DYNAMIC, checkType: "skipped_check" };
  if (["OPTIONAL", "MAY"].includes(rule.ValidationCriteria.Keyword))
    return { kind: "skipped", reason: REASON_OPTIONAL, checkType: "skipped_check" };
  return generate(ctx, ruleId, rule, rule.ValidationCriteria.Requirement);
}

function generate(ctx: Ctx, ruleId: string, rule: ModelRule, req: Requirement): Check {
  const fn = req.CheckFunction;
  if (!fn) throw new InvalidRuleError(`Rule ${ruleId}: Requirement missing 'CheckFunction'.`);
  const required = REQUIRED_KEYS[fn];
  if (!required) throw new InvalidRuleError(`Rule ${ruleId}: No generator registered for CheckFunction='${fn}'.`);
  const missing = required.filter((k) => !(k in req));
  if (missing.length) throw new InvalidRuleError(`Rule ${ruleId}: Missing required parameter(s) for '${fn}': ${missing.join(", ")}`);
  if (fn === "CheckDecimalValue") return { kind: "skipped", reason: REASON_DECIMAL, checkType: "skipped_check" };
  if (fn === "AND" || fn === "OR") {
    return {
      kind: fn === "AND" ? "and" : "or",
      children: (req.Items ?? []).map((it) => generate(ctx, ruleId, rule, it)),
      checkType: "composite",
    };
  }
  if (fn === "CheckModelRule") return { kind: "ref", target: req.ModelRuleId as string, checkType: "model_rule_reference" };
  // _build_effective_condition + the conditions of downstream Composite rules.
  const parts: Pred[] = [];
  const own = compileCondition(rule.ValidationCriteria.Condition, ctx.strict);
  if (own) parts.push(own);
  parts.push(...(ctx.downstreamCond.get(ruleId) ?? []));
  return {
    kind: "leaf",
    fn,
    params: req,
    cond: parts.length ? andP(parts) : null,
    checkType: CHECK_TYPES[fn] ?? fn,
    message: leafMessage(fn, req, rule.ValidationCriteria.Keyword),
  };
}

function runLeaf(ctx: Ctx, check: Extract<Check, { kind: "leaf" }>): [boolean, Details] {
  const t = ctx.table;
  const base = { check_type: check.checkType };
  if (check.fn === "ColumnPresent") {
    const found = t.hasExact(check.params.ColumnName as string);
    return [found, { ...base, violations: found ? 0 : 1, message: found ? undefined : check.message, rows: found ? new Set() : "all" }];
  }
  try {
    const rows = new Set<number>();
    if (check.fn === "CheckDistinctCount") {
      const [a, b, n] = [check.params.ColumnAName as string, check.params.ColumnBName as string, Number(check.params.ExpectedCount)];
      const cols = [a, b, ...(check.cond?.cols ?? [])];
      const missing = cols.filter((c) => !t.has(c));
      if (missing.length) throw new BinderError(`Referenced column "${missing[0]}" not found`, missing);
      const cond = check.cond ? check.cond.bind(t) : () => true;
      const [ca, cb] = [t.col(a), t.col(b)];
      const groups = new Map<string, { rows: number[]; distinct: Set<string> }>();
      for (let i = 0; i < t.rowCount; i++) {
        if (cond(i) !== true) continue;
        const key = ca.values[i] === null ? "\u0000null" : `${typeof ca.values[i]}:${String(ca.values[i])}`;
        if (!groups.has(key)) groups.set(key, { rows: [], distinct: new Set() });
        const g = groups.get(key) as { rows: number[]; distinct: Set<string> };
        g.rows.push(i);
        if (cb.values[i] !== null) g.distinct.add(`${typeof cb.values[i]}:${String(cb.values[i])}`);
      }
      let violations = 0;
      for (const g of groups.values()) {
        if (g.distinct.size !== n) {
          violations++;
          for (const r of g.rows) rows.add(r);
        }
      }
      return [violations === 0, { ...base, violations, message: violations ? check.message : undefined, rows }];
    }
    const viol = violationPred(check.fn, check.params);
    if (!viol) throw new InvalidRuleError(`No evaluator for ${check.fn}`);
    const full = check.cond ? andP([viol, check.cond]) : viol;
    const missing = [...new Set(full.cols)].filter((c) => !t.has(c));
    if (missing.length) throw new BinderError(`Referenced column "${missing[0]}" not found in FROM clause!`, missing);
    const f = full.bind(t);
    for (let i = 0; i < t.rowCount; i++) if (f(i) === true) rows.add(i);
    const violations = rows.size;
    return [violations === 0, { ...base, violations, message: violations ? check.message : undefined, rows }];
  } catch (e) {
    if (e instanceof BinderError) {
      const reason = e.missing.length ? `Missing columns: ${e.missing.join(", ")}` : "Missing required column(s)";
      return [false, { ...base, violations: 1, message: check.message || reason, error: e.message, rows: "all" }];
    }
    if (e instanceof ConversionError) {
      return [false, { ...base, violations: 1, message: check.message, error: e.message, crash: e.message, rows: "all" }];
    }
    throw e;
  }
}

function childId(check: Check, i: number, forOr: boolean): string {
  if (check.kind === "ref" && !forOr) return check.target;
  if (check.kind === "skipped") return `child#${i + 1}`;
  return `${check.checkType}#${i + 1}`;
}

function runCheck(ctx: Ctx, check: Check, parentIdxs: number[]): [boolean, Details] {
  switch (check.kind) {
    case "skipped":
      return [true, { skipped: true, reason: check.reason, violations: 0, message: check.reason, rows: new Set() }];
    case "leaf":
      return runLeaf(ctx, check);
    case "ref": {
      let res: NodeResult | undefined;
      for (const p of parentIdxs) if (ctx.plan.nodes[p].ruleId === check.target) res = ctx.results.get(p);
      if (!res) {
        const idx = ctx.plan.id2idx.get(check.target);
        res = idx === undefined ? undefined : ctx.results.get(idx);
      }
      if (!res) {
        return [
          false,
          { violations: 1, message: `Referenced rule '${check.target}' not found upstream`, referenced_rule_id: check.target, rows: "all" },
        ];
      }
      const ok = res.ok;
      return [
        ok,
        {
          violations: res.details.violations ?? (ok ? 0 : 1),
          message: `Conformance reference to ${check.target} (${ok ? "OK" : "FAIL"})`,
          referenced_rule_id: check.target,
          check_type: "model_rule_reference",
          rows: res.details.rows ?? (ok ? new Set() : "all"),
        },
      ];
    }
    case "and": {
      const oks: boolean[] = [];
      const children: ChildDetails[] = [];
      check.children.forEach((child, i) => {
        const [ok, det] = runCheck(ctx, child, parentIdxs);
        oks.push(ok);
        children.push({ ...det, rule_id: childId(child, i, false) });
      });
      const ok = oks.every(Boolean);
      return [ok, { children, aggregated: "all", violations: ok ? 0 : 1, check_type: "composite", rows: unionRows(children) }];
    }
    case "or": {
      const children: ChildDetails[] = [];
      const oks: boolean[] = [];
      const total = ctx.table.rowCount;
      check.children.forEach((child, i) => {
        const [ok, det] = runCheck(ctx, child, parentIdxs);
        // The validator's OR executor: an alternative passes when fewer rows violate it than the table has.
        const orOk = ctx.strict ? ok : (det.violations ?? 1) < total;
        oks.push(orOk);
        children.push({ ...det, ok: orOk, violations: orOk ? 0 : 1, rule_id: childId(child, i, true), rows: det.rows });
      });
      const rows = intersectRows(children, total);
      if (ctx.strict) {
        // Row-wise: a row fails the OR when it fails every alternative. No re-aggregation afterwards.
        return [rows.size === 0, { violations: rows.size, check_type: "composite", rows }];
      }
      const ok = oks.some(Boolean);
      return [ok, { children, aggregated: "any", violations: ok ? 0 : total === 0 ? 1 : total, check_type: "composite", rows }];
    }
  }
}

function allRows(n: number): Set<number> {
  return new Set(Array.from({ length: n }, (_, i) => i));
}
function unionRows(children: Details[]): Set<number> | "all" {
  const out = new Set<number>();
  for (const c of children) {
    if (c.skipped) continue;
    if (c.rows === "all") return "all";
    for (const r of c.rows ?? []) out.add(r);
  }
  return out;
}
function intersectRows(children: Details[], n: number): Set<number> {
  let acc: Set<number> | null = null;
  for (const c of children) {
    const rows = c.rows === "all" ? allRows(n) : (c.rows ?? new Set<number>());
    const prev: Set<number> | null = acc;
    acc = prev === null ? new Set(rows) : new Set([...prev].filter((r: number) => rows.has(r)));
  }
  return acc ?? new Set();
}

// ---------------------------------------------------------------------------------------------
// Post-processing (apply_result_overrides)
// ---------------------------------------------------------------------------------------------

function includeRule(rule: ModelRule, criteria: string[]): boolean {
  // _should_include_rule: parent edges carry no rule ids, so only the rule's own criteria count.
  if (!rule.ApplicabilityCriteria.length) return true;
  return rule.ApplicabilityCriteria.some((c) => criteria.includes(c));
}

function applyOverrides(plan: Plan, results: Map<number, NodeResult>, criteria: string[]): void {
  // Phase 1: non-applicable rules, their descendants and their column's rules are skipped.
  const nonApplicable = new Set<number>();
  const prefixes = new Set<string>();
  for (const node of plan.nodes) {
    if (includeRule(node.rule, criteria)) continue;
    nonApplicable.add(node.idx);
    if (node.rule.Function === "Presence" && node.rule.EntityType === "Dataset" && node.ruleId.includes("-")) {
      const col = node.rule.Reference;
      if (col && col !== "CostAndUsage") prefixes.add(col);
    }
  }
  const toSkip = new Set(nonApplicable);
  const stack = [...nonApplicable];
  while (stack.length) {
    const cur = stack.pop() as number;
    for (const node of plan.nodes) {
      if (node.parentIdxs.includes(cur) && !toSkip.has(node.idx)) {
        toSkip.add(node.idx);
        stack.push(node.idx);
      }
    }
  }
  for (const node of plan.nodes) {
    if (!toSkip.has(node.idx) && node.ruleId.includes("-") && prefixes.has(node.ruleId.split("-")[0])) toSkip.add(node.idx);
  }
  for (const idx of toSkip) {
    const res = results.get(idx);
    if (!res) continue;
    const d = res.details;
    if (!d.skipped) {
      res.ok = true;
      Object.assign(d, {
        skipped: true,
        reason: REASON_NA,
        message: "Rule skipped - not applicable to current dataset or configuration",
        violations: 0,
      });
    }
    for (const child of d.children ?? []) {
      if (!child.skipped)
        Object.assign(child, {
          ok: true,
          skipped: true,
          reason: REASON_NA,
          violations: 0,
          message: `${child.rule_id}: rule not applicable`,
        });
    }
  }

  // Phase 2: upstream skips.
  for (const node of plan.nodes) {
    const res = results.get(node.idx);
    if (!res) continue;
    const d = res.details;
    const skippedParents: string[] = [];
    for (const p of node.parentIdxs) {
      const pr = results.get(p);
      if (pr?.details.skipped) skippedParents.push(pr.rule_id);
    }
    if (!skippedParents.length) continue;
    if (node.rule.Function === "Composite") {
      const allChildrenSkipped = (d.children ?? []).every((c) => c.skipped);
      if (!allChildrenSkipped) continue;
    }
    res.ok = true;
    Object.assign(d, {
      skipped: true,
      reason: REASON_UPSTREAM,
      message: `Rule skipped - dependent rule(s) were skipped: ${skippedParents.join(", ")}`,
      violations: 0,
    });
  }

  // Phase 3: composites re-aggregated from their children's current results.
  const firstIdxOf = (id: string) => plan.nodes.find((n) => n.ruleId === id)?.idx;
  for (const node of plan.nodes) {
    const res = results.get(node.idx);
    if (!res) continue;
    const d = res.details;
    if (!d.children || !d.aggregated) continue;
    const children = d.children;
    const sync = (child: ChildDetails, depId: string) => {
      const idx = firstIdxOf(depId);
      const dep = idx === undefined ? undefined : results.get(idx);
      if (!dep) return;
      child.ok = dep.ok;
      child.skipped = !!dep.details.skipped;
      child.violations = dep.details.violations ?? 0;
      if (dep.details.reason !== undefined) child.reason = dep.details.reason;
      if (dep.details.message !== undefined) child.message = dep.details.message;
    };
    const childDeps = node.rule.ValidationCriteria.Dependencies.filter((dep) => !dep.endsWith("-D-") && !dep.includes("-D-"));
    if (childDeps.length && childDeps.length === children.length) childDeps.forEach((dep, i) => sync(children[i], dep));
    else for (const child of children) if (child.rule_id) sync(child, child.rule_id);

    if (children.length && children.every((c) => c.skipped)) {
      res.ok = true;
      Object.assign(d, { skipped: true, reason: REASON_ALL_CHILDREN, message: REASON_ALL_CHILDREN, violations: 0 });
      continue;
    }
    const live = children.filter((c) => !c.skipped);
    const oks = live.map((c) => c.ok ?? false);
    const ok = d.aggregated === "all" ? oks.every(Boolean) : oks.some(Boolean);
    res.ok = ok;
    if (ok) d.violations = 0;
    const failed = children.filter((c) => !c.skipped && !(c.ok ?? false)).map((c) => c.rule_id);
    const passed = children.filter((c) => !c.skipped && (c.ok ?? false)).map((c) => c.rule_id);
    const kind = d.aggregated === "all" ? "AND" : "OR";
    d.message = ok
      ? `${node.ruleId}: ${kind} passed - ${kind === "AND" ? "all child rules succeeded" : "satisfied by rules"}: [${passed.join(", ")}]`
      : `${node.ruleId}: ${kind} failed - ${kind === "AND" ? "failed child rules" : "all child rules failed"}: [${failed.join(", ")}]`;
  }
}

// ---------------------------------------------------------------------------------------------
// validateFocus
// ---------------------------------------------------------------------------------------------

const SKIP_REASONS: Record<string, FocusSkipReason> = {
  [REASON_DYNAMIC]: "dynamic",
  [REASON_OPTIONAL]: "optional",
  [REASON_DECIMAL]: "not implemented",
  [REASON_NA]: "not applicable",
  [REASON_UPSTREAM]: "upstream dependency skipped",
  [REASON_ALL_CHILDREN]: "all child rules skipped",
};

let planCache: Plan | undefined;

function columnsRead(rule: ModelRule, strict: boolean): string[] {
  const out: string[] = [];
  const walk = (q: unknown) => {
    if (!q || typeof q !== "object") return;
    const r = q as Requirement;
    for (const k of ["ColumnName", "ColumnAName", "ColumnBName", "ResultColumnName", ...(strict ? ["CheckCondition"] : [])]) {
      if (typeof r[k] === "string" && !out.includes(r[k] as string)) out.push(r[k] as string);
    }
    for (const it of r.Items ?? []) walk(it);
    if (strict && r.AND) (Array.isArray(r.AND) ? r.AND : [r.AND]).forEach(walk);
  };
  walk(rule.ValidationCriteria.Requirement);
  walk(rule.ValidationCriteria.Condition);
  return out;
}

/** Validate a FOCUS 1.2 CostAndUsage dataset the way focus_validator does (see the file header). */
export function validateFocus(dataset: FocusDataset, options: ValidateFocusOptions): FocusReport {
  const model = loadFocusModel();
  const strict = options.semantics === "strict";
  const maxExamples = options.maxExamples ?? 5;
  const criteria =
    options.applicability.length === 1 && options.applicability[0].toUpperCase() === "ALL"
      ? Object.keys(model.ApplicabilityCriteria)
      : options.applicability.map((c) => c.trim()).filter(Boolean);
  const unknown = criteria.filter((c) => !(c in model.ApplicabilityCriteria));
  if (unknown.length) throw new Error(`focus-validator: unknown applicability criteria ${unknown.join(", ")}`);

  planCache ??= buildPlan(model);
  const plan = planCache;
  const { table, dropped } = buildTable(dataset, focusColumnTypes(model, plan.relevant));

  const downstreamCond = new Map<string, Pred[]>();
  for (const node of plan.nodes) {
    const preds: Pred[] = [];
    for (const c of plan.children.get(node.ruleId) ?? []) {
      const comp = model.ModelRules[c];
      if (comp.Function !== "Composite") continue;
      const p = compileCondition(comp.ValidationCriteria.Condition, strict);
      if (p) preds.push(p);
    }
    downstreamCond.set(node.ruleId, preds);
  }

  const ctx: Ctx = { table, plan, strict, results: new Map(), downstreamCond };
  for (const layer of plan.layers) {
    for (const idx of layer) {
      const node = plan.nodes[idx];
      const check = buildCheck(ctx, node.ruleId, node.rule);
      const [ok, details] = runCheck(ctx, check, node.parentIdxs);
      if (check.kind === "and" || check.kind === "or" || check.kind === "ref") details.crash = findCrash(details);
      ctx.results.set(idx, { ok, details, rule_id: node.ruleId });
    }
  }
  applyOverrides(plan, ctx.results, criteria);

  const rules: FocusRuleResult[] = [];
  const crashes: FocusReport["crashes"] = [];
  for (const node of plan.nodes) {
    const res = ctx.results.get(node.idx) as NodeResult;
    const d = res.details;
    const status: FocusRuleStatus = d.skipped ? "skipped" : res.ok ? "pass" : "fail";
    const vc = node.rule.ValidationCriteria;
    const cols = columnsRead(node.rule, strict);
    const examples: FocusFailureExample[] = [];
    if (status === "fail" && d.rows instanceof Set) {
      for (const r of [...d.rows].slice(0, maxExamples)) {
        examples.push({ row: r, values: Object.fromEntries(cols.map((c) => [c, dataset.rows[r]?.[c] ?? null])) });
      }
    }
    if (d.crash && status === "fail") crashes.push({ ruleId: node.ruleId, error: d.crash });
    rules.push({
      ruleId: node.ruleId,
      status,
      keyword: vc.Keyword,
      mustSatisfy: vc.MustSatisfy,
      type: node.rule.Type,
      function: node.rule.Function,
      entityType: node.rule.EntityType,
      reference: node.rule.Reference,
      applicabilityCriteria: node.rule.ApplicabilityCriteria,
      ...(status === "skipped" ? { reason: SKIP_REASONS[d.reason ?? ""] ?? "upstream dependency skipped", reasonText: d.reason } : {}),
      violations: d.violations ?? 0,
      message: d.message,
      ...(d.error ? { error: d.error } : {}),
      examples,
      ...(status === "fail" && d.children && d.aggregated === "all"
        ? { failedChildren: d.children.filter((c) => !c.skipped && !(c.ok ?? false)).map((c) => c.rule_id) }
        : {}),
    });
  }
  const byId = Object.fromEntries(rules.map((r) => [r.ruleId, r]));
  // Failed alternatives of an OR rule that passed.
  for (const r of rules) {
    const req = model.ModelRules[r.ruleId].ValidationCriteria.Requirement;
    if (req.CheckFunction !== "OR" || r.status !== "pass") continue;
    for (const item of req.Items ?? []) {
      const alt = item.CheckFunction === "CheckModelRule" ? byId[item.ModelRuleId as string] : undefined;
      if (alt && alt.status === "fail") alt.orAlternativeOf = [...(alt.orAlternativeOf ?? []), r.ruleId];
    }
  }
  return {
    modelVersion: model.Details.ModelVersion,
    semantics: strict ? "strict" : "validator",
    applicability: criteria,
    rowCount: table.rowCount,
    columnTypes: Object.fromEntries(table.columns.map((c) => [c.name, c.type])),
    droppedColumns: dropped,
    rules,
    byId,
    crashes,
  };
}

function findCrash(d: Details): string | undefined {
  if (d.crash) return d.crash;
  for (const c of d.children ?? []) {
    const x = findCrash(c);
    if (x) return x;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Reporting helpers
// ---------------------------------------------------------------------------------------------

/** Counts per status (and per skip reason), plus the failed rule ids: for test failure messages. */
export function summarizeReport(report: FocusReport): string {
  const count = (s: FocusRuleStatus) => report.rules.filter((r) => r.status === s).length;
  const reasons = new Map<string, number>();
  for (const r of report.rules) if (r.reason) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  const failed = report.rules.filter((r) => r.status === "fail").map((r) => `${r.ruleId}${r.orAlternativeOf ? " (OR alternative)" : ""}`);
  return [
    `FOCUS ${report.modelVersion} (${report.semantics}): ${report.rules.length} rules, ${count("pass")} pass, ${count("fail")} fail, ${count("skipped")} skipped` +
      ` (${[...reasons].map(([k, v]) => `${k}: ${v}`).join(", ")})`,
    ...(report.droppedColumns.length ? [`dropped columns: ${report.droppedColumns.join(", ")}`] : []),
    ...(failed.length ? [`failed: ${failed.join(", ")}`] : []),
  ].join("\n");
}

/** The failing rules whose keyword is MUST or MUST NOT (leaving out failed alternatives of a passing OR). */
export function mustFailures(report: FocusReport): FocusRuleResult[] {
  return report.rules.filter((r) => r.status === "fail" && (r.keyword === "MUST" || r.keyword === "MUST NOT") && !r.orAlternativeOf);
}

/** Throws with a readable summary of every failing MUST / MUST NOT rule (and any validator crash). */
export function assertConformant(report: FocusReport): void {
  const failures = mustFailures(report);
  if (!failures.length && !report.crashes.length) return;
  const lines = [
    `FOCUS ${report.modelVersion} dataset is not conformant: ${failures.length} MUST/MUST NOT rule(s) failed.`,
    summarizeReport(report),
    "",
  ];
  for (const c of report.crashes) lines.push(`! ${c.ruleId}: the Python validator aborts here: ${c.error}`);
  for (const f of failures) {
    lines.push(`- ${f.ruleId} [${f.keyword}] ${f.mustSatisfy}`);
    lines.push(`    ${f.error ?? f.message ?? ""}${f.violations ? ` (violations: ${f.violations})` : ""}`.trimEnd());
    if (f.failedChildren?.length) lines.push(`    failed: ${f.failedChildren.join(", ")}`);
    for (const ex of f.examples) lines.push(`    row ${ex.row}: ${JSON.stringify(ex.values)}`);
  }
  throw new Error(lines.join("\n"));
}
