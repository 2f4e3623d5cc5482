// The process-wide gateway factory for background work (web process or `npm run worker`):
// one per process, so each shop's throttle state is shared; expired offline tokens are
// refreshed through shopify-app-remix (loaded lazily: it needs the app's configuration).
import { db } from "../db/client.server.ts";
import { createGatewayFactory, type GatewayFactory } from "../shopify/gateway.server.ts";

declare global {
  var __backorderGateways: GatewayFactory | undefined;
}

export function processGateways(): GatewayFactory {
  globalThis.__backorderGateways ??= createGatewayFactory(db(), {
    refresh: async (shop) => {
      const { unauthenticated } = await import("../shopify.server.ts");
      return (await unauthenticated.admin(shop)).session.accessToken ?? "";
    },
  });
  return globalThis.__backorderGateways;
}
