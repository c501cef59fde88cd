// GET /auth/oidc?redirectTo=/page starts OIDC single sign-on (docs/auth.md "OIDC single
// sign-on"): a 302 to the identity provider with PKCE, state and nonce, remembered in a
// short-lived signed cookie of this browser. The login page links here (a link, not a form: the
// CSP's form-action 'self' would stop a form's redirect to the provider). Starting a sign-in
// from another site gains nothing: the callback only accepts the state of this browser's cookie,
// so at most the person signs in as themselves. POST does the same with the Origin check (for
// forms elsewhere on this site). 404 when single sign-on is not configured.
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { forbidden, safeRedirect } from "~/lib/auth.server";
import { originAllowed } from "~/lib/csrf.server";
import { getEnv } from "~/lib/db.server";
import { oidcEnabled, startOidcSignIn } from "~/lib/oidc.server";

const notFound = () => json({ message: "Not found" }, { status: 404 });

export async function loader({ request }: LoaderFunctionArgs) {
  const env = await getEnv();
  if (!oidcEnabled(env) || env.SHOWBACK_AUTH !== "password") throw notFound();
  return start(request, safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
}

export async function action({ request }: ActionFunctionArgs) {
  const env = await getEnv();
  if (!oidcEnabled(env) || env.SHOWBACK_AUTH !== "password") throw notFound();
  if (!originAllowed(request)) forbidden("This request came from another site and was refused.");
  const form = await request.formData().catch(() => null);
  return start(request, safeRedirect(form?.get("redirectTo")));
}

async function start(request: Request, redirectTo: string) {
  const env = await getEnv();
  let start: { url: string; setCookie: string };
  try {
    start = await startOidcSignIn(request, redirectTo);
  } catch (e) {
    console.error(`OIDC discovery failed for ${env.SHOWBACK_OIDC_ISSUER}: ${e instanceof Error ? e.message : String(e)}`);
    return redirect(`/login?error=sso_unavailable${redirectTo !== "/" ? `&redirectTo=${encodeURIComponent(redirectTo)}` : ""}`);
  }
  return redirect(start.url, { headers: { "Set-Cookie": start.setCookie, "Cache-Control": "no-store" } });
}
