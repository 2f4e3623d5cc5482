// Environment configuration, read once and checked, so a missing secret fails at
// start-up with a message instead of as a 500 on the first webhook.
export interface AppConfig {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  scopes: string[];
}

/**
 * The access scopes the app requests; the same list as shopify.app.toml. Derived from
 * Shopify's schema by test/standin/scopes.test.ts (every document in
 * app/shopify/admin-queries.ts and every webhook topic): it fails on a missing or unused one.
 */
export const DEFAULT_SCOPES = [
  "read_orders",
  "write_orders",
  "read_products",
  "write_products",
  "read_inventory",
  "read_locations",
  "read_locales",
  "read_fulfillments",
  "read_merchant_managed_fulfillment_orders",
  "write_merchant_managed_fulfillment_orders",
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
  };
}

/** Largest webhook body the door reads, in bytes: a 100,000-line order is about 40 MiB. */
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 45 * 1024 * 1024;

export interface WebhookLimits {
  /** A longer body is refused with 413 (WEBHOOK_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Bytes all deliveries in the process may be reading at once (WEBHOOK_BODY_BUDGET_BYTES). */
  budgetBytes: number;
}

type Env = Record<string, string | undefined>;

function positiveInteger(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new Error(`${name} must be a whole number of bytes, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

export function webhookLimits(env: Env = process.env): WebhookLimits {
  const maxBodyBytes = positiveInteger(env, "WEBHOOK_MAX_BODY_BYTES") ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES;
  const budgetBytes = positiveInteger(env, "WEBHOOK_BODY_BUDGET_BYTES") ?? 4 * maxBodyBytes;
  // A budget smaller than one body would refuse every delivery of the largest allowed size.
  if (budgetBytes < maxBodyBytes) {
    throw new Error(`WEBHOOK_BODY_BUDGET_BYTES (${budgetBytes}) must be at least WEBHOOK_MAX_BODY_BYTES (${maxBodyBytes})`);
  }
  return { maxBodyBytes, budgetBytes };
}
