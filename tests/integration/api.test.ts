/**
 * The read API (docs/api.md) over the built server, on the engine chosen by TEST_DB: tokens
 * issued by the service and the CLI (shown once, stored hashed), the report endpoint against the
 * report CLI on the same fixture, cursor pagination, 401/403/400/429, every body against its
 * schema in the served OpenAPI document (a JSON Schema 2020-12 check of the keywords the document
 * uses, and the zod schemas it is generated from), and the audit trail of issue, use, refusal and
 * revocation.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiComponentSchemas,
  ApiErrorSchema,
  ReconciliationResponseSchema,
  ReportResponseSchema,
  TeamResponseSchema,
  UnmappedResponseSchema,
} from "../../app/domain/api-schemas";
import { dec } from "../../app/domain/money";
import { createApiToken, revokeApiToken } from "../../app/services/api-tokens";
import { setRole, setScope } from "../../app/services/users";
import { OTHER_TEAMS } from "../../app/domain/scope";
import type { Db } from "../../db/client";
import { listAudit } from "../../db/queries/audit";
import { getReport } from "../../db/queries/report";
import { useCliEnv } from "../helpers/cli";
import { createUser, TEST_USERS, useTestServer } from "../helpers/server";
import { seedDashboard } from "./dashboard-fixture";

// read by app/lib/api.server.ts when the server build is first imported (in beforeAll)
const RATE_LIMIT = 40;
const savedLimit = process.env.SHOWBACK_API_RATE_LIMIT;
process.env.SHOWBACK_API_RATE_LIMIT = String(RATE_LIMIT);
afterAll(() => {
  if (savedLimit === undefined) delete process.env.SHOWBACK_API_RATE_LIMIT;
  else process.env.SHOWBACK_API_RATE_LIMIT = savedLimit;
});

const server = useTestServer({ seed: seedDashboard });
const cli = useCliEnv();

const REPORT_Q = "granularity=monthly&from=2026-01-01&to=2026-12-31";
const DECIMAL = /^-?\d+(\.\d+)?$/;

async function tokenFor(db: Db, opts: { role?: "viewer" | "finance_admin"; email?: string; client?: string; name?: string } = {}) {
  const email = opts.client ? undefined : (opts.email ?? TEST_USERS[opts.role ?? "viewer"]);
  if (email) await createUser(db, { email, role: opts.role ?? "viewer" });
  const { token, row } = await createApiToken(db, "test", {
    name: opts.name ?? "test token",
    user: email,
    client: opts.client,
    role: opts.client ? (opts.role ?? "viewer") : undefined,
  });
  return { token, id: row.id };
}

const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
  server.app.anonymous().get(path, { headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } });

async function getJson(path: string, token?: string) {
  const res = await get(path, token);
  return { res, body: (await res.json()) as Record<string, unknown> };
}

// ---------------------------------------------------------------- a JSON Schema 2020-12 check of the served document

type Schema = Record<string, unknown>;
/** The keywords this checker implements; the test fails if the document uses any other. */
const KEYWORDS = new Set([
  "$ref",
  "type",
  "enum",
  "const",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "anyOf",
  "oneOf",
  "allOf",
  "description",
  "default",
]);

function keywordsOf(s: unknown, out = new Set<string>()): Set<string> {
  if (!s || typeof s !== "object") return out;
  for (const [k, v] of Object.entries(s as Schema)) {
    out.add(k);
    if (k === "properties") for (const p of Object.values(v as Schema)) keywordsOf(p, out);
    else if (k === "items" || k === "additionalProperties") keywordsOf(v, out);
    else if (k === "anyOf" || k === "oneOf" || k === "allOf") for (const x of v as unknown[]) keywordsOf(x, out);
  }
  return out;
}

const typeOk = (t: string, v: unknown) =>
  t === "null"
    ? v === null
    : t === "array"
      ? Array.isArray(v)
      : t === "object"
        ? typeof v === "object" && v !== null && !Array.isArray(v)
        : t === "integer"
          ? Number.isInteger(v)
          : typeof v === t;

function check(doc: Schema, s: Schema, v: unknown, at = "$"): string[] {
  if (typeof s.$ref === "string") {
    const target = (s.$ref as string)
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((o, k) => (o as Schema)[k], doc) as Schema;
    return check(doc, target, v, at);
  }
  const errs: string[] = [];
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeOk(t, v))) return [`${at}: ${JSON.stringify(v)} is not ${types.join("|")}`];
  }
  if (s.enum && !(s.enum as unknown[]).includes(v)) errs.push(`${at}: ${JSON.stringify(v)} not in enum`);
  if ("const" in s && s.const !== v) errs.push(`${at}: not the const`);
  if (typeof v === "string") {
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(v)) errs.push(`${at}: ${v} does not match ${s.pattern}`);
    if (typeof s.minLength === "number" && [...v].length < s.minLength) errs.push(`${at}: too short`);
    if (typeof s.maxLength === "number" && [...v].length > s.maxLength) errs.push(`${at}: too long`);
  }
  if (typeof v === "number") {
    if (typeof s.minimum === "number" && v < s.minimum) errs.push(`${at}: below minimum`);
    if (typeof s.maximum === "number" && v > s.maximum) errs.push(`${at}: above maximum`);
  }
  if (Array.isArray(v) && s.items) v.forEach((x, i) => errs.push(...check(doc, s.items as Schema, x, `${at}[${i}]`)));
  if (typeOk("object", v)) {
    const o = v as Schema;
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errs.push(`${at}: missing ${r}`);
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) errs.push(...check(doc, props[k], x, `${at}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${at}: unexpected property ${k}`);
      else if (typeof s.additionalProperties === "object") errs.push(...check(doc, s.additionalProperties as Schema, x, `${at}.${k}`));
    }
  }
  if (s.anyOf && !(s.anyOf as Schema[]).some((x) => check(doc, x, v, at).length === 0)) errs.push(`${at}: matches no anyOf`);
  if (s.oneOf && (s.oneOf as Schema[]).filter((x) => check(doc, x, v, at).length === 0).length !== 1)
    errs.push(`${at}: not exactly one oneOf`);
  for (const x of (s.allOf as Schema[] | undefined) ?? []) errs.push(...check(doc, x, v, at));
  return errs;
}

let openapi: Schema;
/** Validates `body` against the response schema the document gives for `path` and `status`. */
function expectMatchesDoc(path: string, status: number, body: unknown) {
  const op = ((openapi.paths as Schema)[path] as Schema).get as Schema;
  const response = (op.responses as Schema)[String(status)] as Schema;
  expect(response, `${path} documents ${status}`).toBeDefined();
  const schema = ((response.content as Schema)["application/json"] as Schema).schema as Schema;
  expect(check(openapi, schema, body), `${path} ${status}`).toEqual([]);
}

// ---------------------------------------------------------------- tests

beforeAll(async () => {
  const res = await get("/api/v1/openapi.json");
  expect(res.status).toBe(200);
  openapi = (await res.json()) as Schema;
});

describe("the OpenAPI document", () => {
  it("is served without a token, is OpenAPI 3.1, and holds the JSON Schema of the zod schemas", () => {
    expect(openapi.openapi).toBe("3.1.0");
    expect((openapi.components as Schema).schemas).toEqual(apiComponentSchemas());
    expect(Object.keys(openapi.paths as Schema).sort()).toEqual([
      "/api/v1/openapi.json",
      "/api/v1/reconciliation",
      "/api/v1/report",
      "/api/v1/teams/{team}",
      "/api/v1/unmapped",
    ]);
    const used = keywordsOf({ anyOf: Object.values((openapi.components as Schema).schemas as Schema) });
    expect([...used].filter((k) => !KEYWORDS.has(k))).toEqual([]);
    expect(JSON.stringify(openapi)).toContain(`"maximum":5000`);
  });
});

describe("tokens", () => {
  it("the service shows the token once and stores only its SHA-256", async () => {
    const db = server.app.db;
    const { token, id } = await tokenFor(db, { name: "hash check" });
    expect(token).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    const [row] = await db.query<Record<string, unknown>>(`select * from api_tokens where id = $1`, [id]);
    expect(row!.token_hash).toBe(createHash("sha256").update(token).digest("base64url"));
    const everything = JSON.stringify([
      await db.query(`select * from api_tokens`),
      await db.query(`select * from audit_log`),
      await db.query(`select * from settings`),
    ]);
    expect(everything).not.toContain(token.slice(4));
    const created = await listAudit(db, { entity: "api_token", action: "create" });
    expect(created.find((a) => a.entity_id === String(id))?.after).toMatchObject({ id, name: "hash check", user: TEST_USERS.viewer });
  });

  it("the CLI creates (printing the token once), lists and revokes, audited", async () => {
    expect((await cli.run("users", "add", "--email", "cli-user@example.test", "--role", "viewer")).code).toBe(0);
    const c = await cli.run("tokens", "create", "--user", "cli-user@example.test", "--name", "grafana", "--expires-days", "30");
    expect(c.code, c.stderr).toBe(0);
    const token = c.stdout.trim();
    expect(token).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    expect(c.stderr).toContain("shown once");
    const svc = await cli.run("tokens", "create", "--client", "etl-job", "--role", "finance_admin", "--name", "nightly");
    expect(svc.code, svc.stderr).toBe(0);

    const list = await cli.run("tokens", "list", "--format", "json");
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(token.slice(4));
    const listed = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(listed.map((t) => [t.name, t.user, t.client, t.role, t.status])).toEqual([
      ["nightly", null, "etl-job", "finance_admin", "active"],
      ["grafana", "cli-user@example.test", null, "viewer", "active"],
    ]);
    const table = await cli.run("tokens", "list");
    expect(table.stdout).toContain("grafana");
    expect(table.stdout).not.toContain(token.slice(4));

    const id = String(listed[1]!.id);
    const r = await cli.run("tokens", "revoke", "--id", id);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("revoked");
    expect((await cli.run("tokens", "revoke", "--id", id)).stdout).toContain("already revoked");

    await cli.withDb((db) => db.query(`update api_tokens set expires_at = now() - interval '1 minute' where name = 'nightly'`));
    const after = JSON.parse((await cli.run("tokens", "list", "--format", "json")).stdout) as Array<{ status: string }>;
    expect(after.map((t) => t.status)).toEqual(["expired", "revoked"]);

    await cli.withDb(async (db) => {
      const [row] = await db.query<{ token_hash: string; revoked_at: string | null; revoked_by: string }>(
        `select token_hash, revoked_at::text, revoked_by from api_tokens where id = $1`,
        [Number(id)],
      );
      expect(row!.token_hash).toBe(createHash("sha256").update(token).digest("base64url"));
      expect(row!.revoked_at).not.toBeNull();
      expect(row!.revoked_by).toBe("test");
      const audit = await listAudit(db, { entity: "api_token" });
      expect(audit.map((a) => [a.action, a.entity_id, a.actor]).sort()).toEqual(
        [
          ["create", id, "test"],
          ["create", String(Number(id) + 1), "test"],
          ["revoke", id, "test"],
        ].sort(),
      );
      expect(JSON.stringify(audit)).not.toContain(token.slice(4));
    });
  }, 180_000);

  it("the CLI refuses bad input (exit 1) and bad usage (exit 2)", async () => {
    expect((await cli.run("tokens", "create", "--user", "nobody@example.test", "--name", "x")).code).toBe(1);
    expect((await cli.run("tokens", "create", "--user", "cli-user@example.test", "--name", "x", "--expires-days", "0")).code).toBe(1);
    expect((await cli.run("tokens", "revoke", "--id", "999")).code).toBe(1);
    expect((await cli.run("tokens", "create", "--name", "x")).code).toBe(2);
    expect((await cli.run("tokens", "create", "--client", "x", "--name", "x")).code).toBe(2);
    expect((await cli.run("tokens", "frobnicate")).code).toBe(2);
  }, 180_000);
});

describe("GET /api/v1/report", () => {
  it("answers the report CLI's rows for the same parameters, amounts as decimal strings", async () => {
    const { token } = await tokenFor(server.app.db, { name: "parity" });
    const { res, body } = await getJson(`/api/v1/report?${REPORT_Q}&limit=5000`, token);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toContain("no-store");
    expectMatchesDoc("/api/v1/report", 200, body);
    ReportResponseSchema.parse(body);
    const rows = body.rows as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(5);
    expect(body.next_cursor).toBeNull();
    for (const r of rows) for (const k of ["direct_cost", "unallocated_share", "total_cost"]) expect(r[k]).toMatch(DECIMAL);

    // the same fixture through the CLI (its own database: the embedded one cannot be shared)
    await cli.withDb(seedDashboard);
    for (const extra of [[], ["--by", "cost_center"], ["--org", "org-vendor"]]) {
      const out = await cli.run(
        "report",
        "--granularity",
        "monthly",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "json",
        ...extra,
      );
      expect(out.code, out.stderr).toBe(0);
      const q = extra.length ? `&${extra[0]!.slice(2)}=${extra[1]}` : "";
      const api = await getJson(`/api/v1/report?${REPORT_Q}${q}&limit=5000`, token);
      expect(api.res.status).toBe(200);
      expect(api.body.rows).toEqual(JSON.parse(out.stdout));
    }
    // and the query the CLI runs, in the server's own database
    const direct = await getReport(server.app.db, { granularity: "monthly", from: "2026-01-01", to: "2026-12-31" });
    expect(rows.map((r) => r.total_cost)).toEqual(direct.map((r) => r.total));
  }, 180_000);

  it("walks every row exactly once with a small limit", async () => {
    const { token } = await tokenFor(server.app.db, { name: "pages" });
    const all = (await getJson(`/api/v1/report?${REPORT_Q}`, token)).body.rows as unknown[];
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { res, body } = await getJson(`/api/v1/report?${REPORT_Q}&limit=4${cursor ? `&cursor=${cursor}` : ""}`, token);
      expect(res.status).toBe(200);
      expectMatchesDoc("/api/v1/report", 200, body);
      const rows = body.rows as unknown[];
      expect(rows.length).toBeLessThanOrEqual(4);
      seen.push(...rows);
      cursor = body.next_cursor as string | null;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 4));
  });

  it("refuses bad parameters with 400 naming the parameter", async () => {
    const { token } = await tokenFor(server.app.db, { name: "params" });
    const cases: Array<[string, string]> = [
      ["from=2026-01-01&to=2026-12-31", "granularity"],
      ["granularity=hourly&from=2026-01-01&to=2026-12-31", "granularity"],
      ["granularity=monthly&from=2026-02-30&to=2026-12-31", "from"],
      ["granularity=monthly&from=2026-01-01", "to"],
      ["granularity=monthly&from=2026-05-01&to=2026-04-01", "from"],
      [`${REPORT_Q}&by=owner`, "by"],
      [`${REPORT_Q}&limit=0`, "limit"],
      [`${REPORT_Q}&limit=5001`, "limit"],
      [`${REPORT_Q}&limit=ten`, "limit"],
      [`${REPORT_Q}&cursor=not-a-cursor`, "cursor"],
      [`${REPORT_Q}&granularity=daily`, "granularity"],
      [`${REPORT_Q}&grouping=team`, "grouping"],
    ];
    for (const [q, parameter] of cases) {
      const { res, body } = await getJson(`/api/v1/report?${q}`, token);
      expect(res.status, q).toBe(400);
      expect(body, q).toMatchObject({ code: "invalid_parameter", parameter });
      expect(body.error, q).toContain(parameter);
      expectMatchesDoc("/api/v1/report", 400, body);
      ApiErrorSchema.parse(body);
    }
  });
});

describe("authentication and scope", () => {
  it("401 for a missing, garbage, unknown, expired or revoked token, and a disabled user's", async () => {
    const db = server.app.db;
    const expired = await tokenFor(db, { name: "expired" });
    await db.query(`update api_tokens set expires_at = now() - interval '1 second' where id = $1`, [expired.id]);
    const revoked = await tokenFor(db, { name: "revoked" });
    const r = await revokeApiToken(db, "test-admin", revoked.id);
    expect(r.already).toBe(false);
    const disabled = await tokenFor(db, { email: "gone@example.test", name: "disabled" });
    await db.query(`update users set disabled = true where email = 'gone@example.test'`);
    const unknown = `sbk_${"A".repeat(43)}`;
    const attempts: Array<[string, Record<string, string>]> = [
      ["missing", {}],
      ["garbage", { Authorization: "Bearer nope" }],
      ["basic", { Authorization: "Basic dXNlcjpwYXNz" }],
      ["unknown", { Authorization: `Bearer ${unknown}` }],
      ["expired", { Authorization: `Bearer ${expired.token}` }],
      ["revoked", { Authorization: `Bearer ${revoked.token}` }],
      ["disabled", { Authorization: `Bearer ${disabled.token}` }],
    ];
    for (const [what, headers] of attempts) {
      for (const path of [`/api/v1/report?${REPORT_Q}`, "/api/v1/reconciliation?month=2026-04", "/api/v1/unmapped?month=2026-04"]) {
        const res = await get(path, undefined, headers);
        expect(res.status, `${what} ${path}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        const body = await res.json();
        expect(body).toMatchObject({ code: "unauthorized" });
        expectMatchesDoc(path.split("?")[0]!, 401, body);
      }
    }
    // a session cookie is no API credential
    const viewer = await server.app.loginAs("viewer");
    expect((await viewer.get(`/api/v1/report?${REPORT_Q}`)).status).toBe(401);

    // refusals are audited (once a minute per token or client and reason, with a count)
    const refused = await listAudit(db, { entity: "api_token", action: "refused" });
    const reasons = refused.map((a) => (a.after as { reason: string }).reason);
    for (const reason of ["missing", "malformed", "unknown", "expired", "revoked", "disabled"]) expect(reasons).toContain(reason);
    const rev = refused.find((a) => a.entity_id === String(revoked.id))!;
    expect(rev.actor).toBe(TEST_USERS.viewer);
    expect(refused.filter((a) => a.entity_id === String(revoked.id))).toHaveLength(1); // three refusals, one entry
    const revokes = await listAudit(db, { entity: "api_token", action: "revoke" });
    expect(revokes.find((a) => a.entity_id === String(revoked.id))).toMatchObject({ actor: "test-admin" });
  });

  it("403 for a viewer's token on the admin-only unmapped queue; the role is the user's at request time", async () => {
    const db = server.app.db;
    const viewer = await tokenFor(db, { name: "viewer on admin" });
    const v = await getJson("/api/v1/unmapped?month=2026-04", viewer.token);
    expect(v.res.status).toBe(403);
    expect(v.body).toMatchObject({ code: "forbidden" });
    expectMatchesDoc("/api/v1/unmapped", 403, v.body);
    // viewers read the other endpoints
    expect((await get(`/api/v1/report?${REPORT_Q}`, viewer.token)).status).toBe(200);

    const admin2 = await tokenFor(db, { role: "finance_admin", email: "admin2@example.test", name: "admin2" });
    expect((await get("/api/v1/unmapped?month=2026-04", admin2.token)).status).toBe(200);
    await createUser(db, { email: TEST_USERS.finance_admin, role: "finance_admin" }); // not the last admin
    await setRole(db, "test", "admin2@example.test", "viewer");
    expect((await get("/api/v1/unmapped?month=2026-04", admin2.token)).status).toBe(403);

    const clientViewer = await tokenFor(db, { client: "dash", role: "viewer" });
    expect((await get("/api/v1/unmapped?month=2026-04", clientViewer.token)).status).toBe(403);
    const clientAdmin = await tokenFor(db, { client: "etl", role: "finance_admin" });
    expect((await get("/api/v1/unmapped?month=2026-04", clientAdmin.token)).status).toBe(200);
    const forbidden = await listAudit(db, { entity: "api_token", action: "refused" });
    expect(forbidden.some((a) => a.entity_id === String(viewer.id) && (a.after as { reason: string }).reason === "forbidden")).toBe(true);
  });

  it("scoped tokens see only their teams: a client's own scope, a user's scope at request time", async () => {
    const db = server.app.db;
    const sum = (rows: Array<{ total_cost: string }>) => rows.reduce((a, r) => a.plus(dec(r.total_cost)), dec("0")).toFixed(2);
    const full = await getJson(`/api/v1/report?${REPORT_Q}&limit=5000`, (await tokenFor(db, { name: "full" })).token);
    const fullRows = full.body.rows as Array<{ group: string; total_cost: string }>;
    expect(new Set(fullRows.map((r) => r.group)).size).toBeGreaterThan(3);

    // a service client scoped to one team
    const { token: client } = await createApiToken(db, "test", {
      name: "payments dash",
      client: "payments-dash",
      role: "team_viewer",
      teams: "payments",
    });
    const scoped = await getJson(`/api/v1/report?${REPORT_Q}&limit=5000`, client);
    expect(scoped.res.status).toBe(200);
    expectMatchesDoc("/api/v1/report", 200, scoped.body);
    const rows = scoped.body.rows as Array<{ group: string; total_cost: string }>;
    expect(new Set(rows.map((r) => r.group))).toEqual(new Set(["payments", OTHER_TEAMS]));
    expect(sum(rows)).toBe(sum(fullRows)); // the rest is folded, not dropped
    expect(JSON.stringify(scoped.body)).not.toContain('"search"');
    // another team's detail: 403, audited as out of scope; its own team: 200
    const other = await getJson(`/api/v1/teams/search?${REPORT_Q}`, client);
    expect(other.res.status).toBe(403);
    expectMatchesDoc("/api/v1/teams/{team}", 403, other.body);
    expect((await get(`/api/v1/teams/payments?${REPORT_Q}`, client)).status).toBe(200);
    expect((await get("/api/v1/reconciliation?month=2026-04", client)).status).toBe(403);
    const refused = await listAudit(db, { entity: "api_token", action: "refused" });
    expect(refused.some((a) => (a.after as { reason?: string }).reason === "out_of_scope")).toBe(true);

    // a user's token follows the user's scope as it is now
    const email = await createUser(db, {
      email: "scoped-api@example.test",
      role: "team_viewer",
      scope: { teams: ["search"], costCenters: [] },
    });
    const { token: user } = await createApiToken(db, "test", { name: "scoped user", user: email });
    const before = (await getJson(`/api/v1/report?${REPORT_Q}&limit=5000`, user)).body.rows as Array<{ group: string }>;
    expect(new Set(before.map((r) => r.group))).toEqual(new Set(["search", OTHER_TEAMS]));
    await setScope(db, "test", email, { teams: "payments" });
    const after = (await getJson(`/api/v1/report?${REPORT_Q}&limit=5000`, user)).body.rows as Array<{ group: string }>;
    expect(new Set(after.map((r) => r.group))).toEqual(new Set(["payments", OTHER_TEAMS]));
    expect((await get(`/api/v1/teams/search?${REPORT_Q}`, user)).status).toBe(403);
  });

  it("audits the first use of each token per day, not every request", async () => {
    const db = server.app.db;
    const { token, id } = await tokenFor(db, { client: "audited", role: "viewer" });
    for (let i = 0; i < 3; i++) expect((await get(`/api/v1/report?${REPORT_Q}&limit=1`, token)).status).toBe(200);
    const uses = (await listAudit(db, { entity: "api_token", action: "use" })).filter((a) => a.entity_id === String(id));
    expect(uses).toHaveLength(1);
    expect(uses[0]!.actor).toBe("client:audited");
    expect(uses[0]!.after).toMatchObject({ path: "/api/v1/report", first_use_of_day: true });
    // a new day: audited again
    await db.query(`update api_tokens set last_used_day = last_used_day - 1 where id = $1`, [id]);
    expect((await get(`/api/v1/report?${REPORT_Q}&limit=1`, token)).status).toBe(200);
    expect((await listAudit(db, { entity: "api_token", action: "use" })).filter((a) => a.entity_id === String(id))).toHaveLength(2);
    const [row] = await db.query<{ last_used_at: string | null }>(`select last_used_at::text from api_tokens where id = $1`, [id]);
    expect(row!.last_used_at).not.toBeNull();
  });

  it("429 with Retry-After once a token has used its window; other tokens are unaffected", async () => {
    const db = server.app.db;
    const { token, id } = await tokenFor(db, { client: "greedy", role: "viewer" });
    for (let i = 0; i < RATE_LIMIT; i++) {
      const res = await get("/api/v1/reconciliation?month=2026-04", token);
      expect(res.status, `request ${i + 1}`).toBe(200);
      expect(res.headers.get("ratelimit-remaining")).toBe(String(RATE_LIMIT - i - 1));
      await res.arrayBuffer();
    }
    const res = await get("/api/v1/reconciliation?month=2026-04", token);
    expect(res.status).toBe(429);
    const retry = Number(res.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    const body = await res.json();
    expect(body).toMatchObject({ code: "rate_limited" });
    expectMatchesDoc("/api/v1/reconciliation", 429, body);
    const other = await tokenFor(db, { client: "patient", role: "viewer" });
    expect((await get("/api/v1/reconciliation?month=2026-04", other.token)).status).toBe(200);
    const refused = await listAudit(db, { entity: "api_token", action: "refused" });
    expect(refused.some((a) => a.entity_id === String(id) && (a.after as { reason: string }).reason === "rate_limited")).toBe(true);
  });
});

describe("GET /api/v1/reconciliation and /api/v1/unmapped", () => {
  it("reconciliation: a row per org with the checks and close, the total, pages by org", async () => {
    const { token } = await tokenFor(server.app.db, { name: "recon" });
    const { res, body } = await getJson("/api/v1/reconciliation?month=2026-04", token);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expectMatchesDoc("/api/v1/reconciliation", 200, body);
    ReconciliationResponseSchema.parse(body);
    const rows = body.rows as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.org_id)).toEqual(["org-gen", "org-vendor"]);
    expect(rows[1]!.close).toMatchObject({ status: "closed", closed_by: "seed" });
    expect((body.total as Record<string, unknown>).org_id).toBe("ALL");
    expect(rows[1]!.export_total).toMatch(DECIMAL);

    const p1 = await getJson("/api/v1/reconciliation?month=2026-04&limit=1", token);
    expect((p1.body.rows as unknown[]).length).toBe(1);
    const p2 = await getJson(`/api/v1/reconciliation?month=2026-04&limit=1&cursor=${p1.body.next_cursor}`, token);
    expect([...(p1.body.rows as unknown[]), ...(p2.body.rows as unknown[])]).toEqual(rows);
    expect(p2.body.next_cursor).toBeNull();
    expect(p2.body.total).toEqual(body.total);

    const bad = await getJson("/api/v1/reconciliation?month=2026-4", token);
    expect(bad.res.status).toBe(400);
    expect(bad.body.parameter).toBe("month");
  });

  it("unmapped: the queue for finance admins, largest first, walked by pages", async () => {
    const { token } = await tokenFor(server.app.db, { role: "finance_admin", name: "queue" });
    const { res, body } = await getJson("/api/v1/unmapped?month=2026-04", token);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expectMatchesDoc("/api/v1/unmapped", 200, body);
    UnmappedResponseSchema.parse(body);
    const rows = body.rows as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(1);
    for (let i = 1; i < rows.length; i++) expect(dec(rows[i - 1]!.cost as string).gte(dec(rows[i]!.cost as string))).toBe(true);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await getJson(`/api/v1/unmapped?month=2026-04&limit=1${cursor ? `&cursor=${cursor}` : ""}`, token);
      expectMatchesDoc("/api/v1/unmapped", 200, page.body);
      seen.push(...(page.body.rows as unknown[]));
      cursor = page.body.next_cursor as string | null;
    } while (cursor && seen.length <= rows.length);
    expect(seen).toEqual(rows);
    const org = await getJson("/api/v1/unmapped?month=2026-04&org=org-gen", token);
    expect((org.body.rows as Array<{ org_id: string }>).every((r) => r.org_id === "org-gen")).toBe(true);
    expect((await getJson("/api/v1/unmapped?month=2026-04&org=a&org=b", token)).body.parameter).toBe("org");
  });
});

describe("GET /api/v1/teams/{team}", () => {
  it("the team page's figures: totals and trend as in the report, principals by pages, 404 for no such team", async () => {
    const db = server.app.db;
    const { token } = await tokenFor(db, { name: "team" });
    const q = "granularity=monthly&from=2026-01-01&to=2026-12-31";
    const { res, body } = await getJson(`/api/v1/teams/payments?${q}`, token);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expectMatchesDoc("/api/v1/teams/{team}", 200, body);
    TeamResponseSchema.parse(body);
    expect(body).toMatchObject({ team: "payments", cost_center: "CC-100", archived: false });
    const report = (await getReport(db, { granularity: "monthly", from: "2026-01-01", to: "2026-12-31" })).filter(
      (r) => r.group === "payments",
    );
    const sum = report.reduce((a, r) => a.plus(dec(r.total)), dec("0"));
    expect(dec((body.totals as { total_cost: string }).total_cost).eq(sum)).toBe(true);
    const trend = body.trend as Array<{ period_start: string; total_cost: string }>;
    expect(trend.map((t) => t.period_start)).toEqual([...new Set(report.map((r) => r.periodStart))]);
    const principals = body.principals as unknown[];
    expect(principals.length).toBeGreaterThan(1);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await getJson(`/api/v1/teams/payments?${q}&limit=1${cursor ? `&cursor=${cursor}` : ""}`, token);
      expectMatchesDoc("/api/v1/teams/{team}", 200, page.body);
      seen.push(...(page.body.principals as unknown[]));
      cursor = page.body.next_cursor as string | null;
    } while (cursor && seen.length <= principals.length);
    expect(seen).toEqual(principals);

    const missing = await getJson(`/api/v1/teams/no-such-team?${q}`, token);
    expect(missing.res.status).toBe(404);
    expectMatchesDoc("/api/v1/teams/{team}", 404, missing.body);
    expect((await getJson(`/api/v1/teams/unmapped?${q}`, token)).res.status).toBe(200);
    expect((await getJson(`/api/v1/teams/payments?${q}&by=team`, token)).body.parameter).toBe("by");
  });
});

describe("/admin/tokens", () => {
  it("a finance admin issues (shown once, stored hashed, audited) and revokes; a viewer gets 403", async () => {
    const db = server.app.db;
    const admin = await server.app.loginAs("finance_admin");
    const page = await admin.get("/admin/tokens");
    expect(page.status).toBe(200);
    const res = await admin.post("/admin/tokens?_data=routes/admin.tokens", {
      intent: "create",
      kind: "user",
      user: TEST_USERS.viewer,
      name: "from the page",
      expires_days: "7",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; token: string };
    expect(body.ok).toBe(true);
    expect(body.token).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    expect((await get(`/api/v1/report?${REPORT_Q}&limit=1`, body.token)).status).toBe(200);
    const [row] = await db.query<{ id: number; token_hash: string }>(`select id, token_hash from api_tokens where name = 'from the page'`);
    expect(row!.token_hash).toBe(createHash("sha256").update(body.token).digest("base64url"));
    expect(await (await admin.get("/admin/tokens")).text()).not.toContain(body.token.slice(4));
    const created = await listAudit(db, { entity: "api_token", action: "create" });
    expect(created.find((a) => a.entity_id === String(row!.id))?.actor).toBe(TEST_USERS.finance_admin);

    const viewer = await server.app.loginAs("viewer");
    expect((await viewer.get("/admin/tokens")).status).toBe(403);
    expect((await viewer.post("/admin/tokens", { intent: "revoke", id: String(row!.id) })).status).toBe(403);

    const bad = await admin.post("/admin/tokens?_data=routes/admin.tokens", { intent: "create", kind: "user", user: "", name: "x" });
    expect(bad.status).toBe(400);
    const rev = await admin.post("/admin/tokens?_data=routes/admin.tokens", { intent: "revoke", id: String(row!.id) });
    expect(rev.status).toBe(200);
    expect((await get(`/api/v1/report?${REPORT_Q}&limit=1`, body.token)).status).toBe(401);
    const revoked = await listAudit(db, { entity: "api_token", action: "revoke" });
    expect(revoked.find((a) => a.entity_id === String(row!.id))?.actor).toBe(TEST_USERS.finance_admin);
  });
});
