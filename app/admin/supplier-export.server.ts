// The supplier export: what to order per variant (the planning page's advice), as CSV for
// a purchase order. Cells go through csvCell, so a SKU or title that looks like a formula
// stays text in a spreadsheet.
import type { Db } from "../db/client.server.ts";
import { csvRow } from "./csv.ts";
import { loadPlans, withNames } from "./planning.server.ts";

export const SUPPLIER_COLUMNS = [
  "SKU",
  "Variant",
  "Variant ID",
  "Order quantity",
  "Units waiting",
  "Units incoming",
  "Demand per day (28 days)",
  "Demand per day (7 days)",
  "Needed by",
  "Cover days",
];

/** Variants with something to order, most first. */
export async function supplierCsv(db: Db, shop: string, coverDays: number, now = new Date()): Promise<string> {
  const { plans } = await loadPlans(db, shop, now, coverDays);
  const toOrder = plans
    .filter((p) => p.advice.quantity > 0)
    .sort((a, b) => b.advice.quantity - a.advice.quantity || (a.variantId < b.variantId ? -1 : 1));
  const named = await withNames(db, shop, toOrder);
  let out = csvRow(SUPPLIER_COLUMNS);
  for (const p of named) {
    out += csvRow([
      p.sku,
      p.title,
      p.variantId,
      p.advice.quantity,
      p.waitingUnits,
      p.incomingUnits,
      round2(p.demand.last28),
      round2(p.demand.last7),
      p.advice.arrivesOn,
      coverDays,
    ]);
  }
  return out;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export const supplierFileName = (now: Date): string => `supplier-order-${now.toISOString().slice(0, 10)}.csv`;
