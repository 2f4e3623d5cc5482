// The `locations` sync task: where Shopify assigned an order's lines. The
// fulfillment_orders/order_routing_complete and /moved webhooks name fulfillment orders, not
// lines or locations (docs/decisions/0021-per-location-queues.md), so the task reads the
// fulfillment order from the Admin API and feeds the engine each open line's location as a
// line_locations fact, stamped with the fulfillment order's updatedAt (newest wins). A line split
// over fulfillment orders gets one fact per fulfillment order (decision 0033).
import type { LineLocationsEvent } from "../backorder/events.ts";
import type { Db } from "../db/client.server.ts";
import { applyEvents } from "../engine/apply-event.server.ts";
import { gid, restId } from "../shopify/admin-ids.ts";
import type { AdminGateway, LocatedFulfillmentOrder } from "../shopify/admin-operations.server.ts";
import { syncAfterApply } from "./hooks.server.ts";

/** A fulfillment order in these states holds no units to ship: each of its lines' parts is 0. */
const DONE_STATUSES: ReadonlySet<string> = new Set(["CLOSED", "CANCELLED"]);

/**
 * The facts a fulfillment order gives: each of its lines, at its location, with the units it
 * still holds (0 when closed, cancelled or moved away: that part of the line is gone, and the
 * fact must say so, or an earlier read of it would keep the units there).
 */
export function lineLocationsOf(fo: LocatedFulfillmentOrder): LineLocationsEvent | null {
  if (fo.locationId === null) return null;
  const done = DONE_STATUSES.has(fo.status);
  const sourceAt = new Date(fo.updatedAt);
  const lines = fo.lineItems.map((l) => ({
    lineItemId: restId(l.lineItemId),
    locationId: restId(fo.locationId!),
    fulfillmentOrderId: restId(fo.id),
    quantity: done ? 0 : Math.max(0, l.remainingQuantity),
    sourceAt,
  }));
  return lines.length ? { kind: "line_locations", orderId: restId(fo.orderId), lines } : null;
}

export const LOCATIONS_REASON = "fulfillment_orders/located";

/**
 * A `locations` task's target for a whole order (the backfill, location-backfill.server.ts):
 * its fulfillment orders are not known here, so the task lists them first. A bare numeric
 * target is one fulfillment order (the webhooks').
 */
export const ORDER_TARGET = "order:";
export const orderLocationsTarget = (orderId: string) => `${ORDER_TARGET}${orderId}`;

/** Reads one fulfillment order (target: its numeric id), or an order's (target: `order:<id>`), and applies its lines' locations. */
export async function syncLocations(db: Db, gateway: AdminGateway, shop: string, target: string, now: Date): Promise<void> {
  const ids = target.startsWith(ORDER_TARGET)
    ? ((await gateway.orderFulfillmentOrders(gid("Order", target.slice(ORDER_TARGET.length))))?.fulfillmentOrders.map((fo) => fo.id) ?? [])
    : [gid("FulfillmentOrder", target)];
  const events: LineLocationsEvent[] = [];
  for (const id of ids) {
    const fo = await gateway.locatedFulfillmentOrder(id);
    const event = fo && lineLocationsOf(fo);
    if (event) events.push(event);
  }
  if (events.length === 0) return;
  const afterApply = syncAfterApply({ now: () => now });
  await db.$transaction(
    async (tx) => {
      const affected = await applyEvents(
        tx,
        shop,
        events.map((event) => ({ event, reason: LOCATIONS_REASON })),
      );
      await afterApply(tx, shop, affected);
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}
