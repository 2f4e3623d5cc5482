// Makes an order in Shopify show its backorder state: the shop's tag while lines wait,
// and (if the shop wants it) a hold on each fulfillment order that contains a waiting
// line, released once nothing waits. Holds carry our handle, so we only ever release
// our own. What was done is kept in SyncedOrder, step by step.
import type { Db } from "../db/client.server.ts";
import { AdminApiError, gid, type AdminGateway } from "../shopify/gateway.server.ts";

/** Identifies the app's holds among the merchant's and other apps'. */
export const HOLD_HANDLE = "backorder-queue";
export const HOLD_REASON = "INVENTORY_OUT_OF_STOCK";
const HOLDABLE = new Set(["OPEN", "ON_HOLD", "SCHEDULED"]);

export async function pushOrder(db: Db, gateway: AdminGateway, shop: string, orderId: string, now: Date): Promise<void> {
  const [settings, waitingLines, synced] = await Promise.all([
    db.shopSettings.findUnique({ where: { shop }, select: { orderTag: true, holdFulfillment: true } }),
    db.backorderLine.findMany({ where: { shop, orderId, state: "waiting" }, select: { lineItemId: true } }),
    db.syncedOrder.findUnique({ where: { shop_orderId: { shop, orderId } } }),
  ]);
  const tag = (settings?.orderTag ?? "backorder").trim();
  const holdWanted = (settings?.holdFulfillment ?? true) && waitingLines.length > 0;
  const waiting = waitingLines.length > 0;
  const orderGid = gid("Order", orderId);
  // The tag we added, if any. Rows from before the tag was recorded: the current one
  // (saveSettings records the old tag on them before the setting changes).
  const pushed = synced?.tagged ? (synced.tag ?? tag) : "";
  const state = { tag: pushed, held: JSON.parse(synced?.heldFulfillmentOrders ?? "[]") as string[] };
  const before = JSON.stringify(state);

  try {
    // Our tag goes when nothing waits any more, and when the merchant renamed the tag
    // or turned tagging off: removed before the new one is added, so a failure in
    // between leaves a state the retry finishes from.
    if (state.tag && (!waiting || state.tag !== tag)) {
      await gateway.removeTags(orderGid, [state.tag]);
      state.tag = "";
    }
    if (tag && waiting && !state.tag) {
      await gateway.addTags(orderGid, [tag]);
      state.tag = tag;
    }

    if (holdWanted || state.held.length > 0) {
      const order = await gateway.fulfillmentOrders(orderGid);
      if (!order) {
        if (holdWanted) throw new AdminApiError(`order ${orderId} not found in Shopify`, true, "OrderFulfillmentOrders");
        state.held = [];
      } else {
        const waitingGids = new Set(waitingLines.map((l) => gid("LineItem", l.lineItemId)));
        // Shopify's truth: the fulfillment orders that carry our hold right now.
        const held = new Set(order.fulfillmentOrders.nodes.filter((f) => f.fulfillmentHolds.some((h) => h.handle === HOLD_HANDLE)).map((f) => f.id));
        state.held = [...held];
        for (const fo of order.fulfillmentOrders.nodes) {
          const ours = fo.fulfillmentHolds.find((h) => h.handle === HOLD_HANDLE);
          const hasWaiting = fo.lineItems.nodes.some((n) => waitingGids.has(n.lineItem.id));
          if (holdWanted && hasWaiting && !ours && HOLDABLE.has(fo.status)) {
            await gateway.holdFulfillmentOrder(fo.id, {
              reason: HOLD_REASON,
              reasonNotes: "Backordered items are waiting for stock (Backorder Queue).",
              handle: HOLD_HANDLE,
            });
            held.add(fo.id);
          } else if (ours && !(holdWanted && hasWaiting)) {
            await gateway.releaseFulfillmentOrderHold(fo.id, [ours.id]);
            held.delete(fo.id);
          }
          state.held = [...held];
        }
      }
    }
  } finally {
    // Keep what did happen even when a later step failed: the retry starts from there.
    if (JSON.stringify(state) !== before) {
      const data = { tagged: state.tag !== "", tag: state.tag || null, heldFulfillmentOrders: JSON.stringify(state.held), syncedAt: now };
      await db.syncedOrder.upsert({ where: { shop_orderId: { shop, orderId } }, create: { shop, orderId, ...data }, update: data });
    }
  }
}

/** The merchant's bulk "cancel" (the queue page enqueues `order-cancel`): Shopify cancels, restocks and refunds; orders/cancelled then updates the queue. */
export async function cancelOrder(db: Db, gateway: AdminGateway, shop: string, orderId: string): Promise<void> {
  const snapshot = await db.orderSnapshot.findUnique({ where: { shop_orderId: { shop, orderId } }, select: { cancelledAt: true } });
  if (snapshot?.cancelledAt) return; // already cancelled (e.g. by the merchant in Shopify)
  await gateway.cancelOrder({
    orderId: gid("Order", orderId),
    reason: "INVENTORY",
    restock: true,
    notifyCustomer: true,
    refundMethod: { originalPaymentMethodsRefund: true },
    staffNote: "Cancelled from Backorder Queue: backordered items could not be supplied.",
  });
}
