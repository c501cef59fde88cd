/**
 * `npm run bench` (scripts/bench.ts): one download over HTTP, its size and time, and the server's
 * resident memory while it is served. The body is read as a stream and dropped chunk by chunk,
 * so the figures are the server's, never this reader's buffering.
 *
 * `serverPid` null: the server runs in this process (the bench starts it in-process), so the
 * samples are `process.memoryUsage.rss()`. A pid: that process's VmRSS from /proc (Linux), or
 * `ps` elsewhere. Samples are taken every ~20 ms and on every chunk received: a server that
 * builds the whole body before sending shows its peak by the first chunk at the latest.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

export interface DownloadFigures {
  /** body bytes received */
  bytes: number;
  /** from the request to the last byte of the body */
  ms: number;
  /** the server's RSS just before the request */
  rssBeforeMb: number;
  /** the highest RSS sampled from the request to the end of the body */
  rssPeakMb: number;
}

const SAMPLE_MS = 20;
const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

/** Bytes resident of `pid` (null: this process). */
export async function residentBytes(pid: number | null): Promise<number> {
  if (pid === null) return process.memoryUsage.rss();
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (m) return Number(m[1]) * 1024;
  } catch {
    // no /proc (macOS): ask ps
  }
  const { stdout } = await promisify(execFile)("ps", ["-o", "rss=", "-p", String(pid)]);
  const kb = Number(stdout.trim());
  if (!Number.isFinite(kb) || kb <= 0) throw new Error(`no resident size for pid ${pid}`);
  return kb * 1024;
}

/**
 * GETs `url` with the session `cookie`, consumes the body as a stream and samples the server's
 * RSS meanwhile. A status other than 200 is an error.
 */
export async function measureDownload(url: string, cookie: string, serverPid: number | null): Promise<DownloadFigures> {
  const before = await residentBytes(serverPid);
  let peak = before;
  let pending: Promise<void> | null = null;
  // one sample in flight at a time (reading /proc or running ps can take longer than the interval)
  const sample = () => {
    if (serverPid === null) {
      peak = Math.max(peak, process.memoryUsage.rss());
      return;
    }
    pending ??= residentBytes(serverPid)
      .then((b) => void (peak = Math.max(peak, b)))
      .catch(() => {})
      .finally(() => (pending = null));
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const t0 = performance.now();
  let bytes = 0;
  try {
    const res = await fetch(url, { headers: { cookie } });
    sample();
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`${url} → ${res.status}`);
    }
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        sample();
      }
    }
    const ms = performance.now() - t0;
    sample();
    await pending;
    return { bytes, ms, rssBeforeMb: mb(before), rssPeakMb: mb(peak) };
  } finally {
    clearInterval(timer);
  }
}
