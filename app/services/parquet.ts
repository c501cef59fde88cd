/**
 * The FOCUS dataset as Parquet (docs/focus-mapping.md), written with hyparquet-writer (pure
 * JavaScript, no native build): STRING columns as UTF-8 byte arrays, DATETIME as UTC timestamps
 * (milliseconds), DECIMAL as DECIMAL(38, s) with s the scale that holds every value of the file
 * exactly (the same s as the metadata's NumberScale). Every column is nullable (OPTIONAL).
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import { FOCUS_COLUMNS, FOCUS_VERSION } from "../domain/focus";
import { Decimal } from "../domain/money";

type Cells = ReadonlyArray<string | null>;
const PRECISION = 38;
const DECIMAL_BYTES = 16;

/** The decimal scale that holds every DECIMAL value of the rows exactly (at least 2). */
export function decimalScaleOf(rows: readonly Cells[]): number {
  const idx = FOCUS_COLUMNS.flatMap((c, i) => (c.type === "DECIMAL" ? [i] : []));
  let scale = 2;
  for (const r of rows)
    for (const i of idx) {
      const v = r[i];
      if (v) scale = Math.max(scale, new Decimal(v).decimalPlaces());
    }
  return scale;
}

/** Writes the rows (cells in FOCUS_HEADER order) as a Parquet file. */
export function writeFocusParquet(rows: readonly Cells[]): Uint8Array {
  const scale = decimalScaleOf(rows);
  const factor = new Decimal(10).pow(scale);
  const columnData = FOCUS_COLUMNS.map((c, i) => {
    const values = rows.map((r) => r[i]);
    if (c.type === "DECIMAL")
      return { name: c.name, data: values.map((v) => (v === null ? null : BigInt(new Decimal(v).times(factor).toFixed(0)))) };
    if (c.type === "DATETIME") return { name: c.name, data: values.map((v) => (v === null ? null : new Date(v))) };
    return { name: c.name, data: values };
  });
  const schema = [
    { name: "root", num_children: FOCUS_COLUMNS.length },
    ...FOCUS_COLUMNS.map((c) =>
      c.type === "DECIMAL"
        ? {
            name: c.name,
            type: "FIXED_LEN_BYTE_ARRAY" as const,
            type_length: DECIMAL_BYTES,
            repetition_type: "OPTIONAL" as const,
            converted_type: "DECIMAL" as const,
            scale,
            precision: PRECISION,
            logical_type: { type: "DECIMAL" as const, precision: PRECISION, scale },
          }
        : c.type === "DATETIME"
          ? {
              name: c.name,
              type: "INT64" as const,
              repetition_type: "OPTIONAL" as const,
              converted_type: "TIMESTAMP_MILLIS" as const,
              logical_type: { type: "TIMESTAMP" as const, isAdjustedToUTC: true, unit: "MILLIS" as const },
            }
          : {
              name: c.name,
              type: "BYTE_ARRAY" as const,
              repetition_type: "OPTIONAL" as const,
              converted_type: "UTF8" as const,
              logical_type: { type: "STRING" as const },
            },
    ),
  ];
  const buf = parquetWriteBuffer({
    columnData,
    schema,
    createdBy: "Showback",
    kvMetadata: [{ key: "FocusVersion", value: FOCUS_VERSION }],
  });
  return new Uint8Array(buf);
}
