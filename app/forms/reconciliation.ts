/**
 * The reconciliation page's forms (docs/reconciliation.md): one schema per intent, all
 * about one (org, month). The amount and the reason are checked by the services
 * (app/services/invoices.ts, app/services/month-close.ts), which the CLI shares.
 */
import { z } from "zod";
import { isMonth } from "../domain/periods";

// month before org_id: a form missing both is answered about the month
const target = {
  month: z.string({ error: "Choose a month (YYYY-MM)." }).refine(isMonth, "Choose a month (YYYY-MM)."),
  org_id: z.string({ error: "Choose an organization." }),
};

/** The (org, month) every intent is about; checked first, even for an unknown intent. */
export const monthTargetSchema = z.object(target);

export const invoiceSchema = z.object({ ...target, intent: z.literal("invoice"), amount: z.string().default("") });
export const closeSchema = z.object({ ...target, intent: z.literal("close"), reason: z.string().optional() });
export const reopenSchema = z.object({ ...target, intent: z.literal("reopen"), reason: z.string().optional() });

export const reconciliationIntents = { invoice: invoiceSchema, close: closeSchema, reopen: reopenSchema } as const;
export type ReconciliationIntent = keyof typeof reconciliationIntents;

export const isReconciliationIntent = (s: string): s is ReconciliationIntent => Object.hasOwn(reconciliationIntents, s);
