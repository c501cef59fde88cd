import { json, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { BareLayout } from "~/components/Layout";
import { Alert, buttonClass, inputClass } from "~/components/ui";
import { attemptLogin, createUserSession, forbidden, getOptionalUser, requestClient, safeRedirect } from "~/lib/auth.server";
import { originAllowed } from "~/lib/csrf.server";
import { getDb, getEnv } from "~/lib/db.server";
import { localPasswordsMode, oidcEnabled } from "~/lib/env.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Showback" }];

/** The throttle's and the hashing cap's Retry-After reaches the document response too. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const out = new Headers();
  const retry = actionHeaders.get("Retry-After");
  if (retry) out.set("Retry-After", retry);
  return out;
};

const INVALID = "Invalid email or password.";
const tooMany = (s: number) => `Too many attempts, try again in ${s} s.`;
const BUSY = "The server is busy checking other sign-ins. Try again in a few seconds.";

/** What /login?error=… says after a single sign-on attempt (app/routes/auth.oidc_.callback.tsx); never any detail. */
const SSO_ERRORS: Record<string, string> = {
  sso_state: "That sign-in could not be checked: it took too long, or was started in another tab or on another site. Please sign in again.",
  sso_code: "That sign-in link has expired or was already used. Please sign in again.",
  sso_denied: "The identity provider did not sign you in.",
  sso_refused:
    "Your single sign-on account has no access to Showback (no Showback group, no verified email, or the account is disabled). Ask your administrator.",
  sso_unavailable: "Single sign-on is not available right now. Try again in a minute.",
  sso_failed: "Single sign-on failed. Please try again.",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const env = await getEnv();
  const to = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (env.SHOWBACK_AUTH === "header") throw redirect(to);
  if (await getOptionalUser(request)) throw redirect(to);
  const error = new URL(request.url).searchParams.get("error");
  return {
    sso: oidcEnabled(env),
    passwords: localPasswordsMode(env),
    ssoError: error && Object.prototype.hasOwnProperty.call(SSO_ERRORS, error) ? SSO_ERRORS[error]! : null,
  };
}

/**
 * Anonymous by nature, so no session CSRF token: the Origin check refuses
 * cross-site posts, and SameSite=Lax keeps other sites from riding a session.
 */
export async function action({ request }: ActionFunctionArgs) {
  const env = await getEnv();
  if (env.SHOWBACK_AUTH === "header") throw redirect("/");
  if (!originAllowed(request)) forbidden("This request came from another site and was refused.");
  const form = await request.formData().catch(() => null);
  const email = String(form?.get("email") ?? "");
  const password = String(form?.get("password") ?? "");
  const redirectTo = safeRedirect(form?.get("redirectTo"));
  const result = await attemptLogin(await getDb(), email, password, { client: await requestClient(request), env });
  if (!result.ok) {
    if (result.reason === "throttled") {
      return json(
        { error: tooMany(result.retryAfterSeconds), email },
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
      );
    }
    if (result.reason === "busy") return json({ error: BUSY, email }, { status: 503, headers: { "Retry-After": "2" } });
    return json({ error: INVALID, email }, { status: 401 });
  }
  return redirect(redirectTo, { headers: { "Set-Cookie": await createUserSession(request, result.user) } });
}

export default function Login() {
  const { sso, passwords, ssoError } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formAction === "/login";
  const redirectTo = safeRedirectClient(params.get("redirectTo"));
  const showPasswords = passwords !== "off";
  return (
    <BareLayout>
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-base font-semibold text-slate-900">Sign in</h1>
        <p className="mt-1 text-sm text-slate-500">Cost allocation for Confluent Cloud.</p>
        {ssoError ? (
          <div className="mt-4">
            <Alert>{ssoError}</Alert>
          </div>
        ) : null}
        {sso ? (
          <div className="mt-6">
            {/* a plain link (a document navigation): a form's redirect to the provider would break the CSP's form-action 'self' */}
            <a
              href={redirectTo === "/" ? "/auth/oidc" : `/auth/oidc?redirectTo=${encodeURIComponent(redirectTo)}`}
              className={`block w-full text-center ${buttonClass.primary}`}
            >
              Sign in with single sign-on
            </a>
          </div>
        ) : null}
        {showPasswords ? (
          <Form method="post" className={sso ? "mt-6 space-y-4 border-t border-slate-200 pt-6" : "mt-6 space-y-4"} replace>
            {passwords === "admins" ? (
              <p className="text-sm text-slate-500">Password sign-in is for break-glass finance admins only.</p>
            ) : null}
            <input type="hidden" name="redirectTo" value={redirectTo} />
            {data?.error ? <Alert>{data.error}</Alert> : null}
            <div>
              <label htmlFor="email" className="block text-sm font-medium text-slate-700">
                Email
              </label>
              <input
                id="email"
                name="email"
                type="email"
                autoComplete="username"
                required
                autoFocus={!sso}
                defaultValue={data?.email ?? ""}
                className={`mt-1 ${inputClass}`}
              />
            </div>
            <div>
              <label htmlFor="password" className="block text-sm font-medium text-slate-700">
                Password
              </label>
              <input
                id="password"
                name="password"
                type="password"
                autoComplete="current-password"
                required
                className={`mt-1 ${inputClass}`}
              />
            </div>
            <button type="submit" className={`w-full ${sso ? buttonClass.secondary : buttonClass.primary}`} disabled={busy}>
              {busy ? "Signing in…" : "Sign in"}
            </button>
          </Form>
        ) : null}
      </div>
    </BareLayout>
  );
}

function safeRedirectClient(to: string | null): string {
  return to && to.startsWith("/") && !to.startsWith("//") && !to.startsWith("/\\") ? to : "/";
}
