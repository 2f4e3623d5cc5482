// The offline access token a shop's background work uses: read from the offline session
// (shopify-app-session-storage-prisma rows, id `offline_<shop>`), refreshed a few minutes
// before it expires when the app can (offline-token.server.ts: one refresh per shop at a
// time across processes), and the error a token that cannot be had turns into.
import type { Db } from "../db/client.server.ts";
import { AdminApiError } from "./admin-errors.ts";

export type TokenProvider = (shop: string) => Promise<string>;
/**
 * A token to use instead of `rejected` (one Shopify just refused with 401, or one about to
 * expire): the stored one if another process refreshed it meanwhile, else a refreshed one
 * (app/shopify/offline-token.server.ts).
 */
export type TokenRefresher = (shop: string, rejected: string) => Promise<string>;

/** An offline token is refreshed this long before it expires (as shopify-app-remix does). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** What the merchant can do about a token Shopify will not take. */
export const REAUTHORIZE = ". Open the app in the Shopify admin to authorize it again, then retry.";

/**
 * A token that could not be had (a failed refresh, no session): an AdminApiError that
 * says so, permanent unless the cause says it may pass (e.g. Shopify's token endpoint
 * answered 5xx), so the task keeps it for the merchant instead of retrying blindly.
 */
export function refreshFailure(operation: string, shop: string, e: unknown): AdminApiError {
  const cause = e instanceof Error ? e.message : String(e);
  const permanent = e instanceof AdminApiError ? e.permanent : true;
  return new AdminApiError(
    `${operation}: could not refresh the offline access token of ${shop}: ${cause}${permanent ? REAUTHORIZE : ""}`,
    permanent,
    "auth",
    e,
  );
}

/** The offline session's token, refreshed first when it is about to expire. */
export function sessionTokenProvider(db: Db, refresh?: TokenRefresher, now: () => number = () => Date.now()): TokenProvider {
  return async (shop) => {
    const session = await db.session.findUnique({ where: { id: `offline_${shop}` } });
    if (!session) throw new AdminApiError(`no offline session for ${shop} (is the app installed?)`, true, "auth");
    // Expiring offline tokens: refreshed a few minutes early when the app can.
    if (session.expires && session.expires.getTime() - REFRESH_MARGIN_MS <= now()) {
      if (!refresh) throw new AdminApiError(`offline session for ${shop} expired at ${session.expires.toISOString()}`, false, "auth");
      try {
        return await refresh(shop, session.accessToken);
      } catch (e) {
        throw refreshFailure("auth", shop, e);
      }
    }
    return session.accessToken;
  };
}
