import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLoaderData,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { BareLayout, Layout as AppLayout } from "~/components/Layout";
import { useNonce } from "~/components/nonce";
import { useRootData, type RootData } from "~/components/root-data";
import { buttonClass } from "~/components/ui";
import { getUserAndCsrf } from "~/lib/auth.server";
import { getEnv } from "~/lib/db.server";
import styles from "./tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "Showback" }];

export async function loader({ request }: LoaderFunctionArgs): Promise<RootData> {
  const { user, csrf } = await getUserAndCsrf(request);
  const env = await getEnv();
  return { user, csrf, authMode: env.SHOWBACK_AUTH };
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en" className="h-full">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="h-full font-sans">
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const { user, authMode } = useLoaderData<typeof loader>();
  if (!user) return <Outlet />;
  return (
    <AppLayout user={user} authMode={authMode}>
      <Outlet />
    </AppLayout>
  );
}

function describe(error: unknown): { status: number; title: string; message: string; detail?: string } {
  if (isRouteErrorResponse(error)) {
    const data = error.data as { message?: unknown } | string | undefined;
    const given = typeof data === "string" ? data : typeof data?.message === "string" ? data.message : undefined;
    if (error.status === 404) {
      return {
        status: 404,
        title: "Page not found",
        message: given && error.data !== "" && !/^Not Found/i.test(given) ? given : "The page you asked for does not exist.",
      };
    }
    if (error.status === 403) return { status: 403, title: "Access denied", message: given ?? "You do not have permission to see this." };
    if (error.status === 400) return { status: 400, title: "Bad request", message: given ?? "The request could not be understood." };
    if (error.status === 405) return { status: 405, title: "Not allowed", message: given ?? "This action is not allowed here." };
    if (error.status === 413)
      return { status: 413, title: "Request too large", message: given ?? "The request body is larger than this server accepts." };
    if (error.status === 429)
      return { status: 429, title: "Too many requests", message: given ?? "Too many attempts. Wait a moment and try again." };
    return { status: error.status, title: "Something went wrong", message: "An unexpected error occurred. Please try again." };
  }
  const detail = process.env.NODE_ENV === "development" && error instanceof Error ? `${error.message}\n\n${error.stack ?? ""}` : undefined;
  return {
    status: 500,
    title: "Something went wrong",
    message: "An unexpected error occurred. Please try again, or contact your finance admin.",
    detail,
  };
}

export function ErrorBoundary() {
  const error = useRouteError();
  const root = useRootData();
  const { status, title, message, detail } = describe(error);
  const body = (
    <div className="rounded-lg border border-slate-200 bg-white p-8 shadow-sm" data-testid="error-page">
      <p className="text-xs font-semibold uppercase tracking-wider text-slate-400">Error {status}</p>
      <h1 className="mt-1 text-lg font-semibold text-slate-900">{title}</h1>
      <p className="mt-2 text-sm text-slate-600">{message}</p>
      {detail ? <pre className="mt-4 max-h-80 overflow-auto rounded bg-slate-50 p-3 text-xs text-slate-700">{detail}</pre> : null}
      <div className="mt-6">
        <Link to="/" className={buttonClass.secondary}>
          Back to overview
        </Link>
      </div>
    </div>
  );
  if (root?.user) {
    return (
      <AppLayout user={root.user} authMode={root.authMode}>
        <div className="mx-auto max-w-lg pt-10">{body}</div>
      </AppLayout>
    );
  }
  return <BareLayout>{body}</BareLayout>;
}
