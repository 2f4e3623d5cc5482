// The waiting lines of the variants whose incoming batches name a location: a batch at a
// location serves that location's lines first (located-eta.ts), so their dates need the
// queue itself, not a count of units ahead. Only those variants are read: a shop that
// never sets a batch's location pays nothing.
import { waitingPartsOf } from "../backorder/allocation.ts";
import { isPlaced, type QueuedLine } from "../backorder/located-eta.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";

export async function waitingQueuesOf(db: Db | Tx, shop: string, variantIds: Iterable<string>): Promise<Map<string, QueuedLine[]>> {
  const rows = await inChunks(new Set(variantIds), (chunk) =>
    db.backorderLine.findMany({
      where: { shop, variantId: { in: chunk }, state: LINE_STATE.waiting },
      select: {
        lineItemId: true,
        variantId: true,
        orderedAt: true,
        waitingQuantity: true,
        locationId: true,
        assignedLocationId: true,
        waitingParts: true,
      },
    }),
  );
  const byVariant = new Map<string, QueuedLine[]>();
  for (const r of rows) {
    const list = byVariant.get(r.variantId) ?? [];
    const parts = waitingPartsOf(r);
    if (parts.length > 1)
      // A split line (decision 0033): each part waits at its own location, placed there by Shopify.
      for (const [locationId, units] of parts)
        list.push({ lineItemId: r.lineItemId, orderedAt: r.orderedAt, waitingQuantity: units, locationId, placed: true });
    else
      list.push({
        lineItemId: r.lineItemId,
        orderedAt: r.orderedAt,
        waitingQuantity: r.waitingQuantity,
        locationId: r.locationId,
        placed: isPlaced(r),
      });
    byVariant.set(r.variantId, list);
  }
  return byVariant;
}
