/**
 * The POSTs the pages' forms send, for the tests that drive them over HTTP with a TestClient
 * (tests/helpers/server.ts). Each returns the raw Response: the tests assert on it.
 */
import type { TestClient } from "./server";

export interface MonthAction {
  intent: "invoice" | "close" | "reopen";
  org: string;
  month: string;
  /** The intent's other fields (amount, reason). */
  [field: string]: string;
}

/**
 * A month-end action on /reconciliation?month=… (docs/month-end.md); `data: true` asks for the
 * action's JSON (Remix `_data`) instead of the page.
 */
export function postMonthAction(client: TestClient, action: MonthAction, opts: { data?: boolean } = {}): Promise<Response> {
  const { intent, org, month, ...fields } = action;
  const url = `/reconciliation?month=${month}${opts.data ? "&_data=routes%2Freconciliation" : ""}`;
  return client.post(url, { intent, org_id: org, month, ...fields });
}

/** Saves an org's settings on the Organizations page (JSON answer); fields not given take the values below. */
export function postOrgSettings(client: TestClient, org: string, fields: Record<string, string> = {}): Promise<Response> {
  return client.post("/admin/orgs?_data=routes%2Fadmin.orgs", {
    intent: "save",
    org_id: org,
    display_name: "",
    policy_kind: "proportional",
    tolerance: "0.01",
    ...fields,
  });
}
