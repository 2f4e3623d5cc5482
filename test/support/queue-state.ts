// The converged state of a shop's queue, in a form two runs can be compared by.
import { expect } from "vitest";
import type { Db } from "../../app/db/client.server.ts";

export async function queueState(db: Db, shop: string) {
  await expectWaitingTotalsExact(db, shop);
  const lines = await db.backorderLine.findMany({
    where: { shop },
    orderBy: { lineItemId: "asc" },
    select: { lineItemId: true, state: true, quantity: true, openQuantity: true, waitingQuantity: true },
  });
  const levels = await db.inventoryLevel.findMany({
    where: { shop },
    orderBy: [{ inventoryItemId: "asc" }, { locationId: "asc" }],
    select: { inventoryItemId: true, locationId: true, available: true, updatedAt: true },
  });
  return { lines, levels };
}

/**
 * The running totals the bounded derivation reads (VariantWaitingTotal, kept by triggers) equal
 * the sum over the lines: Σ waitingQuantity of each variant's lines in state "waiting".
 */
export async function expectWaitingTotalsExact(db: Db, shop: string) {
  const [stored, summed] = await Promise.all([
    db.variantWaitingTotal.findMany({ where: { shop }, select: { variantId: true, waitingUnits: true } }),
    db.backorderLine.groupBy({ by: ["variantId"], where: { shop, state: "waiting" }, _sum: { waitingQuantity: true } }),
  ]);
  const byVariant = (rows: { variantId: string; units: number }[]) =>
    Object.fromEntries(rows.filter((r) => r.units !== 0).map((r) => [r.variantId, r.units]));
  expect(byVariant(stored.map((r) => ({ variantId: r.variantId, units: r.waitingUnits })))).toEqual(
    byVariant(summed.map((r) => ({ variantId: r.variantId, units: r._sum.waitingQuantity ?? 0 }))),
  );
}
