import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { BareLayout } from "~/components/Layout";
import { Alert, buttonClass, inputClass } from "~/components/ui";
import { attemptLogin, createUserSession, forbidden, getOptionalUser, safeRedirect } from "~/lib/auth.server";
import { originAllowed } from "~/lib/csrf.server";
import { getDb, getEnv } from "~/lib/db.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Showback" }];

const INVALID = "Invalid email or password.";
const LOCKED = "Too many failed sign-in attempts. Try again in 15 minutes.";

export async function loader({ request }: LoaderFunctionArgs) {
  const env = await getEnv();
  const to = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (env.SHOWBACK_AUTH === "header") throw redirect(to);
  if (await getOptionalUser(request)) throw redirect(to);
  return null;
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
  const result = await attemptLogin(await getDb(), email, password);
  if (!result.ok) {
    return json({ error: result.reason === "locked" ? LOCKED : INVALID, email }, { status: 401 });
  }
  return redirect(redirectTo, { headers: { "Set-Cookie": await createUserSession(request, result.user) } });
}

export default function Login() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formAction === "/login";
  return (
    <BareLayout>
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-base font-semibold text-slate-900">Sign in</h1>
        <p className="mt-1 text-sm text-slate-500">Cost allocation for Confluent Cloud.</p>
        <Form method="post" className="mt-6 space-y-4" replace>
          <input type="hidden" name="redirectTo" value={safeRedirectClient(params.get("redirectTo"))} />
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
              autoFocus
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
          <button type="submit" className={`w-full ${buttonClass.primary}`} disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </Form>
      </div>
    </BareLayout>
  );
}

function safeRedirectClient(to: string | null): string {
  return to && to.startsWith("/") && !to.startsWith("//") && !to.startsWith("/\\") ? to : "/";
}
