/**
 * CSRF token for forms and fetchers.
 *
 *   <Form method="post"><CsrfInput /> …</Form>
 *   const csrf = useCsrfToken();
 *   fetcher.submit({ _csrf: csrf, … }, { method: "post" });
 *   // uploads: put <CsrfInput /> before the file input, or post to withCsrf("/imports", csrf)
 */
import { useRootData } from "./root-data";

export const CSRF_FIELD = "_csrf";

export function useCsrfToken(): string {
  return useRootData()?.csrf ?? "";
}

export function CsrfInput() {
  return <input type="hidden" name={CSRF_FIELD} value={useCsrfToken()} />;
}

/** Adds ?_csrf=… to an action URL (checked before a multipart body is read). */
export function withCsrf(action: string, token: string): string {
  const sep = action.includes("?") ? "&" : "?";
  return `${action}${sep}${CSRF_FIELD}=${encodeURIComponent(token)}`;
}
