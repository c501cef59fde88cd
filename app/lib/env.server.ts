/** Environment of the web server, parsed once with zod. */
import { z } from "zod";

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .transform((s) => s === "1" || s === "true" || s === "yes" || s === "on");

export const envSchema = z.object({
  NODE_ENV: z.string().default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((s) => (s ? s : undefined)),
  SHOWBACK_DATA_DIR: z.string().default("./data"),
  SESSION_SECRET: z
    .string()
    .optional()
    .transform((s) => (s ? s : undefined))
    .refine((s) => s === undefined || s.length >= 32, "SESSION_SECRET must be at least 32 characters"),
  /** Force the Secure cookie flag (behind a TLS-terminating proxy that sends no X-Forwarded-Proto). */
  SHOWBACK_SECURE_COOKIES: bool.optional().default(false),
  SHOWBACK_AUTH: z.enum(["password", "header"]).default("password"),
  SHOWBACK_AUTH_HEADER: z.string().trim().min(1).default("X-Forwarded-Email"),
  /** Idle session expiry in minutes (default 8 h). */
  SHOWBACK_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(480),
});

export type Env = z.infer<typeof envSchema>;

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
