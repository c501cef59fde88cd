// GET /auth/oidc/callback: where the identity provider sends the browser back (docs/auth.md
// "OIDC single sign-on"). Checks state, PKCE and nonce (app/lib/oidc.server.ts), then signs the
// person in from the claims (app/services/oidc.ts) with a single sign-on session. Every failure
// goes to /login?error=… with a human message and no detail; failures are audited. 404 when
// single sign-on is not configured.
import { json, redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { requestClient } from "~/lib/auth.server";
import { getServerContext } from "~/lib/db.server";
import { clearTransactionCookie, failureAuditCount, finishOidcSignIn, oidcEnabled, oidcMapping } from "~/lib/oidc.server";
import { createSession, destroyRequestSession } from "~/lib/session.server";
import { auditOidcCallbackFailure, signInWithOidc } from "~/services/oidc";

/** The login page's message for each outcome (app/routes/login.tsx). */
const ERROR_CODE: Record<string, string> = {
  no_transaction: "sso_state",
  state_mismatch: "sso_state",
  provider_error: "sso_denied",
  code_rejected: "sso_code",
  invalid_token: "sso_failed",
  provider_unavailable: "sso_unavailable",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await getServerContext();
  if (!oidcEnabled(ctx.env) || ctx.env.SHOWBACK_AUTH !== "password") throw json({ message: "Not found" }, { status: 404 });
  const client = await requestClient(request);
  const headers = new Headers({ "Cache-Control": "no-store" });
  headers.append("Set-Cookie", await clearTransactionCookie(request));

  const result = await finishOidcSignIn(request);
  if (!result.ok) {
    const count = failureAuditCount(client, result.reason);
    if (count !== null) await auditOidcCallbackFailure(ctx.db, { reason: result.reason, detail: result.detail, client, count });
    if (result.reason === "provider_unavailable") console.error(`OIDC sign-in failed: ${result.detail ?? result.reason}`);
    return redirect(`/login?error=${ERROR_CODE[result.reason] ?? "sso_failed"}`, { headers });
  }
  const signIn = await signInWithOidc(ctx.db, { issuer: result.issuer, claims: result.claims, mapping: oidcMapping(ctx.env), client });
  if (!signIn.ok) return redirect("/login?error=sso_refused", { headers });
  // a session the browser may still hold ends: one person, one session
  await destroyRequestSession(request);
  headers.append("Set-Cookie", await createSession(request, signIn.user.id, { method: "oidc" }));
  return redirect(result.redirectTo, { headers });
}
