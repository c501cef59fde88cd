/**
 * CSV downloads over HTTP (docs/security.md). The CSV text itself comes from
 * `app/services/csv.ts`, shared with the CLI.
 */
export { toSafeCsv, crosswalkCsv } from "~/services/csv";

/** A file name part safe for Content-Disposition. */
export const fileNamePart = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

/** The headers of every CSV download: an attachment that is never cached or sniffed. */
const csvHeaders = (fileName: string): Record<string, string> => ({
  "Content-Type": "text/csv; charset=utf-8",
  "Content-Disposition": `attachment; filename="${fileName}"`,
  "Cache-Control": "private, no-store",
  "X-Content-Type-Options": "nosniff",
});

/** A formula-safe CSV download that is never cached. */
export function csvResponse(fileName: string, csv: string): Response {
  return new Response(csv, { headers: csvHeaders(fileName) });
}

/**
 * A CSV download streamed from `chunks` (text pieces, the header first): each is sent as it
 * is made, the next read only when the client has taken the last one, so a long range never
 * sits in memory whole. A client that goes away stops the generator.
 */
export function csvStreamResponse(fileName: string, chunks: AsyncGenerator<string>, signal?: AbortSignal): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (signal?.aborted) {
          await chunks.return(undefined);
          controller.close();
          return;
        }
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
  return new Response(stream, { headers: csvHeaders(fileName) });
}
