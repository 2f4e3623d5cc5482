// The converged state of a shop's queue, in a form two runs can be compared by.
import type { Db } from "../../app/db/client.server.ts";

export async function queueState(db: Db, shop: string) {
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
