// Builds the Shopify app object (OAuth, sessions, webhook HMAC) for a database and
// config; app/shopify.server.ts makes the process-wide one, tests make their own.
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { Db } from "./db/client.server.ts";
import { runtimeConfig, type AppConfig } from "./config.server.ts";
import { queueCatalogSyncOnInstall } from "./sync/install.server.ts";

/** Keep in step with shopify.app.toml [webhooks] api_version. */
export const API_VERSION = ApiVersion.October26;

export function createShopifyApp(db: Db, config: AppConfig) {
  return shopifyApp({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecret,
    apiVersion: API_VERSION,
    scopes: config.scopes,
    appUrl: config.appUrl,
    authPathPrefix: "/auth",
    sessionStorage: new PrismaSessionStorage(db),
    distribution: AppDistribution.AppStore,
    logger: { level: runtimeConfig().logLevel === "debug" ? LogSeverity.Debug : LogSeverity.Warning },
    future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
    // Install: map the catalog (variants, inventory items, levels) before the first webhook.
    hooks: { afterAuth: async ({ session }) => void (await queueCatalogSyncOnInstall(db, session.shop)) },
  });
}
