/** Environment of the web server, parsed once with zod. */
import { z } from "zod";
import { LOCAL_PASSWORD_MODES, roleMapSchema, teamMapSchema, type LocalPasswords } from "../domain/oidc-mapping";

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .transform((s) => s === "1" || s === "true" || s === "yes" || s === "on");

/**
 * Secrets that appear in examples, templates and tutorials (or are trivially
 * guessable), compared after lower-casing and dropping everything but letters and
 * digits. A secret that is one of these, starts with one of the PREFIXES, or repeats
 * a single character (or a short pattern) is refused at start.
 */
const PLACEHOLDERS = [
  "changemetoalongrandomstring", // the value docker-compose.yml used to ship
  "changeme",
  "replaceme",
  "secret",
  "yoursecret",
  "yoursessionsecret",
  "sessionsecret",
  "supersecret",
  "mysecret",
  "password",
  "example",
  "placeholder",
  "insecure",
  "notasecret",
  "test",
  "dev",
  "todo",
  "xxx",
];
const PREFIXES = [
  "changeme",
  "replaceme",
  "secret",
  "yoursecret",
  "your",
  "mysecret",
  "supersecret",
  "placeholder",
  "example",
  "insecure",
  "notasecret",
  "dummy",
  "fake",
  "default",
];

/** Why `value` is not acceptable as a secret, or null when it is. */
export function placeholderSecretReason(value: string): string | null {
  const squashed = value.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (/^(.)\1*$/.test(value)) return "is one character repeated";
  if (/^(.{1,4})\1+$/.test(value)) return "is a short pattern repeated";
  if (PLACEHOLDERS.includes(squashed)) return "is a known placeholder value";
  if (PREFIXES.some((p) => squashed.startsWith(p))) return "looks like a placeholder (starts with a template word)";
  if (/^(0123456789|abcdefghij|qwerty)/.test(squashed)) return "is a keyboard or counting sequence";
  return null;
}

const GENERATE = "generate one with `openssl rand -base64 48`";

const secret = (name: string) =>
  z
    .string()
    .optional()
    .transform((s) => (s ? s : undefined))
    .superRefine((s, ctx) => {
      if (s === undefined) return;
      if (s.length < 32) {
        ctx.addIssue({ code: "custom", message: `${name} must be at least 32 characters (${GENERATE})` });
        return;
      }
      const why = placeholderSecretReason(s);
      if (why) ctx.addIssue({ code: "custom", message: `${name} ${why}: refused, anyone could guess it (${GENERATE})` });
    });

/** SHOWBACK_TRUST_PROXY: unset/0/false: ignore X-Forwarded-For; 1/true: one proxy; N: N proxies in front. */
const trustProxy = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .transform((s, ctx) => {
    if (!s || s === "0" || s === "false" || s === "no" || s === "off") return 0;
    if (s === "true" || s === "yes" || s === "on") return 1;
    if (/^[1-9]$/.test(s)) return Number(s);
    ctx.addIssue({ code: "custom", message: "SHOWBACK_TRUST_PROXY must be 0, 1 (true) or the number of proxies in front (up to 9)" });
    return z.NEVER;
  });

/** True for HOST values that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** An optional text setting: trimmed, empty means unset. */
const optionalText = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() ? s.trim() : undefined));

const validUrl = (s: string) => {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
};

/** The settings checkOidc reads (the parsed fields of envSchema). */
interface OidcSettings {
  SHOWBACK_AUTH: "password" | "header";
  SHOWBACK_LOCAL_PASSWORDS?: LocalPasswords;
  SHOWBACK_OIDC_ISSUER?: string;
  SHOWBACK_OIDC_CLIENT_ID?: string;
  SHOWBACK_OIDC_CLIENT_SECRET?: string;
  SHOWBACK_OIDC_REDIRECT_URL?: string;
  SHOWBACK_OIDC_ROLE_MAP: readonly unknown[];
  SHOWBACK_OIDC_TEAM_MAP: readonly unknown[];
}

export const envSchema = z
  .object({
    NODE_ENV: z.string().default("production"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z
      .string()
      .optional()
      .transform((s) => (s ? s : undefined)),
    SHOWBACK_DATA_DIR: z.string().default("./data"),
    SESSION_SECRET: secret("SESSION_SECRET"),
    /** Force the Secure cookie flag (behind a TLS-terminating proxy that sends no X-Forwarded-Proto). */
    SHOWBACK_SECURE_COOKIES: bool.optional().default(false),
    SHOWBACK_AUTH: z.enum(["password", "header"]).default("password"),
    SHOWBACK_AUTH_HEADER: z.string().trim().min(1).default("X-Forwarded-Email"),
    /** Header mode: the shared secret the proxy sends in X-Showback-Proxy-Secret. */
    SHOWBACK_AUTH_PROXY_SECRET: secret("SHOWBACK_AUTH_PROXY_SECRET"),
    /** Idle session expiry in minutes (default 8 h). */
    SHOWBACK_SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(480),
    /** Absolute session lifetime in days, whatever the activity (default 7). */
    SHOWBACK_SESSION_MAX_DAYS: z.coerce.number().int().min(1).max(365).default(7),
    /** How many proxies in front may be believed about the client address (X-Forwarded-For). */
    SHOWBACK_TRUST_PROXY: trustProxy,
    /** Password hashes computed at once (argon2id, ~19 MiB each); others queue. */
    SHOWBACK_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    /** Sign-ins allowed to wait for a hashing slot; beyond that the answer is 503. */
    SHOWBACK_HASH_QUEUE: z.coerce.number().int().min(0).max(1000).default(16),
    /** Read API: requests allowed per token per window (default 120; docs/api.md). */
    SHOWBACK_API_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(120),
    /** Read API: the fixed rate-limit window in seconds (default 60). */
    SHOWBACK_API_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    /**
     * OIDC single sign-on (docs/auth.md "OIDC single sign-on"): on when the issuer is set. The
     * issuer must be https; http only on a loopback host (tests, local development).
     */
    SHOWBACK_OIDC_ISSUER: optionalText.refine(
      (s) => s === undefined || validUrl(s),
      "SHOWBACK_OIDC_ISSUER must be a URL, e.g. https://login.example.com/realms/acme",
    ),
    SHOWBACK_OIDC_CLIENT_ID: optionalText,
    /** The client secret the identity provider issued (client_secret_basic or _post, as its metadata says). */
    SHOWBACK_OIDC_CLIENT_SECRET: optionalText.superRefine((s, ctx) => {
      if (s === undefined) return;
      const why = placeholderSecretReason(s);
      if (why)
        ctx.addIssue({
          code: "custom",
          message: `SHOWBACK_OIDC_CLIENT_SECRET ${why}: refused, paste the secret the identity provider issued`,
        });
    }),
    /** This app's callback as registered at the identity provider: https://showback.example.com/auth/oidc/callback. */
    SHOWBACK_OIDC_REDIRECT_URL: optionalText.refine(
      (s) => s === undefined || validUrl(s),
      "SHOWBACK_OIDC_REDIRECT_URL must be a URL, e.g. https://showback.example.com/auth/oidc/callback",
    ),
    /** Scopes asked for (space-separated; must include openid). */
    SHOWBACK_OIDC_SCOPES: z
      .string()
      .optional()
      .transform((s) => (s ?? "").split(/[\s,]+/).filter(Boolean))
      .transform((xs) => (xs.length ? [...new Set(xs)] : ["openid", "email", "profile"]))
      .refine((xs) => xs.includes("openid"), "SHOWBACK_OIDC_SCOPES must include openid")
      .refine(
        (xs) => xs.every((x) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(x)),
        "SHOWBACK_OIDC_SCOPES: a scope has a character OAuth does not allow",
      )
      .transform((xs) => xs.join(" ")),
    /** The claim holding the user's email (a dotted path reads a nested claim). */
    SHOWBACK_OIDC_EMAIL_CLAIM: z.string().trim().min(1).default("email"),
    /** The claim holding the user's groups (or roles): a list of strings, or one string. */
    SHOWBACK_OIDC_GROUPS_CLAIM: z.string().trim().min(1).default("groups"),
    /** GROUP=finance_admin|viewer,… (app/domain/oidc-mapping.ts). */
    SHOWBACK_OIDC_ROLE_MAP: roleMapSchema,
    /** GROUP=team:NAME|cost_center:CODE,…: those groups make a team_viewer of that scope. */
    SHOWBACK_OIDC_TEAM_MAP: teamMapSchema,
    /** Absolute lifetime of a session opened by single sign-on, in hours (default 12). */
    SHOWBACK_OIDC_SESSION_HOURS: z.coerce.number().int().min(1).max(168).default(12),
    /**
     * Password sign-in: on (everyone with a password), admins (finance admins only: break-glass),
     * off (none). Default: on without single sign-on, admins with it (localPasswordsMode).
     */
    SHOWBACK_LOCAL_PASSWORDS: z
      .string()
      .trim()
      .toLowerCase()
      .optional()
      .transform((s, ctx): LocalPasswords | undefined => {
        if (!s) return undefined;
        if ((LOCAL_PASSWORD_MODES as readonly string[]).includes(s)) return s as LocalPasswords;
        ctx.addIssue({ code: "custom", message: "SHOWBACK_LOCAL_PASSWORDS must be on, admins or off" });
        return z.NEVER;
      }),
    /** Upload cap of the import page in MB (default 200; docs/security.md). */
    SHOWBACK_UPLOAD_MAX_MB: z
      .string()
      .trim()
      .optional()
      .transform((s) => (s ? s : undefined))
      .refine(
        (s) => s === undefined || (/^\d+(\.\d+)?$/.test(s) && !/^0+(\.0*)?$/.test(s)),
        "SHOWBACK_UPLOAD_MAX_MB must be a positive number of megabytes",
      ),
  })
  .superRefine((e, ctx) => {
    if (e.SHOWBACK_AUTH === "header" && !e.SHOWBACK_AUTH_PROXY_SECRET && !isLoopbackHost(e.HOST)) {
      ctx.addIssue({
        code: "custom",
        path: ["SHOWBACK_AUTH_PROXY_SECRET"],
        message:
          `SHOWBACK_AUTH=header with HOST=${e.HOST} (reachable from other machines) needs SHOWBACK_AUTH_PROXY_SECRET: ` +
          "anyone who can reach the port could otherwise send the identity header. Set a shared secret that the proxy sends " +
          "in X-Showback-Proxy-Secret, or bind to 127.0.0.1 (see docs/auth.md)",
      });
    }
    checkOidc(e, ctx);
  });

/** The OIDC settings: all or nothing, consistent with the mode (docs/auth.md "OIDC single sign-on"). */
function checkOidc(e: OidcSettings, ctx: z.RefinementCtx) {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (!e.SHOWBACK_OIDC_ISSUER) {
    for (const k of ["SHOWBACK_OIDC_CLIENT_ID", "SHOWBACK_OIDC_CLIENT_SECRET", "SHOWBACK_OIDC_REDIRECT_URL"] as const) {
      if (e[k]) issue(k, `${k} is set but SHOWBACK_OIDC_ISSUER is not: set the issuer to turn single sign-on on, or remove ${k}`);
    }
    if (e.SHOWBACK_OIDC_ROLE_MAP.length || e.SHOWBACK_OIDC_TEAM_MAP.length) {
      issue("SHOWBACK_OIDC_ISSUER", "an OIDC role or team map is set but SHOWBACK_OIDC_ISSUER is not");
    }
    if (e.SHOWBACK_AUTH === "password" && e.SHOWBACK_LOCAL_PASSWORDS === "off") {
      issue("SHOWBACK_LOCAL_PASSWORDS", "SHOWBACK_LOCAL_PASSWORDS=off without single sign-on (SHOWBACK_OIDC_ISSUER): nobody could sign in");
    }
    return;
  }
  if (e.SHOWBACK_AUTH !== "password") {
    issue(
      "SHOWBACK_OIDC_ISSUER",
      "OIDC single sign-on needs SHOWBACK_AUTH=password (the default): header mode leaves sign-in to the proxy",
    );
  }
  const issuer = new URL(e.SHOWBACK_OIDC_ISSUER);
  if (issuer.protocol !== "https:" && !(issuer.protocol === "http:" && isLoopbackHost(issuer.hostname))) {
    issue(
      "SHOWBACK_OIDC_ISSUER",
      `SHOWBACK_OIDC_ISSUER must use https (http only on a loopback host such as 127.0.0.1): ${e.SHOWBACK_OIDC_ISSUER}`,
    );
  }
  if (issuer.search || issuer.hash) issue("SHOWBACK_OIDC_ISSUER", "SHOWBACK_OIDC_ISSUER must not have a query or a fragment");
  for (const k of ["SHOWBACK_OIDC_CLIENT_ID", "SHOWBACK_OIDC_CLIENT_SECRET", "SHOWBACK_OIDC_REDIRECT_URL"] as const) {
    if (!e[k]) issue(k, `${k} is required with SHOWBACK_OIDC_ISSUER`);
  }
  if (e.SHOWBACK_OIDC_REDIRECT_URL) {
    const r = new URL(e.SHOWBACK_OIDC_REDIRECT_URL);
    if (r.protocol !== "https:" && r.protocol !== "http:")
      issue("SHOWBACK_OIDC_REDIRECT_URL", "SHOWBACK_OIDC_REDIRECT_URL must be http(s)");
    if (r.pathname !== OIDC_CALLBACK_PATH || r.search || r.hash) {
      issue(
        "SHOWBACK_OIDC_REDIRECT_URL",
        `SHOWBACK_OIDC_REDIRECT_URL must be this app's address followed by ${OIDC_CALLBACK_PATH} (no query), e.g. https://showback.example.com${OIDC_CALLBACK_PATH}`,
      );
    }
  }
  if (!e.SHOWBACK_OIDC_ROLE_MAP.length && !e.SHOWBACK_OIDC_TEAM_MAP.length) {
    issue(
      "SHOWBACK_OIDC_ROLE_MAP",
      "single sign-on needs SHOWBACK_OIDC_ROLE_MAP and/or SHOWBACK_OIDC_TEAM_MAP: without a mapping every sign-in would be refused",
    );
  }
}

export type Env = z.infer<typeof envSchema>;

/** The callback path of OIDC single sign-on (app/routes/auth.oidc_.callback.tsx). */
export const OIDC_CALLBACK_PATH = "/auth/oidc/callback";

/** True when OIDC single sign-on is configured (SHOWBACK_OIDC_ISSUER set). */
export const oidcEnabled = (env: Pick<Env, "SHOWBACK_OIDC_ISSUER">) => Boolean(env.SHOWBACK_OIDC_ISSUER);

/** SHOWBACK_LOCAL_PASSWORDS as it applies: unset means `on` without single sign-on and `admins` with it. */
export const localPasswordsMode = (env: Pick<Env, "SHOWBACK_LOCAL_PASSWORDS" | "SHOWBACK_OIDC_ISSUER">): LocalPasswords =>
  env.SHOWBACK_LOCAL_PASSWORDS ?? (env.SHOWBACK_OIDC_ISSUER ? "admins" : "on");

export class EnvError extends Error {}

/** Parses `source` (default process.env); throws EnvError with one line per problem. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const r = envSchema.safeParse(source);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".") || "env"}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  return r.data;
}

/** True when the embedded database is in use (no DATABASE_URL). */
export const usesEmbeddedDb = (env: Env) => !env.DATABASE_URL;
