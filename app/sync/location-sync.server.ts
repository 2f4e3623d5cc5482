// The `locations` sync task: where Shopify assigned an order's lines. The
// fulfillment_orders/order_routing_complete and /moved webhooks name fulfillment orders, not
// lines or locations (docs/decisions/0021-per-location-queues.md), so the task reads the
// fulfillment order from the Admin API and feeds the engine each open line's location as a
// line_locations fact, stamped with the fulfillment order's updatedAt (newest wins).
import type { LineLocationsEvent } from "../backorder/events.ts";
import type { Db } from "../db/client.server.ts";
import { applyEvents } from "../engine/apply-event.server.ts";
import { gid, restId } from "../shopify/admin-ids.ts";
import type { AdminGateway, LocatedFulfillmentOrder } from "../shopify/admin-operations.server.ts";
import { syncAfterApply } from "./hooks.server.ts";

/** A fulfillment order in these states holds no units to ship: its lines' locations are not news. */
const DONE_STATUSES: ReadonlySet<string> = new Set(["CLOSED", "CANCELLED"]);

/** The facts a fulfillment order gives: each line it still holds open, at its location. */
export function lineLocationsOf(fo: LocatedFulfillmentOrder): LineLocationsEvent | null {
  if (fo.locationId === null || DONE_STATUSES.has(fo.status)) return null;
  const sourceAt = new Date(fo.updatedAt);
  const lines = fo.lineItems
    .filter((l) => l.remainingQuantity > 0)
    .map((l) => ({ lineItemId: restId(l.lineItemId), locationId: restId(fo.locationId!), fulfillmentOrderId: restId(fo.id), sourceAt }));
  return lines.length ? { kind: "line_locations", orderId: restId(fo.orderId), lines } : null;
}

export const LOCATIONS_REASON = "fulfillment_orders/located";

/** Reads one fulfillment order (target: its numeric id) and applies its lines' locations. */
export async function syncLocations(db: Db, gateway: AdminGateway, shop: string, fulfillmentOrderId: string, now: Date): Promise<void> {
  const fo = await gateway.locatedFulfillmentOrder(gid("FulfillmentOrder", fulfillmentOrderId));
  const event = fo && lineLocationsOf(fo);
  if (!event) return;
  const afterApply = syncAfterApply({ now: () => now });
  await db.$transaction(
    async (tx) => {
      const affected = await applyEvents(tx, shop, [{ event, reason: LOCATIONS_REASON }]);
      await afterApply(tx, shop, affected);
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}
