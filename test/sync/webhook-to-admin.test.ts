// From signed webhooks, through the worker and the sync, to the exact Admin API calls
// Shopify receives (the stand-in validates each against the real 2026-10 schema).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { IDS, sellOutDay } from "../../dev/fixtures/sell-out-day.ts";
import { enqueueSync, enqueueTask } from "../../app/sync/tasks.server.ts";
import { storefrontStatus } from "../../app/backorder/storefront-status.ts";
import { loadVariantFacts } from "../../app/engine/storefront-facts.server.ts";
import { STANDIN_APP_ID } from "../../dev/admin-standin/server.ts";

const SHOP = "linen-and-co.myshopify.com";
const VARIANT = `gid://shopify/ProductVariant/${IDS.variant}`;
const PRODUCT = `gid://shopify/Product/${IDS.product}`;
const order = (id: number) => `gid://shopify/Order/${id}`;

let t: TestDatabase;
let h: Harness;

beforeAll(async () => {
  t = await createTestDatabase("sync_flow");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(IDS.location, "Warehouse");
    shop.addProduct({
      id: IDS.product,
      title: "Linen Shirt",
      // As Shopify had it the night before the sales day the webhooks describe.
      updatedAt: "2026-11-19T22:00:00Z",
      variants: [{ id: IDS.variant, inventoryItemId: IDS.item, title: "M / Sand", sku: "LIN-M", stock: { [IDS.location]: 5 } }],
    });
  });
});
afterAll(async () => {
  await h.close();
  await t.drop();
});

/** The Admin calls made since `from`, as [operation, variables]. */
/** The order promises (the Order status page's metafield) are test/sync/order-promise.test.tsx's: left out here. */
const isOrderPromise = (c: { variables: unknown }) => JSON.stringify(c.variables).includes('"key":"backorder_promise"');
const callsSince = (from: number) =>
  h.standin.calls
    .slice(from)
    .filter((c) => !isOrderPromise(c))
    .map((c) => [c.operationName, c.variables] as const);
const expectedStatus = async () =>
  JSON.stringify(storefrontStatus(await loadVariantFacts(t.db, SHOP, String(IDS.variant), h.clock.date())));
const foOf = (orderId: number) => h.shop.fulfillmentOrdersOf(order(orderId))[0]!;

describe("the sell-out day, pushed to Shopify", () => {
  const day = sellOutDay();

  it("maps the catalog at install before any webhook", async () => {
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "catalog", SHOP, h.clock.date()));
    const r = await h.sync();
    expect(r).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(callsSince(0)).toEqual([
      ["ShopFacts", {}],
      ["CatalogVariants", { after: null }],
    ]);
    const variant = await t.db.variant.findUniqueOrThrow({ where: { shop_variantId: { shop: SHOP, variantId: String(IDS.variant) } } });
    expect(variant).toMatchObject({
      productId: String(IDS.product),
      inventoryItemId: String(IDS.item),
      inventoryPolicy: "deny",
      title: "M / Sand",
    });
    const level = await t.db.inventoryLevel.findUniqueOrThrow({
      where: { shop_inventoryItemId_locationId: { shop: SHOP, inventoryItemId: String(IDS.item), locationId: String(IDS.location) } },
    });
    expect(level.available).toBe(5);
    const settings = await t.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(settings).toMatchObject({ timezone: "America/New_York", currency: "USD", locale: "en" });
    expect(settings.catalogSyncedAt).not.toBeNull();
  });

  it("switches the variant to CONTINUE and publishes its storefront status when the merchant enables backorders", async () => {
    const from = h.standin.calls.length;
    await t.db.$transaction(async (tx) => {
      await tx.variantPolicy.create({ data: { shop: SHOP, variantId: String(IDS.variant), enabled: true, maxBackorder: 6 } });
      await enqueueSync(tx, SHOP, { variantIds: [String(IDS.variant)] }, h.clock.date());
    });
    await h.sync();
    expect(callsSince(from)).toEqual([
      ["UpdateVariantPolicies", { productId: PRODUCT, variants: [{ id: VARIANT, inventoryPolicy: "CONTINUE" }] }],
      [
        "SetMetafields",
        {
          metafields: [
            {
              ownerId: VARIANT,
              namespace: "$app",
              key: "backorder_status",
              type: "json",
              value: '{"v":1,"state":"in_stock","eta":null,"remaining":6,"message":null}',
            },
          ],
        },
      ],
    ]);
    expect(h.shop.variants.get(VARIANT)!.inventoryPolicy).toBe("CONTINUE");
    // Stored in the app's reserved namespace, as Shopify does.
    expect(h.shop.metafield(VARIANT, `app--${STANDIN_APP_ID}`, "backorder_status")?.value).toContain('"in_stock"');
  });

  it("tags and holds the orders that go into backorder, and updates the storefront status", async () => {
    const from = h.standin.calls.length;
    await h.deliver(day.slice(0, 12)); // through the third backorder: o3 (2), o4 (1), o5 (2) wait
    await h.sync();
    const status = await expectedStatus();
    expect(JSON.parse(status)).toMatchObject({ state: "backorder", remaining: 1 });
    const holdInput = {
      reason: "INVENTORY_OUT_OF_STOCK",
      reasonNotes: "Backordered items are waiting for stock (Backorder Queue).",
      handle: "backorder-queue",
    };
    expect(callsSince(from)).toEqual([
      ["SetMetafields", { metafields: [{ ownerId: VARIANT, namespace: "$app", key: "backorder_status", type: "json", value: status }] }],
      ["AddTags", { id: order(IDS.orders.o3), tags: ["backorder"] }],
      ["OrderFulfillmentOrders", { id: order(IDS.orders.o3), after: null }],
      ["HoldFulfillmentOrder", { id: foOf(IDS.orders.o3).id, hold: holdInput }],
      ["AddTags", { id: order(IDS.orders.o4), tags: ["backorder"] }],
      ["OrderFulfillmentOrders", { id: order(IDS.orders.o4), after: null }],
      ["HoldFulfillmentOrder", { id: foOf(IDS.orders.o4).id, hold: holdInput }],
      ["AddTags", { id: order(IDS.orders.o5), tags: ["backorder"] }],
      ["OrderFulfillmentOrders", { id: order(IDS.orders.o5), after: null }],
      ["HoldFulfillmentOrder", { id: foOf(IDS.orders.o5).id, hold: holdInput }],
    ]);
    // In-stock orders are left alone; the backordered ones carry the tag and our hold.
    expect(h.shop.orders.get(order(IDS.orders.o1))!.tags).toEqual([]);
    expect(foOf(IDS.orders.o1).status).toBe("OPEN");
    for (const o of [IDS.orders.o3, IDS.orders.o4, IDS.orders.o5]) {
      expect(h.shop.orders.get(order(o))!.tags).toEqual(["backorder"]);
      expect(foOf(o)).toMatchObject({ status: "ON_HOLD", holds: [{ reason: "INVENTORY_OUT_OF_STOCK", handle: "backorder-queue" }] });
    }
    expect(
      await t.db.syncedOrder.findUniqueOrThrow({ where: { shop_orderId: { shop: SHOP, orderId: String(IDS.orders.o3) } } }),
    ).toMatchObject({ tagged: true });
    expect(await t.db.orderHold.findMany({ where: { shop: SHOP, orderId: String(IDS.orders.o3) } })).toEqual([
      expect.objectContaining({ fulfillmentOrderId: foOf(IDS.orders.o3).id, holdId: foOf(IDS.orders.o3).holds[0]!.id, releaseError: null }),
    ]);
  });

  it("pushes nothing when nothing changed for Shopify", async () => {
    const from = h.standin.calls.length;
    await t.db.$transaction((tx) =>
      enqueueSync(tx, SHOP, { variantIds: [String(IDS.variant)], orderIds: [String(IDS.orders.o4)] }, h.clock.date()),
    );
    const r = await h.sync();
    expect(r.done).toBe(2);
    // The order is re-checked against its fulfillment orders, but nothing is written.
    expect(callsSince(from)).toEqual([["OrderFulfillmentOrders", { id: order(IDS.orders.o4), after: null }]]);
  });

  it("releases holds and removes tags as the restock allocates the oldest lines", async () => {
    const from = h.standin.calls.length;
    await h.deliver(day.slice(12, 13)); // restock of 3: o3 and o4 covered, o5 still waits
    await h.sync();
    const heldO3 = foOf(IDS.orders.o3);
    expect(callsSince(from)).toEqual([
      [
        "SetMetafields",
        { metafields: [{ ownerId: VARIANT, namespace: "$app", key: "backorder_status", type: "json", value: await expectedStatus() }] },
      ],
      ["RemoveTags", { id: order(IDS.orders.o3), tags: ["backorder"] }],
      ["OrderFulfillmentOrders", { id: order(IDS.orders.o3), after: null }],
      ["ReleaseFulfillmentOrderHold", { id: heldO3.id, holdIds: [expect.stringMatching(/^gid:\/\/shopify\/FulfillmentHold\//)] }],
      ["RemoveTags", { id: order(IDS.orders.o4), tags: ["backorder"] }],
      ["OrderFulfillmentOrders", { id: order(IDS.orders.o4), after: null }],
      ["ReleaseFulfillmentOrderHold", { id: foOf(IDS.orders.o4).id, holdIds: [expect.any(String)] }],
    ]);
    expect(foOf(IDS.orders.o3)).toMatchObject({ status: "OPEN", holds: [] });
    expect(h.shop.orders.get(order(IDS.orders.o3))!.tags).toEqual([]);
    expect(foOf(IDS.orders.o5).status).toBe("ON_HOLD");
    expect(h.shop.orders.get(order(IDS.orders.o5))!.tags).toEqual(["backorder"]);
  });

  it("moves the tag and the hold to the next order in line when one is cancelled", async () => {
    await h.deliver(day.slice(13, 17)); // o3 cancelled: o5 moves up and is covered; o6 backorders 3
    const from = h.standin.calls.length;
    await h.sync();
    expect(callsSince(from)).toEqual([
      [
        "SetMetafields",
        { metafields: [{ ownerId: VARIANT, namespace: "$app", key: "backorder_status", type: "json", value: await expectedStatus() }] },
      ],
      ["RemoveTags", { id: order(IDS.orders.o5), tags: ["backorder"] }],
      ["OrderFulfillmentOrders", { id: order(IDS.orders.o5), after: null }],
      ["ReleaseFulfillmentOrderHold", { id: foOf(IDS.orders.o5).id, holdIds: [expect.any(String)] }],
      ["AddTags", { id: order(IDS.orders.o6), tags: ["backorder"] }],
      ["OrderFulfillmentOrders", { id: order(IDS.orders.o6), after: null }],
      ["HoldFulfillmentOrder", { id: foOf(IDS.orders.o6).id, hold: expect.objectContaining({ reason: "INVENTORY_OUT_OF_STOCK" }) }],
    ]);
    expect(h.shop.orders.get(order(IDS.orders.o6))!.tags).toEqual(["backorder"]);
    expect(foOf(IDS.orders.o5)).toMatchObject({ status: "OPEN", holds: [] });
  });

  it("turns the policy to DENY when the backorder limit is reached", async () => {
    const from = h.standin.calls.length;
    await t.db.$transaction(async (tx) => {
      // 3 units wait (o6): the merchant lowers the limit to 3.
      await tx.variantPolicy.update({
        where: { shop_variantId: { shop: SHOP, variantId: String(IDS.variant) } },
        data: { maxBackorder: 3 },
      });
      await enqueueSync(tx, SHOP, { variantIds: [String(IDS.variant)] }, h.clock.date());
    });
    await h.sync();
    const status = await expectedStatus();
    expect(JSON.parse(status)).toMatchObject({ state: "sold_out", remaining: 0 });
    expect(callsSince(from)).toEqual([
      ["UpdateVariantPolicies", { productId: PRODUCT, variants: [{ id: VARIANT, inventoryPolicy: "DENY" }] }],
      ["SetMetafields", { metafields: [{ ownerId: VARIANT, namespace: "$app", key: "backorder_status", type: "json", value: status }] }],
    ]);
    expect(h.standin.storefront(SHOP)[0]!.variants[0]).toMatchObject({
      inventoryPolicy: "DENY",
      availableForSale: false,
      backorderStatus: { state: "sold_out", remaining: 0 },
    });
  });

  it("sent only requests Shopify's schema accepts, within the cost limits", () => {
    expect(h.standin.calls.filter((c) => !isOrderPromise(c)).length).toBe(31);
    // Each order's promise written as it went into backorder (or its date moved), deleted when it was allocated.
    expect(h.standin.calls.filter(isOrderPromise).length).toBe(7);
    for (const c of h.standin.calls) expect({ op: c.operationName, errors: c.errors }).toEqual({ op: c.operationName, errors: [] });
  });
});
