// Lines' locations from Shopify's fulfillment orders, end to end through the stand-in
// (docs/decisions/0021-per-location-queues.md): fulfillment_orders/order_routing_complete and
// /moved name fulfillment orders only; the locations sync task reads each one from the Admin
// API and the queue becomes exact per location. The lamp: short 1 at East, 1 at West.
// A line split over two fulfillment orders, and a partial move: decision 0033.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { SYNC_KIND } from "../../app/sync/task-kind.ts";
import { enqueueLocationBackfill } from "../../app/sync/location-backfill.server.ts";
import { refreshDatesForNewDay } from "../../app/sync/daily-dates.server.ts";
import { loadQueuePage } from "../../app/admin/queue.server.ts";
import { DEFAULT_QUERY } from "../../app/admin/queue-query.ts";

const SHOP = "lamps.myshopify.com";
const EAST = 88001;
const WEST = 88002;
const LAMP = { product: 8100, variant: 81001, item: 81501 };
const BEFORE = "2026-11-20T09:00:00Z";
const orderGid = (id: number) => `gid://shopify/Order/${id}`;

let t: TestDatabase;
let h: Harness;
let stamp = Date.parse("2026-11-20T12:00:00Z");
const next = () => new Date((stamp += 60_000)).toISOString();

const level = (location: number, available: number) => ({
  topic: "inventory_levels/update",
  payload: inventoryLevelPayload(LAMP.item, location, available, next()),
});
const lines = async () =>
  (
    await t.db.backorderLine.findMany({
      where: { shop: SHOP },
      orderBy: { lineItemId: "asc" },
      select: { lineItemId: true, state: true, waitingQuantity: true, assignedLocationId: true },
    })
  ).map((l) => [Number(l.lineItemId), l.state, l.waitingQuantity, l.assignedLocationId && Number(l.assignedLocationId)]);

/** An order Shopify routed to one location: the stand-in has it, then its orders/create webhook arrives. */
async function order(id: number, location: number, quantity: number) {
  h.shop.addOrder({ id, locationId: location, createdAt: next(), lines: [{ id: id * 10 + 1, variantId: LAMP.variant, quantity }] });
  await h.deliver([
    {
      topic: "orders/create",
      payload: orderPayload({ id, createdAt: next(), lines: [{ id: id * 10 + 1, variantId: LAMP.variant, quantity }] }),
    },
  ]);
}
const foOf = (id: number) => h.shop.fulfillmentOrdersOf(orderGid(id))[0]!;
const routed = (id: number) => ({
  topic: "fulfillment_orders/order_routing_complete",
  payload: { fulfillment_order: { id: foOf(id).id, status: "open" } },
});

beforeAll(async () => {
  t = await createTestDatabase("sync_locations");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(EAST, "East warehouse");
    shop.addLocation(WEST, "West store");
    shop.addProduct({
      id: LAMP.product,
      title: "Lamp",
      updatedAt: BEFORE,
      variants: [{ id: LAMP.variant, inventoryItemId: LAMP.item, stock: { [EAST]: 0, [WEST]: 1 } }],
    });
  });
  await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: String(LAMP.variant), enabled: true } });
  await h.deliver([
    {
      topic: "products/update",
      payload: productPayload({
        id: LAMP.product,
        title: "Lamp",
        updatedAt: BEFORE,
        variants: [{ id: LAMP.variant, inventoryItemId: LAMP.item, policy: "continue" }],
      }),
    },
    level(EAST, 0),
    level(WEST, 1),
  ]);
  await h.sync();
});
afterAll(async () => {
  await h?.close();
  await t?.drop();
});

describe("lines placed where Shopify routed them", () => {
  it("the lamp: before the routing is read the newest line takes both units; after it, each location's own line waits", async () => {
    await order(81, EAST, 1);
    await h.deliver([level(EAST, -1)]);
    await order(82, WEST, 2);
    await h.deliver([level(WEST, -1)]);
    expect(await lines()).toEqual([
      [811, "allocated", 0, null],
      [821, "waiting", 2, null],
    ]);
    await h.deliver([routed(81), routed(82)]);
    // The webhooks queue one task per fulfillment order; the sync reads them.
    expect(
      (await t.db.syncTask.findMany({ where: { shop: SHOP, kind: SYNC_KIND.locations }, select: { targetId: true } }))
        .map((r) => r.targetId)
        .sort(),
    ).toEqual([foOf(81).id, foOf(82).id].map((g) => g.split("/").pop()).sort());
    await h.sync();
    expect(await lines()).toEqual([
      [811, "waiting", 1, EAST],
      [821, "waiting", 1, WEST],
    ]);
    expect(h.standin.calls.some((c) => c.operationName === "LocatedFulfillmentOrder")).toBe(true);
  });

  it("follows a fulfillment order the merchant moves to another location (fulfillment_orders/moved)", async () => {
    // East's order moves to West: its committed unit leaves East (0) and is short at West (-2).
    // (Before the move is read, East's line waits for East's stock; after it, West's queue holds both.)
    h.clock.advance(60_000);
    const fo = h.shop.moveFulfillmentOrder(foOf(81).id, `gid://shopify/Location/${WEST}`);
    await h.deliver([
      level(EAST, 0),
      level(WEST, -2),
      {
        topic: "fulfillment_orders/moved",
        payload: {
          original_fulfillment_order: { id: fo.id, status: "open", assigned_location_id: `gid://shopify/Location/${WEST}` },
          moved_fulfillment_order: null,
          destination_location_id: `gid://shopify/Location/${WEST}`,
          fulfillment_order_line_items_requested: null,
          source_location: { id: `gid://shopify/Location/${EAST}` },
        },
      },
    ]);
    await h.sync();
    // At West now: 3 units ordered, 1 in stock. The moved East order is the older: the stock is its.
    expect(await lines()).toEqual([
      [811, "allocated", 0, WEST],
      [821, "waiting", 2, WEST],
    ]);
    // A restock of 1 at West serves West's next line.
    await h.deliver([level(WEST, -1)]);
    expect(await lines()).toEqual([
      [811, "allocated", 0, WEST],
      [821, "waiting", 1, WEST],
    ]);
  });

  it("a repeated routing webhook reads again and changes nothing", async () => {
    const before = await lines();
    await h.deliver([routed(82), routed(82)]);
    await h.sync();
    expect(await lines()).toEqual(before);
  });

  it("backfill: orders whose routing webhook never came are read, a bounded few per pass, each order once", async () => {
    // Two East orders whose fulfillment_orders webhooks were lost (or came before the subscription).
    await order(83, EAST, 1);
    await order(84, EAST, 1);
    await h.deliver([level(EAST, -2)]);
    await h.sync();
    expect((await lines()).filter(([id]) => id === 831 || id === 841)).toEqual([
      [831, "waiting", 1, null],
      [841, "waiting", 1, null],
    ]);
    const backfill = (limit?: number) => t.db.$transaction((tx) => enqueueLocationBackfill(tx, SHOP, new Date(stamp), limit));
    const tasks = async () =>
      (await t.db.syncTask.findMany({ where: { shop: SHOP, kind: SYNC_KIND.locations, targetId: { startsWith: "order:" } } }))
        .map((r) => r.targetId)
        .sort();
    // One order per pass here: the oldest first, then the next (the first is not chosen again).
    expect(await backfill(1)).toBe(1);
    expect(await tasks()).toEqual(["order:83"]);
    await h.sync();
    expect(h.standin.calls.some((c) => c.operationName === "OrderFulfillmentOrders")).toBe(true);
    // The daily pass (the worker's date refresh) queues the rest.
    await t.db.shopSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP }, update: {} });
    expect((await refreshDatesForNewDay(t.db, new Date(stamp + 86_400_000))).shops).toBe(1);
    expect(await tasks()).toEqual(["order:83", "order:84"]);
    await h.sync();
    expect((await lines()).filter(([id]) => id === 831 || id === 841)).toEqual([
      [831, "waiting", 1, EAST],
      [841, "waiting", 1, EAST],
    ]);
    // Nothing left unplaced: a pass queues nothing more.
    expect(await backfill()).toBe(0);
  });
});

describe("a line Shopify splits over two locations (decision 0033)", () => {
  const SHADE = { product: 8200, variant: 82001, item: 82501 };
  const locationGid = (id: number) => `gid://shopify/Location/${id}`;
  const shadeLevel = (location: number, available: number) => ({
    topic: "inventory_levels/update",
    payload: inventoryLevelPayload(SHADE.item, location, available, next()),
  });
  const shadeLines = async () =>
    (
      await t.db.backorderLine.findMany({
        where: { shop: SHOP, variantId: String(SHADE.variant) },
        orderBy: { lineItemId: "asc" },
        select: { lineItemId: true, state: true, waitingQuantity: true, waitingParts: true },
      })
    ).map((l) => [Number(l.lineItemId), l.state, l.waitingQuantity, l.waitingParts && JSON.parse(l.waitingParts)]);
  const placeOrder = async (id: number, location: number, quantity: number, split?: Record<string, number>) => {
    const line = { id: id * 10 + 1, variantId: SHADE.variant, quantity };
    h.shop.addOrder({ id, locationId: location, createdAt: next(), lines: [{ ...line, ...(split ? { split } : {}) }] });
    await h.deliver([{ topic: "orders/create", payload: orderPayload({ id, createdAt: next(), lines: [line] }) }]);
  };
  const routedAll = (id: number) =>
    h.shop.fulfillmentOrdersOf(orderGid(id)).map((fo) => ({
      topic: "fulfillment_orders/order_routing_complete",
      payload: { fulfillment_order: { id: fo.id, status: "open" } },
    }));
  const positions = async () =>
    Object.fromEntries(
      (await loadQueuePage(t.db, SHOP, { ...DEFAULT_QUERY, variantId: String(SHADE.variant) }, new Date(stamp))).rows.map((r) => [
        Number(r.lineItemId),
        r.position,
      ]),
    );

  it("3 shades, 2 from East and 1 from West: each part waits at its own location; a partial move follows", async () => {
    h.shop.addProduct({
      id: SHADE.product,
      title: "Shade",
      updatedAt: BEFORE,
      variants: [{ id: SHADE.variant, inventoryItemId: SHADE.item, stock: { [EAST]: 0, [WEST]: 0 } }],
    });
    await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: String(SHADE.variant), enabled: true } });
    await h.deliver([
      {
        topic: "products/update",
        payload: productPayload({
          id: SHADE.product,
          title: "Shade",
          updatedAt: BEFORE,
          variants: [{ id: SHADE.variant, inventoryItemId: SHADE.item, policy: "continue" }],
        }),
      },
      shadeLevel(EAST, 0),
      shadeLevel(WEST, 0),
    ]);
    await placeOrder(91, WEST, 1);
    await placeOrder(92, EAST, 3, { [EAST]: 2, [WEST]: 1 });
    // The stand-in holds order 92's line in two fulfillment orders, as Shopify routes it.
    expect(h.shop.fulfillmentOrdersOf(orderGid(92)).map((fo) => [fo.locationId, fo.lineItems.map((l) => l.remainingQuantity)])).toEqual([
      [locationGid(EAST), [2]],
      [locationGid(WEST), [1]],
    ]);
    await h.deliver([shadeLevel(EAST, -2), shadeLevel(WEST, -2), ...routedAll(91), ...routedAll(92)]);
    await h.sync();
    expect(await shadeLines()).toEqual([
      [911, "waiting", 1, null],
      [921, "waiting", 3, { [EAST]: 2, [WEST]: 1 }],
    ]);
    // 921 is first at East (its 2 units) and second at West (1 unit behind 911's): both parts end at
    // the 2nd unit, the same date; the position is the one with a line ahead.
    expect(await positions()).toEqual({ 911: 1, 921: 2 });

    // The merchant moves 1 of the East fulfillment order's 2 shades to West (fulfillmentOrderMove with
    // fulfillmentOrderLineItems): a new fulfillment order at West holds it, the original keeps 1.
    h.clock.advance(60_000);
    const east = h.shop.fulfillmentOrdersOf(orderGid(92)).find((fo) => fo.locationId === locationGid(EAST))!;
    const moved = h.shop.moveFulfillmentOrder(east.id, locationGid(WEST), [{ id: east.lineItems[0]!.id, quantity: 1 }]);
    expect(moved.id).not.toBe(east.id);
    // (The original is on the app's hold, decision 0008: a hold does not stop a move.)
    // West already had an active fulfillment order of this order: Shopify closes it and the new one holds both
    // (2 units); the moved webhook does not name the closed one, whose older part (1 at West) is served last.
    const westBefore = h.shop.fulfillmentOrdersOf(orderGid(92)).find((fo) => fo.locationId === locationGid(WEST) && fo.id !== moved.id)!;
    expect([east.status, east.lineItems[0]!.remainingQuantity, moved.lineItems[0]!.remainingQuantity, westBefore.status]).toEqual([
      "ON_HOLD",
      1,
      2,
      "CLOSED",
    ]);
    await h.deliver([
      shadeLevel(EAST, -1),
      shadeLevel(WEST, -3),
      {
        topic: "fulfillment_orders/moved",
        payload: {
          original_fulfillment_order: { id: east.id, status: "open", assigned_location_id: locationGid(EAST) },
          moved_fulfillment_order: { id: moved.id, status: "open", assigned_location_id: locationGid(WEST) },
          destination_location_id: locationGid(WEST),
          fulfillment_order_line_items_requested: [{ id: east.lineItems[0]!.id, quantity: 1 }],
          source_location: { id: locationGid(EAST) },
        },
      },
    ]);
    await h.sync();
    expect(await shadeLines()).toEqual([
      [911, "waiting", 1, null],
      [921, "waiting", 3, { [EAST]: 1, [WEST]: 2 }],
    ]);
    // A restock of 1 at West serves West's oldest, 911; 921's parts keep waiting.
    await h.deliver([shadeLevel(WEST, -2)]);
    expect(await shadeLines()).toEqual([
      [911, "allocated", 0, null],
      [921, "waiting", 3, { [EAST]: 1, [WEST]: 2 }],
    ]);
    // A repeated move webhook reads again and changes nothing.
    await h.deliver([...routedAll(92), ...routedAll(92)]);
    await h.sync();
    expect(await shadeLines()).toEqual([
      [911, "allocated", 0, null],
      [921, "waiting", 3, { [EAST]: 1, [WEST]: 2 }],
    ]);
  });
});
