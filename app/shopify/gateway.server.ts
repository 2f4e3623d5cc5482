// Gateways for background work: one AdminGateway (typed operations over the transport) per
// shop, with the offline session's token (token-store.server.ts) and one throttle tracker
// per shop shared by every gateway the factory makes.
import type { Db } from "../db/client.server.ts";
import { runtimeConfig } from "../config.server.ts";
import { AdminGateway } from "./admin-operations.server.ts";
import type { TransportOptions } from "./admin-transport.server.ts";
import { ThrottleTracker } from "./throttle-tracker.ts";
import { sessionTokenProvider, type TokenProvider, type TokenRefresher } from "./token-store.server.ts";

export type GatewayFactory = (shop: string) => AdminGateway;

export interface GatewayFactoryOptions extends Omit<
  TransportOptions,
  "shop" | "accessToken" | "refreshAccessToken" | "throttle" | "origin"
> {
  accessToken?: TokenProvider;
  origin?: string;
  /**
   * A fresh offline token for the shop, stored in the session (offlineTokenRefresher: one
   * refresh per shop at a time across processes): called when the session is about to
   * expire and when Shopify refuses the stored token.
   */
  refresh?: TokenRefresher;
}

/**
 * Gateways for any shop, sharing one throttle tracker per shop. The Admin origin comes
 * from SHOPIFY_ADMIN_API_ORIGIN when set (the offline demo's stand-in), else https://<shop>.
 */
export function createGatewayFactory(db: Db, options: GatewayFactoryOptions = {}): GatewayFactory {
  const trackers = new Map<string, ThrottleTracker>();
  const origin = options.origin ?? runtimeConfig().adminApiOrigin;
  const accessToken = options.accessToken ?? sessionTokenProvider(db, options.refresh, options.now);
  const refreshAccessToken = options.refresh;
  return (shop) => {
    let throttle = trackers.get(shop);
    if (!throttle) trackers.set(shop, (throttle = new ThrottleTracker()));
    return new AdminGateway({ ...options, shop, accessToken, refreshAccessToken, throttle, origin });
  };
}
