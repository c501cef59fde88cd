/** Writes a generated export (header + records) to a CSV file with backpressure; returns the row count. */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { stringify } from "csv-stringify";
import { EXPORT_HEADER, generateExportRecords, type GenerateOptions } from "./generator";

export async function writeExportFile(file: string, opts: GenerateOptions, mutate?: (rec: string[]) => string[]): Promise<number> {
  const out = createWriteStream(file);
  const csv = stringify();
  csv.pipe(out);
  csv.write(EXPORT_HEADER);
  let n = 0;
  for (const rec of generateExportRecords(opts)) {
    n++;
    if (!csv.write(mutate ? mutate(rec) : rec)) await once(csv, "drain");
  }
  csv.end();
  await once(out, "close");
  return n;
}
