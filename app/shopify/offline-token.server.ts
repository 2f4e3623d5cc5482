// Refreshing an expiring offline access token (one hour, with a refresh token Shopify
// replaces on every use). Several processes use a shop's token: the web process, its worker
// child, any `npm run worker`. Two refreshes sent at once would spend the same refresh token
// twice: Shopify answers the second with invalid_grant, and whichever process stored last may
// keep a dead pair. So a refresh runs under a per-shop lease row (TokenRefreshLease) claimed
// with a conditional update, and the session is read again once the lease is held: a token
// another process stored meanwhile is used, not refreshed again.
import crypto from "node:crypto";
import os from "node:os";
import type { Db } from "../db/client.server.ts";
import { AdminApiError } from "./admin-errors.ts";
import { REFRESH_MARGIN_MS, type TokenRefresher } from "./token-store.server.ts";

export interface OfflineTokenOptions {
  /** The app's client id and secret (read when a refresh is needed, so a process that never refreshes needs none). */
  credentials: () => { apiKey: string; apiSecret: string };
  /** Where the token endpoint is: https://<shop> by default; the stand-in's address in tests and the demo. */
  origin?: string;
  fetch?: typeof fetch;
  /** Clock for the session's expiry (the lease always uses the wall clock: it is shared between processes). */
  now?: () => number;
  /** How long a claimed lease holds: longer than one refresh request may take. */
  leaseMs?: number;
  /** How long to wait for another process's refresh before giving up (a transient failure). */
  waitMs?: number;
  pollMs?: number;
  requestTimeoutMs?: number;
  /** Names this process in the lease row (for whoever looks at it). */
  holder?: string;
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  refresh_token_expires_in?: unknown;
  scope?: unknown;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A TokenRefresher for the gateway: a token for the shop other than `rejected` and not about
 * to expire. Uses the stored one when it qualifies; otherwise refreshes it, one process at a time.
 */
export function offlineTokenRefresher(db: Db, o: OfflineTokenOptions): TokenRefresher {
  const now = o.now ?? (() => Date.now());
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  const waitMs = o.waitMs ?? leaseMs + 15_000;
  const pollMs = o.pollMs ?? 100;
  const holder = o.holder ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
  const sessionId = (shop: string) => `offline_${shop}`;

  async function usable(shop: string, rejected: string): Promise<string | null> {
    const s = await db.session.findUnique({ where: { id: sessionId(shop) }, select: { accessToken: true, expires: true } });
    if (!s) throw new AdminApiError(`no offline session for ${shop} (is the app installed?)`, true, "auth");
    const fresh = !s.expires || s.expires.getTime() - REFRESH_MARGIN_MS > now();
    return s.accessToken && s.accessToken !== rejected && fresh ? s.accessToken : null;
  }

  async function claim(shop: string): Promise<boolean> {
    const until = new Date(Date.now() + leaseMs);
    const taken = await db.tokenRefreshLease.updateMany({
      where: { shop, lockedUntil: { lt: new Date() } },
      data: { holder, lockedUntil: until },
    });
    if (taken.count === 1) return true;
    try {
      await db.tokenRefreshLease.create({ data: { shop, holder, lockedUntil: until } });
      return true;
    } catch (e) {
      if ((e as { code?: unknown }).code === "P2002") return false; // the row exists: someone holds it
      throw e;
    }
  }

  const release = (shop: string) =>
    db.tokenRefreshLease.updateMany({ where: { shop, holder }, data: { holder: null, lockedUntil: new Date(0) } });

  async function refresh(shop: string): Promise<string> {
    const s = await db.session.findUnique({ where: { id: sessionId(shop) } });
    if (!s) throw new AdminApiError(`no offline session for ${shop} (is the app installed?)`, true, "auth");
    // A non-expiring token (installed before expiring tokens) that Shopify refused: nothing to refresh it with.
    if (!s.refreshToken) throw new AdminApiError("the offline session has no refresh token to get another access token with", true, "auth");
    if (s.refreshTokenExpires && s.refreshTokenExpires.getTime() <= now()) {
      throw new AdminApiError(`the refresh token expired at ${s.refreshTokenExpires.toISOString()}`, true, "auth");
    }
    const { apiKey, apiSecret } = o.credentials();
    let res: Response;
    try {
      res = await (o.fetch ?? fetch)(`${o.origin ?? `https://${shop}`}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ client_id: apiKey, client_secret: apiSecret, grant_type: "refresh_token", refresh_token: s.refreshToken }),
        signal: AbortSignal.timeout(o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      throw new AdminApiError(`token refresh failed: ${(e as Error).message}`, false, "auth");
    }
    const text = await res.text();
    if (!res.ok) {
      // 4xx: this refresh token will not work again (spent, revoked, expired): the merchant
      // opening the app gets a new pair. 5xx/429: Shopify's side; worth another try.
      const permanent = res.status < 500 && res.status !== 429;
      throw new AdminApiError(`token refresh answered HTTP ${res.status} ${describeOAuthError(text)}`, permanent, "auth");
    }
    const body = parseJson(text);
    if (typeof body?.access_token !== "string" || body.access_token === "") {
      throw new AdminApiError("token refresh answered without an access_token", false, "auth");
    }
    const at = now();
    const seconds = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null);
    const expiresIn = seconds(body.expires_in);
    const refreshIn = seconds(body.refresh_token_expires_in);
    // The new pair replaces the spent one in one statement: a crash after Shopify answered
    // loses it (the merchant then reopens the app), a partial write cannot happen.
    const stored = await db.session.updateMany({
      where: { id: s.id },
      data: {
        accessToken: body.access_token,
        expires: expiresIn ? new Date(at + expiresIn * 1000) : null,
        refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : null,
        refreshTokenExpires: refreshIn ? new Date(at + refreshIn * 1000) : null,
        ...(typeof body.scope === "string" ? { scope: body.scope } : {}),
      },
    });
    if (stored.count === 0)
      throw new AdminApiError(`the offline session of ${shop} was deleted during the refresh (uninstalled?)`, true, "auth");
    return body.access_token;
  }

  return async (shop, rejected) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const stored = await usable(shop, rejected);
      if (stored) return stored;
      if (await claim(shop)) {
        try {
          // Read again under the lease: another process may have refreshed between our read and our claim.
          return (await usable(shop, rejected)) ?? (await refresh(shop));
        } finally {
          await release(shop);
        }
      }
      if (Date.now() > deadline) {
        throw new AdminApiError(
          `another process has been refreshing the token of ${shop} for over ${Math.round(waitMs / 1000)} s`,
          false,
          "auth",
        );
      }
      await pause(pollMs);
    }
  };
}

function parseJson(text: string): TokenResponse | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" ? (v as TokenResponse) : null;
  } catch {
    return null;
  }
}

/** "invalid_grant (the description)" from an OAuth error body, else the start of the body. */
function describeOAuthError(text: string): string {
  const body = parseJson(text) as { error?: unknown; error_description?: unknown } | null;
  if (typeof body?.error === "string")
    return typeof body.error_description === "string" ? `${body.error} (${body.error_description})` : body.error;
  return text.slice(0, 200);
}
