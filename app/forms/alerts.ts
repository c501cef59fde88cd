/**
 * The alert subscription forms (app/routes/alerts.tsx), one schema per intent. The service checks
 * the team or cost center, the address and the URL (app/services/alerts.ts); the route checks who
 * may subscribe what (a person: their own email, to what they can see; webhooks: finance admins).
 */
import { z } from "zod";
import { rowId, text } from "./admin-fields";

export const subscribeSchema = z.object({
  intent: z.literal("subscribe"),
  scope: z.enum(["team", "cost_center"], { message: "choose a team or a cost center" }),
  name: text(),
  channel: z.enum(["email", "webhook"], { message: "choose email or webhook" }),
  /** the email address (finance admins; others subscribe their own) or the webhook URL */
  target: text(),
  format: z.enum(["slack", "json"]).optional(),
});

export const unsubscribeSchema = z.object({ intent: z.literal("unsubscribe"), id: rowId() });
