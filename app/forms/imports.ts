/**
 * The upload page's forms (/imports/new, docs/export-format.md): one schema per intent.
 * Parsed on the server with `parseForm` (Conform: an empty value is undefined).
 */
import { z } from "zod";
import { isGranularity, type Granularity } from "../domain/vocabulary";

/** The file input's name; its value, after the upload handler, is the stored upload's token. */
export const UPLOAD_FIELD = "file";

/** intent=preview (also the default): the chosen org (or a new one), the stated granularity, the file. */
export const UploadPreviewSchema = z.object({
  intent: z.string().optional(),
  [UPLOAD_FIELD]: z.string().optional(),
  org: z.string().optional(),
  new_org: z.string().optional(),
  /** anything but a known granularity means "detect from the file" */
  granularity: z
    .string()
    .optional()
    .transform((g): Granularity | null => (isGranularity(g) ? g : null)),
  /** the checkbox: "on" when ticked */
  allow_unbalanced: z
    .string()
    .optional()
    .transform((v) => v === "on"),
});

/** intent=confirm and intent=cancel: the token of the previewed upload. */
export const UploadTokenSchema = z.object({
  intent: z.string().optional(),
  token: z.string().optional(),
});

/** The org id the preview form names: the select's value, or the new id typed for "+ New organization…". */
export const chosenOrgId = (f: { org?: string; new_org?: string }) => (f.org === "__new__" || !f.org ? (f.new_org ?? "") : f.org);
