// Auto-enable by collection: the webhooks never say which products are in a collection,
// so the `collection` task reads them from Shopify (paged) when the settings are saved
// and after each catalog sync; the rule then switches on members that sell out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { saveSettings } from "../../app/admin/settings.server.ts";
import { queueCatalogSyncOnInstall } from "../../app/sync/install.server.ts";
import { enqueueTask } from "../../app/sync/tasks.server.ts";
import { syncBackoffMs } from "../../app/sync/runner.server.ts";

const SHOP = "fjord-knits.myshopify.com";
const LOCATION = 66001;
// Winter: a sweater (in stock), a hat (sold out before the collection was chosen) and 260
// products without variants, so the collection takes two pages of 250.
const SWEATER = { product: 6100, variant: 61001, item: 61501 };
const HAT = { product: 6200, variant: 62001, item: 62501 };
const SCARF = { product: 6300, variant: 63001, item: 63501 }; // in no collection at first
const SANDAL = { product: 6400, variant: 64001, item: 64501 }; // summer
const FILLER = Array.from({ length: 260 }, (_, i) => 7000 + i);
const WINTER = 4401;
const SUMMER = 4402;
const BEFORE = "2026-11-20T09:00:00Z";

let t: TestDatabase;
let h: Harness;

const form = (autoEnableCollectionId: string) => ({
  messageTemplate: "Available for backorder — ships ~{date}",
  defaultLeadTimeDays: "14",
  processingDays: "1",
  autoEnableTag: "",
  autoEnableCollectionId,
  orderTag: "backorder",
  holdMode: "lines",
});
const ops = (from: number) => h.standin.calls.slice(from).map((c) => [c.operationName, c.variables] as const);
const enabledVariants = async () =>
  (
    await t.db.variantPolicy.findMany({ where: { shop: SHOP, enabled: true }, orderBy: { variantId: "asc" }, select: { variantId: true } })
  ).map((p) => Number(p.variantId));
const members = async () =>
  (await t.db.autoEnableProduct.findMany({ where: { shop: SHOP }, select: { collectionId: true } })).map((r) => r.collectionId);
const collectionTask = () =>
  t.db.syncTask.findUnique({ where: { shop_kind_targetId: { shop: SHOP, kind: "collection", targetId: SHOP } } });
/** A stock webhook a minute after everything so far (newer than the catalog's levels). */
const stock = (x: { item: number }, available: number) => ({
  topic: "inventory_levels/update",
  payload: inventoryLevelPayload(x.item, LOCATION, available, new Date(h.clock.now() + 60_000).toISOString()),
});

beforeAll(async () => {
  t = await createTestDatabase("sync_collection");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    for (const [x, title, units] of [
      [SWEATER, "Sweater", 2],
      [HAT, "Hat", 0],
      [SCARF, "Scarf", 1],
      [SANDAL, "Sandal", 1],
    ] as const) {
      shop.addProduct({
        id: x.product,
        title,
        updatedAt: BEFORE,
        variants: [{ id: x.variant, inventoryItemId: x.item, stock: { [LOCATION]: units } }],
      });
    }
    for (const id of FILLER) shop.addProduct({ id, title: `Blanket ${id}`, updatedAt: BEFORE, variants: [] });
    shop.addCollection({ id: WINTER, title: "Winter", productIds: [SWEATER.product, HAT.product, ...FILLER] });
    shop.addCollection({ id: SUMMER, title: "Summer", productIds: [SANDAL.product] });
  });
  // Installed without a collection chosen: the catalog sync queues no collection read.
  await queueCatalogSyncOnInstall(t.db, SHOP, h.clock.date());
  // The catalog and the shop's shipping metafield (queued with it at install).
  expect(await h.run()).toEqual({ done: 2, retrying: 0, failed: 0 });
  expect(await collectionTask()).toBeNull();
});
afterAll(async () => {
  await h.close();
  await t.drop();
});

describe("auto-enable by collection", () => {
  it("reads the collection's products page by page when the merchant saves it, and switches on a member already sold out", async () => {
    const r = await saveSettings(t.db, SHOP, form(String(WINTER)), h.clock.date());
    expect(r).toMatchObject({ ok: true, collectionRefresh: true });
    expect(await collectionTask()).toMatchObject({ status: "pending" });
    expect(await enabledVariants()).toEqual([]); // nothing known of the collection yet

    const from = h.standin.calls.length;
    expect(await h.run()).toEqual({ done: 2, retrying: 0, failed: 0 }); // the collection, then the hat's push
    const calls = ops(from);
    const reads = h.standin.calls.slice(from).filter((c) => c.operationName === "CollectionProducts");
    expect(reads.map((c) => c.variables)).toEqual([
      { id: `gid://shopify/Collection/${WINTER}`, after: null },
      { id: `gid://shopify/Collection/${WINTER}`, after: expect.any(String) },
    ]);
    expect(reads.map((c) => [c.requestedQueryCost, c.actualQueryCost])).toEqual([
      [253, 253],
      [253, 15],
    ]);
    expect(await members()).toEqual(Array(262).fill(`gid://shopify/Collection/${WINTER}`));
    expect(await enabledVariants()).toEqual([HAT.variant]);
    expect(calls.filter(([op]) => op === "UpdateVariantPolicies")).toEqual([
      [
        "UpdateVariantPolicies",
        {
          productId: `gid://shopify/Product/${HAT.product}`,
          variants: [{ id: `gid://shopify/ProductVariant/${HAT.variant}`, inventoryPolicy: "CONTINUE" }],
        },
      ],
    ]);
    expect(await collectionTask()).toMatchObject({ status: "done", lastError: null });
  });

  it("switches on a member that sells out, not a product outside the collection", async () => {
    await h.deliver([stock(SWEATER, 0), stock(SCARF, 0)]);
    expect(await enabledVariants()).toEqual([SWEATER.variant, HAT.variant]);
    await h.sync();
    expect(h.shop.variants.get(`gid://shopify/ProductVariant/${SWEATER.variant}`)!.inventoryPolicy).toBe("CONTINUE");
    expect(h.shop.variants.get(`gid://shopify/ProductVariant/${SCARF.variant}`)!.inventoryPolicy).toBe("DENY");
  });

  it("stops counting the old collection as soon as the setting changes; the new one counts after its read", async () => {
    await saveSettings(t.db, SHOP, form(`gid://shopify/Collection/${SUMMER}`), h.clock.date());
    // Before the read: the hat sold out again after a restock, but winter no longer counts.
    await t.db.variantPolicy.update({
      where: { shop_variantId: { shop: SHOP, variantId: String(HAT.variant) } },
      data: { enabled: false },
    });
    await h.deliver([stock(HAT, 0)]);
    expect(await enabledVariants()).toEqual([SWEATER.variant]);

    expect(await h.run()).toMatchObject({ failed: 0 });
    expect(await members()).toEqual([`gid://shopify/Collection/${SUMMER}`]);
    expect(await enabledVariants()).toEqual([SWEATER.variant]); // the sandal is in stock
    await h.deliver([stock(SANDAL, 0)]);
    expect(await enabledVariants()).toEqual([SWEATER.variant, SANDAL.variant]);
  });

  it("sees a product added to the collection in Shopify at the next catalog sync (not before)", async () => {
    h.shop.collections.get(`gid://shopify/Collection/${SUMMER}`)!.productIds.push(`gid://shopify/Product/${SCARF.product}`);
    // No webhook tells us: the sold-out scarf stays off until the next read.
    await h.deliver([stock(SCARF, 0)]);
    expect(await enabledVariants()).not.toContain(SCARF.variant);

    const from = h.standin.calls.length;
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "catalog", SHOP, h.clock.date()));
    expect(await h.run()).toMatchObject({ retrying: 0, failed: 0 }); // catalog, collection, the pushes
    expect(await collectionTask()).toMatchObject({ status: "done" });
    const names = ops(from).map(([op]) => op);
    expect(names.indexOf("CollectionProducts")).toBeGreaterThan(names.lastIndexOf("CatalogVariants"));
    expect(await enabledVariants()).toContain(SCARF.variant);
    expect(h.shop.variants.get(`gid://shopify/ProductVariant/${SCARF.variant}`)!.inventoryPolicy).toBe("CONTINUE");
    expect(await members()).toHaveLength(2);
  });

  it("keeps the last list when Shopify fails, retries the read, and fails clearly on a collection Shopify does not have", async () => {
    // Saving again (same collection) is how a merchant asks for a fresh read.
    expect(await saveSettings(t.db, SHOP, form(String(SUMMER)), h.clock.date())).toMatchObject({ ok: true, collectionRefresh: true });
    h.standin.failNext(5, { kind: "http", status: 503 }, (c) => c.operationName === "CollectionProducts");
    expect(await h.run()).toEqual({ done: 0, retrying: 1, failed: 0 });
    expect(await collectionTask()).toMatchObject({
      status: "pending",
      lastError: expect.stringMatching(/^attempt 1: CollectionProducts: HTTP 503/),
    });
    expect(await members()).toHaveLength(2);
    h.clock.advance(syncBackoffMs(1));
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 0 });

    await saveSettings(t.db, SHOP, form("999"), h.clock.date());
    expect(await h.run()).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect(await collectionTask()).toMatchObject({
      status: "failed",
      lastError: expect.stringContaining("auto-enable collection 999 not found in Shopify"),
    });

    // Cleared: the list goes without asking Shopify.
    const from = h.standin.calls.length;
    expect(await saveSettings(t.db, SHOP, form(""), h.clock.date())).toMatchObject({ collectionRefresh: true });
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(h.standin.calls.length).toBe(from);
    expect(await members()).toEqual([]);
    expect(await saveSettings(t.db, SHOP, form(""), h.clock.date())).toMatchObject({ collectionRefresh: false });
  });
});
