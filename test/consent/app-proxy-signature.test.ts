// Shopify's App Proxy signature (shopify.dev, "Authenticate app proxies"): the query but
// `signature`, each `key=value` (repeated keys' values joined with ","), sorted, concatenated,
// HMAC-SHA256 hex with the app's secret.
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  PROXY_TIMESTAMP_TOLERANCE_S,
  proxySignatureMessage,
  signProxyQuery,
  verifyProxyQuery,
} from "../../app/consent/app-proxy-signature.ts";

const SECRET = "hush";
const NOW = 1_317_327_555;

describe("App Proxy signature", () => {
  it("signs the message Shopify documents for its example request", () => {
    // The documented forwarded query: /proxy/extra/path/components?extra=1&extra=2&shop=...&logged_in_customer_id=1&path_prefix=...&timestamp=...
    const params = new URLSearchParams(
      "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555",
    );
    const message = proxySignatureMessage(params);
    expect(message).toBe(
      "extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555",
    );
    params.set("signature", crypto.createHmac("sha256", SECRET).update(message).digest("hex"));
    expect(verifyProxyQuery(params, SECRET, NOW)).toEqual({
      ok: true,
      request: { shop: "shop-name.myshopify.com", loggedInCustomerId: "1", pathPrefix: "/apps/awesome_reviews" },
    });
  });

  const signed = () =>
    signProxyQuery(new URLSearchParams({ t: "token.mac" }), {
      shop: "north-wool.myshopify.com",
      secret: SECRET,
      pathPrefix: "/apps/backorder",
      timestamp: NOW,
    });

  it("accepts what it signs, with nobody logged in", () => {
    const r = verifyProxyQuery(signed(), SECRET, NOW);
    expect(r).toEqual({ ok: true, request: { shop: "north-wool.myshopify.com", loggedInCustomerId: null, pathPrefix: "/apps/backorder" } });
  });

  it("refuses a missing signature, shop or timestamp as unsigned", () => {
    for (const key of ["signature", "shop", "timestamp"]) {
      const p = signed();
      p.delete(key);
      expect(verifyProxyQuery(p, SECRET, NOW), key).toEqual({ ok: false, problem: "unsigned" });
    }
    const twice = signed();
    twice.append("signature", twice.get("signature")!);
    expect(verifyProxyQuery(twice, SECRET, NOW)).toEqual({ ok: false, problem: "unsigned" });
  });

  it("refuses any changed or added parameter, another secret, or a malformed signature as forged", () => {
    const changes: ((p: URLSearchParams) => void)[] = [
      (p) => p.set("shop", "other-shop.myshopify.com"),
      (p) => p.set("t", "other.token"),
      (p) => p.set("logged_in_customer_id", "42"),
      (p) => p.append("extra", "1"),
      (p) => p.set("signature", "zz"),
      (p) => p.set("signature", p.get("signature")!.toUpperCase()),
    ];
    for (const change of changes) {
      const p = signed();
      change(p);
      expect(verifyProxyQuery(p, SECRET, NOW)).toEqual({ ok: false, problem: "forged" });
    }
    expect(verifyProxyQuery(signed(), "not-the-secret", NOW)).toEqual({ ok: false, problem: "forged" });
  });

  it("refuses a replay outside the timestamp tolerance as stale", () => {
    expect(verifyProxyQuery(signed(), SECRET, NOW + PROXY_TIMESTAMP_TOLERANCE_S).ok).toBe(true);
    expect(verifyProxyQuery(signed(), SECRET, NOW + PROXY_TIMESTAMP_TOLERANCE_S + 1)).toEqual({ ok: false, problem: "stale" });
    expect(verifyProxyQuery(signed(), SECRET, NOW - PROXY_TIMESTAMP_TOLERANCE_S - 1)).toEqual({ ok: false, problem: "stale" });
  });
});
