// Keeps each backordered order's `$app.backorder_promise` metafield in step with the queue,
// for the checkout UI extension on the customer's Order status page (extensions/order-promise).
// One `order-promise` task per order, enqueued in the transaction that changes its lines'
// states (the engine's hook) or their promised dates (recordShipDates); the push writes the
// value only when it differs from the one last written (SyncedOrder.promiseValue), and
// deletes the metafield once nothing of the order waits any more.
import { ORDER_PROMISE_METAFIELD, orderPromiseValue } from "../backorder/order-promise.ts";
import type { Db, Tx } from "../db/client.server.ts";
import { gid } from "../shopify/admin-ids.ts";
import type { AdminGateway } from "../shopify/admin-operations.server.ts";
import { SYNC_KIND } from "./task-kind.ts";
import { enqueueTasks } from "./tasks.server.ts";

export const enqueueOrderPromises = (tx: Tx, shop: string, orderIds: Iterable<string>, dueAt = new Date()) =>
  enqueueTasks(tx, shop, SYNC_KIND.orderPromise, orderIds, dueAt);

export type PromisePush = "written" | "deleted" | "unchanged";

export async function pushOrderPromise(db: Db, gateway: AdminGateway, shop: string, orderId: string, now: Date): Promise<PromisePush> {
  const [lines, synced] = await Promise.all([
    db.backorderLine.findMany({
      where: { shop, orderId },
      select: {
        lineItemId: true,
        title: true,
        state: true,
        waitingQuantity: true,
        openQuantity: true,
        promisedShipDate: true,
        backorderedAt: true,
      },
    }),
    db.syncedOrder.findUnique({ where: { shop_orderId: { shop, orderId } }, select: { promiseValue: true } }),
  ]);
  const value = orderPromiseValue(lines);
  const last = synced?.promiseValue ?? null;
  if (value === last) return "unchanged";
  const ownerId = gid("Order", orderId);
  const { namespace, key } = ORDER_PROMISE_METAFIELD;
  if (value === null) await gateway.deleteMetafields([{ ownerId, namespace, key }]);
  else await gateway.setMetafields([{ ownerId, ...ORDER_PROMISE_METAFIELD, value }]);
  // Recorded after Shopify took it: a failed push leaves the old value, and the retry pushes again.
  await db.syncedOrder.upsert({
    where: { shop_orderId: { shop, orderId } },
    create: { shop, orderId, promiseValue: value, syncedAt: now },
    update: { promiseValue: value, syncedAt: now },
  });
  return value === null ? "deleted" : "written";
}
