// Publishes the shop-level storefront facts: the hold mode, as the shop's
// `$app.backorder_shipping` metafield, so the cart notice can say whether in-stock items ship
// first. One task per shop (kind "shop"), enqueued when the merchant changes the hold mode.
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
  // The metafield's owner is the shop itself: its GID comes from the shop's facts.
  const { id } = await gateway.shopFacts();
  await gateway.setMetafields([{ ownerId: id, ...SHOP_SHIPPING_METAFIELD, value: JSON.stringify(shopShipping(hold)) }]);
}
