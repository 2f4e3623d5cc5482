// The `shopify` global each module gets, as Shopify CLI writes this file (`shopify app dev`
// regenerates it): one target's API per module.
import "@shopify/ui-extensions";
import type { Api as ThankYouApi } from "@shopify/ui-extensions/purchase.thank-you.block.render";
import type { Api as OrderStatusApi } from "@shopify/ui-extensions/customer-account.order-status.block.render";

declare module "./src/ThankYou.tsx" {
  const shopify: ThankYouApi;
  const globalThis: { shopify: typeof shopify };
}

declare module "./src/OrderStatus.tsx" {
  const shopify: OrderStatusApi;
  const globalThis: { shopify: typeof shopify };
}
