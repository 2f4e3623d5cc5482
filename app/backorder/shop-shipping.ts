import type { HoldMode } from "./hold-plan.ts";

// Contract between the sync and the theme app extension's cart notice: how the shop ships an
// order that mixes in-stock and backordered items, as its `$app.backorder_shipping` metafield
// (declared in shopify.app.toml as `[shop.metafields.app.backorder_shipping]`). The embed
// reads `shop.metafields['$app'].backorder_shipping.value.hold`: `lines` (only the backordered
// units are held: the rest ships now), `order` (the whole order waits), `off` (no holds: the
// cart says nothing about shipping). See docs/decisions/0013-storefront-promise.md.
export const SHOP_SHIPPING_METAFIELD = {
  namespace: "$app",
  key: "backorder_shipping",
  type: "json",
} as const;

export interface ShopShipping {
  v: 1;
  hold: HoldMode;
}

export const shopShipping = (hold: HoldMode): ShopShipping => ({ v: 1, hold });
