// Publishes the shop-level storefront facts: the hold mode, as the shop's
// `$app.backorder_shipping` metafield, so the cart notice can say whether in-stock items ship
// first. One task per shop (kind "shop"), enqueued when the merchant changes the hold mode,
// at install with the catalog sync (a fresh shop has no metafield yet) and when the app is
// turned back on after an undo. The value written is recorded
// (`ShopSettings.shippingMetafield`), so the undo deletes the metafield only when the app
// wrote it.
import { isHoldMode } from "../backorder/hold-plan.ts";
import { SHOP_SHIPPING_METAFIELD, shopShipping } from "../backorder/shop-shipping.ts";
import type { Db, Tx } from "../db/client.server.ts";
import type { AdminGateway } from "../shopify/admin-operations.server.ts";
import { SYNC_KIND } from "./task-kind.ts";
import { enqueueTask } from "./tasks.server.ts";

export const enqueueShopShipping = (tx: Tx, shop: string, now = new Date()) => enqueueTask(tx, shop, SYNC_KIND.shop, shop, now);

export async function pushShopShipping(db: Db, gateway: AdminGateway, shop: string): Promise<void> {
  const settings = await db.shopSettings.findUnique({ where: { shop }, select: { holdMode: true } });
  const hold = isHoldMode(settings?.holdMode) ? settings.holdMode : "lines";
  const value = JSON.stringify(shopShipping(hold));
  // The metafield's owner is the shop itself: its GID comes from the shop's facts.
  const { id } = await gateway.shopFacts();
  await gateway.setMetafields([{ ownerId: id, ...SHOP_SHIPPING_METAFIELD, value }]);
  await db.shopSettings.upsert({ where: { shop }, create: { shop, shippingMetafield: value }, update: { shippingMetafield: value } });
}

/** The undo's part: deletes the metafield if the app wrote it; false when there was nothing to delete. */
export async function deleteShopShipping(db: Db, gateway: AdminGateway, shop: string): Promise<boolean> {
  const settings = await db.shopSettings.findUnique({ where: { shop }, select: { shippingMetafield: true } });
  if (settings?.shippingMetafield == null) return false;
  const { id } = await gateway.shopFacts();
  await gateway.deleteMetafields([{ ownerId: id, namespace: SHOP_SHIPPING_METAFIELD.namespace, key: SHOP_SHIPPING_METAFIELD.key }]);
  await db.shopSettings.update({ where: { shop }, data: { shippingMetafield: null } });
  return true;
}
