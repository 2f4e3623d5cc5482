// Shopify's App Proxy signature. Shopify forwards https://<shop>/apps/backorder/... to the
// app with `shop`, `logged_in_customer_id`, `path_prefix`, `timestamp` added to the query
// and `signature`: HMAC-SHA256 (hex) with the app's API secret over every other query
// parameter as `key=value` (a repeated key's values joined with ","), sorted, concatenated
// with no separator (shopify.dev, "Authenticate app proxies"). Without a valid one, nothing
// in the query (the shop above all) can be trusted.
import crypto from "node:crypto";

/** How far a proxied request's `timestamp` may be from our clock: a replayed old URL is refused. */
export const PROXY_TIMESTAMP_TOLERANCE_S = 300;

export type ProxyProblem = "unsigned" | "forged" | "stale";

export interface ProxyRequest {
  shop: string;
  /** The logged-in customer's id as Shopify sends it ("" or absent: nobody logged in). */
  loggedInCustomerId: string | null;
  pathPrefix: string;
}

/** The string Shopify signs: the parameters but `signature`, each `key=v1,v2`, sorted, joined. */
export function proxySignatureMessage(params: URLSearchParams): string {
  const values = new Map<string, string[]>();
  for (const [k, v] of params) {
    if (k === "signature") continue;
    values.set(k, [...(values.get(k) ?? []), v]);
  }
  return [...values]
    .map(([k, vs]) => `${k}=${vs.join(",")}`)
    .sort()
    .join("");
}

export function proxySignature(params: URLSearchParams, secret: string): string {
  return crypto.createHmac("sha256", secret).update(proxySignatureMessage(params)).digest("hex");
}

/**
 * The query as Shopify forwards it: `params` (the customer's own query) plus the proxy's
 * parameters, signed. Tests and the demo act as the proxy with this.
 */
export function signProxyQuery(
  params: URLSearchParams,
  opts: { shop: string; secret: string; pathPrefix: string; loggedInCustomerId?: string; timestamp: number },
): URLSearchParams {
  const out = new URLSearchParams(params);
  out.set("shop", opts.shop);
  out.set("logged_in_customer_id", opts.loggedInCustomerId ?? "");
  out.set("path_prefix", opts.pathPrefix);
  out.set("timestamp", String(opts.timestamp));
  out.set("signature", proxySignature(out, opts.secret));
  return out;
}

export function verifyProxyQuery(
  params: URLSearchParams,
  secret: string,
  nowSeconds: number,
): { ok: true; request: ProxyRequest } | { ok: false; problem: ProxyProblem } {
  const given = params.get("signature");
  const shop = params.get("shop");
  const timestamp = params.get("timestamp");
  if (!given || !shop || !timestamp || params.getAll("signature").length !== 1) return { ok: false, problem: "unsigned" };
  if (!/^[0-9a-f]{64}$/.test(given)) return { ok: false, problem: "forged" };
  const expected = Buffer.from(proxySignature(params, secret), "hex");
  if (!crypto.timingSafeEqual(Buffer.from(given, "hex"), expected)) return { ok: false, problem: "forged" };
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > PROXY_TIMESTAMP_TOLERANCE_S) return { ok: false, problem: "stale" };
  return {
    ok: true,
    request: { shop, loggedInCustomerId: params.get("logged_in_customer_id") || null, pathPrefix: params.get("path_prefix") ?? "" },
  };
}
