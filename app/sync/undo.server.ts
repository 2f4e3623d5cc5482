// Takes back what the app set on a shop, before the merchant uninstalls it: inventory
// policies back to what they were before the app, the storefront metafields deleted (the
// variants', and the shop's shipping one if the app wrote it), the app's tag removed from every
// order it tagged, every recorded hold released, the orders' promise metafields (the Order
// status page's) deleted. Runs as the
// shop's `undo` sync task (retried with backoff, a failure shown in Settings). Each record
// is cleared as soon as Shopify took its change, so a retry goes on from where a failure
// stopped, and a second run finds nothing to send.
import { INVENTORY_POLICY, policyToRestore } from "../backorder/inventory-policy.ts";
import { ORDER_PROMISE_METAFIELD } from "../backorder/order-promise.ts";
import { STOREFRONT_METAFIELD } from "../backorder/storefront-status.ts";
import type { Db } from "../db/client.server.ts";
import { inChunks } from "../db/chunks.ts";
import { AdminApiError } from "../shopify/admin-errors.ts";
import { gid, restId } from "../shopify/admin-ids.ts";
import type { AdminGateway } from "../shopify/admin-operations.server.ts";
import { releaseRecordedHolds } from "./order-sync.server.ts";
import { deleteShopShipping } from "./shop-sync.server.ts";
import { SYNC_KIND } from "./task-kind.ts";
import { SYNC_TASK_STATUS } from "./task-status.ts";

/** Records read per round: one page of variants or orders at a time, however large the shop. */
export const UNDO_PAGE = 250;
/** Variants per productVariantsBulkUpdate. */
const POLICIES_PER_CALL = 100;

export interface UndoRemaining {
  /** Variants whose policy the app set and has not put back yet. */
  policies: number;
  /** Variants that still carry the app's storefront metafield, plus the shop if it still carries its shipping one. */
  metafields: number;
  /** Orders that still carry the app's tag. */
  taggedOrders: number;
  /** Fulfillment holds the app placed and has not released. */
  holds: number;
  /** Orders that still carry the app's promise metafield (the Order status page's dates). */
  promises: number;
}

/** What is left to undo, read from the app's own records (the progress the settings page shows). */
export async function undoRemaining(db: Db, shop: string): Promise<UndoRemaining> {
  const [policies, metafields, shopMetafield, taggedOrders, holds, promises] = await Promise.all([
    db.syncedVariant.count({ where: { shop, inventoryPolicy: { not: null } } }),
    db.syncedVariant.count({ where: { shop, metafieldValue: { not: null } } }),
    db.shopSettings.count({ where: { shop, shippingMetafield: { not: null } } }),
    db.syncedOrder.count({ where: { shop, tagged: true } }),
    db.orderHold.count({ where: { shop } }),
    db.syncedOrder.count({ where: { shop, promiseValue: { not: null } } }),
  ]);
  return { policies, metafields: metafields + shopMetafield, taggedOrders, holds, promises };
}

interface Failure {
  what: string;
  error: unknown;
}

export async function runUndo(db: Db, gateway: AdminGateway, shop: string, now: Date): Promise<void> {
  // Turned back on meanwhile: the app's changes are wanted again, nothing to take back.
  if (!(await paused(db, shop))) return;
  // A push claimed before the pause may still be sending (another worker): let it land first,
  // or it would set again what this run takes back.
  // (Only kinds that write: a catalog sync on its hour-long lease only reads.)
  const inFlight = await db.syncTask.count({
    where: {
      shop,
      kind: {
        in: [SYNC_KIND.variant, SYNC_KIND.stopSelling, SYNC_KIND.order, SYNC_KIND.orderPromise, SYNC_KIND.orderCancel, SYNC_KIND.shop],
      },
      status: SYNC_TASK_STATUS.running,
      lockedUntil: { gt: now },
    },
  });
  if (inFlight > 0) throw new AdminApiError(`waiting for ${inFlight} update(s) already being sent to Shopify`, false, "undo");

  const failures: Failure[] = [];
  await restoreVariants(db, gateway, shop, failures);
  if (!unwell(failures) && (await paused(db, shop))) {
    try {
      await deleteShopShipping(db, gateway, shop);
    } catch (e) {
      failures.push({ what: "shop: shipping metafield", error: e });
    }
  }
  if (!unwell(failures)) await untagOrders(db, gateway, shop, failures);
  if (!unwell(failures)) await deletePromises(db, gateway, shop, failures);
  if (unwell(failures)) throw summary(failures);
  const holds = await releaseRecordedHolds(db, gateway, shop);
  for (const f of holds.failures) failures.push({ what: `order ${f.orderId}: hold on ${f.fulfillmentOrderId}`, error: f.error });

  if (failures.length) throw summary(failures);
  // Only while still paused (a resume during the run leaves undoneAt unset).
  await db.shopSettings.updateMany({ where: { shop, pausedAt: { not: null } }, data: { undoneAt: now } });
}

/** Policies back and the metafield deleted, a page of variants at a time. */
async function restoreVariants(db: Db, gateway: AdminGateway, shop: string, failures: Failure[]) {
  let after = "";
  for (;;) {
    const rows = await db.syncedVariant.findMany({
      where: { shop, variantId: { gt: after }, OR: [{ inventoryPolicy: { not: null } }, { metafieldValue: { not: null } }] },
      orderBy: { variantId: "asc" },
      take: UNDO_PAGE,
    });
    if (rows.length === 0 || !(await paused(db, shop))) return;
    after = rows[rows.length - 1]!.variantId;

    // Policies, per product (productVariantsBulkUpdate takes one product's variants).
    const withPolicy = rows.filter((r) => r.inventoryPolicy !== null);
    const catalog = await inChunks(
      withPolicy.map((r) => r.variantId),
      (ids) => db.variant.findMany({ where: { shop, variantId: { in: ids } }, select: { variantId: true, productId: true } }),
    );
    const productOf = new Map(catalog.map((v) => [v.variantId, v.productId]));
    const unknown = withPolicy.filter((r) => !productOf.has(r.variantId));
    if (unknown.length) {
      const found = await gateway.productsOfVariants(unknown.map((r) => gid("ProductVariant", r.variantId)));
      for (const r of unknown) {
        const product = found.get(gid("ProductVariant", r.variantId));
        // Gone from Shopify: no policy left to put back.
        if (!product) await clear(db, shop, [r.variantId], { inventoryPolicy: null });
        else productOf.set(r.variantId, restId(product));
      }
    }
    const byProduct = new Map<string, typeof withPolicy>();
    for (const r of withPolicy) {
      const product = productOf.get(r.variantId);
      if (product) byProduct.set(product, [...(byProduct.get(product) ?? []), r]);
    }
    for (const [productId, group] of byProduct) {
      for (let i = 0; i < group.length; i += POLICIES_PER_CALL) {
        if (unwell(failures)) return;
        await oneByOneOnRefusal(
          group.slice(i, i + POLICIES_PER_CALL),
          failures,
          (r) => `variant ${r.variantId}: inventory policy`,
          async (batch) => {
            await gateway.setInventoryPolicies(
              gid("Product", productId),
              batch.map((r) => ({ id: gid("ProductVariant", r.variantId), inventoryPolicy: policyToRestore(r.originalPolicy) })),
            );
            // What Shopify has now is the variant's own policy again: the original for a later resume.
            for (const restored of Object.values(INVENTORY_POLICY)) {
              const ids = batch.filter((r) => policyToRestore(r.originalPolicy) === restored).map((r) => r.variantId);
              if (ids.length) await clear(db, shop, ids, { inventoryPolicy: null, originalPolicy: restored });
            }
          },
        );
      }
    }

    // The storefront metafield (deleteMetafields sends 25 per call).
    if (unwell(failures)) return;
    const withMetafield = rows.filter((r) => r.metafieldValue !== null);
    await oneByOneOnRefusal(
      withMetafield,
      failures,
      (r) => `variant ${r.variantId}: storefront metafield`,
      async (batch) => {
        await gateway.deleteMetafields(
          batch.map((r) => ({
            ownerId: gid("ProductVariant", r.variantId),
            namespace: STOREFRONT_METAFIELD.namespace,
            key: STOREFRONT_METAFIELD.key,
          })),
        );
        await clear(
          db,
          shop,
          batch.map((r) => r.variantId),
          { metafieldValue: null },
        );
      },
    );
  }
}

/** The app's tag off every order it tagged (the tag recorded per order; older rows: the shop's tag). */
async function untagOrders(db: Db, gateway: AdminGateway, shop: string, failures: Failure[]) {
  const settings = await db.shopSettings.findUnique({ where: { shop }, select: { orderTag: true } });
  let after = "";
  for (;;) {
    const rows = await db.syncedOrder.findMany({
      where: { shop, tagged: true, orderId: { gt: after } },
      orderBy: { orderId: "asc" },
      take: UNDO_PAGE,
    });
    if (rows.length === 0 || !(await paused(db, shop))) return;
    after = rows[rows.length - 1]!.orderId;
    for (const r of rows) {
      const tag = (r.tag ?? settings?.orderTag ?? "").trim();
      try {
        if (tag) await gateway.removeTags(gid("Order", r.orderId), [tag]);
        await db.syncedOrder.update({ where: { shop_orderId: { shop, orderId: r.orderId } }, data: { tagged: false, tag: null } });
      } catch (e) {
        failures.push({ what: `order ${r.orderId}: tag "${tag}"`, error: e });
        if (!permanent(e)) return; // Shopify is unwell: the task's backoff, not more calls now
      }
    }
  }
}

/** The orders' promise metafields deleted, 25 per call (deleting one already gone succeeds). */
async function deletePromises(db: Db, gateway: AdminGateway, shop: string, failures: Failure[]) {
  let after = "";
  for (;;) {
    const rows = await db.syncedOrder.findMany({
      where: { shop, promiseValue: { not: null }, orderId: { gt: after } },
      orderBy: { orderId: "asc" },
      select: { orderId: true },
      take: UNDO_PAGE,
    });
    if (rows.length === 0 || !(await paused(db, shop))) return;
    after = rows[rows.length - 1]!.orderId;
    const ids = rows.map((r) => r.orderId);
    const before = failures.length;
    await oneByOneOnRefusal(
      ids,
      failures,
      (orderId) => `order ${orderId}: promise metafield`,
      async (batch) => {
        const { namespace, key } = ORDER_PROMISE_METAFIELD;
        await gateway.deleteMetafields(batch.map((orderId) => ({ ownerId: gid("Order", orderId), namespace, key })));
        await db.syncedOrder.updateMany({ where: { shop, orderId: { in: batch } }, data: { promiseValue: null } });
      },
    );
    if (unwell(failures.slice(before))) return;
  }
}

/**
 * Sends the batch; when Shopify refuses it (a permanent error), each item alone, so one bad
 * variant does not keep the others' changes in place. A transient failure fails the batch.
 */
async function oneByOneOnRefusal<T>(items: T[], failures: Failure[], what: (t: T) => string, send: (batch: T[]) => Promise<void>) {
  if (items.length === 0) return;
  try {
    await send(items);
  } catch (e) {
    if (!(permanent(e) && items.length > 1)) {
      items.forEach((t) => failures.push({ what: what(t), error: e }));
      return;
    }
    for (const t of items) {
      try {
        await send([t]);
      } catch (inner) {
        failures.push({ what: what(t), error: inner });
      }
    }
  }
}

async function paused(db: Db, shop: string): Promise<boolean> {
  const s = await db.shopSettings.findUnique({ where: { shop }, select: { pausedAt: true } });
  return !!s?.pausedAt;
}

function clear(
  db: Db,
  shop: string,
  variantIds: string[],
  data: { inventoryPolicy?: null; metafieldValue?: null; originalPolicy?: string },
) {
  return db.syncedVariant.updateMany({ where: { shop, variantId: { in: variantIds } }, data });
}

const permanent = (e: unknown) => e instanceof AdminApiError && e.permanent;
/** A transient failure (the gateway already retried it): Shopify is unwell, the rest waits for the task's backoff. */
const unwell = (failures: Failure[]) => failures.some((f) => !permanent(f.error));

/** One error for the task: how many are left and the first few reasons. Retried unless every failure is permanent. */
function summary(failures: Failure[]): AdminApiError {
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const shown = failures.slice(0, 3).map((f) => `${f.what}: ${message(f.error)}`);
  const more = failures.length > shown.length ? `; and ${failures.length - shown.length} more` : "";
  return new AdminApiError(
    `undo: ${failures.length} change(s) not taken back: ${shown.join("; ")}${more}`,
    failures.every((f) => permanent(f.error)),
    "undo",
  );
}
