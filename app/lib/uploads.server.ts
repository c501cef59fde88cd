/**
 * Uploaded export files between preview and confirm (web only: the upload page and
 * scripts/serve.ts; the ingest itself is app/services/ingest.ts).
 *
 * The file part of the multipart body streams straight to disk under
 * <SHOWBACK_DATA_DIR>/uploads/<token>/upload.csv (never buffered in memory; folders
 * 0700, files 0600, not the shared OS temp folder, also when DATABASE_URL is set), with
 * a size limit (SHOWBACK_UPLOAD_MAX_MB, default 200): past the limit the rest of the
 * part is drained and discarded and the form says so. One file part per request: a
 * second one is refused (scripts/serve.ts refuses it first; docs/security.md).
 * The token is 32 random hex bytes; an upload expires after SHOWBACK_UPLOAD_TTL_MIN
 * minutes (default 60).
 * Progress of a running confirm is kept in memory, per token, for polling.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { json, type UploadHandler } from "@remix-run/node";
import { UPLOAD_FIELD } from "~/forms/imports";
import { currentContext } from "~/lib/context.server";

export const TOO_LARGE = "__showback_too_large__";

type UploadEnv = { SHOWBACK_UPLOAD_MAX_MB?: string; SHOWBACK_DATA_DIR?: string; [key: string]: unknown };
/**
 * The data folder of the running server (scripts/serve.ts context), else process.env (vite
 * dev, scripts). The upload cap: process.env at the time of the request when set there
 * (changeable without a restart), else the server's environment (startServer's `env`).
 */
const serverEnv = (): UploadEnv => {
  const ctx = currentContext()?.env;
  return {
    SHOWBACK_DATA_DIR: ctx?.SHOWBACK_DATA_DIR ?? process.env.SHOWBACK_DATA_DIR,
    SHOWBACK_UPLOAD_MAX_MB: process.env.SHOWBACK_UPLOAD_MAX_MB || ctx?.SHOWBACK_UPLOAD_MAX_MB,
  };
};

export function uploadMaxBytes(env: UploadEnv = serverEnv()): number {
  const raw = env.SHOWBACK_UPLOAD_MAX_MB;
  const mb = raw && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : 200;
  return Math.max(1, Math.floor(mb * 1024 * 1024));
}

export function uploadMaxMb(env: UploadEnv = serverEnv()): string {
  const raw = env.SHOWBACK_UPLOAD_MAX_MB;
  return raw && /^\d+(\.\d+)?$/.test(raw.trim()) ? raw.trim() : "200";
}

const ttlMs = () => {
  const raw = process.env.SHOWBACK_UPLOAD_TTL_MIN;
  return (raw && /^\d+$/.test(raw) ? Number(raw) : 60) * 60_000;
};

/** <SHOWBACK_DATA_DIR>/uploads: private to the app's user (0700), unlike os.tmpdir(). */
export const uploadsRoot = (env: UploadEnv = serverEnv()) => path.resolve(env.SHOWBACK_DATA_DIR || "./data", "uploads");

async function makePrivateDir(dir: string): Promise<void> {
  const root = uploadsRoot();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode only applies to folders it creates: tighten one made earlier (or by an older version)
  await chmod(root, 0o700);
  if (dir !== root) await chmod(dir, 0o700);
}

export const ONE_FILE_MESSAGE = "Upload one file per request: this form accepts a single CSV file.";

const TOKEN_RE = /^[a-f0-9]{64}$/;
export const isToken = (t: unknown): t is string => typeof t === "string" && TOKEN_RE.test(t);
const dirOf = (token: string) => path.join(uploadsRoot(), token);
export const fileOf = (token: string) => path.join(dirOf(token), "upload.csv");

export interface PendingUpload {
  token: string;
  orgId: string;
  fileName: string;
  bytes: number;
  granularity: "daily" | "weekly" | "monthly" | null;
  allowUnbalanced: boolean;
  actor: string;
  createdAt: number;
}

/**
 * An upload handler that writes the `file` part to a fresh token folder.
 * Returns the token (as the field value), TOO_LARGE when over the limit, or
 * undefined for other file fields. `state.token` is set once a file was stored.
 */
export function createExportUploadHandler(
  maxBytes: number,
  state: { token?: string; fileName?: string; bytes?: number; tooLarge?: boolean },
): UploadHandler {
  let fileParts = 0;
  return async ({ name, filename, data }) => {
    // exactly one file part (the server refuses a second one before it gets here, too)
    if (filename && ++fileParts > 1) {
      if (state.token) await rm(dirOf(state.token), { recursive: true, force: true });
      throw json({ stage: "error", error: ONE_FILE_MESSAGE }, { status: 400 });
    }
    // text fields fall through to the next handler; other file fields are not ours
    if (name !== UPLOAD_FIELD || !filename) return undefined;
    const token = randomBytes(32).toString("hex");
    await makePrivateDir(dirOf(token));
    const file = fileOf(token);
    const out = createWriteStream(file, { mode: 0o600 });
    let size = 0;
    let tooLarge = false;
    let complete = false;
    try {
      for await (const chunk of data) {
        size += chunk.byteLength;
        if (size > maxBytes) {
          tooLarge = true;
          continue; // drain the rest of the part without storing it
        }
        if (!out.write(chunk)) await once(out, "drain");
      }
      complete = true;
    } finally {
      out.end();
      await once(out, "close").catch(() => {});
      // the body broke off (refused by the server, client gone): no half file is left behind
      if (!complete) await rm(dirOf(token), { recursive: true, force: true });
    }
    if (tooLarge) {
      await rm(dirOf(token), { recursive: true, force: true });
      state.tooLarge = true;
      state.bytes = size;
      return TOO_LARGE;
    }
    state.token = token;
    state.fileName = path.basename(filename).slice(0, 200);
    state.bytes = size;
    return token;
  };
}

export async function savePending(p: PendingUpload): Promise<void> {
  await writeFile(path.join(dirOf(p.token), "meta.json"), JSON.stringify(p), { mode: 0o600 });
}

export async function loadPending(token: unknown): Promise<PendingUpload | null> {
  if (!isToken(token)) return null;
  try {
    const meta = JSON.parse(await readFile(path.join(dirOf(token), "meta.json"), "utf8")) as PendingUpload;
    if (Date.now() - meta.createdAt > ttlMs()) {
      await discardPending(token);
      return null;
    }
    await stat(fileOf(token));
    return meta;
  } catch {
    return null;
  }
}

export async function discardPending(token: string): Promise<void> {
  if (!isToken(token)) return;
  await rm(dirOf(token), { recursive: true, force: true });
  progress.delete(token);
}

/** Removes expired uploads (called opportunistically). */
export async function sweepExpired(): Promise<void> {
  let names: string[];
  try {
    names = await readdir(uploadsRoot());
  } catch {
    return;
  }
  const cutoff = Date.now() - ttlMs();
  for (const n of names) {
    if (!TOKEN_RE.test(n)) continue;
    try {
      const s = await stat(dirOf(n));
      if (s.mtimeMs < cutoff) await rm(dirOf(n), { recursive: true, force: true });
    } catch {
      /* gone */
    }
  }
}

// ---------------------------------------------------------------- progress

export interface Progress {
  state: "validating" | "loading" | "done" | "failed";
  /** what the ingest is doing (INGEST_PHASES), while loading */
  phase?: string;
  rows: number;
  bytes: number;
  totalBytes: number;
  importId?: number;
  message?: string;
  at: number;
}

const PROGRESS = Symbol.for("showback.uploadProgress");
const g = globalThis as typeof globalThis & { [PROGRESS]?: Map<string, Progress> };
const progress: Map<string, Progress> = (g[PROGRESS] ??= new Map());

export function setProgress(token: string, p: Omit<Progress, "at">): void {
  progress.set(token, { ...p, at: Date.now() });
  if (progress.size > 200) {
    const cutoff = Date.now() - 3_600_000;
    for (const [k, v] of progress) if (v.at < cutoff) progress.delete(k);
  }
}

export function getProgress(token: string): Progress | null {
  return progress.get(token) ?? null;
}
