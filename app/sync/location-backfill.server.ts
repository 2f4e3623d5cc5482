// Lines of orders placed before the app subscribed to the fulfillment order webhooks (or
// whose webhooks were lost) carry no location, so the queue stays shop-wide for them
// (docs/decisions/0028-batch-locations-in-etas.md). This queues one `locations` task per such
// order, which reads its fulfillment orders. Run on install/resume and with the daily date
// refresh. Bounded: a few hundred orders per shop per pass, oldest first. Idempotent: a
// task is created once per order (enqueueOnce), so a pass never reads an order twice.
import { LINE_STATE } from "../backorder/line-state.ts";
import type { Tx } from "../db/client.server.ts";
import { orderLocationsTarget } from "./location-sync.server.ts";
import { SYNC_KIND } from "./task-kind.ts";
import { enqueueOnce } from "./tasks.server.ts";

export const BACKFILL_ORDERS_PER_PASS = 500;

/** Queues the reads; returns how many orders were new to it. Shops with one location have nothing to place. */
export async function enqueueLocationBackfill(tx: Tx, shop: string, now: Date, limit = BACKFILL_ORDERS_PER_PASS): Promise<number> {
  const locations = await tx.inventoryLevel.groupBy({ by: ["locationId"], where: { shop }, orderBy: { locationId: "asc" }, take: 2 });
  if (locations.length < 2) return 0;
  // Pages of candidate orders, oldest first, until `limit` of them have no task yet: orders
  // read before (and still unplaced: a closed fulfillment order, an order Shopify no longer
  // shows) are passed over, so they never hold the backfill back.
  const fresh: string[] = [];
  for (let skip = 0; fresh.length < limit; skip += PAGE) {
    const orders = await tx.backorderLine.groupBy({
      by: ["orderId"],
      where: { shop, state: LINE_STATE.waiting, assignedLocationId: null },
      _min: { orderedAt: true },
      orderBy: [{ _min: { orderedAt: "asc" } }, { orderId: "asc" }],
      skip,
      take: PAGE,
    });
    const targets = orders.map((o) => orderLocationsTarget(o.orderId));
    const queued = new Set(
      (
        await tx.syncTask.findMany({ where: { shop, kind: SYNC_KIND.locations, targetId: { in: targets } }, select: { targetId: true } })
      ).map((r) => r.targetId),
    );
    fresh.push(...targets.filter((id) => !queued.has(id)).slice(0, limit - fresh.length));
    if (orders.length < PAGE) break;
  }
  return enqueueOnce(tx, shop, SYNC_KIND.locations, fresh, now);
}

const PAGE = 500;
