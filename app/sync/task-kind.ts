// What a SyncTask pushes to Shopify (its `kind`, a String column) and what its targetId names.
export const SYNC_KIND = {
  /** Inventory policy and storefront status metafield; target: the variant. */
  variant: "variant",
  /**
   * DENY for a variant that reached its backorder limit (or whose backorders were switched
   * off), pushed alone and ahead of every other kind: until Shopify holds it, every sale
   * oversells. Not debounced; the regular `variant` task still follows (it finds the policy
   * already pushed and sends only the storefront status). Target: the variant.
   */
  stopSelling: "stop-selling",
  /** Tag and fulfillment holds; target: the order. */
  order: "order",
  /** The order's promise metafield read by the Order status page (extensions/order-promise); target: the order. */
  orderPromise: "order-promise",
  /** The initial catalog sync; target: the shop. */
  catalog: "catalog",
  /** The auto-enable collection's membership; target: the shop. */
  collection: "collection",
  /** A merchant's bulk cancellation; target: the order. */
  orderCancel: "order-cancel",
  /** One Flow trigger, sent at most once; target: handle|line|date. */
  flow: "flow",
  /** The shop metafield the storefront's cart notice reads (mixed-cart shipping); target: the shop. */
  shop: "shop",
  /** Reads where a fulfillment order is assigned and places its lines there; target: the fulfillment order's numeric id. */
  locations: "locations",
  /** Undo of the app's changes before uninstalling; target: the shop. */
  undo: "undo",
} as const;

export type SyncKind = (typeof SYNC_KIND)[keyof typeof SYNC_KIND];
