/**
 * The FOCUS downloads of a month (docs/focus-mapping.md): /finance/focus.csv, /finance/focus.parquet
 * and /finance/focus-metadata.json, each ?month=YYYY-MM[&org=ORG]. Signed-in users; never cached.
 */
import { isMonth } from "~/domain/periods";
import { requireUser } from "~/lib/auth.server";
import { fileNamePart } from "~/lib/csv.server";
import { getDb } from "~/lib/db.server";

type Db = Awaited<ReturnType<typeof getDb>>;
export interface FocusFile {
  body: string | Uint8Array;
  contentType: string;
  extension: string;
}

/** Checks sign-in and the month, builds the file and names it `focus-<month>[-<org>]<extension>`. */
export async function focusDownload(
  request: Request,
  build: (db: Db, params: { month: string; orgId: string | undefined }) => Promise<FocusFile>,
): Promise<Response> {
  await requireUser(request);
  const url = new URL(request.url);
  const month = url.searchParams.get("month");
  const org = url.searchParams.get("org") || undefined;
  if (!isMonth(month))
    return new Response("month=YYYY-MM is required\n", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  const file = await build(await getDb(), { month, orgId: org });
  const name = `focus-${month}${org ? `-${fileNamePart(org)}` : ""}${file.extension}`;
  return new Response(typeof file.body === "string" ? file.body : Buffer.from(file.body), {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
