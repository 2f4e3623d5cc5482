// Environment configuration, read once and checked, so a missing secret fails at
// start-up with a message instead of as a 500 on the first webhook.
export interface AppConfig {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  scopes: string[];
  /** Extra shop domains accepted besides *.myshopify.com (the offline demo's stand-in). */
  customShopDomains?: string[];
}

export const DEFAULT_SCOPES = [
  "read_orders",
  "read_products",
  "write_products",
  "read_inventory",
  "write_inventory",
  "read_merchant_managed_fulfillment_orders",
  "write_merchant_managed_fulfillment_orders",
  "write_orders",
  "read_locations",
];

export function appConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const missing = ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET"].filter((k) => !env[k]);
  if (missing.length) {
    throw new Error(
      `Missing ${missing.join(", ")}. Run through \`shopify app dev\` (it sets them), ` +
        "or use `npm run demo` for the offline demo shop.",
    );
  }
  return {
    apiKey: env.SHOPIFY_API_KEY!,
    apiSecret: env.SHOPIFY_API_SECRET!,
    appUrl: env.SHOPIFY_APP_URL ?? "http://localhost:3000",
    scopes: env.SCOPES ? env.SCOPES.split(",").map((s) => s.trim()) : DEFAULT_SCOPES,
    ...(env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: env.SHOP_CUSTOM_DOMAIN.split(",") } : {}),
  };
}
