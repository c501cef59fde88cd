/**
 * Parser caps of both ingest paths (docs/export-format.md): a record (one row, quoted line
 * breaks included) is at most MAX_RECORD_BYTES long and has at most MAX_FIELDS fields, so
 * a malformed file cannot make the process buffer an unbounded line. Pure.
 */
export const MAX_RECORD_BYTES = 1 << 20;
export const MAX_FIELDS = 64;
