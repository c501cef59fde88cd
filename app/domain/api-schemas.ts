/**
 * The read API's contract (docs/api.md): one zod schema per query parameter and per response
 * body, and the OpenAPI 3.1 document generated from them (`z.toJSONSchema`, JSON Schema
 * 2020-12). The routes parse with these schemas and the served document is built from the same
 * objects, so the two cannot drift. Pure: zod and the domain only.
 */
import { z } from "zod";
import { parseDate } from "./csv/values";
import { MONTH_RE } from "./periods";
import type { ReconcileResult } from "./reconcile";
import { CHECK_STATUSES, GRANULARITIES, GROUP_BYS, RECONCILE_STATUSES } from "./vocabulary";

export const API_VERSION = "1.0.0";
/** Rows per page: the default and the largest `limit` accepted. */
export const DEFAULT_PAGE_LIMIT = 500;
export const MAX_PAGE_LIMIT = 5000;

// ---------------------------------------------------------------- field names (the CLI's JSON too)

/** A report row in the API's and `npm run report -- --format json`'s field names. */
export function reportRowFields(r: {
  periodStart: string;
  orgId: string;
  group: string;
  direct: string;
  unallocatedShare: string;
  total: string;
}) {
  return {
    period_start: r.periodStart,
    org_id: r.orgId,
    group: r.group,
    direct_cost: r.direct,
    unallocated_share: r.unallocatedShare,
    total_cost: r.total,
  };
}

/** A reconciliation result in the API's and `npm run reconcile`'s field names. */
export function reconcileFields(r: ReconcileResult) {
  return {
    org_id: r.orgId,
    month: r.month,
    export_total: r.exportTotal,
    invoice_subtotal: r.invoiceSubtotal,
    variance: r.variance,
    status: r.status,
    checks: r.checks,
    missing_buckets: r.missingBuckets,
    coverage: r.coverage,
    tolerance: r.tolerance,
    allocated_total: r.allocatedTotal,
    unmapped_total: r.unmappedTotal,
  };
}

// ---------------------------------------------------------------- shared pieces

export const DecimalString = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .meta({ description: 'An exact decimal amount as a string (e.g. "1234.5678"), never a binary floating-point number.' });
const DateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .meta({ description: "A calendar date, YYYY-MM-DD" });
const MonthString = z.string().regex(MONTH_RE).meta({ description: "A calendar month, YYYY-MM" });
const NextCursor = z.string().nullable().meta({ description: "Pass as `cursor` to get the next page; null on the last page." });

export const API_ERROR_CODES = ["invalid_parameter", "unauthorized", "forbidden", "rate_limited", "not_found"] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];
export const ApiErrorSchema = z
  .object({
    error: z.string().meta({ description: "What is wrong, in words" }),
    code: z.enum(API_ERROR_CODES),
    parameter: z.string().optional().meta({ description: "The query parameter at fault (400 only)" }),
  })
  .meta({ id: "Error" });

// ---------------------------------------------------------------- query parameters

/** One query parameter: its schema (on the raw string, or strings when `multiple`), documented in the OpenAPI document. */
export interface ParamSpec {
  name: string;
  schema: z.ZodType;
  required: boolean;
  multiple?: boolean;
  description: string;
}

const calendarDate = z
  .string()
  .refine((d) => parseDate(d).ok, "must be a calendar date YYYY-MM-DD")
  .meta({ format: "date", pattern: "^\\d{4}-\\d{2}-\\d{2}$" });
const limitParam: ParamSpec = {
  name: "limit",
  schema: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  required: false,
  description: `Rows per page (1–${MAX_PAGE_LIMIT}, default ${DEFAULT_PAGE_LIMIT}).`,
};
const cursorParam: ParamSpec = {
  name: "cursor",
  schema: z.string().min(1).max(1000),
  required: false,
  description: "The `next_cursor` of the previous page (opaque).",
};
const orgParam = (multiple: boolean): ParamSpec => ({
  name: "org",
  schema: z.string().min(1).max(200),
  required: false,
  multiple,
  description: multiple
    ? "An organization id; repeat for several (default: every organization)."
    : "One organization id (default: every organization).",
});
const monthParam: ParamSpec = {
  name: "month",
  schema: z.string().regex(MONTH_RE, "must be a month YYYY-MM"),
  required: true,
  description: "The calendar month, YYYY-MM.",
};

export const REPORT_PARAMS: ParamSpec[] = [
  { name: "granularity", schema: z.enum(GRANULARITIES), required: true, description: "The view's periods: daily, weekly or monthly." },
  { name: "from", schema: calendarDate, required: true, description: "First period start, inclusive (YYYY-MM-DD)." },
  { name: "to", schema: calendarDate, required: true, description: "Last period start, inclusive (YYYY-MM-DD)." },
  orgParam(true),
  { name: "by", schema: z.enum(GROUP_BYS).default("team"), required: false, description: "Group by team (default) or cost_center." },
  limitParam,
  cursorParam,
];
export const RECONCILIATION_PARAMS: ParamSpec[] = [monthParam, orgParam(true), limitParam, cursorParam];
/** The team detail: the report's range parameters; `limit` and `cursor` page the principals. */
export const TEAM_PARAMS: ParamSpec[] = [...REPORT_PARAMS.filter((p) => p.name !== "by")];
export const UNMAPPED_PARAMS: ParamSpec[] = [monthParam, orgParam(false), limitParam, cursorParam];

// ---------------------------------------------------------------- response bodies

export const ReportRowSchema = z
  .object({
    period_start: DateString,
    org_id: z.string(),
    group: z.string().meta({
      description:
        'The team (or cost center with by=cost_center), or a pseudo-group: unmapped, unallocated, unassigned; for a scoped token, "other teams" sums every team outside its scope',
    }),
    direct_cost: DecimalString,
    unallocated_share: DecimalString,
    total_cost: DecimalString,
  })
  .meta({ id: "ReportRow" });
export const ReportResponseSchema = z
  .object({ rows: z.array(ReportRowSchema), next_cursor: NextCursor })
  .meta({ id: "ReportResponse", description: "The rows of `npm run report -- --format json`, sorted by period_start, org_id, group." });

const CheckSchema = z.object({ status: z.enum(CHECK_STATUSES), detail: z.string() });
const ReconcileFields = {
  org_id: z.string(),
  month: MonthString,
  export_total: DecimalString.nullable(),
  invoice_subtotal: DecimalString.nullable(),
  variance: DecimalString.nullable().meta({ description: "export_total − invoice_subtotal" }),
  status: z.enum(RECONCILE_STATUSES),
  checks: z.object({
    buckets_complete: CheckSchema,
    ingested_after_48h: CheckSchema,
    allocated_equals_export: CheckSchema,
    coverage: CheckSchema,
  }),
  missing_buckets: z.array(DateString),
  coverage: DecimalString.nullable().meta({ description: "1 − unmapped / total, 4 decimals" }),
  tolerance: DecimalString,
  allocated_total: DecimalString.nullable(),
  unmapped_total: DecimalString.nullable(),
};
export const ReconciliationTotalSchema = z.object(ReconcileFields).meta({ id: "ReconciliationTotal" });
export const ReconciliationRowSchema = z
  .object({
    ...ReconcileFields,
    source: z.enum(["monthly", "daily", "weekly_only", "none"]),
    close: z
      .object({ status: z.enum(["closed", "reopened"]), reason: z.string().nullable(), closed_by: z.string(), closed_at: z.string() })
      .nullable(),
  })
  .meta({ id: "ReconciliationRow" });
export const ReconciliationResponseSchema = z
  .object({
    month: MonthString,
    rows: z.array(ReconciliationRowSchema),
    total: ReconciliationTotalSchema.nullable().meta({
      description: "Across every organization asked for (org_id ALL), not only this page",
    }),
    next_cursor: NextCursor,
  })
  .meta({
    id: "ReconciliationResponse",
    description: "What `npm run reconcile -- --month M` prints, one row per organization (sorted by org_id).",
  });

const Named = { display_name: z.string().nullable(), cost: DecimalString };
export const UnmappedRowSchema = z
  .object({
    org_id: z.string(),
    owner_id: z.string(),
    ...Named,
    rows: z.number().int(),
    granularity: z.enum(GRANULARITIES),
    products: z.array(z.object({ product: z.string(), cost: DecimalString })),
    environments: z.array(
      z.object({
        environment_id: z.string(),
        ...Named,
        resources: z.array(z.object({ resource_id: z.string(), ...Named })),
      }),
    ),
    first_seen: DateString,
    last_seen: DateString,
  })
  .meta({ id: "UnmappedOwner" });
export const UnmappedResponseSchema = z
  .object({ month: MonthString, rows: z.array(UnmappedRowSchema), next_cursor: NextCursor })
  .meta({ id: "UnmappedResponse", description: "The unmapped queue of /crosswalk/unmapped: largest cost first (then org_id, owner_id)." });

const Amounts = { direct_cost: DecimalString, unallocated_share: DecimalString, total_cost: DecimalString };
export const TeamResponseSchema = z
  .object({
    team: z.string(),
    cost_center: z.string().nullable(),
    archived: z.boolean(),
    totals: z.object(Amounts),
    trend: z.array(z.object({ period_start: DateString, ...Amounts })),
    by_org: z.array(z.object({ org_id: z.string(), ...Amounts })),
    by_product: z.array(z.object({ product: z.string(), direct_cost: DecimalString })),
    principals: z.array(
      z.object({
        org_id: z.string(),
        owner_id: z.string(),
        display_name: z.string().nullable(),
        mapped_by: z.string().nullable(),
        direct_cost: DecimalString,
      }),
    ),
    next_cursor: NextCursor,
  })
  .meta({
    id: "TeamResponse",
    description:
      "A team's detail as on /teams/{team}: totals, trend per period, per org and per product, and its principals " +
      "(largest direct cost first, then org_id, owner_id; the page of `limit` principals, the rest by `cursor`).",
  });

// ---------------------------------------------------------------- the OpenAPI document

/** The components of the document: each response schema by its id. */
export const API_SCHEMAS = [
  ApiErrorSchema,
  ReportRowSchema,
  ReportResponseSchema,
  ReconciliationRowSchema,
  ReconciliationTotalSchema,
  ReconciliationResponseSchema,
  UnmappedRowSchema,
  UnmappedResponseSchema,
  TeamResponseSchema,
] as const;

const schemaId = (s: z.ZodType) => (s.meta() as { id?: string } | undefined)?.id;
const ref = (s: z.ZodType) => ({ $ref: `#/components/schemas/${schemaId(s)}` });

/** `components.schemas`: the JSON Schema (2020-12) of every response schema, references between them by $ref. */
export function apiComponentSchemas(): Record<string, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  for (const s of API_SCHEMAS) registry.add(s, { id: schemaId(s)! });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, target: "draft-2020-12" });
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as Record<string, unknown>;
    void _s;
    void _i;
    out[id] = rest;
  }
  return out;
}

function parameters(specs: ParamSpec[]) {
  return specs.map((p) => {
    const one = z.toJSONSchema(p.schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" }) as Record<string, unknown>;
    delete one.$schema;
    return {
      name: p.name,
      in: "query",
      required: p.required,
      description: p.description,
      schema: p.multiple ? { type: "array", items: one } : one,
      ...(p.multiple ? { style: "form", explode: true } : {}),
    };
  });
}

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: ref(ApiErrorSchema) } } });

/** Who may call an operation: any token (a team_viewer's is scoped), tokens that see every team, or finance admins. */
type Audience = "scoped" | "every_team" | "admin";
const FORBIDDEN: Record<Exclude<Audience, "scoped">, string> = {
  every_team: "The token is scoped to some teams (role team_viewer): this endpoint shows every team",
  admin: "The token's principal is not a finance admin",
};

function operation(summary: string, description: string, specs: ParamSpec[], body: z.ZodType, audience: Audience) {
  return {
    get: {
      summary,
      description,
      security: [{ bearerToken: [] }],
      parameters: parameters(specs),
      responses: {
        "200": { description: "The page of rows", content: { "application/json": { schema: ref(body) } } },
        "400": errorResponse("A query parameter is missing or invalid (`parameter` names it)"),
        "401": errorResponse("No token, or a malformed, unknown, expired or revoked one"),
        ...(audience === "scoped" ? {} : { "403": errorResponse(FORBIDDEN[audience]) }),
        "429": {
          ...errorResponse("Too many requests for this token in the current window"),
          headers: { "Retry-After": { description: "Seconds until the window ends", schema: { type: "integer" } } },
        },
      },
    },
  };
}

/** The OpenAPI 3.1 document served at /api/v1/openapi.json. */
export function openApiDocument(opts: { rateLimit: number; windowSeconds: number }) {
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Showback read API",
      version: API_VERSION,
      description:
        "Read-only chargeback data (docs/api.md). Send `Authorization: Bearer <token>` (`npm run tokens -- create`). " +
        `Amounts are decimal strings. Lists are paginated with an opaque cursor. At most ${opts.rateLimit} requests ` +
        `per token per ${opts.windowSeconds} s (429 with Retry-After beyond).`,
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearerToken: { type: "http", scheme: "bearer", description: "An API token (sbk_…)" } },
      schemas: apiComponentSchemas(),
    },
    paths: {
      "/api/v1/report": operation(
        "Allocation report",
        "The rows of the report CLI (`npm run report -- --format json`) for the same parameters. " +
          'A token scoped to some teams (role team_viewer) gets its teams and one group, "other teams", summing every other team.',
        REPORT_PARAMS,
        ReportResponseSchema,
        "scoped",
      ),
      "/api/v1/reconciliation": operation(
        "Month reconciliation",
        "Export total against invoice per organization, the month-end checks and the close status (`npm run reconcile`).",
        RECONCILIATION_PARAMS,
        ReconciliationResponseSchema,
        "every_team",
      ),
      "/api/v1/unmapped": operation(
        "Unmapped queue (finance admins)",
        "Owners with cost in the month that no crosswalk entry or rule covers, largest first.",
        UNMAPPED_PARAMS,
        UnmappedResponseSchema,
        "admin",
      ),
      "/api/v1/teams/{team}": (() => {
        const op = operation(
          "Team detail",
          "One team (or the pseudo-teams unmapped, unallocated) over the range, as on the team page. 404 for a team that does not exist; " +
            "403 for a team outside a scoped token's teams.",
          TEAM_PARAMS,
          TeamResponseSchema,
          "scoped",
        );
        const team = { name: "team", in: "path", required: true, description: "The team's name", schema: { type: "string" } };
        return {
          get: {
            ...op.get,
            parameters: [team, ...op.get.parameters],
            responses: {
              ...op.get.responses,
              "403": errorResponse("The team is outside the token's scope (role team_viewer)"),
              "404": errorResponse("No team of that name"),
            },
          },
        };
      })(),
      "/api/v1/openapi.json": {
        get: {
          summary: "This document",
          security: [],
          responses: {
            "200": { description: "The OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object" } } } },
          },
        },
      },
    },
  };
}
