// Per-location queues through the engine (docs/decisions/0021-per-location-queues.md), on a
// real database: the lamp short 1 at East and 1 at West; the storefront's waiting
// units and the admin's positions follow; shuffled and repeated streams end in the same queue.
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
const located = (orderId: string, lineItemId: string, locationId: string, fulfillmentOrderId: string, minute: number): DomainEvent => ({
  kind: "line_locations",
  orderId,
  lines: [{ lineItemId, locationId, fulfillmentOrderId, sourceAt: at(minute) }],
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
    await applyOneByOne(shop, [located("11", "111", WEST, "503", 30), level(EAST, 0, 30), level(WEST, -1, 30)]);
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
    const stream = [...LAMP_DAY, level(WEST, 0, 20), located("11", "111", WEST, "503", 30), level(EAST, 0, 30), level(WEST, -1, 30)];
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
});
