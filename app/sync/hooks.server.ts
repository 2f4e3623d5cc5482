// What follows an engine change, inside the same transaction: the auto-enable rule,
// then the Shopify pushes it implies, queued with a short debounce so a stock flip
// corrected a moment later is not pushed at all; except DENY for a variant that reached
// its limit, queued to go at once and ahead of everything else (decision 0023).
import type { Tx } from "../db/client.server.ts";
import { LINE_STATE } from "../backorder/line-state.ts";
import { inChunks } from "../db/chunks.ts";
import type { Affected } from "../engine/apply-event.server.ts";
import { applyAutoEnable } from "./auto-enable.server.ts";
import { enqueueOrderPromises } from "./order-promise-sync.server.ts";
import { variantsToStopSelling } from "./stop-selling.server.ts";
import { SYNC_KIND } from "./task-kind.ts";
import { enqueueSync, enqueueTasks } from "./tasks.server.ts";

export const SYNC_DEBOUNCE_MS = 2_000;

export interface SyncHookOptions {
  now?: () => Date;
  debounceMs?: number;
  /**
   * Called (inside the transaction, before it commits) when it queued a stop-selling push:
   * the worker wakes its sync loop once the transaction has committed.
   */
  onStopSelling?: (shop: string, variantIds: string[]) => void;
}

export function syncAfterApply(opts: SyncHookOptions = {}) {
  return async (tx: Tx, shop: string, affected: Affected) => {
    const now = opts.now?.() ?? new Date();
    const variantIds = [...affected.variantIds];
    const orderIds = [...affected.orderIds];
    const switchedOn = await applyAutoEnable(tx, shop, variantIds, now);
    // Only what the app manages or has told Shopify before: a flash sale on unmanaged
    // variants must not fill the task table.
    // In chunks: a restock of one variant can change a thousand orders (SQLite's parameter limit).
    const policies = await inChunks(variantIds, (ids) =>
      tx.variantPolicy.findMany({
        where: { shop, variantId: { in: ids } },
        select: { variantId: true, enabled: true, maxBackorder: true },
      }),
    );
    const syncedVariants = await inChunks(variantIds, (ids) =>
      tx.syncedVariant.findMany({ where: { shop, variantId: { in: ids } }, select: { variantId: true } }),
    );
    const waitingOrders = await inChunks(orderIds, (ids) =>
      tx.backorderLine.findMany({
        where: { shop, orderId: { in: ids }, state: LINE_STATE.waiting },
        select: { orderId: true },
        distinct: ["orderId"],
      }),
    );
    const syncedOrders = await inChunks(orderIds, (ids) =>
      tx.syncedOrder.findMany({ where: { shop, orderId: { in: ids } }, select: { orderId: true, promiseValue: true } }),
    );
    const heldOrders = await inChunks(orderIds, (ids) =>
      tx.orderHold.findMany({ where: { shop, orderId: { in: ids } }, select: { orderId: true }, distinct: ["orderId"] }),
    );
    // Not debounced: each sale until Shopify holds DENY is a backorder past the merchant's limit.
    const stopSelling = await variantsToStopSelling(tx, shop, policies, now);
    if (stopSelling.length) {
      await enqueueTasks(tx, shop, SYNC_KIND.stopSelling, stopSelling, now);
      opts.onStopSelling?.(shop, stopSelling);
    }
    await enqueueSync(
      tx,
      shop,
      {
        variantIds: [...switchedOn, ...policies.map((p) => p.variantId), ...syncedVariants.map((s) => s.variantId)],
        orderIds: [...waitingOrders.map((o) => o.orderId), ...syncedOrders.map((o) => o.orderId), ...heldOrders.map((o) => o.orderId)],
      },
      now,
      opts.debounceMs ?? SYNC_DEBOUNCE_MS,
    );
    // The customer's promise: orders with a line waiting, and those whose promise is still published (to update or delete it).
    const promised = syncedOrders.filter((o) => o.promiseValue !== null).map((o) => o.orderId);
    await enqueueOrderPromises(
      tx,
      shop,
      [...waitingOrders.map((o) => o.orderId), ...promised],
      new Date(now.getTime() + (opts.debounceMs ?? SYNC_DEBOUNCE_MS)),
    );
  };
}
