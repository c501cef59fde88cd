/**
 * A local HTTP receiver for webhook tests (node:http on 127.0.0.1, a free port): every request
 * is kept (method, path, lower-cased headers, raw body) and answered with the next status in
 * `respondWith` (200 when the queue is empty).
 *
 *   const hook = await startWebhookReceiver();
 *   hook.respondWith(500, 200);   // first request fails, the next succeeds
 *   … POST to hook.url("/slack") …
 *   await hook.close();
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port><path> */
  url(path?: string): string;
  requests: ReceivedRequest[];
  /** Statuses for the next requests, in order (then 200). A 3xx answers with a Location header. */
  respondWith(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const queue: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const status = queue.shift() ?? 200;
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        status,
      });
      if (status >= 300 && status < 400) res.setHeader("Location", `http://127.0.0.1:${port}/redirected`);
      res.statusCode = status;
      res.end(status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = "/") => `http://127.0.0.1:${port}${path}`,
    requests,
    respondWith(...statuses) {
      queue.push(...statuses);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
