// The promise after checkout, end to end: the queue gives a line its date, the sync writes the
// order's `$app.backorder_promise` metafield through the Admin API stand-in (checked against the
// definition in shopify.app.toml and the app's write scope), and the checkout UI extension,
// bundled from extensions/order-promise and run in real Chromium against a stand-in of
// Shopify's `shopify` global, shows it. The Thank you page shows the date the product page put
// on the cart line (the variant's storefront metafield); the Order status page the order's
// current one, which follows the queue: a moved restock date, then the restock that clears it.
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { build, type Rollup } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { launchChromium } from "../storefront/browser.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { resolveNamespace } from "../../dev/admin-standin/resolvers.ts";
import { ORDER_PROMISE_METAFIELD, type OrderPromise } from "../../app/backorder/order-promise.ts";
import { STOREFRONT_METAFIELD, type StorefrontStatus } from "../../app/backorder/storefront-status.ts";
import { runBulkAction } from "../../app/admin/bulk-actions.server.ts";
import { SYNC_KIND } from "../../app/sync/task-kind.ts";
import { SYNC_TASK_STATUS } from "../../app/sync/task-status.ts";
import { pushOrderPromise } from "../../app/sync/order-promise-sync.server.ts";
import { SHIP_DATE_PROPERTY, type CartLineLike, type MetafieldEntryLike } from "../../extensions/order-promise/src/promise.ts";

const SHOP = "order-promise.myshopify.com";
const EXT = path.resolve(import.meta.dirname, "../../extensions/order-promise");
const LOCATION = 88001;
const SHIRT = { product: 8100, variant: 81001, item: 81501 };
const MUG = { product: 8200, variant: 82001, item: 82501 };
const ORDER = 8601; // 1 × SHIRT (on backorder) + 1 × MUG (in stock)
const orderGid = (id: number) => `gid://shopify/Order/${id}`;

let t: TestDatabase;
let h: Harness;
let browser: Browser;
const bundles = new Map<string, string>();
let stamp = Date.parse("2026-11-25T12:00:00Z");
const next = () => new Date((stamp += 60_000)).toISOString();

/** The order's metafield as Shopify holds it. */
const orderMetafield = () => {
  const mf = h.shop.metafield(
    orderGid(ORDER),
    resolveNamespace(ORDER_PROMISE_METAFIELD.namespace, h.standin.appId),
    ORDER_PROMISE_METAFIELD.key,
  );
  return mf && { type: mf.type, value: JSON.parse(mf.value) as OrderPromise };
};
/** What the product page reads: the variant's storefront metafield. */
const storefrontEta = () => {
  const mf = h.shop.metafield(
    `gid://shopify/ProductVariant/${SHIRT.variant}`,
    resolveNamespace(STOREFRONT_METAFIELD.namespace, h.standin.appId),
    STOREFRONT_METAFIELD.key,
  );
  return (JSON.parse(mf!.value) as StorefrontStatus).eta;
};
const line = () => t.db.backorderLine.findUniqueOrThrow({ where: { shop_lineItemId: { shop: SHOP, lineItemId: String(ORDER * 10 + 1) } } });
const promiseTask = () =>
  t.db.syncTask.findUnique({ where: { shop_kind_targetId: { shop: SHOP, kind: SYNC_KIND.orderPromise, targetId: String(ORDER) } } });
const metafieldCalls = (from: number) =>
  h.standin.calls
    .slice(from)
    .filter((c) => /Metafields$/.test(c.operationName ?? ""))
    .filter((c) => JSON.stringify(c.variables).includes(orderGid(ORDER)))
    .map((c) => c.operationName);

/** The extension's module for a target, bundled as Shopify CLI would (one script, preact and signals inside). */
async function bundle(module: string, minify = false): Promise<string> {
  const cached = bundles.get(`${module}|${minify}`);
  if (cached) return cached;
  const out = (await build({
    configFile: false,
    logLevel: "silent",
    root: EXT,
    build: {
      write: false,
      minify,
      lib: { entry: path.join(EXT, module), formats: ["iife"], name: "OrderPromiseExtension" },
      rollupOptions: { output: { exports: "named" } },
    },
  })) as Rollup.RollupOutput[];
  const code = (Array.isArray(out) ? out[0]! : (out as Rollup.RollupOutput)).output[0].code;
  bundles.set(`${module}|${minify}`, code);
  return code;
}

interface Host {
  locale: string;
  lines?: CartLineLike[];
  appMetafields?: MetafieldEntryLike[];
}

/**
 * Runs a target's module in a page with a stand-in of the host's `shopify` global: its
 * signals made with the extension's own Signal class (as Shopify's host does through
 * `setSignals`), translations from the extension's locales, dates through Intl.
 */
async function mount(module: string, host: Host): Promise<Page> {
  const messages = JSON.parse(
    fs.readFileSync(path.join(EXT, "locales", host.locale === "en" ? "en.default.json" : `${host.locale}.json`), "utf8"),
  ) as Record<string, string>;
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><head></head><body></body></html>");
  await page.evaluate(
    ({ host, messages }) => {
      const g = globalThis as unknown as { shopify: Record<string, unknown> };
      g.shopify = {
        setSignals(S: new (v: unknown) => unknown) {
          g.shopify.lines = new S(host.lines ?? []);
          g.shopify.appMetafields = new S(host.appMetafields ?? []);
        },
        i18n: {
          translate: (key: string, opts: Record<string, unknown> = {}) =>
            (messages[key] ?? key).replace(/\{\{\s*(\w+)\s*\}\}/g, (_: string, k: string) => String(opts[k] ?? "")),
          formatDate: (d: Date, o?: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(host.locale, o).format(d),
        },
      };
    },
    { host, messages },
  );
  await page.addScriptTag({ content: await bundle(module) });
  await page.evaluate(() =>
    (globalThis as unknown as { OrderPromiseExtension: { default: () => Promise<void> } }).OrderPromiseExtension.default(),
  );
  return page;
}

const shown = (page: Page) => page.evaluate(() => document.body.innerText.trim());
const items = (page: Page) => page.evaluate(() => [...document.querySelectorAll("s-list-item")].map((e) => e.textContent));
const orderStatusEntries = (): MetafieldEntryLike[] => {
  const mf = orderMetafield();
  return mf
    ? [
        {
          target: { type: "order" },
          metafield: { namespace: ORDER_PROMISE_METAFIELD.namespace, key: ORDER_PROMISE_METAFIELD.key, value: JSON.stringify(mf.value) },
        },
      ]
    : [];
};
const longDate = (date: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" }).format(
    new Date(`${date}T12:00:00Z`),
  );

beforeAll(async () => {
  t = await createTestDatabase("sync_order_promise");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    for (const [x, units] of [
      [SHIRT, 0],
      [MUG, 50],
    ] as const)
      shop.addProduct({
        id: x.product,
        title: `Product ${x.product}`,
        updatedAt: next(),
        variants: [{ id: x.variant, inventoryItemId: x.item, stock: { [LOCATION]: units } }],
      });
  });
  await t.db.variantPolicy.create({
    data: { shop: SHOP, variantId: String(SHIRT.variant), enabled: true, restockDate: new Date("2026-12-14T00:00:00Z") },
  });
  await h.deliver([
    ...[SHIRT, MUG].map((x) => ({
      topic: "products/update",
      payload: productPayload({
        id: x.product,
        title: `Product ${x.product}`,
        updatedAt: next(),
        variants: [{ id: x.variant, inventoryItemId: x.item, policy: x === SHIRT ? "continue" : "deny" }],
      }),
    })),
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(SHIRT.item, LOCATION, 0, next()) },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(MUG.item, LOCATION, 50, next()) },
  ]);
  await h.sync();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await t?.drop();
});

describe("the promise after checkout", () => {
  let cartDate: string;

  it("Thank you page: shows the date the product page put on the backordered cart line, nothing for the in-stock one", async () => {
    cartDate = storefrontEta()!;
    expect(cartDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The product page's add-to-cart writes the variant's date as the line's property; the mug has none.
    const page = await mount("src/ThankYou.tsx", {
      locale: "en",
      lines: [
        { quantity: 1, merchandise: { title: "Linen Shirt - M" }, attributes: [{ key: SHIP_DATE_PROPERTY, value: cartDate }] },
        { quantity: 2, merchandise: { title: "Mug" }, attributes: [] },
      ],
    });
    expect(await items(page)).toEqual([`Linen Shirt - M × 1: ships around ${longDate(cartDate, "en")}`]);
    await page.close();

    const none = await mount("src/ThankYou.tsx", { locale: "en", lines: [{ quantity: 2, merchandise: { title: "Mug" }, attributes: [] }] });
    expect(await shown(none)).toBe("");
    await none.close();
  });

  it("after the order, the sync writes the order's promise with the line's date (the one the emails give), once", async () => {
    await h.deliver([
      {
        topic: "orders/create",
        payload: orderPayload({
          id: ORDER,
          createdAt: next(),
          lines: [
            { id: ORDER * 10 + 1, variantId: SHIRT.variant, quantity: 1, title: "Linen Shirt", variantTitle: "M" },
            { id: ORDER * 10 + 2, variantId: MUG.variant, quantity: 1, title: "Mug", variantTitle: "Default Title" },
          ],
        }),
      },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(SHIRT.item, LOCATION, -1, next()) },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(MUG.item, LOCATION, 49, next()) },
    ]);
    const from = h.standin.calls.length;
    await h.sync();
    const l = await line();
    expect(l.promisedShipDate).toBe(cartDate);
    expect(orderMetafield()).toEqual({
      type: "json",
      value: { v: 1, lines: [{ id: String(ORDER * 10 + 1), title: l.title, quantity: 1, date: cartDate, state: "waiting" }] },
    });
    expect(metafieldCalls(from)).toEqual(["SetMetafields"]);
    expect((await promiseTask())?.status).toBe(SYNC_TASK_STATUS.done);

    // Nothing changed: the task runs again, Shopify hears nothing.
    const again = h.standin.calls.length;
    expect(await pushOrderPromise(t.db, h.gateways(SHOP), SHOP, String(ORDER), h.clock.date())).toBe("unchanged");
    expect(metafieldCalls(again)).toEqual([]);
  });

  it("Order status page: shows the order's promise, in the customer's language", async () => {
    const l = await line();
    const en = await mount("src/OrderStatus.tsx", { locale: "en", appMetafields: orderStatusEntries() });
    expect(await items(en)).toEqual([`${l.title} × 1: ships around ${longDate(cartDate, "en")}`]);
    expect(await shown(en)).toContain("We will email you if a date changes.");
    await en.close();
    const fr = await mount("src/OrderStatus.tsx", { locale: "fr", appMetafields: orderStatusEntries() });
    expect(await items(fr)).toEqual([`${l.title} × 1 : expédition vers le ${longDate(cartDate, "fr")}`]);
    await fr.close();
  });

  it("follows the queue: a moved restock date is pushed and the open page shows it; the restock deletes it", async () => {
    const page = await mount("src/OrderStatus.tsx", { locale: "en", appMetafields: orderStatusEntries() });
    const form = new FormData();
    form.set("intent", "restock-date");
    form.set("restockDate", "2027-01-11");
    form.append("lineItemId", String(ORDER * 10 + 1));
    expect(await runBulkAction(t.db, SHOP, form, h.clock.date())).toMatchObject({ ok: true });
    await h.sync();
    const moved = (await line()).promisedShipDate!;
    expect(moved > "2027-01-10").toBe(true);
    expect(orderMetafield()?.value.lines).toEqual([expect.objectContaining({ date: moved, state: "waiting" })]);
    // Shopify's host updates the signal; the block re-renders with the new date.
    await page.evaluate((entries) => {
      (globalThis as unknown as { shopify: { appMetafields: { value: unknown } } }).shopify.appMetafields.value = entries;
    }, orderStatusEntries());
    await expect.poll(() => items(page)).toEqual([`${(await line()).title} × 1: ships around ${longDate(moved, "en")}`]);

    // The shirt comes back: nothing of the order waits, the metafield goes, the block is empty.
    const from = h.standin.calls.length;
    await h.deliver([{ topic: "inventory_levels/update", payload: inventoryLevelPayload(SHIRT.item, LOCATION, 4, next()) }]);
    await h.sync();
    expect(orderMetafield()).toBeUndefined();
    expect(metafieldCalls(from)).toEqual(["DeleteMetafields"]);
    expect(
      (await t.db.syncedOrder.findUnique({ where: { shop_orderId: { shop: SHOP, orderId: String(ORDER) } } }))?.promiseValue,
    ).toBeNull();
    await page.evaluate(() => {
      (globalThis as unknown as { shopify: { appMetafields: { value: unknown } } }).shopify.appMetafields.value = [];
    });
    await expect.poll(() => shown(page)).toBe("");
    await page.close();
  });

  it("fits the 64 KB (compressed) that Shopify allows a UI extension's JavaScript, both targets together", async () => {
    const bytes = (await Promise.all(["src/ThankYou.tsx", "src/OrderStatus.tsx"].map((m) => bundle(m, true)))).map(
      (code) => gzipSync(code).length,
    );
    expect(bytes.reduce((a, b) => a + b, 0)).toBeLessThan(64 * 1024);
  });

  it("is refused by Shopify without write_orders, and the task fails with the reason", async () => {
    h.shop.grantedScopes.delete("write_orders");
    try {
      await h.deliver([{ topic: "inventory_levels/update", payload: inventoryLevelPayload(SHIRT.item, LOCATION, -1, next()) }]);
      await h.sync();
      const task = await promiseTask();
      expect(task?.status).toBe(SYNC_TASK_STATUS.failed);
      expect(task?.lastError).toMatch(/Access denied for metafieldsSet/);
      expect(orderMetafield()).toBeUndefined();
    } finally {
      h.shop.grantedScopes.add("write_orders");
    }
  });
});
