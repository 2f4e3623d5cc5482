// The hold mode reaches the storefront: when the merchant changes it, the sync publishes the
// shop's `$app.backorder_shipping` metafield (through the Admin API stand-in, which checks it
// against the definition declared in shopify.app.toml), and the app embed's cart notice,
// rendered from that value, says whether in-stock items ship first. A fresh install publishes
// it after its catalog sync; the undo deletes it, only when the app wrote it; turning the app
// back on publishes it again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { loadSettings, saveSettings } from "../../app/admin/settings.server.ts";
import type { HoldMode } from "../../app/backorder/hold-plan.ts";
import { SHOP_SHIPPING_METAFIELD, type ShopShipping } from "../../app/backorder/shop-shipping.ts";
import { resolveNamespace } from "../../dev/admin-standin/resolvers.ts";
import { StorefrontRenderer, type StorefrontCartLine } from "../../dev/storefront/render.ts";
import { LINEN_SHIRT } from "../../dev/storefront/fixture-product.ts";
import { queueCatalogSyncOnInstall } from "../../app/sync/install.server.ts";
import { loadUndoStatus, requestUndo, resumeApp } from "../../app/admin/undo.server.ts";

const SHOP = "shop-shipping.myshopify.com";
let t: TestDatabase;
let h: Harness;

beforeAll(async () => {
  t = await createTestDatabase("sync_shop_shipping");
  h = await createHarness(t.db, SHOP);
});
afterAll(async () => {
  await h?.close();
  await t?.drop();
});

async function save(holdMode: HoldMode, orderTag?: string) {
  const s = await loadSettings(t.db, SHOP);
  const form = {
    messageTemplate: s.messageTemplate,
    defaultLeadTimeDays: String(s.defaultLeadTimeDays),
    processingDays: String(s.processingDays),
    autoEnableTag: s.autoEnableTag ?? "",
    autoEnableCollectionId: s.autoEnableCollectionId ?? "",
    orderTag: orderTag ?? s.orderTag,
    holdMode,
  };
  expect(await saveSettings(t.db, SHOP, form, h.clock.date())).toMatchObject({ ok: true });
}

/** The shop metafield as Shopify holds it: its owner is the shop's GID, its namespace the app's. */
const published = (harness = h, shop = SHOP) => {
  const owner = `gid://shopify/Shop/${shop.split(".")[0]}`;
  const mf = harness.shop.metafield(
    owner,
    resolveNamespace(SHOP_SHIPPING_METAFIELD.namespace, harness.standin.appId),
    SHOP_SHIPPING_METAFIELD.key,
  );
  return mf && { type: mf.type, value: JSON.parse(mf.value) as ShopShipping };
};
/** What the app recorded of its own write (the undo deletes only that). */
const recorded = async (shop = SHOP) =>
  (await t.db.shopSettings.findUnique({ where: { shop }, select: { shippingMetafield: true } }))?.shippingMetafield ?? null;

/** The cart notice's shipping sentence for a mixed cart, rendered with that value as the shop's metafield. */
async function cartSays(shipping: ShopShipping | undefined) {
  const lines: StorefrontCartLine[] = [
    { id: LINEN_SHIRT.variants[1]!.id, quantity: 1, properties: { "Backorder ships": "2026-12-16" } },
    { id: LINEN_SHIRT.variants[0]!.id, quantity: 1, properties: {} },
  ];
  const html = await new StorefrontRenderer({ origin: "http://127.0.0.1", appEmbed: true, shipping }).renderCartPage(lines, (id) => {
    const variant = LINEN_SHIRT.variants.find((v) => v.id === id);
    return variant && { product: LINEN_SHIRT, variant };
  });
  return /<p class="bq-cart__mixed"\s*>([^<]*)<\/p>/.exec(html)?.[1];
}

describe("the shop's backorder shipping metafield", () => {
  it("is published when the merchant changes the hold mode, and the cart notice follows it", async () => {
    expect(published()).toBeUndefined();
    expect(await cartSays(undefined)).toBe("Your cart has items in stock and items on backorder.");

    await save("order");
    const from = h.standin.calls.length;
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(h.standin.calls.slice(from).map((c) => c.operationName)).toEqual(["ShopFacts", "SetMetafields"]);
    expect(published()).toEqual({ type: "json", value: { v: 1, hold: "order" } });
    expect(await cartSays(published()!.value)).toBe(
      "Your cart has items in stock and items on backorder. Everything ships together once the backordered items arrive.",
    );

    await save("lines");
    await h.run();
    expect(published()?.value).toEqual({ v: 1, hold: "lines" });
    expect(await cartSays(published()!.value)).toBe(
      "Your cart has items in stock and items on backorder. In-stock items ship now; the others ship when they arrive.",
    );

    await save("off");
    await h.run();
    expect(published()?.value).toEqual({ v: 1, hold: "off" });
    expect(await cartSays(published()!.value)).toBe("Your cart has items in stock and items on backorder.");
  });

  it("is not pushed again by a save that leaves the hold mode as it is", async () => {
    await save("off", "waiting-for-stock");
    const from = h.standin.calls.length;
    await h.run();
    expect(h.standin.calls.slice(from).map((c) => c.operationName)).not.toContain("SetMetafields");
  });
});

describe("the shop's backorder shipping metafield from install to undo", () => {
  const INSTALLED = "shop-shipping-install.myshopify.com";
  let fresh: Harness;
  beforeAll(async () => {
    fresh = await createHarness(t.db, INSTALLED);
  });
  afterAll(async () => {
    await fresh?.close();
  });
  const operations = (from: number) => fresh.standin.calls.slice(from).map((c) => c.operationName);

  it("is published after the install's catalog sync, without the merchant touching the settings", async () => {
    expect(published(fresh, INSTALLED)).toBeUndefined();
    expect(await queueCatalogSyncOnInstall(t.db, INSTALLED, fresh.clock.date())).toBe(true);
    expect(await fresh.run()).toEqual({ done: 2, retrying: 0, failed: 0 });
    expect(operations(0)).toEqual(["ShopFacts", "CatalogVariants", "ShopFacts", "SetMetafields"]);
    expect(published(fresh, INSTALLED)).toEqual({ type: "json", value: { v: 1, hold: "lines" } });
    expect(await recorded(INSTALLED)).toBe('{"v":1,"hold":"lines"}');
  });

  it("is deleted by the undo, which then finds nothing more to send", async () => {
    await requestUndo(t.db, INSTALLED, fresh.clock.date());
    expect((await loadUndoStatus(t.db, INSTALLED)).remaining.metafields).toBe(1);
    const from = fresh.standin.calls.length;
    expect(await fresh.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(operations(from)).toEqual(["ShopFacts", "DeleteMetafields"]);
    expect(published(fresh, INSTALLED)).toBeUndefined();
    expect(await recorded(INSTALLED)).toBeNull();
    expect((await loadUndoStatus(t.db, INSTALLED)).remaining.metafields).toBe(0);

    const again = fresh.standin.calls.length;
    await requestUndo(t.db, INSTALLED, fresh.clock.date());
    expect(await fresh.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(operations(again)).toEqual([]);
  });

  it("is published again when the app is turned back on", async () => {
    await resumeApp(t.db, INSTALLED, fresh.clock.date());
    await fresh.run();
    expect(published(fresh, INSTALLED)).toEqual({ type: "json", value: { v: 1, hold: "lines" } });
    expect(await recorded(INSTALLED)).toBe('{"v":1,"hold":"lines"}');
  });

  it("is left in place by the undo when the app has no record of writing it", async () => {
    // As an older version of the app left it: written, not recorded.
    await t.db.shopSettings.update({ where: { shop: INSTALLED }, data: { shippingMetafield: null } });
    await requestUndo(t.db, INSTALLED, fresh.clock.date());
    const from = fresh.standin.calls.length;
    expect(await fresh.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(operations(from)).not.toContain("DeleteMetafields");
    expect(published(fresh, INSTALLED)?.value).toEqual({ v: 1, hold: "lines" });
  });
});
