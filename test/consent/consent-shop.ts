// A shop for the consent tests: a real database, the harness (webhook door, worker, Admin API
// stand-in), the app's real consent route behind Remix's Express adapter on real HTTP, and the
// App Proxy stand-in in front of it as the shop's domain. Four orders of one sold-out variant
// wait in line: A (2 units, a known customer), then B, C, D, E (1 unit each).
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { expect } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "../sync/harness.ts";
import { TEST_API_KEY, TEST_SECRET } from "../support/webhooks.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { startAppProxy, type AppProxy } from "../../dev/admin-standin/app-proxy.ts";
import { consentLinks } from "../../app/consent/consent-links.server.ts";
import type { EmailLanguage } from "../../app/backorder/customer-emails.ts";
import type { GatewayFactory } from "../../app/shopify/gateway.server.ts";

type ExpressApp = { all(path: string, handler: unknown): void; listen(port: number, host: string, ready: () => void): http.Server };
const express = createRequire(import.meta.url)("express") as () => ExpressApp;

export const SHOP = "consent-shop.myshopify.com";
export const LOCATION = 99101;
export const PRODUCT = 9100;
export const VARIANT = 91001;
export const ITEM = 91501;
export const DATE = "2026-12-24";
export const CUSTOMER = 7_700_001;
export const O = { a: 9201, b: 9202, c: 9203, d: 9204, e: 9205 };
export const L = { a: 92011, b: 92021, c: 92031, d: 92041, e: 92051 };

export interface ConsentShop {
  t: TestDatabase;
  h: Harness;
  appOrigin: string;
  proxy: AppProxy;
  /** The logged-in customer the proxy names (undefined: nobody). */
  loggedIn: string | undefined;
  /** Called after Shopify made a refund, before the app applies it (a webhook overtaking the answer). */
  afterRefund: ((refundId: string) => Promise<void>) | null;
  /** The link as the email carries it, pointed at the proxy stand-in instead of https://<shop>. */
  link(kind: "keep" | "cancel", lineItemId: number, opts?: { shop?: string; now?: Date; date?: string; language?: EmailLanguage }): string;
  close(): Promise<void>;
}

export async function startConsentShop(label: string): Promise<ConsentShop> {
  process.env.SHOPIFY_API_KEY = TEST_API_KEY;
  process.env.SHOPIFY_API_SECRET = TEST_SECRET;
  process.env.BACKORDER_WORKER = "off";
  const s = { loggedIn: undefined, afterRefund: null } as ConsentShop;

  process.env.SHOPIFY_API_KEY = TEST_API_KEY;
  process.env.SHOPIFY_API_SECRET = TEST_SECRET;
  process.env.BACKORDER_WORKER = "off";
  const t = await createTestDatabase(label);
  globalThis.__backorderDb = t.db;
  const h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    shop.addProduct({
      id: PRODUCT,
      title: "Fisherman Sweater",
      variants: [{ id: VARIANT, inventoryItemId: ITEM, price: "40.00", stock: { [LOCATION]: 0 } }],
    });
  });
  // The app's gateways are the harness's (pointed at the stand-in), with a hook between Shopify's refund and the app applying it.
  const gateways: GatewayFactory = (shop) => {
    const g = h.gateways(shop);
    const refund = g.refundLineItem.bind(g);
    g.refundLineItem = async (input) => {
      const r = await refund(input);
      await s.afterRefund?.(r.refundId);
      return r;
    };
    return g;
  };
  globalThis.__backorderGateways = gateways;

  const route = await import("../../app/routes/proxy.consent.$choice.tsx");
  const build = {
    mode: "production",
    entry: { module: { default: () => new Response(null, { status: 404 }) } },
    routes: {
      root: { id: "root", path: "", module: { default: () => null } },
      "routes/proxy.consent.$choice": {
        id: "routes/proxy.consent.$choice",
        parentId: "root",
        path: "proxy/consent/:choice",
        module: route,
      },
    },
    assets: { entry: { imports: [], module: "" }, routes: {}, url: "", version: "test" },
    publicPath: "/build/",
    assetsBuildDirectory: "build/client",
    future: {},
    isSpaMode: false,
  } as unknown as ServerBuild;
  const server = express();
  server.all("*", createRequestHandler({ build, mode: "production" }));
  const app = await new Promise<http.Server>((resolve) => {
    const listening = server.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const proxy = await startAppProxy({
    appOrigin,
    shop: SHOP,
    shopName: "Consent Knits",
    secret: TEST_SECRET,
    loggedInCustomerId: () => s.loggedIn,
  });

  await h.deliver([
    {
      topic: "products/update",
      payload: productPayload({
        id: PRODUCT,
        title: "Fisherman Sweater",
        updatedAt: "2026-11-20T09:00:00Z",
        variants: [{ id: VARIANT, inventoryItemId: ITEM, policy: "continue" }],
      }),
    },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(ITEM, LOCATION, 0, "2026-11-20T09:00:00Z") },
  ]);
  const customer = { id: CUSTOMER, first: "Grace", last: "Hopper", email: "grace@example.com" };
  const orders = [
    { id: O.a, line: L.a, quantity: 2, at: "2026-11-20T10:00:00Z" },
    { id: O.b, line: L.b, quantity: 1, at: "2026-11-20T10:01:00Z" },
    { id: O.c, line: L.c, quantity: 1, at: "2026-11-20T10:02:00Z" },
    { id: O.d, line: L.d, quantity: 1, at: "2026-11-20T10:03:00Z" },
    { id: O.e, line: L.e, quantity: 1, at: "2026-11-20T10:04:00Z" },
  ];
  let available = 0;
  for (const o of orders) {
    available -= o.quantity;
    await h.deliver([
      {
        topic: "orders/create",
        payload: orderPayload({
          id: o.id,
          createdAt: o.at,
          customer: o.id === O.a ? customer : undefined,
          lines: [{ id: o.line, variantId: VARIANT, quantity: o.quantity, price: "40.00", title: "Fisherman Sweater" }],
        }),
      },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(ITEM, LOCATION, available, o.at) },
    ]);
  }
  return Object.assign(s, {
    t,
    h,
    appOrigin,
    proxy,
    link(kind: "keep" | "cancel", lineItemId: number, opts: { shop?: string; now?: Date; date?: string; language?: EmailLanguage } = {}) {
      const links = consentLinks({
        shop: opts.shop ?? SHOP,
        lineItemId: String(lineItemId),
        promisedDate: opts.date ?? DATE,
        now: opts.now,
        language: opts.language,
      });
      const url = new URL(kind === "keep" ? links.keepUrl : links.cancelUrl);
      expect(url.origin).toBe(`https://${opts.shop ?? SHOP}`);
      expect(url.pathname).toBe(`/apps/backorder/consent/${kind}`);
      return `${proxy.origin}${url.pathname}${url.search}`;
    },
    async close() {
      await proxy.close();
      await new Promise((r) => app.close(r));
      await h.close();
      await t.drop();
    },
  });
}
