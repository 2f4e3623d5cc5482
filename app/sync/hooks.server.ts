// What follows an engine change, inside the same transaction: the auto-enable rule,
// then the Shopify pushes it implies, queued with a short debounce so a stock flip
// corrected a moment later is not pushed at all; except DENY for a variant that reached
// its limit, queued to go at once and ahead of everything else (decision 0023).
import type { Tx } from "../db/client.server.ts";
import type { Affected } from "../engine/apply-event.server.ts";
import { applyAutoEnable } from "./auto-enable.server.ts";
import { touchedOrders, touchedVariants } from "./hook-targets.server.ts";
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
    const variants = await touchedVariants(tx, shop, variantIds);
    const policies = variants.flatMap((v) => (v.policy ? [v.policy] : []));
    const orders = await touchedOrders(tx, shop, orderIds);
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
        variantIds: [...switchedOn, ...variants.map((v) => v.variantId)],
        orderIds: orders.filter((o) => o.waiting || o.synced || o.held).map((o) => o.orderId),
      },
      now,
      opts.debounceMs ?? SYNC_DEBOUNCE_MS,
    );
    // The customer's promise: orders with a line waiting, and those whose promise is still published (to update or delete it).
    await enqueueOrderPromises(
      tx,
      shop,
      orders.filter((o) => o.waiting || o.promiseValue !== null).map((o) => o.orderId),
      new Date(now.getTime() + (opts.debounceMs ?? SYNC_DEBOUNCE_MS)),
    );
  };
}
