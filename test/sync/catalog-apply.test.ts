// The catalog sync applies its chunks set-based (applyCatalogEvents) for speed; it must
// leave exactly what applying the same events one by one (applyEvents, the webhooks' path)
// leaves: new, newer and stale variants, new, winning and losing levels, and the backorder
// lines the levels re-derive.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { queueState } from "../support/queue-state.ts";
import { applyCatalogEvents, applyEvents } from "../../app/engine/apply-event.server.ts";
import type { InventoryLevelEvent, ProductEvent } from "../../app/backorder/events.ts";
import { toDomainEvent } from "../../app/shopify/webhook-payloads.ts";
import { orderPayload } from "../../dev/fixtures/shopify-payloads.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("sync_catalog_apply");
});
afterAll(async () => t.drop());

const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute));
const product = (productId: string, minute: number, variants: [variantId: string, itemId: string, policy: string][]): ProductEvent => ({
  kind: "product",
  productId,
  title: `P${productId}@${minute}`,
  tags: `t${minute}`,
  updatedAt: at(minute),
  variants: variants.map(([variantId, inventoryItemId, inventoryPolicy]) => ({
    variantId,
    title: `V${variantId}@${minute}`,
    sku: null,
    inventoryItemId,
    price: "5.00",
    inventoryPolicy,
  })),
});
const level = (itemId: string, locationId: string, available: number, minute: number): InventoryLevelEvent => ({
  kind: "inventory",
  inventoryItemId: itemId,
  locationId,
  available,
  updatedAt: at(minute),
});

/** What a shop has before the catalog sync: two variants, their levels, an order waiting on variant 1. */
async function before(shop: string) {
  await t.db.$transaction(async (tx) => {
    await applyEvents(tx, shop, [
      {
        event: product("10", 10, [
          ["1", "101", "continue"],
          ["2", "102", "deny"],
        ]),
        reason: "products/update",
      },
      { event: level("101", "9", 0, 10), reason: "inventory_levels/update" },
      { event: level("102", "9", 4, 10), reason: "inventory_levels/update" },
      {
        event: toDomainEvent(
          "orders/create",
          orderPayload({ id: 500, createdAt: at(11).toISOString(), lines: [{ id: 5001, variantId: 1, quantity: 3 }] }),
        ),
        reason: "orders/create",
      },
      { event: level("101", "9", -3, 11), reason: "inventory_levels/update" },
    ]);
  });
}

/** The catalog's view: product 10 older than stored (stale), product 20 new; levels new, newer, older. */
const products = [
  product("10", 5, [
    ["1", "101", "deny"],
    ["2", "102", "deny"],
  ]),
  product("20", 30, [
    ["3", "103", "deny"],
    ["4", "104", "continue"],
  ]),
];
const levels = [
  level("101", "9", -1, 12),
  level("102", "9", 9, 1),
  level("103", "9", 2, 30),
  level("104", "9", 0, 30),
  level("104", "8", 1, 30),
];

async function stateOf(shop: string) {
  const variants = await t.db.variant.findMany({
    where: { shop },
    orderBy: { variantId: "asc" },
    select: {
      variantId: true,
      productId: true,
      inventoryItemId: true,
      productTitle: true,
      title: true,
      inventoryPolicy: true,
      productTags: true,
      productUpdatedAt: true,
    },
  });
  return { variants, ...(await queueState(t.db, shop)) };
}

describe("the catalog's chunk, set-based", () => {
  it("stores and re-derives exactly what the same events one by one do", async () => {
    await before("one-by-one.myshopify.com");
    await before("set-based.myshopify.com");
    const oneByOne = await t.db.$transaction((tx) =>
      applyEvents(
        tx,
        "one-by-one.myshopify.com",
        [...products, ...levels].map((event) => ({ event, reason: "catalog/sync" })),
      ),
    );
    const setBased = await t.db.$transaction((tx) => applyCatalogEvents(tx, "set-based.myshopify.com", products, levels, "catalog/sync"));

    const a = await stateOf("one-by-one.myshopify.com");
    expect(await stateOf("set-based.myshopify.com")).toEqual(a);
    expect([...setBased.variantIds].sort()).toEqual([...oneByOne.variantIds].sort());
    expect([...setBased.orderIds]).toEqual([...oneByOne.orderIds]);

    // And the result is the one the rules give: the stale product changed nothing, the newer level re-derived the order.
    expect(a.variants.find((v) => v.variantId === "1")).toMatchObject({ inventoryPolicy: "continue", productTitle: "P10@10" });
    expect(a.variants.map((v) => v.variantId)).toEqual(["1", "2", "3", "4"]);
    expect(a.levels.find((l) => l.inventoryItemId === "102")).toMatchObject({ available: 4 });
    expect(a.lines).toEqual([expect.objectContaining({ lineItemId: "5001", waitingQuantity: 1 })]);
    expect([...oneByOne.orderIds]).toEqual(["500"]);
  });
});
