// Makes an order in Shopify show its backorder state: the shop's tag while lines wait,
// and fulfillment holds as the shop's hold setting says: on the backordered units only
// (default: Shopify splits the fulfillment order, in-stock items ship now), on the whole
// order, or none. Holds carry our handle, so we only ever release our own. Every hold the
// app placed is recorded (OrderHold) until Shopify no longer has it, and released through
// its fulfillment order's id: that works also for orders past the 60 days Shopify shows
// without read_all_orders (the limit is on orders, not fulfillment orders).
import type { Db } from "../db/client.server.ts";
import { DEFAULT_HOLD_MODE, HOLD_MODE, isHoldMode, planHolds, type HoldMode } from "../backorder/hold-plan.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { AdminApiError, AdminUserErrors } from "../shopify/admin-errors.ts";
import { gid } from "../shopify/admin-ids.ts";
import type { AdminGateway, FulfillmentOrderView } from "../shopify/admin-operations.server.ts";
import type { AdminTypes } from "../shopify/admin-types.ts";

/** Identifies the app's holds among the merchant's and other apps'. */
export const HOLD_HANDLE = "backorder-queue";
/** ShopSettings.orderTag's schema default. */
export const DEFAULT_ORDER_TAG = "backorder";
export const HOLD_REASON: AdminTypes.FulfillmentHoldReason = "INVENTORY_OUT_OF_STOCK";
const HOLD_NOTES = "Backordered items are waiting for stock (Backorder Queue).";
/** Read, act, read again: a release changes what can be split, so the next plan needs a fresh read. */
const MAX_ROUNDS = 4;

export async function pushOrder(db: Db, gateway: AdminGateway, shop: string, orderId: string, now: Date): Promise<void> {
  const [settings, waitingLines, synced] = await Promise.all([
    db.shopSettings.findUnique({ where: { shop }, select: { orderTag: true, holdMode: true } }),
    db.backorderLine.findMany({ where: { shop, orderId, state: LINE_STATE.waiting }, select: { lineItemId: true, waitingQuantity: true } }),
    db.syncedOrder.findUnique({ where: { shop_orderId: { shop, orderId } } }),
  ]);
  const tag = (settings?.orderTag ?? DEFAULT_ORDER_TAG).trim();
  const mode: HoldMode = isHoldMode(settings?.holdMode) ? settings.holdMode : DEFAULT_HOLD_MODE;
  const waiting = new Map(waitingLines.filter((l) => l.waitingQuantity > 0).map((l) => [gid("LineItem", l.lineItemId), l.waitingQuantity]));
  const orderGid = gid("Order", orderId);
  // The tag we added, if any. Rows from before the tag was recorded: the current one
  // (saveSettings records the old tag on them before the setting changes).
  const pushed = synced?.tagged ? (synced.tag ?? tag) : "";
  const state = { tag: pushed };

  let failure: unknown = null;
  try {
    // Our tag goes when nothing waits any more, and when the merchant renamed the tag
    // or turned tagging off: removed before the new one is added, so a failure in
    // between leaves a state the retry finishes from.
    if (state.tag && (waiting.size === 0 || state.tag !== tag)) {
      await gateway.removeTags(orderGid, [state.tag]);
      state.tag = "";
    }
    if (tag && waiting.size > 0 && !state.tag) {
      await gateway.addTags(orderGid, [tag]);
      state.tag = tag;
    }
  } catch (e) {
    failure = e; // the holds still follow: a tag Shopify refuses must not keep a hold in place
  } finally {
    // Keep what did happen even when a later step failed: the retry starts from there.
    if (state.tag !== pushed) {
      const data = { tagged: state.tag !== "", tag: state.tag || null, syncedAt: now };
      await db.syncedOrder.upsert({ where: { shop_orderId: { shop, orderId } }, create: { shop, orderId, ...data }, update: data });
    }
  }
  try {
    await syncHolds(db, gateway, shop, orderId, mode, waiting, now);
  } catch (e) {
    failure = failure ? both(failure, e) : e;
  }
  if (failure) throw failure;
}

/** The tag's and the holds' failures in one error, so the task shows the merchant both. */
function both(a: unknown, b: unknown): AdminApiError {
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const permanent = (e: unknown) => e instanceof AdminApiError && e.permanent;
  return new AdminApiError(
    `${message(a)}; ${message(b)}`,
    permanent(a) && permanent(b),
    a instanceof AdminApiError ? a.operation : "order",
    [a, b],
  );
}

async function syncHolds(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  orderId: string,
  mode: HoldMode,
  waiting: Map<string, number>,
  now: Date,
): Promise<void> {
  const wanted = mode !== HOLD_MODE.off && waiting.size > 0;
  if (!wanted && (await db.orderHold.count({ where: { shop, orderId } })) === 0) return;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const order = await gateway.orderFulfillmentOrders(gid("Order", orderId));
    if (!order) {
      // Shopify does not show the order: older than 60 days (no read_all_orders) or deleted.
      // Our holds are released through their fulfillment orders; new ones cannot be placed.
      if (!wanted) {
        const { failures } = await releaseRecordedHolds(db, gateway, shop, { orderId });
        if (failures.length) throw failures[0]!.error;
        return;
      }
      if ((await db.orderHold.count({ where: { shop, orderId } })) > 0) return; // held, and still wanted
      throw new AdminApiError(
        `order ${orderId} is not visible in Shopify (deleted, or older than 60 days: reading it needs read_all_orders), so its backordered items cannot be held`,
        true,
        "OrderFulfillmentOrders",
      );
    }
    await recordShopifyHolds(db, shop, orderId, order.fulfillmentOrders, now);
    const steps = planHolds(
      mode,
      waiting,
      order.fulfillmentOrders.map((fo) => ({
        id: fo.id,
        status: fo.status,
        holds: fo.fulfillmentHolds.map((h) => ({ id: h.id, ours: h.handle === HOLD_HANDLE })),
        lineItems: fo.lineItems,
      })),
    );
    for (const step of steps) {
      if (step.kind === "release") await releaseOne(db, gateway, shop, step.fulfillmentOrderId, [step.holdId]);
      else await placeHold(db, gateway, shop, orderId, step.fulfillmentOrderId, step.lineItems, now);
    }
    // Releases alone when nothing is wanted: done. Releases to hold fewer units: read and plan again.
    if (!wanted || !steps.some((s) => s.kind === "release")) return;
  }
  throw new AdminApiError(`order ${orderId}: its holds did not settle after ${MAX_ROUNDS} rounds`, false, "OrderFulfillmentOrders");
}

/** Shopify's truth: the fulfillment orders that carry our hold now. A record Shopify no longer has a hold for is done. */
async function recordShopifyHolds(db: Db, shop: string, orderId: string, fulfillmentOrders: FulfillmentOrderView[], now: Date) {
  const ours = new Map(
    fulfillmentOrders.flatMap((fo) => fo.fulfillmentHolds.filter((h) => h.handle === HOLD_HANDLE).map((h) => [fo.id, h.id] as const)),
  );
  const records = await db.orderHold.findMany({ where: { shop, orderId } });
  for (const r of records) {
    const holdId = ours.get(r.fulfillmentOrderId);
    if (!holdId) await db.orderHold.delete({ where: { shop_fulfillmentOrderId: { shop, fulfillmentOrderId: r.fulfillmentOrderId } } });
    else if (r.holdId !== holdId)
      await db.orderHold.update({
        where: { shop_fulfillmentOrderId: { shop, fulfillmentOrderId: r.fulfillmentOrderId } },
        data: { holdId },
      });
  }
  const known = new Set(records.map((r) => r.fulfillmentOrderId));
  const found = [...ours].filter(([fo]) => !known.has(fo));
  if (found.length) {
    // Ours by handle but unrecorded (e.g. a crash between hold and write): record it now.
    await db.orderHold.createMany({
      data: found.map(([fulfillmentOrderId, holdId]) => ({ shop, orderId, fulfillmentOrderId, holdId, placedAt: now })),
    });
  }
}

async function placeHold(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  orderId: string,
  fulfillmentOrderId: string,
  lineItems: { id: string; quantity: number }[] | null,
  now: Date,
) {
  const hold = { reason: HOLD_REASON, reasonNotes: HOLD_NOTES, handle: HOLD_HANDLE };
  let placed;
  try {
    placed = await gateway.holdFulfillmentOrder(fulfillmentOrderId, lineItems ? { ...hold, fulfillmentOrderLineItems: lineItems } : hold);
  } catch (e) {
    // Someone put it on hold since we read it: Shopify cannot split it now; hold it whole (it ships nothing anyway).
    if (!(lineItems && e instanceof AdminUserErrors && e.userErrors.some((u) => u.code === "FULFILLMENT_ORDER_NOT_SPLITTABLE"))) throw e;
    placed = await gateway.holdFulfillmentOrder(fulfillmentOrderId, hold);
  }
  const data = { orderId, holdId: placed.holdId, placedAt: now, releaseError: null };
  await db.orderHold.upsert({
    where: { shop_fulfillmentOrderId: { shop, fulfillmentOrderId: placed.fulfillmentOrderId } },
    create: { shop, fulfillmentOrderId: placed.fulfillmentOrderId, ...data },
    update: data,
  });
}

/** Releases the given holds of one fulfillment order; the record goes only once Shopify took the release. */
async function releaseOne(db: Db, gateway: AdminGateway, shop: string, fulfillmentOrderId: string, holdIds: string[]) {
  const where = { shop_fulfillmentOrderId: { shop, fulfillmentOrderId } };
  try {
    if (holdIds.length) await gateway.releaseFulfillmentOrderHold(fulfillmentOrderId, holdIds);
  } catch (e) {
    await db.orderHold.updateMany({
      where: { shop, fulfillmentOrderId },
      data: { releaseError: (e instanceof Error ? e.message : String(e)).slice(0, 1000) },
    });
    throw e;
  }
  await db.orderHold.deleteMany({ where: where.shop_fulfillmentOrderId });
}

export interface ReleaseResult {
  released: number;
  failures: { fulfillmentOrderId: string; orderId: string; error: unknown }[];
}

/**
 * Releases the holds the app recorded, through their fulfillment orders' ids (no order read,
 * so orders past Shopify's 60-day window are covered): one order's, or (no `orderId`) all
 * of the shop's, e.g. before the merchant uninstalls. A hold whose release fails keeps its
 * record with the reason (`releaseError`); the others go on.
 */
export async function releaseRecordedHolds(
  db: Db,
  gateway: AdminGateway,
  shop: string,
  filter: { orderId?: string } = {},
): Promise<ReleaseResult> {
  const records = await db.orderHold.findMany({ where: { shop, ...filter }, orderBy: { fulfillmentOrderId: "asc" } });
  const result: ReleaseResult = { released: 0, failures: [] };
  for (const r of records) {
    try {
      let holdIds = r.holdId ? [r.holdId] : null;
      if (!holdIds) {
        // Recorded before hold ids were kept: ours is the one with our handle.
        const fo = await gateway.fulfillmentOrder(r.fulfillmentOrderId);
        if (!fo)
          throw new AdminApiError(`fulfillment order ${r.fulfillmentOrderId} is not visible in Shopify`, true, "FulfillmentOrderPage");
        holdIds = fo.fulfillmentHolds.filter((h) => h.handle === HOLD_HANDLE).map((h) => h.id);
      }
      await releaseOne(db, gateway, shop, r.fulfillmentOrderId, holdIds);
      result.released++;
    } catch (e) {
      if (!r.holdId)
        await db.orderHold.updateMany({
          where: { shop, fulfillmentOrderId: r.fulfillmentOrderId },
          data: { releaseError: (e instanceof Error ? e.message : String(e)).slice(0, 1000) },
        });
      result.failures.push({ fulfillmentOrderId: r.fulfillmentOrderId, orderId: r.orderId, error: e });
    }
  }
  return result;
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
