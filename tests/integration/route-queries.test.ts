/**
 * The queries the team, cost-center and unmapped-queue pages used to run inline now live in db/queries
 * (getTeamInfo, getCostCenter, listMonthsWithRows), on the engine chosen by TEST_DB; and the invoice
 * amount goes through the one decimal parser (app/domain/money.ts) after stripping "$", "+" and
 * thousands commas.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../app/domain/errors";
import { parseInvoiceAmount } from "../../app/domain/month-end";
import { listMonthsWithRows } from "../../db/queries/reconcile";
import { ensureTeam } from "../../app/services/teams";
import { getCostCenter } from "../../db/queries/cost-centers";
import { getTeamInfo } from "../../db/queries/teams";
import { INVOICE_AMOUNTS_ACCEPTED, INVOICE_AMOUNTS_REFUSED } from "../fixtures/invoice-amounts";
import { createTestDb, type TestDb } from "../helpers/db";
import { ingestMonthly } from "../helpers/seed";

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t?.cleanup());

describe("queries behind the pages", () => {
  it("getTeamInfo: cost center and archived of a team, null for none", async () => {
    await ensureTeam(t.db, "test", "payments", "CC-100");
    await ensureTeam(t.db, "test", "search", null);
    await t.db.query(`update teams set archived = true where name = 'search'`);
    expect(await getTeamInfo(t.db, "payments")).toEqual({ cost_center: "CC-100", archived: false });
    expect(await getTeamInfo(t.db, "search")).toEqual({ cost_center: null, archived: true });
    expect(await getTeamInfo(t.db, "unmapped")).toBeNull();
  });

  it("getCostCenter: code and name, null for none", async () => {
    await t.db.query(`update cost_centers set name = 'Payments' where code = 'CC-100'`);
    expect(await getCostCenter(t.db, "CC-100")).toEqual({ code: "CC-100", name: "Payments" });
    expect(await getCostCenter(t.db, "CC-404")).toBeNull();
    expect(await getCostCenter(t.db, "unassigned")).toBeNull();
  });

  it("listMonthsWithRows: months with active rows, newest first, bounded", async () => {
    expect(await listMonthsWithRows(t.db)).toEqual([]);
    const r = await ingestMonthly(t.db, { actor: "test" });
    expect(r.status).toBe("imported");
    expect(await listMonthsWithRows(t.db)).toEqual(["2026-04"]);
    await t.db.query(`update cost_rows set bucket_start = '2026-03-01' where ctid in (select ctid from cost_rows limit 1)`);
    expect(await listMonthsWithRows(t.db)).toEqual(["2026-04", "2026-03"]);
    expect(await listMonthsWithRows(t.db, 1)).toEqual(["2026-04"]);
    await t.db.query(`update cost_rows set active = false`);
    expect(await listMonthsWithRows(t.db)).toEqual([]);
  });
});

describe("invoice amounts", () => {
  it.each(INVOICE_AMOUNTS_ACCEPTED)("accepts %j as %j", (input, value) => {
    expect(parseInvoiceAmount(input)).toBe(value);
  });
  it.each(INVOICE_AMOUNTS_REFUSED)("refuses %j", (input) => {
    expect(() => parseInvoiceAmount(input)).toThrow(InputError);
  });
});
