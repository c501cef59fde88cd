/**
 * Server rendering with a per-request CSP nonce (passed to <RemixServer>, and via
 * NonceContext to <Scripts>/<ScrollRestoration>), the security headers on every
 * document and data response, and the idle-session refresh.
 */
import { PassThrough } from "node:stream";
import type { ActionFunctionArgs, EntryContext, HandleDataRequestFunction, LoaderFunctionArgs } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer, isRouteErrorResponse } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "~/components/nonce";
import { applySecurityHeaders, newNonce } from "~/lib/headers.server";
import { refreshSessionCookie } from "~/lib/session.server";

const ABORT_DELAY = 5_000;
const dev = process.env.NODE_ENV === "development";

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  const nonce = newNonce();
  applySecurityHeaders(responseHeaders, { nonce, dev });
  await refreshSessionCookie(request, responseHeaders).catch(() => {});
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

export const handleDataRequest: HandleDataRequestFunction = async (response, { request }) => {
  applySecurityHeaders(response.headers, { dev });
  await refreshSessionCookie(request, response.headers).catch(() => {});
  return response;
};

export function handleError(error: unknown, { request }: LoaderFunctionArgs | ActionFunctionArgs) {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return; // 404s and the like are not errors
  // Only the method and path: query strings and bodies may hold tokens or passwords.
  const url = new URL(request.url);
  console.error(`[showback] ${request.method} ${url.pathname}:`, error instanceof Error ? (error.stack ?? error.message) : error);
}
