// The process-wide gateway factory for background work (the web process's worker child or
// `npm run worker`): one per process, so each shop's throttle state is shared. Expiring
// offline tokens are refreshed by offlineTokenRefresher, one process at a time per shop.
import { appConfig, runtimeConfig } from "../config.server.ts";
import { db } from "../db/client.server.ts";
import { createGatewayFactory, type GatewayFactory } from "../shopify/gateway.server.ts";
import { offlineTokenRefresher } from "../shopify/offline-token.server.ts";

declare global {
  var __backorderGateways: GatewayFactory | undefined;
}

export function processGateways(): GatewayFactory {
  globalThis.__backorderGateways ??= createGatewayFactory(db(), {
    refresh: offlineTokenRefresher(db(), {
      credentials: () => appConfig(),
      // The token endpoint lives beside the Admin API: the stand-in when SHOPIFY_ADMIN_API_ORIGIN points there.
      origin: runtimeConfig().adminApiOrigin,
    }),
  });
  return globalThis.__backorderGateways;
}
