// The process-wide gateway factory for background work (web process or `npm run worker`):
// one per process, so each shop's throttle state is shared; expired offline tokens are
// refreshed through shopify-app-remix (loaded lazily: it needs the app's configuration).
import { db } from "../db/client.server.ts";
import { AdminApiError, createGatewayFactory, type GatewayFactory } from "../shopify/gateway.server.ts";

declare global {
  var __backorderGateways: GatewayFactory | undefined;
}

export function processGateways(): GatewayFactory {
  globalThis.__backorderGateways ??= createGatewayFactory(db(), { refresh: refreshOfflineToken });
  return globalThis.__backorderGateways;
}

/**
 * unauthenticated.admin refreshes an offline session that is (nearly) expired and stores
 * it. It throws a Response 500 when Shopify's token endpoint fails (worth retrying) and
 * shopify-api's errors when the refresh token is refused (the merchant must reauthorize).
 */
async function refreshOfflineToken(shop: string): Promise<string> {
  const { unauthenticated } = await import("../shopify.server.ts");
  try {
    return (await unauthenticated.admin(shop)).session.accessToken ?? "";
  } catch (e) {
    if (e instanceof Response) throw new AdminApiError(`token refresh answered HTTP ${e.status} ${e.statusText}`, e.status < 500, "auth");
    throw e;
  }
}
