// Which shop an admin request acts for. In production only Shopify's session token /
// OAuth says so (authenticate.admin). The offline demo and the browser tests have no
// Shopify admin to embed in, so during `remix vite:dev` BACKORDER_DEMO_SHOP names the
// shop instead. `import.meta.env.DEV` is replaced by the literal `false` in production
// builds, so that branch (and the variable's name) is removed from the server bundle.
import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import { authenticate } from "../shopify.server.ts";
import { runtimeConfig } from "../config.server.ts";

export interface ShopContext {
  shop: string;
  /** Admin API client of the merchant's session; absent in the demo. */
  admin?: AdminApiContext;
  /** Rendered inside Shopify admin (App Bridge available). */
  embedded: boolean;
}

export async function requireShop(request: Request): Promise<ShopContext> {
  if (import.meta.env.DEV) {
    const demoShop = runtimeConfig().demoShop;
    if (demoShop) return { shop: demoShop, embedded: false };
  }
  const { session, admin } = await authenticate.admin(request);
  return { shop: session.shop, admin, embedded: true };
}
