// Fulfillment holds end to end through the stand-in: only the backordered units are held
// (Shopify splits the fulfillment order, in-stock items stay open to ship), fewer units after
// a partial restock, the whole-order and no-holds settings, orders whose fulfillment orders
// and lines run past one page, and holds on orders older than Shopify's 60-day window
// released through their recorded fulfillment order ids.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createHarness, type Harness } from "./harness.ts";
import { inventoryLevelPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";
import { loadSettings, loadSyncProblems, retryHoldReleases, saveSettings } from "../../app/admin/settings.server.ts";
import { HOLD_HANDLE, releaseRecordedHolds } from "../../app/sync/order-sync.server.ts";
import { enqueueTask } from "../../app/sync/tasks.server.ts";
import type { HoldMode } from "../../app/backorder/hold-plan.ts";

const SHOP = "holds.myshopify.com";
const LOCATION = 77001;
const OTHER_LOCATIONS = Array.from({ length: 11 }, (_, i) => 77002 + i);
const BEFORE = "2026-11-20T09:00:00Z";
const DAY = 24 * 60 * 60 * 1000;
const SHORT = { product: 7100, variant: 71001, item: 71501 };
const STOCKED = { product: 7200, variant: 72001, item: 72501 };
const SHORT2 = { product: 7300, variant: 73001, item: 73501 };
const SHORT3 = { product: 7400, variant: 74001, item: 74501 };
const MIXED = 7601; // 3 × SHORT (1 in stock) + 1 × STOCKED
const BIG = 7602; // 11 fulfillment orders of one line, then one of 45 lines: SHORT2 is the 45th
const OLD = 7603; // SHORT3 + STOCKED, past 60 days when the stock comes
const orderGid = (id: number) => `gid://shopify/Order/${id}`;
const lineGid = (id: number) => `gid://shopify/LineItem/${id}`;

let t: TestDatabase;
let h: Harness;
let stamp = Date.parse("2026-11-20T12:00:00Z");
const next = () => new Date((stamp += 60_000)).toISOString();

/** An order's fulfillment orders in the stand-in: status, units per line (REST ids), whether our hold is on it. */
const fos = (order: number) =>
  h.shop.fulfillmentOrdersOf(orderGid(order)).map((fo) => ({
    status: fo.status,
    lines: fo.lineItems.map((l) => [Number(l.lineItemId.split("/").pop()), l.remainingQuantity]),
    ours: fo.holds.some((x) => x.handle === HOLD_HANDLE),
  }));
const records = (order: number) => t.db.orderHold.findMany({ where: { shop: SHOP, orderId: String(order) }, orderBy: { placedAt: "asc" } });
// Holds only: not the storefront metafields (variants', and the shop's after a mode change with its ShopFacts).
const callsSince = (from: number) =>
  h.standin.calls
    .slice(from)
    .filter((c) => c.operationName !== "SetMetafields" && c.operationName !== "ShopFacts" && !/Tags$/.test(c.operationName ?? ""));

async function stock(item: { item: number }, available: number) {
  await h.deliver([{ topic: "inventory_levels/update", payload: inventoryLevelPayload(item.item, LOCATION, available, next()) }]);
}

async function setMode(holdMode: HoldMode) {
  const s = await loadSettings(t.db, SHOP);
  const form = {
    messageTemplate: s.messageTemplate,
    defaultLeadTimeDays: String(s.defaultLeadTimeDays),
    processingDays: String(s.processingDays),
    autoEnableTag: s.autoEnableTag ?? "",
    autoEnableCollectionId: s.autoEnableCollectionId ?? "",
    orderTag: s.orderTag,
    holdMode,
  };
  expect(await saveSettings(t.db, SHOP, form, h.clock.date())).toMatchObject({ ok: true });
}

beforeAll(async () => {
  t = await createTestDatabase("sync_holds");
  h = await createHarness(t.db, SHOP, (shop) => {
    shop.addLocation(LOCATION, "Warehouse");
    OTHER_LOCATIONS.forEach((id, i) => shop.addLocation(id, `Store ${i + 1}`));
    for (const [x, units] of [
      [SHORT, 1],
      [STOCKED, 500],
      [SHORT2, 0],
      [SHORT3, 0],
    ] as const) {
      shop.addProduct({
        id: x.product,
        title: `Product ${x.product}`,
        updatedAt: BEFORE,
        variants: [{ id: x.variant, inventoryItemId: x.item, stock: { [LOCATION]: units } }],
      });
    }
  });
  for (const x of [SHORT, SHORT2, SHORT3])
    await t.db.variantPolicy.create({ data: { shop: SHOP, variantId: String(x.variant), enabled: true } });
  await h.deliver([
    ...[SHORT, STOCKED, SHORT2, SHORT3].map((x) => ({
      topic: "products/update",
      payload: productPayload({
        id: x.product,
        title: `Product ${x.product}`,
        updatedAt: BEFORE,
        variants: [{ id: x.variant, inventoryItemId: x.item, policy: x === STOCKED ? "deny" : "continue" }],
      }),
    })),
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(SHORT.item, LOCATION, 1, next()) },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(STOCKED.item, LOCATION, 500, next()) },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(SHORT2.item, LOCATION, 0, next()) },
    { topic: "inventory_levels/update", payload: inventoryLevelPayload(SHORT3.item, LOCATION, 0, next()) },
  ]);
  await h.sync();
});
afterAll(async () => {
  await h?.close();
  await t?.drop();
});

describe("a mixed order", () => {
  it("holds only the backordered units: Shopify splits the fulfillment order and the in-stock items stay open", async () => {
    const from = h.standin.calls.length;
    const lines = [
      { id: MIXED * 10 + 1, variantId: SHORT.variant, quantity: 3 },
      { id: MIXED * 10 + 2, variantId: STOCKED.variant, quantity: 1 },
    ];
    await h.deliver([{ topic: "orders/create", payload: orderPayload({ id: MIXED, createdAt: next(), lines }) }]);
    const original = h.shop.fulfillmentOrdersOf(orderGid(MIXED))[0]!;
    const shortLine = original.lineItems[0]!.id;
    await stock(SHORT, -2);
    await stock(STOCKED, 499);
    await h.sync();
    const line = await t.db.backorderLine.findUniqueOrThrow({
      where: { shop_lineItemId: { shop: SHOP, lineItemId: String(MIXED * 10 + 1) } },
    });
    expect(line).toMatchObject({ state: "waiting", waitingQuantity: 2 });

    expect(callsSince(from).map((c) => [c.operationName, c.variables])).toEqual([
      ["OrderFulfillmentOrders", { id: orderGid(MIXED), after: null }],
      [
        "HoldFulfillmentOrder",
        {
          id: original.id,
          hold: expect.objectContaining({
            handle: HOLD_HANDLE,
            reason: "INVENTORY_OUT_OF_STOCK",
            fulfillmentOrderLineItems: [{ id: shortLine, quantity: 2 }],
          }),
        },
      ],
    ]);
    expect(fos(MIXED)).toEqual([
      {
        status: "OPEN",
        lines: [
          [MIXED * 10 + 1, 1],
          [MIXED * 10 + 2, 1],
        ],
        ours: false,
      }, // ships now
      { status: "ON_HOLD", lines: [[MIXED * 10 + 1, 2]], ours: true },
    ]);
    const held = h.shop.fulfillmentOrdersOf(orderGid(MIXED))[1]!;
    expect(await records(MIXED)).toEqual([
      expect.objectContaining({ fulfillmentOrderId: held.id, holdId: held.holds[0]!.id, releaseError: null }),
    ]);
  });

  it("holds fewer units after a partial restock: releases, then holds what still waits", async () => {
    const from = h.standin.calls.length;
    await stock(SHORT, -1);
    await h.sync();
    expect(callsSince(from).map((c) => c.operationName)).toEqual([
      "OrderFulfillmentOrders",
      "ReleaseFulfillmentOrderHold",
      "OrderFulfillmentOrders",
      "HoldFulfillmentOrder",
    ]);
    expect(fos(MIXED)).toEqual([
      {
        status: "OPEN",
        lines: [
          [MIXED * 10 + 1, 1],
          [MIXED * 10 + 2, 1],
        ],
        ours: false,
      },
      { status: "OPEN", lines: [[MIXED * 10 + 1, 1]], ours: false },
      { status: "ON_HOLD", lines: [[MIXED * 10 + 1, 1]], ours: true },
    ]);
    const held = h.shop.fulfillmentOrdersOf(orderGid(MIXED))[2]!;
    expect((await records(MIXED)).map((r) => [r.fulfillmentOrderId, r.holdId])).toEqual([[held.id, held.holds[0]!.id]]);
  });

  it("holds every fulfillment order with the whole-order setting, and back to the backordered units only", async () => {
    await setMode("order");
    await h.run();
    expect(fos(MIXED).map((f) => [f.status, f.ours])).toEqual([
      ["ON_HOLD", true],
      ["ON_HOLD", true],
      ["ON_HOLD", true],
    ]);
    expect(await records(MIXED)).toHaveLength(3);

    await setMode("lines");
    const from = h.standin.calls.length;
    await h.run();
    // One holding exactly the waiting unit stays; the others (the in-stock items among them) are released.
    expect(callsSince(from).map((c) => c.operationName)).toEqual([
      "OrderFulfillmentOrders",
      "ReleaseFulfillmentOrderHold",
      "ReleaseFulfillmentOrderHold",
      "OrderFulfillmentOrders",
    ]);
    expect(fos(MIXED).filter((f) => f.ours)).toEqual([{ status: "ON_HOLD", lines: [[MIXED * 10 + 1, 1]], ours: true }]);
    expect(
      fos(MIXED)
        .filter((f) => !f.ours)
        .map((f) => f.status),
    ).toEqual(["OPEN", "OPEN"]);
    expect(fos(MIXED)[0]!.lines).toEqual([
      [MIXED * 10 + 1, 1],
      [MIXED * 10 + 2, 1],
    ]);
    expect(await records(MIXED)).toHaveLength(1);
  });

  it("releases every hold with the no-holds setting and places none", async () => {
    await setMode("off");
    await h.run();
    expect(fos(MIXED).map((f) => [f.status, f.ours])).toEqual([
      ["OPEN", false],
      ["OPEN", false],
      ["OPEN", false],
    ]);
    expect(await records(MIXED)).toEqual([]);
    // Pushed again while its unit still waits: still no hold, and nothing read (no hold of ours to check).
    const from = h.standin.calls.length;
    await t.db.$transaction((tx) => enqueueTask(tx, SHOP, "order", String(MIXED), h.clock.date()));
    expect(await h.run()).toMatchObject({ done: 1, failed: 0 });
    expect(callsSince(from)).toEqual([]);

    // Back on: the unit is held where no split is needed (a fulfillment order holding only it).
    await setMode("lines");
    const again = h.standin.calls.length;
    await h.run();
    expect(
      callsSince(again).map((c) => [
        c.operationName,
        (c.variables as { hold?: { fulfillmentOrderLineItems?: unknown } }).hold?.fulfillmentOrderLineItems,
      ]),
    ).toEqual([
      ["OrderFulfillmentOrders", undefined],
      ["HoldFulfillmentOrder", undefined],
    ]);
    expect(fos(MIXED).filter((f) => f.ours)).toEqual([{ status: "ON_HOLD", lines: [[MIXED * 10 + 1, 1]], ours: true }]);
    expect(fos(MIXED)).toHaveLength(3);
  });

  it("releases the hold when the restock covers the order", async () => {
    await stock(SHORT, 0);
    await h.sync();
    expect(fos(MIXED).map((f) => [f.status, f.ours])).toEqual([
      ["OPEN", false],
      ["OPEN", false],
      ["OPEN", false],
    ]);
    expect(await records(MIXED)).toEqual([]);
    expect(h.shop.orders.get(orderGid(MIXED))!.tags).toEqual([]);
  });
});

describe("an order larger than one page", () => {
  it("reads every page of fulfillment orders and of their lines, and holds the backordered line on the last", async () => {
    // 11 stores ship one item each; the warehouse ships 44 stocked items and, 45th, the backordered one.
    const lines = [
      ...OTHER_LOCATIONS.map((loc, i) => ({ id: BIG * 100 + i, variantId: STOCKED.variant, quantity: 1, locationId: loc })),
      ...Array.from({ length: 44 }, (_, i) => ({ id: BIG * 100 + 20 + i, variantId: STOCKED.variant, quantity: 1, locationId: LOCATION })),
      { id: BIG * 100 + 99, variantId: SHORT2.variant, quantity: 1, locationId: LOCATION },
    ];
    h.shop.addOrder({ id: BIG, locationId: LOCATION, lines }); // what Shopify has: 12 fulfillment orders
    const warehouse = h.shop.fulfillmentOrdersOf(orderGid(BIG)).at(-1)!;
    expect(h.shop.fulfillmentOrdersOf(orderGid(BIG))).toHaveLength(12);
    expect(warehouse.lineItems).toHaveLength(45);

    const from = h.standin.calls.length;
    await h.deliver([{ topic: "orders/create", payload: orderPayload({ id: BIG, createdAt: next(), lines }) }]);
    await stock(SHORT2, -1);
    await h.sync();

    const calls = callsSince(from);
    expect(calls.map((c) => c.operationName)).toEqual([
      "OrderFulfillmentOrders",
      "OrderFulfillmentOrders",
      "FulfillmentOrderPage",
      "HoldFulfillmentOrder",
    ]);
    expect(calls[1]!.variables).toEqual({ id: orderGid(BIG), after: expect.any(String) });
    expect(calls[2]!.variables).toEqual({ id: warehouse.id, after: expect.any(String) });
    const shortFoLine = warehouse.lineItems.find((l) => l.lineItemId === lineGid(BIG * 100 + 99));
    expect(shortFoLine).toBeUndefined(); // moved out by the split
    expect(calls[3]!.variables).toMatchObject({
      id: warehouse.id,
      hold: { fulfillmentOrderLineItems: [{ id: expect.any(String), quantity: 1 }] },
    });
    // Within Shopify's limits: no query over 1000 points, no page over 250.
    for (const c of calls) expect(c.errors).toEqual([]);
    expect(Math.max(...calls.map((c) => c.requestedQueryCost ?? 0))).toBeLessThanOrEqual(1000);

    const after = fos(BIG);
    expect(after).toHaveLength(13);
    expect(after.filter((f) => f.ours)).toEqual([{ status: "ON_HOLD", lines: [[BIG * 100 + 99, 1]], ours: true }]);
    expect(after.filter((f) => !f.ours).every((f) => f.status === "OPEN")).toBe(true);
    expect(warehouse.lineItems).toHaveLength(44);
  });
});

describe("an order older than 60 days", () => {
  it("has its hold released through the recorded fulfillment order, though Shopify no longer shows the order", async () => {
    const lines = [
      { id: OLD * 10 + 1, variantId: SHORT3.variant, quantity: 1 },
      { id: OLD * 10 + 2, variantId: STOCKED.variant, quantity: 1 },
    ];
    await h.deliver([{ topic: "orders/create", payload: orderPayload({ id: OLD, createdAt: next(), lines }) }]);
    await stock(SHORT3, -1);
    await h.sync();
    expect(fos(OLD).map((f) => [f.status, f.ours])).toEqual([
      ["OPEN", false],
      ["ON_HOLD", true],
    ]);
    const [record] = await records(OLD);

    h.clock.advance(61 * DAY);
    expect(h.shop.readableOrder(orderGid(OLD))).toBeUndefined(); // no read_all_orders: order(id:) is null

    const from = h.standin.calls.length;
    stamp = h.clock.t;
    await stock(SHORT3, 0);
    await h.sync();
    const calls = h.standin.calls.slice(from).filter((c) => !/Metafields$/.test(c.operationName ?? ""));
    expect(calls.map((c) => [c.operationName, c.variables])).toEqual([
      ["RemoveTags", { id: orderGid(OLD), tags: ["backorder"] }], // refused: Shopify does not show the order
      ["OrderFulfillmentOrders", { id: orderGid(OLD), after: null }],
      ["ReleaseFulfillmentOrderHold", { id: record!.fulfillmentOrderId, holdIds: [record!.holdId] }],
    ]);
    expect(calls[2]!.errors).toEqual([]);
    expect(fos(OLD).map((f) => [f.status, f.ours])).toEqual([
      ["OPEN", false],
      ["OPEN", false],
    ]);
    expect(await records(OLD)).toEqual([]);
    // The tag could not be removed: the task says why and keeps it for the merchant (read_all_orders is needed for that).
    const task = await t.db.syncTask.findFirstOrThrow({ where: { shop: SHOP, kind: "order", targetId: String(OLD) } });
    expect(task).toMatchObject({ status: "failed", lastError: expect.stringContaining("Resource not found") });
  });

  it("keeps a hold whose release Shopify refused, with the reason, and releases it on retry", async () => {
    // A hold recorded before hold ids were kept (migrated rows): found by the app's handle.
    const fo = h.shop.fulfillmentOrdersOf(orderGid(OLD))[1]!;
    fo.holds.push({ id: h.shop.newId("FulfillmentHold"), reason: "INVENTORY_OUT_OF_STOCK", reasonNotes: null, handle: HOLD_HANDLE });
    fo.status = "ON_HOLD";
    await t.db.orderHold.create({
      data: { shop: SHOP, orderId: String(OLD), fulfillmentOrderId: fo.id, holdId: null, placedAt: h.clock.date() },
    });

    h.standin.failNext(
      1,
      { kind: "userErrors", userErrors: [{ field: ["id"], message: "Fulfillment order is being fulfilled" }] },
      (c) => c.operationName === "ReleaseFulfillmentOrderHold",
    );
    const first = await releaseRecordedHolds(t.db, h.gateways(SHOP), SHOP, { orderId: String(OLD) });
    expect(first).toMatchObject({ released: 0, failures: [{ fulfillmentOrderId: fo.id, orderId: String(OLD) }] });
    expect(await records(OLD)).toEqual([
      expect.objectContaining({ fulfillmentOrderId: fo.id, releaseError: expect.stringContaining("Fulfillment order is being fulfilled") }),
    ]);
    expect(fo.status).toBe("ON_HOLD");

    // Settings lists it with the reason; its retry pushes the order again, which releases it (nothing waits).
    expect((await loadSyncProblems(t.db, SHOP)).holds).toEqual([
      { fulfillmentOrderId: fo.id, orderId: String(OLD), releaseError: expect.stringContaining("being fulfilled") },
    ]);
    expect(await retryHoldReleases(t.db, SHOP, h.clock.date())).toBe(1);
    h.shop.orders.get(orderGid(OLD))!.tags = []; // the merchant took the tag off by hand
    await t.db.syncedOrder.update({ where: { shop_orderId: { shop: SHOP, orderId: String(OLD) } }, data: { tagged: false, tag: null } });
    expect(await h.run()).toMatchObject({ failed: 0 });
    expect(fo).toMatchObject({ status: "OPEN", holds: [] });
    expect(await records(OLD)).toEqual([]);
    expect((await loadSyncProblems(t.db, SHOP)).holdCount).toBe(0);
  });
});

describe("releasing all of a shop's holds", () => {
  it("releases every recorded hold through its fulfillment order (reusable before an uninstall)", async () => {
    const FRESH = 7604;
    await h.deliver([
      {
        topic: "orders/create",
        payload: orderPayload({ id: FRESH, createdAt: next(), lines: [{ id: FRESH * 10 + 1, variantId: SHORT.variant, quantity: 1 }] }),
      },
    ]);
    await stock(SHORT, -2); // FRESH waits; so does a unit of MIXED, now past 60 days
    await h.sync();
    // MIXED cannot get a new hold: Shopify no longer shows it. The task says so and stays for the merchant.
    const mixed = await t.db.syncTask.findFirstOrThrow({ where: { shop: SHOP, kind: "order", targetId: String(MIXED) } });
    expect(mixed).toMatchObject({ status: "failed", lastError: expect.stringMatching(/Resource not found.*cannot be held/) });
    expect(mixed.lastError).toContain("read_all_orders");
    expect((await t.db.orderHold.findMany({ where: { shop: SHOP }, orderBy: { orderId: "asc" } })).map((r) => r.orderId)).toEqual([
      String(BIG),
      String(FRESH),
    ]);

    const result = await releaseRecordedHolds(t.db, h.gateways(SHOP), SHOP);
    expect(result).toEqual({ released: 2, failures: [] });
    expect(await t.db.orderHold.count({ where: { shop: SHOP } })).toBe(0);
    for (const order of [BIG, FRESH]) expect(fos(order).some((f) => f.ours)).toBe(false);
  });
});
