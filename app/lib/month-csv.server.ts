/**
 * The loaders of the month-end downloads, each ?month=YYYY-MM[&org=ORG]: /finance/journal.csv
 * and the FOCUS files /finance/focus.csv, /finance/focus.parquet, /finance/focus-metadata.json
 * (docs/journal.md, docs/focus-mapping.md). Signed-in users; never cached.
 */
import { InputError } from "~/domain/errors";
import { isMonth } from "~/domain/periods";
import { requireFullReader } from "~/lib/scope.server";
import { fileNamePart } from "~/lib/csv.server";
import { getDb } from "~/lib/db.server";
import { getOrg } from "../../db/queries/orgs";

type Db = Awaited<ReturnType<typeof getDb>>;
type Params = { month: string; orgId: string | undefined };

export interface MonthFile {
  body: string | Uint8Array;
  contentType: string;
  extension: string;
}

const plain = (status: number, text: string) =>
  new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

/**
 * Checks sign-in, the month (400) and the org (404 when unknown), builds the file (an InputError
 * from the build, such as a bad posting date, is a 400 with its message) and names it
 * `<prefix>-<month>[-<org>]<extension>`.
 */
export async function monthFileDownload(
  request: Request,
  fileNamePrefix: string,
  build: (db: Db, params: Params) => Promise<MonthFile>,
): Promise<Response> {
  await requireFullReader(request);
  const url = new URL(request.url);
  const month = url.searchParams.get("month");
  const org = url.searchParams.get("org") || undefined;
  if (!isMonth(month)) return plain(400, "month=YYYY-MM is required");
  const db = await getDb();
  if (org !== undefined && !(await getOrg(db, org))) return plain(404, `unknown organization ${org}`);
  let file: MonthFile;
  try {
    file = await build(db, { month, orgId: org });
  } catch (e) {
    if (e instanceof InputError) return plain(400, e.message); // e.g. a bad posting_date
    throw e;
  }
  const name = `${fileNamePrefix}-${month}${org ? `-${fileNamePart(org)}` : ""}${file.extension}`;
  return new Response(typeof file.body === "string" ? file.body : Buffer.from(file.body), {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** A month CSV download named `<prefix>-<month>[-<org>].csv`. */
export function monthCsvLoader(
  request: Request,
  fileNamePrefix: string,
  build: (db: Db, params: Params) => Promise<string>,
): Promise<Response> {
  return monthFileDownload(request, fileNamePrefix, async (db, p) => ({
    body: await build(db, p),
    contentType: "text/csv; charset=utf-8",
    extension: ".csv",
  }));
}
