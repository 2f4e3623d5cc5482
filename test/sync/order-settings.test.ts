// The merchant changes the order tag or the fulfillment hold in Settings: the orders with
// waiting lines (and those the app tagged or held) are pushed again, so Shopify follows
// the new setting; a renamed tag leaves no old tag behind. Also the batched enqueue that
// makes this affordable for a shop with thousands of orders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { loadSettings, saveSettings } from "../../app/admin/settings.server.ts";
import { retryFailedSyncTasks } from "../../app/sync/runner.server.ts";
import { enqueueTasks } from "../../app/sync/tasks.server.ts";
import type { HoldMode } from "../../app/backorder/hold-plan.ts";

const SHOP = "tag-rename.myshopify.com";
const LOCATION = 66001;
const BEFORE = "2026-11-20T09:00:00Z";
const SHORT = { product: 6100, variant: 61001, item: 61501 };
const STOCKED = { product: 6200, variant: 62001, item: 62501 };
const ORDERS = [6601, 6602];
const PLAIN_ORDER = 6603; // only stocked items: never backordered, never touched
const orderGid = (id: number) => `gid://shopify/Order/${id}`;

let t: TestDatabase;
let h: Harness;

/** Tag and hold mutations since `from`, in a stable order. */
const pushes = (from: number) =>
  h.standin.calls
    .slice(from)
    .filter((c) => !["OrderFulfillmentOrders", "SetMetafields", "ShopFacts"].includes(c.operationName ?? ""))
    .map((c) => {
      const v = c.variables as { id: string; tags?: string[] };
      const order =
        c.operationName === "AddTags" || c.operationName === "RemoveTags" ? v.id : String(h.shop.fulfillmentOrders.get(v.id)?.orderId);
      return `${order.replace("gid://shopify/Order/", "")} ${c.operationName}${v.tags ? ` ${v.tags.join(",")}` : ""}`;
    })
    .sort();

const tagsOf = (id: number) => [...h.shop.orders.get(orderGid(id))!.tags].sort();
const synced = (id: number) => t.db.syncedOrder.findUniqueOrThrow({ where: { shop_orderId: { shop: SHOP, orderId: String(id) } } });

async function save(change: { orderTag?: string; holdMode?: HoldMode }) {
  const s = await loadSettings(t.db, SHOP);
  const form = {
    messageTemplate: s.messageTemplate,
    defaultLeadTimeDays: String(s.defaultLeadTimeDays),
    processingDays: String(s.processingDays),
    autoEnableTag: s.autoEnableTag ?? "",
    autoEnableCollectionId: s.autoEnableCollectionId ?? "",
    orderTag: change.orderTag ?? s.orderTag,
    holdMode: change.holdMode ?? s.holdMode,
  };
  return saveSettings(t.db, SHOP, form, h.clock.date());
}

beforeAll(async () => {
  t = await createTestDatabase("sync_order_settings");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    shop.addProduct({
      id: SHORT.product,
      title: "Wool Coat",
      updatedAt: BEFORE,
      variants: [{ id: SHORT.variant, inventoryItemId: SHORT.item, stock: { [LOCATION]: 0 } }],
    });
    shop.addProduct({
      id: STOCKED.product,
      title: "Socks",
      updatedAt: BEFORE,
      variants: [{ id: STOCKED.variant, inventoryItemId: STOCKED.item, stock: { [LOCATION]: 50 } }],
    });
  });
  await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: String(SHORT.variant), enabled: true } });
  await h.deliver([
    ...[SHORT, STOCKED].map((x) => ({
      topic: "products/update",
      payload: productPayload({
        id: x.product,
        title: `Product ${x.product}`,
        updatedAt: BEFORE,
        variants: [{ id: x.variant, inventoryItemId: x.item, policy: x === SHORT ? "continue" : "deny" }],
      }),
    })),
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(STOCKED.item, LOCATION, 50, "2026-11-20T09:30:00-05:00") },
    ...ORDERS.map((id, i) => ({
      topic: "orders/create",
      payload: orderPayload({
        id,
        createdAt: `2026-11-20T1${i}:00:00-05:00`,
        lines: [{ id: id * 10 + 1, variantId: SHORT.variant, quantity: 1 }],
      }),
    })),
    {
      topic: "orders/create",
      payload: orderPayload({
        id: PLAIN_ORDER,
        createdAt: "2026-11-20T12:00:00-05:00",
        lines: [{ id: PLAIN_ORDER * 10 + 1, variantId: STOCKED.variant, quantity: 1 }],
      }),
    },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(SHORT.item, LOCATION, -2, "2026-11-20T12:00:00-05:00") },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(STOCKED.item, LOCATION, 49, "2026-11-20T12:00:00-05:00") },
  ]);
  h.shop.orders.get(orderGid(ORDERS[0]!))!.tags.push("vip"); // the merchant's own tag: never ours to touch
  await h.sync();
});
afterAll(async () => {
  await h?.close();
  await t?.drop();
});

describe("changing the order settings", () => {
  it("starts from the default tag and a hold on each backordered order", async () => {
    expect(tagsOf(ORDERS[0]!)).toEqual(["backorder", "vip"]);
    expect(tagsOf(ORDERS[1]!)).toEqual(["backorder"]);
    for (const id of ORDERS) expect(h.shop.fulfillmentOrdersOf(orderGid(id)).map((f) => f.status)).toEqual(["ON_HOLD"]);
    expect(await synced(ORDERS[0]!)).toMatchObject({ tagged: true, tag: "backorder" });
    expect(tagsOf(PLAIN_ORDER)).toEqual([]);
  });

  it("renames the tag on every backordered order: the old one goes, the merchant's stay", async () => {
    expect(await save({ orderTag: "awaiting-stock" })).toMatchObject({ ok: true, resynced: 0, ordersResynced: 2 });
    const tasks = await t.db.syncTask.findMany({ where: { shop: SHOP, kind: "order", status: "pending" }, select: { targetId: true } });
    expect(tasks.map((x) => x.targetId).sort()).toEqual(ORDERS.map(String));
    const from = h.standin.calls.length;
    expect(await h.run()).toEqual({ done: 2, retrying: 0, failed: 0 });
    expect(pushes(from)).toEqual([
      "6601 AddTags awaiting-stock",
      "6601 RemoveTags backorder",
      "6602 AddTags awaiting-stock",
      "6602 RemoveTags backorder",
    ]);
    // Removed before added: the order never carries both.
    const first = h.standin.calls
      .slice(from)
      .filter((c) => (c.variables as { id?: string }).id === orderGid(ORDERS[0]!))
      .map((c) => c.operationName);
    expect(first.indexOf("RemoveTags")).toBeLessThan(first.indexOf("AddTags"));
    expect(tagsOf(ORDERS[0]!)).toEqual(["awaiting-stock", "vip"]);
    expect(tagsOf(ORDERS[1]!)).toEqual(["awaiting-stock"]);
    expect(await synced(ORDERS[1]!)).toMatchObject({ tagged: true, tag: "awaiting-stock" });
    expect(h.shop.fulfillmentOrdersOf(orderGid(ORDERS[0]!)).map((f) => f.status)).toEqual(["ON_HOLD"]); // holds untouched
  });

  it("finishes a rename that failed halfway on the merchant's retry", async () => {
    await save({ orderTag: "bo-wait" });
    h.standin.failNext(
      1,
      { kind: "userErrors", userErrors: [{ field: ["tags"], message: "Tags are invalid" }] },
      (c) => c.operationName === "AddTags",
    );
    const from = h.standin.calls.length;
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 1 });
    const failed = await t.db.syncTask.findFirstOrThrow({ where: { shop: SHOP, kind: "order", status: "failed" } });
    const halfway = Number(failed.targetId);
    // The old tag is gone, the new one not there yet, and the database says so.
    expect(tagsOf(halfway)).not.toContain("awaiting-stock");
    expect(tagsOf(halfway)).not.toContain("bo-wait");
    expect(await synced(halfway)).toMatchObject({ tagged: false, tag: null });
    expect(pushes(from).filter((p) => p.startsWith(String(halfway)))).toEqual([
      `${halfway} AddTags bo-wait`,
      `${halfway} RemoveTags awaiting-stock`,
    ]); // the add was refused

    // The admin's retry is the sync runner's, scoped to the shop.
    expect(await retryFailedSyncTasks(t.db, "someone-else.myshopify.com", undefined, h.clock.date())).toBe(0);
    expect(await retryFailedSyncTasks(t.db, SHOP, undefined, h.clock.date())).toBe(1);
    const again = h.standin.calls.length;
    expect(await h.run()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(pushes(again)).toEqual([`${halfway} AddTags bo-wait`]);
    for (const id of ORDERS) expect(tagsOf(id)).toContain("bo-wait");
  });

  it("releases the app's holds when holds are turned off, and places them again when turned on", async () => {
    expect(await save({ holdMode: "off" })).toMatchObject({ ok: true, ordersResynced: 2 });
    let from = h.standin.calls.length;
    // The two orders, and the shop metafield the cart notice reads (test/sync/shop-shipping.test.ts).
    expect(await h.run()).toEqual({ done: 3, retrying: 0, failed: 0 });
    expect(pushes(from)).toEqual(["6601 ReleaseFulfillmentOrderHold", "6602 ReleaseFulfillmentOrderHold"]);
    for (const id of ORDERS) {
      expect(h.shop.fulfillmentOrdersOf(orderGid(id))).toMatchObject([{ status: "OPEN", holds: [] }]);
      expect(await synced(id)).toMatchObject({ tag: "bo-wait" });
      expect(await t.db.orderHold.count({ where: { shop: SHOP, orderId: String(id) } })).toBe(0);
    }

    expect(await save({ holdMode: "lines" })).toMatchObject({ ok: true, ordersResynced: 2 });
    from = h.standin.calls.length;
    expect(await h.run()).toEqual({ done: 3, retrying: 0, failed: 0 });
    expect(pushes(from)).toEqual(["6601 HoldFulfillmentOrder", "6602 HoldFulfillmentOrder"]);
    for (const id of ORDERS) expect(h.shop.fulfillmentOrdersOf(orderGid(id)).map((f) => f.status)).toEqual(["ON_HOLD"]);
  });

  it("removes the old tag from orders tagged before the tag was recorded", async () => {
    // A row written before SyncedOrder.tag existed: tagged, tag unknown.
    await t.db.syncedOrder.update({ where: { shop_orderId: { shop: SHOP, orderId: String(ORDERS[0]) } }, data: { tag: null } });
    await save({ orderTag: "backorder" });
    expect(await synced(ORDERS[0]!)).toMatchObject({ tagged: true, tag: "bo-wait" }); // recorded from the old setting
    const from = h.standin.calls.length;
    await h.run();
    expect(pushes(from)).toEqual([
      "6601 AddTags backorder",
      "6601 RemoveTags bo-wait",
      "6602 AddTags backorder",
      "6602 RemoveTags bo-wait",
    ]);
    expect(tagsOf(ORDERS[0]!)).toEqual(["backorder", "vip"]);
  });

  it("takes the app's tag off when tagging is turned off, and touches nothing when nothing changed", async () => {
    await save({ orderTag: "" });
    const from = h.standin.calls.length;
    await h.run();
    expect(pushes(from)).toEqual(["6601 RemoveTags backorder", "6602 RemoveTags backorder"]);
    expect(tagsOf(ORDERS[0]!)).toEqual(["vip"]);
    expect(tagsOf(ORDERS[1]!)).toEqual([]);
    expect(await synced(ORDERS[1]!)).toMatchObject({ tagged: false, tag: null });

    expect(await save({})).toMatchObject({ ok: true, resynced: 0, ordersResynced: 0 });
    expect(await t.db.syncTask.count({ where: { shop: SHOP, kind: "order", status: "pending" } })).toBe(0);
    expect(await t.db.syncTask.count({ where: { shop: SHOP, kind: "order", targetId: String(PLAIN_ORDER) } })).toBe(0);
  });
});

describe("enqueueTasks", () => {
  it("queues thousands of targets in batches with enqueueTask's rule for rows already there", async () => {
    const shop = "bulk-enqueue.myshopify.com";
    const now = h.clock.date();
    const at = (ms: number) => new Date(now.getTime() + ms);
    await t.db.syncTask.createMany({
      data: [
        { shop, kind: "order", targetId: "t-sooner", status: "pending", dueAt: at(-5000), attempts: 2, lastError: "attempt 2: 502" },
        { shop, kind: "order", targetId: "t-later", status: "pending", dueAt: at(60_000) },
        { shop, kind: "order", targetId: "t-done", status: "done", dueAt: at(-60_000), attempts: 1 },
        { shop, kind: "order", targetId: "t-failed", status: "failed", dueAt: at(-60_000), attempts: 6, lastError: "gave up" },
        { shop, kind: "order", targetId: "t-running", status: "running", dueAt: at(-1000), lockedUntil: at(300_000), attempts: 1 },
        { shop, kind: "order-cancel", targetId: "t-done", status: "done", dueAt: at(-60_000) }, // another kind
        { shop: "neighbour.myshopify.com", kind: "order", targetId: "t-done", status: "done", dueAt: at(-60_000) }, // another shop
      ],
    });
    const fresh = Array.from({ length: 1195 }, (_, i) => `new-${i}`);
    const targets = ["t-sooner", "t-later", "t-done", "t-failed", "t-running", ...fresh, "t-done"];
    expect(await t.db.$transaction((tx) => enqueueTasks(tx, shop, "order", targets, now))).toBe(1200);

    const rows = new Map((await t.db.syncTask.findMany({ where: { shop, kind: "order" } })).map((r) => [r.targetId, r]));
    expect(rows.size).toBe(1200);
    const pick = (id: string) => {
      const r = rows.get(id)!;
      return { status: r.status, dueAt: r.dueAt.getTime() - now.getTime(), attempts: r.attempts, lastError: r.lastError };
    };
    expect(pick("t-sooner")).toEqual({ status: "pending", dueAt: -5000, attempts: 0, lastError: null }); // keeps its sooner time
    expect(pick("t-later")).toEqual({ status: "pending", dueAt: 0, attempts: 0, lastError: null }); // brought forward
    expect(pick("t-done")).toEqual({ status: "pending", dueAt: 0, attempts: 0, lastError: null });
    expect(pick("t-failed")).toEqual({ status: "pending", dueAt: 0, attempts: 0, lastError: null });
    expect(pick("t-running")).toEqual({ status: "pending", dueAt: 0, attempts: 0, lastError: null }); // newer work after the push in flight
    expect(fresh.every((id) => rows.get(id)?.status === "pending" && rows.get(id)!.dueAt.getTime() === now.getTime())).toBe(true);
    expect((await t.db.syncTask.findFirstOrThrow({ where: { shop, kind: "order-cancel" } })).status).toBe("done");
    expect((await t.db.syncTask.findFirstOrThrow({ where: { shop: "neighbour.myshopify.com" } })).status).toBe("done");
  });
});
