// Per-location queues through the engine (docs/decisions/0021-per-location-queues.md), on a
// real database: the lamp short 1 at East and 1 at West; the storefront's waiting
// units and the admin's positions follow; shuffled and repeated streams end in the same queue.
// Split lines (0033): a line over fulfillment orders at two locations, and a partial move.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { applyEvents } from "../../app/engine/apply-event.server.ts";
import { loadVariantFacts } from "../../app/engine/storefront-facts.server.ts";
import { loadQueuePage } from "../../app/admin/queue.server.ts";
import { DEFAULT_QUERY } from "../../app/admin/queue-query.ts";
import type { DomainEvent, OrderSnapshotEvent } from "../../app/backorder/events.ts";
import { storefrontStatus } from "../../app/backorder/storefront-status.ts";
import { lineShipDates } from "../../app/sync/flow-sync.server.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("perloc");
});
afterAll(() => t.drop());

const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 10, m));
const EAST = "1001";
const WEST = "1002";

const product: DomainEvent = {
  kind: "product",
  productId: "7",
  title: "Lamp",
  tags: "",
  updatedAt: at(0),
  variants: [
    { variantId: "lamp", title: "Default Title", sku: "LAMP", inventoryItemId: "item", price: "10.00", inventoryPolicy: "continue" },
  ],
};
const order = (orderId: string, lineItemId: string, minute: number, quantity: number): OrderSnapshotEvent => ({
  kind: "order",
  orderId,
  name: `#${orderId}`,
  createdAt: at(minute),
  updatedAt: at(minute),
  cancelledAt: null,
  currency: "USD",
  customer: null,
  refundIds: [],
  fulfillmentIds: [],
  lines: [
    { lineItemId, variantId: "lamp", productId: "7", title: "Lamp", sku: "LAMP", quantity, openQuantity: quantity, unitPrice: "10.00" },
  ],
});
const level = (locationId: string, available: number, minute: number): DomainEvent => ({
  kind: "inventory",
  inventoryItemId: "item",
  locationId,
  available,
  updatedAt: at(minute),
});
/** A fulfillment order's read: it holds `quantity` units of the line (0: closed, or moved away). */
const located = (
  orderId: string,
  lineItemId: string,
  locationId: string,
  fulfillmentOrderId: string,
  minute: number,
  quantity = 2,
): DomainEvent => ({
  kind: "line_locations",
  orderId,
  lines: [{ lineItemId, locationId, fulfillmentOrderId, quantity, sourceAt: at(minute) }],
});

// East had 0 and sold 1 (order 11); West had 1 and sold 2 (order 12, the newest): short 1 at each.
const LAMP_DAY: DomainEvent[] = [
  product,
  level(EAST, 0, 1),
  level(WEST, 1, 1),
  order("11", "111", 2, 1),
  located("11", "111", EAST, "501", 3),
  level(EAST, -1, 3),
  order("12", "121", 4, 2),
  located("12", "121", WEST, "502", 5),
  level(WEST, -1, 5),
];

const apply = (shop: string, events: DomainEvent[]) =>
  t.db.$transaction((tx) =>
    applyEvents(
      tx,
      shop,
      events.map((event) => ({ event, reason: "test" })),
    ),
  );

/** Each event in its own transaction, as the worker's chunks may cut them. */
async function applyOneByOne(shop: string, events: DomainEvent[]) {
  for (const e of events) await apply(shop, [e]);
}

const state = async (shop: string) =>
  (
    await t.db.backorderLine.findMany({
      where: { shop },
      orderBy: { lineItemId: "asc" },
      select: { lineItemId: true, state: true, waitingQuantity: true, locationId: true, assignedLocationId: true },
    })
  )
    // The location a line is short at (a covered line's is the last it was short at: history, not state).
    .map((l) => [l.lineItemId, l.state, l.waitingQuantity, l.waitingQuantity > 0 ? l.locationId : null, l.assignedLocationId]);

describe("per-location queues in the engine", () => {
  it("the issue's lamp: the order owed at East waits at East, the newest West order waits 1, not 2", async () => {
    const shop = "lamp-a.myshopify.com";
    await applyOneByOne(shop, LAMP_DAY);
    expect(await state(shop)).toEqual([
      ["111", "waiting", 1, EAST, EAST],
      ["121", "waiting", 1, WEST, WEST],
    ]);
    // The storefront counts both units; the admin puts each line first at its own location.
    expect((await loadVariantFacts(t.db, shop, "lamp", at(10))).waitingUnits).toBe(2);
    const page = await loadQueuePage(t.db, shop, { ...DEFAULT_QUERY, variantId: "lamp" }, at(10));
    expect(page.rows.map((r) => [r.lineItemId, r.position])).toEqual(
      expect.arrayContaining([
        ["111", 1],
        ["121", 1],
      ]),
    );
  });

  it("without the locations the shop-wide rule stands (the newest line takes both units)", async () => {
    const shop = "lamp-b.myshopify.com";
    await applyOneByOne(
      shop,
      LAMP_DAY.filter((e) => e.kind !== "line_locations"),
    );
    // (The East line's position, had it waited, would also count West's lines: one queue.)
    expect(await state(shop)).toEqual([
      ["111", "allocated", 0, null, null],
      ["121", "waiting", 2, EAST, null],
    ]);
  });

  it("a restock at West serves West's line while East's keeps waiting; a move to West puts it in West's queue by order time", async () => {
    const shop = "lamp-c.myshopify.com";
    await applyOneByOne(shop, [...LAMP_DAY, level(WEST, 0, 20)]);
    expect(await state(shop)).toEqual([
      ["111", "waiting", 1, EAST, EAST],
      ["121", "allocated", 0, null, WEST],
    ]);
    // The merchant moves the East order to West (Shopify moves its committed unit: East 0, West -1).
    // It is the older order, so it goes ahead of West's own line: the newest waits again.
    // The move created fulfillment order 503 at West and closed 501 (both read after fulfillment_orders/moved).
    await applyOneByOne(shop, [
      located("11", "111", WEST, "503", 30),
      located("11", "111", EAST, "501", 30, 0),
      level(EAST, 0, 30),
      level(WEST, -1, 30),
    ]);
    expect(await state(shop)).toEqual([
      ["111", "allocated", 0, null, WEST],
      ["121", "waiting", 1, WEST, WEST],
    ]);
  });

  it("a location read before its order arrives waits for the line", async () => {
    const shop = "lamp-d.myshopify.com";
    const early = [...LAMP_DAY.filter((e) => e.kind === "line_locations"), ...LAMP_DAY.filter((e) => e.kind !== "line_locations")];
    await applyOneByOne(shop, early);
    expect(await state(shop)).toEqual([
      ["111", "waiting", 1, EAST, EAST],
      ["121", "waiting", 1, WEST, WEST],
    ]);
  });

  it("shuffled and repeated deliveries, one by one or in chunks, end in the same queue", async () => {
    const stream = [
      ...LAMP_DAY,
      level(WEST, 0, 20),
      located("11", "111", WEST, "503", 30),
      located("11", "111", EAST, "501", 30, 0),
      level(EAST, 0, 30),
      level(WEST, -1, 30),
    ];
    await applyOneByOne("lamp-ref.myshopify.com", stream);
    const expected = await state("lamp-ref.myshopify.com");
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let run = 0; run < 4; run++) {
      const shop = `lamp-shuffle-${run}.myshopify.com`;
      // The product first (a level finds its variant through it, as the catalog sync ensures); the rest any order, twice.
      const rest = [...stream.slice(1), ...stream.slice(1)]
        .map((e) => ({ e, k: random() }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.e);
      if (run % 2 === 0) await applyOneByOne(shop, [product, ...rest]);
      else await apply(shop, [product, ...rest]);
      expect(await state(shop), `run ${run}`).toEqual(expected);
    }
  });

  it("a batch at West dates West's line first; the East line and the next order wait for the cycle after it", async () => {
    const shop = "lamp-batch.myshopify.com";
    await applyOneByOne(shop, LAMP_DAY);
    await t.db.variantPolicy.create({ data: { shop, variantId: "lamp", enabled: true } });
    // Friday 2026-11-20; lead time 14 days and 1 processing day (the shop's defaults).
    const batch = await t.db.incomingBatch.create({
      data: { shop, variantId: "lamp", arrivesOn: new Date("2026-12-01T00:00:00Z"), quantity: 1, locationId: WEST },
    });
    const now = at(10);
    const etas = async () =>
      Object.fromEntries(
        (await loadQueuePage(t.db, shop, { ...DEFAULT_QUERY, variantId: "lamp" }, now)).rows.map((r) => [r.lineItemId, r.eta]),
      );
    expect(await etas()).toEqual({ "111": "2026-12-16", "121": "2026-12-02" });
    expect(Object.fromEntries(await lineShipDates(t.db, shop, ["lamp"], now))).toEqual({ "111": "2026-12-16", "121": "2026-12-02" });
    expect(storefrontStatus(await loadVariantFacts(t.db, shop, "lamp", now)).eta).toBe("2026-12-16");

    // The same batch without a location serves the oldest line (East) first, as before.
    await t.db.incomingBatch.update({ where: { id: batch.id }, data: { locationId: null } });
    expect(Object.fromEntries(await lineShipDates(t.db, shop, ["lamp"], now))).toEqual({ "111": "2026-12-02", "121": "2026-12-16" });
    expect(storefrontStatus(await loadVariantFacts(t.db, shop, "lamp", now)).eta).toBe("2026-12-16");

    // At East it serves East's own line.
    await t.db.incomingBatch.update({ where: { id: batch.id }, data: { locationId: EAST, quantity: 3 } });
    expect(await etas()).toEqual({ "111": "2026-12-02", "121": "2026-12-16" });
    // Two units left after East's line: the next order (not placed yet) is served by them.
    expect(storefrontStatus(await loadVariantFacts(t.db, shop, "lamp", now)).eta).toBe("2026-12-02");
  });

  // Order 13: 3 lamps, Shopify routes 2 from East (fulfillment order 504) and 1 from West (505).
  const SPLIT = [
    order("13", "131", 6, 3),
    located("13", "131", EAST, "504", 7, 2),
    located("13", "131", WEST, "505", 7, 1),
    level(EAST, -3, 8),
    level(WEST, -2, 8),
  ];
  const parts = async (shop: string) =>
    Object.fromEntries(
      (await t.db.backorderLine.findMany({ where: { shop }, select: { lineItemId: true, locationParts: true, waitingParts: true } })).map(
        (l) => [l.lineItemId, [l.locationParts, l.waitingParts]],
      ),
    );
  const positions = async (shop: string) =>
    Object.fromEntries(
      (await loadQueuePage(t.db, shop, { ...DEFAULT_QUERY, variantId: "lamp" }, at(50))).rows.map((r) => [r.lineItemId, r.position]),
    );

  it("a line split over East and West waits at both; a restock at West serves West's oldest; a partial move follows", async () => {
    const shop = "lamp-split.myshopify.com";
    await applyOneByOne(shop, [...LAMP_DAY, ...SPLIT]);
    expect(await state(shop)).toEqual([
      ["111", "waiting", 1, EAST, EAST],
      ["121", "waiting", 1, WEST, WEST],
      ["131", "waiting", 3, EAST, WEST],
    ]);
    expect((await parts(shop))["131"]).toEqual([`[["${WEST}",1],["${EAST}",2]]`, `{"${EAST}":2,"${WEST}":1}`]);
    expect((await loadVariantFacts(t.db, shop, "lamp", at(50))).waitingUnits).toBe(5);
    // 131 is second at East (behind 111) and second at West (behind 121); it ships with its East part, the last.
    expect(await positions(shop)).toEqual({ "111": 1, "121": 1, "131": 2 });

    // West gets one back: 121 (oldest at West) is served; 131 keeps its West unit (it is newer).
    await applyOneByOne(shop, [level(WEST, -1, 20)]);
    expect(await state(shop)).toEqual([
      ["111", "waiting", 1, EAST, EAST],
      ["121", "allocated", 0, null, WEST],
      ["131", "waiting", 3, EAST, WEST],
    ]);
    expect(await positions(shop)).toEqual({ "111": 1, "131": 2 });

    // The merchant moves 1 of 504's 2 lamps to West: a new fulfillment order 506 there, 504 keeps 1
    // (fulfillmentOrderMove with fulfillmentOrderLineItems); Shopify moves the committed unit.
    await applyOneByOne(shop, [
      located("13", "131", WEST, "506", 30, 1),
      located("13", "131", EAST, "504", 30, 1),
      level(EAST, -2, 30),
      level(WEST, -2, 30),
    ]);
    expect(await state(shop)).toEqual([
      ["111", "waiting", 1, EAST, EAST],
      ["121", "allocated", 0, null, WEST],
      ["131", "waiting", 3, EAST, WEST],
    ]);
    expect((await parts(shop))["131"]).toEqual([`[["${WEST}",1],["${EAST}",1],["${WEST}",1]]`, `{"${EAST}":1,"${WEST}":2}`]);
    expect((await loadVariantFacts(t.db, shop, "lamp", at(50))).waitingUnits).toBe(4);
    // East: 111 then 131's 1; West: 131's 2 alone. 131 ships with its East unit, behind 111.
    expect(await positions(shop)).toEqual({ "111": 1, "131": 2 });
  });

  it("a split order newer than the levels charges each part's units to its own location (storefront and engine)", async () => {
    const shop = "lamp-split-new.myshopify.com";
    // East has 2 in stock, West none; the order's units are not in `available` yet.
    await applyOneByOne(shop, [product, level(EAST, 2, 1), level(WEST, 0, 1), ...SPLIT.slice(0, 3)]);
    expect(await state(shop)).toEqual([["131", "waiting", 1, WEST, WEST]]);
    expect((await loadVariantFacts(t.db, shop, "lamp", at(50))).waitingUnits).toBe(1);
    // The same once the levels say it (East 0, West -1).
    await applyOneByOne(shop, [level(EAST, 0, 9), level(WEST, -1, 9)]);
    expect(await state(shop)).toEqual([["131", "waiting", 1, WEST, WEST]]);
    expect((await loadVariantFacts(t.db, shop, "lamp", at(50))).waitingUnits).toBe(1);
  });

  it("split lines and partial moves: shuffled and repeated deliveries, one by one or in chunks, end in the same queue", async () => {
    const stream = [
      ...LAMP_DAY,
      ...SPLIT,
      level(WEST, -1, 20),
      located("13", "131", WEST, "506", 30, 1),
      located("13", "131", EAST, "504", 30, 1),
      level(EAST, -2, 30),
      level(WEST, -2, 30),
    ];
    await applyOneByOne("split-ref.myshopify.com", stream);
    const expected = [await state("split-ref.myshopify.com"), await parts("split-ref.myshopify.com")];
    let seed = 11;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let run = 0; run < 4; run++) {
      const shop = `split-shuffle-${run}.myshopify.com`;
      const rest = [...stream.slice(1), ...stream.slice(1)]
        .map((e) => ({ e, k: random() }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.e);
      if (run % 2 === 0) await applyOneByOne(shop, [product, ...rest]);
      else await apply(shop, [product, ...rest]);
      expect([await state(shop), await parts(shop)], `run ${run}`).toEqual(expected);
    }
  });
});
