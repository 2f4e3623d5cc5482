// The sync's other duties: the merchant's bulk cancel, the auto-enable rule, the catalog
// sync queued at install, and the debounce of the task queue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { enqueueTask } from "../../app/sync/tasks.server.ts";
import { queueCatalogSyncOnInstall } from "../../app/sync/install.server.ts";

const SHOP = "north-wool.myshopify.com";
const LOCATION = 99001;
const BEFORE = "2026-11-20T09:00:00Z";
const P = { tagged: 8100, listed: 8200, plain: 8300 };
const V = { tagged: 81001, listed: 82001, plain: 83001 };
const I = { tagged: 81501, listed: 82501, plain: 83501 };

let t: TestDatabase;
let h: Harness;
const ops = (from: number) => h.standin.calls.slice(from).map((c) => [c.operationName, c.variables] as const);

beforeAll(async () => {
  t = await createTestDatabase("sync_actions");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    shop.addProduct({
      id: P.tagged,
      title: "Fisherman Sweater",
      tags: ["Preorder", "winter"],
      updatedAt: BEFORE,
      variants: [{ id: V.tagged, inventoryItemId: I.tagged, stock: { [LOCATION]: 1 } }],
    });
    shop.addProduct({
      id: P.listed,
      title: "Wool Mittens",
      updatedAt: BEFORE,
      variants: [{ id: V.listed, inventoryItemId: I.listed, stock: { [LOCATION]: 1 } }],
    });
    shop.addProduct({
      id: P.plain,
      title: "Scarf",
      updatedAt: BEFORE,
      variants: [{ id: V.plain, inventoryItemId: I.plain, stock: { [LOCATION]: 1 } }],
    });
  });
  await t.db.shopSettings.create({ data: { shop: SHOP, autoEnableTag: "preorder" } });
  await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: String(V.listed), autoEnable: true } });
  await h.deliver([
    {
      topic: "products/update",
      payload: productPayload({
        id: P.tagged,
        title: "Fisherman Sweater",
        tags: "Preorder, winter",
        updatedAt: BEFORE,
        variants: [{ id: V.tagged, inventoryItemId: I.tagged, policy: "deny" }],
      }),
    },
    {
      topic: "products/update",
      payload: productPayload({
        id: P.listed,
        title: "Wool Mittens",
        updatedAt: BEFORE,
        variants: [{ id: V.listed, inventoryItemId: I.listed, policy: "deny" }],
      }),
    },
    {
      topic: "products/update",
      payload: productPayload({
        id: P.plain,
        title: "Scarf",
        updatedAt: BEFORE,
        variants: [{ id: V.plain, inventoryItemId: I.plain, policy: "deny" }],
      }),
    },
  ]);
});
afterAll(async () => {
  await h.close();
  await t.drop();
});

describe("auto-enable", () => {
  it("switches backorders on for variants on the rule when they sell out, and tells Shopify", async () => {
    await h.sync();
    // Stock not known yet is not "sold out": nothing was switched on by the product webhooks alone.
    expect(await t.db.variantPolicy.count({ where: { shop: SHOP, enabled: true } })).toBe(0);
    const from = h.standin.calls.length;
    await h.deliver([
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(I.tagged, LOCATION, 0, "2026-11-20T10:00:00-05:00") },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(I.listed, LOCATION, 0, "2026-11-20T10:00:00-05:00") },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(I.plain, LOCATION, 0, "2026-11-20T10:00:00-05:00") },
    ]);
    const policies = await t.db.variantPolicy.findMany({
      where: { shop: SHOP },
      orderBy: { variantId: "asc" },
      select: { variantId: true, enabled: true },
    });
    expect(policies).toEqual([
      { variantId: String(V.tagged), enabled: true }, // tag "preorder" (case-insensitive)
      { variantId: String(V.listed), enabled: true }, // on the list
    ]);
    await h.sync();
    const calls = ops(from);
    const byProduct = (a: readonly [string | null, Record<string, unknown>], b: readonly [string | null, Record<string, unknown>]) =>
      String(a[1].productId).localeCompare(String(b[1].productId));
    expect(calls.filter(([op]) => op === "UpdateVariantPolicies").sort(byProduct)).toEqual([
      [
        "UpdateVariantPolicies",
        {
          productId: `gid://shopify/Product/${P.tagged}`,
          variants: [{ id: `gid://shopify/ProductVariant/${V.tagged}`, inventoryPolicy: "CONTINUE" }],
        },
      ],
      [
        "UpdateVariantPolicies",
        {
          productId: `gid://shopify/Product/${P.listed}`,
          variants: [{ id: `gid://shopify/ProductVariant/${V.listed}`, inventoryPolicy: "CONTINUE" }],
        },
      ],
    ]);
    const metafields = calls
      .filter(([op]) => op === "SetMetafields")
      .flatMap(([, v]) =>
        (v.metafields as { ownerId: string; value: string }[]).map((m) => [m.ownerId, (JSON.parse(m.value) as { state: string }).state]),
      )
      .sort();
    expect(metafields).toEqual([
      [`gid://shopify/ProductVariant/${V.tagged}`, "backorder"],
      [`gid://shopify/ProductVariant/${V.listed}`, "backorder"],
    ]);
    expect(h.standin.storefront(SHOP).find((p) => p.title === "Scarf")!.variants[0]).toMatchObject({
      inventoryPolicy: "DENY",
      backorderStatus: null,
    });
  });
});

describe("the merchant's bulk cancel", () => {
  const ORDER = 5501;
  it("cancels the order in Shopify, then untags it when Shopify's cancellation comes back", async () => {
    await h.deliver([
      {
        topic: "orders/create",
        payload: orderPayload({
          id: ORDER,
          createdAt: "2026-11-20T11:00:00-05:00",
          lines: [{ id: 55011, variantId: V.tagged, quantity: 2 }],
        }),
      },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(I.tagged, LOCATION, -2, "2026-11-20T11:00:00-05:00") },
    ]);
    await h.sync();
    const fo = h.shop.fulfillmentOrdersOf(`gid://shopify/Order/${ORDER}`)[0]!;
    expect(fo.status).toBe("ON_HOLD");

    const from = h.standin.calls.length;
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "order-cancel", String(ORDER), h.clock.date()));
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(ops(from)).toEqual([
      [
        "CancelOrder",
        {
          orderId: `gid://shopify/Order/${ORDER}`,
          reason: "INVENTORY",
          restock: true,
          notifyCustomer: true,
          refundMethod: { originalPaymentMethodsRefund: true },
          staffNote: "Cancelled from Backorder Queue: backordered items could not be supplied.",
        },
      ],
    ]);
    expect(h.shop.orders.get(`gid://shopify/Order/${ORDER}`)!.cancelledAt).not.toBeNull();
    expect(fo).toMatchObject({ status: "CLOSED", holds: [] });

    // Shopify's webhooks for the cancellation (restocked units included) drive the engine; the tag goes.
    const after = h.standin.calls.length;
    await h.deliver([
      {
        topic: "orders/cancelled",
        payload: orderPayload({
          id: ORDER,
          createdAt: "2026-11-20T11:00:00-05:00",
          updatedAt: "2026-11-20T12:00:00-05:00",
          cancelledAt: "2026-11-20T12:00:00-05:00",
          lines: [{ id: 55011, variantId: V.tagged, quantity: 2, fulfillable: 0 }],
        }),
      },
      { topic: "inventory_levels/update", payload: inventoryLevelPayload(I.tagged, LOCATION, 0, "2026-11-20T12:00:00-05:00") },
    ]);
    await h.sync();
    expect(ops(after).filter(([op]) => !/Metafields$/.test(op ?? ""))).toEqual([
      ["RemoveTags", { id: `gid://shopify/Order/${ORDER}`, tags: ["backorder"] }],
      ["OrderFulfillmentOrders", { id: `gid://shopify/Order/${ORDER}`, after: null }],
    ]);
    expect(await t.db.syncedOrder.findUniqueOrThrow({ where: { shop_orderId: { shop: SHOP, orderId: String(ORDER) } } })).toMatchObject({
      tagged: false,
    });
    expect(await t.db.orderHold.count({ where: { shop: SHOP, orderId: String(ORDER) } })).toBe(0);

    // Cancelling again (a double click) sends nothing: the order is already cancelled.
    const again = h.standin.calls.length;
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "order-cancel", String(ORDER), h.clock.date()));
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(h.standin.calls.length).toBe(again);
  });
});

describe("install and the task queue", () => {
  it("queues the catalog sync once at install, again after a reinstall", async () => {
    const shop = "fresh-install.myshopify.com";
    expect(await queueCatalogSyncOnInstall(t.db, shop, h.clock.date())).toBe(true);
    const task = await t.db.syncTask.findUniqueOrThrow({ where: { shop_kind_targetId: { shop, kind: "catalog", targetId: shop } } });
    expect(task.status).toBe("pending");
    await t.db.shopSettings.upsert({
      where: { shop },
      create: { shop, catalogSyncedAt: h.clock.date() },
      update: { catalogSyncedAt: h.clock.date() },
    });
    expect(await queueCatalogSyncOnInstall(t.db, shop, h.clock.date())).toBe(false); // re-auth of an installed shop
    await t.db.shopSettings.update({ where: { shop }, data: { uninstalledAt: h.clock.date() } });
    expect(await queueCatalogSyncOnInstall(t.db, shop, h.clock.date())).toBe(true);
    expect((await t.db.shopSettings.findUniqueOrThrow({ where: { shop } })).uninstalledAt).toBeNull();
  });

  it("debounces with a maximum wait: a stream of changes cannot postpone a push forever", async () => {
    const t0 = h.clock.now();
    const key = { shop_kind_targetId: { shop: SHOP, kind: "variant", targetId: "debounce-1" } };
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "variant", "debounce-1", new Date(t0 + 2000)));
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "variant", "debounce-1", new Date(t0 + 3500)));
    expect((await t.db.syncTask.findUniqueOrThrow({ where: key })).dueAt.getTime()).toBe(t0 + 2000);
    // Sooner wins too.
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "variant", "debounce-1", new Date(t0 + 500)));
    expect((await t.db.syncTask.findUniqueOrThrow({ where: key })).dueAt.getTime()).toBe(t0 + 500);
    await t.db.syncTask.delete({ where: key });
  });
});
