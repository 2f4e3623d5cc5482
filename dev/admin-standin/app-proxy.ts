// Shopify's App Proxy, standing in for the shop's domain: a request to
// <origin>/apps/backorder/<rest>?<query> is forwarded to <app>/proxy/<rest>?<query> with the
// parameters Shopify adds (shop, logged_in_customer_id, path_prefix, timestamp) and its
// `signature` (app/consent/app-proxy-signature.ts), method and form body as sent (Shopify
// forwards POSTs too, and no cookies). An answer of `application/liquid` is rendered as
// Liquid inside a theme layout, as Shopify does; any other answer passes through as it came.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Liquid } from "liquidjs";
import { signProxyQuery } from "../../app/consent/app-proxy-signature.ts";

export interface AppProxyOptions {
  /** Where the app listens (`[app_proxy] url` without its path), e.g. http://127.0.0.1:3000. */
  appOrigin: string;
  shop: string;
  shopName?: string;
  /** The secret Shopify signs with: the app's API secret (a test passes another to forge). */
  secret: string;
  /** `prefix`/`subpath` of [app_proxy]. */
  pathPrefix?: string;
  /** The path of [app_proxy] url. */
  proxyPath?: string;
  /** The logged-in customer's id, if any ("" otherwise, as Shopify sends it). */
  loggedInCustomerId?: () => string | undefined;
  /** Unix seconds for `timestamp`. */
  nowSeconds?: () => number;
}

export interface AppProxy {
  /** The shop's storefront origin: links are `${origin}/apps/backorder/...`. */
  origin: string;
  close(): Promise<void>;
}

/** The shop's theme around the proxied page (what `{% layout 'theme' %}` gives, trimmed). */
const THEME_LAYOUT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ shop.name }}</title></head>
<body><header class="header"><a href="/">{{ shop.name }}</a></header><main id="MainContent">{{ content_for_layout }}</main>
<footer class="footer">© {{ shop.name }}</footer></body></html>`;

export async function startAppProxy(opts: AppProxyOptions): Promise<AppProxy> {
  const pathPrefix = opts.pathPrefix ?? "/apps/backorder";
  const proxyPath = opts.proxyPath ?? "/proxy";
  const liquid = new Liquid();
  const shopVars = { shop: { name: opts.shopName ?? opts.shop.split(".")[0], permanent_domain: opts.shop } };
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://shop.invalid");
      if (!url.pathname.startsWith(pathPrefix)) {
        res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found (storefront stand-in)");
        return;
      }
      const query = signProxyQuery(url.searchParams, {
        shop: opts.shop,
        secret: opts.secret,
        pathPrefix,
        loggedInCustomerId: opts.loggedInCustomerId?.(),
        timestamp: opts.nowSeconds?.() ?? Math.floor(Date.now() / 1000),
      });
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const forwarded = await fetch(`${opts.appOrigin}${proxyPath}${url.pathname.slice(pathPrefix.length)}?${query}`, {
        method: req.method,
        headers: req.headers["content-type"] ? { "Content-Type": req.headers["content-type"] } : {},
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
        redirect: "manual",
      });
      const type = forwarded.headers.get("content-type") ?? "";
      const text = await forwarded.text();
      const headers: Record<string, string> = {};
      for (const h of ["x-backorder-consent", "cache-control", "location"]) {
        const v = forwarded.headers.get(h);
        if (v) headers[h] = v;
      }
      if (type.startsWith("application/liquid")) {
        const inner = await liquid.parseAndRender(text, shopVars);
        const page = await liquid.parseAndRender(THEME_LAYOUT, { ...shopVars, content_for_layout: inner });
        res.writeHead(forwarded.status, { ...headers, "Content-Type": "text/html; charset=utf-8" }).end(page);
      } else {
        res.writeHead(forwarded.status, { ...headers, "Content-Type": type || "text/plain" }).end(text);
      }
    })().catch((e: unknown) => {
      res.writeHead(502, { "Content-Type": "text/plain" }).end(`proxy error: ${(e as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
