/**
 * Field types shared by the admin form schemas (docs/architecture.md#forms). Conform's
 * parseWithZod turns an empty string into undefined before these run, so "missing" and
 * "empty" read the same, as `String(form.get(k) ?? "")` did.
 */
import { z } from "zod";

/** A text field, trimmed; empty or missing → "". */
export const text = () =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? "").trim());

/** A text field as typed (the service trims it); empty or missing → "". */
export const rawText = () =>
  z
    .string()
    .optional()
    .transform((v) => v ?? "");

/** A row id from a hidden field; anything but a positive number → 0 (the service says it does not exist). */
export const rowId = () =>
  z
    .string()
    .optional()
    .transform((v) => Number(v ?? "0") || 0);
