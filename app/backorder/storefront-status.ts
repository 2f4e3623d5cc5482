// Contract between the engine, the Admin API sync and the theme app extension:
// what one variant's `$app:backorder.status` metafield holds. The theme renders
// from it with Liquid alone (no request to the app per page view).
//
// OWNER: storefront work (issue 4) implements storefrontStatus(); the sync (issue 3)
// publishes its result. Keep the JSON small: it is read on every product page.

export const STOREFRONT_METAFIELD = {
  namespace: "$app:backorder",
  key: "status",
  type: "json",
} as const;

export interface StorefrontStatus {
  v: 1;
  /** in_stock: show nothing; backorder: "Available for backorder — ships ~eta"; sold_out: limit reached or disabled while out of stock. */
  state: "in_stock" | "backorder" | "sold_out";
  /** Promised ship date for the next unit sold, YYYY-MM-DD in the shop's time zone; null when unknown. */
  eta: string | null;
  /** Units that can still be backordered before the limit; null = no limit. */
  remaining: number | null;
  /** Merchant's message override for this variant, if any. */
  message: string | null;
}

export interface VariantPolicyFacts {
  enabled: boolean;
  maxBackorder: number | null;
  /** YYYY-MM-DD */
  restockDate: string | null;
  incomingQuantity: number | null;
  leadTimeDays: number | null;
  message: string | null;
}

export interface ShopFacts {
  messageTemplate: string;
  defaultLeadTimeDays: number;
  processingDays: number;
}

export interface VariantFacts {
  /** Shopify `available` summed over locations; negative = units sold beyond stock. */
  available: number;
  /** Units already waiting (Σ over locations of max(0, -available)): the queue ahead of a new order. */
  waitingUnits: number;
  policy: VariantPolicyFacts | null;
  shop: ShopFacts;
  /** YYYY-MM-DD, today in the shop's time zone. */
  today: string;
}

export declare function storefrontStatus(facts: VariantFacts): StorefrontStatus;
