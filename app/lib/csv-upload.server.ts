/**
 * The import forms of the finance admin pages (crosswalk bulk import and owner names, the rules
 * file, GL accounts): a finance admin's mutation whose multipart body (a CSV or JSON file, or its
 * pasted text) is read into memory up to a size, and the text sent. HTTP only: the services take text.
 */
import { unstable_createMemoryUploadHandler } from "@remix-run/node";
import { requireMutation } from "~/lib/auth.server";

/** `requireMutation` for finance admins, with file parts and fields up to `maxBytes` each held in memory. */
export function requireUploadMutation(request: Request, maxBytes: number) {
  return requireMutation(request, "finance_admin", {
    uploadHandler: unstable_createMemoryUploadHandler({ maxPartSize: maxBytes }),
    maxFieldSize: maxBytes,
  });
}

/** The uploaded file's text when one was chosen, else the pasted text. */
export async function fileOrText(form: FormData, fileField: string, pasted: string | undefined): Promise<{ text: string; name: string }> {
  const f = form.get(fileField);
  if (f && typeof f !== "string" && f.size > 0) return { text: await f.text(), name: (f as File).name || "upload.csv" };
  return { text: pasted ?? "", name: "pasted text" };
}
