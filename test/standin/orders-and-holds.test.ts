// Two limits Shopify enforces beyond scopes: orders older than 60 days are invisible
// without `read_all_orders` (order(id:) is null, changes find no order), and an app keeps
// at most 10 holds on one fulfillment order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStandin } from "../../dev/admin-standin/server.ts";
import { DEMO_IDS, seedDemoShop } from "../../dev/admin-standin/seed.ts";
import type { StandinShop } from "../../dev/admin-standin/state.ts";
import { ADD_TAGS, CANCEL_ORDER, HOLD_FULFILLMENT_ORDER, ORDER_FULFILLMENT_ORDERS, RELEASE_FULFILLMENT_ORDER_HOLD } from "../../app/shopify/admin-queries.ts";
import { ADMIN_API_VERSION } from "../../dev/admin-standin/schema.ts";

const DAY = 24 * 60 * 60 * 1000;
const now = Date.parse("2026-11-30T12:00:00Z");
const standin = new AdminStandin({ clock: () => now });
let shop: StandinShop;
let origin: string;

beforeAll(async () => {
  shop = seedDemoShop(standin, "window.myshopify.com", "shpat_window");
  origin = await standin.listen();
});
afterAll(() => standin.close());

type Result = { data: Record<string, Record<string, unknown> | null>; errors?: unknown };
async function post(query: string, variables: Record<string, unknown>): Promise<Result> {
  const res = await fetch(`${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-Shopify-Access-Token": shop.accessToken },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Result;
}

const orderAged = (id: number, ageDays: number) =>
  shop.addOrder({ id, locationId: DEMO_IDS.locations.warehouse, lines: [{ id: id * 10, variantId: DEMO_IDS.variants.shirtM, quantity: 1 }], createdAt: new Date(now - ageDays * DAY).toISOString() });

describe("orders older than 60 days", () => {
  it("are null to order(id:) and untouchable without read_all_orders; readable with it", async () => {
    const recent = orderAged(5001, 59);
    const old = orderAged(5002, 61);
    expect((await post(ORDER_FULFILLMENT_ORDERS, { id: recent.id })).data.order).toMatchObject({ id: recent.id });
    const hidden = await post(ORDER_FULFILLMENT_ORDERS, { id: old.id });
    expect(hidden.errors).toBeUndefined();
    expect(hidden.data.order).toBeNull();

    const tag = await post(ADD_TAGS, { id: old.id, tags: ["backorder"] });
    expect(tag.data.tagsAdd!.userErrors).toEqual([{ field: ["id"], message: "Resource not found" }]);
    const cancel = await post(CANCEL_ORDER, { orderId: old.id, reason: "INVENTORY", restock: true });
    expect(cancel.data.orderCancel!.orderCancelUserErrors).toEqual([{ field: ["orderId"], message: "Order does not exist", code: "NOT_FOUND" }]);
    expect(old.tags).toEqual([]);
    expect(old.cancelledAt).toBeNull();

    shop.grantedScopes.add("read_all_orders");
    try {
      expect((await post(ORDER_FULFILLMENT_ORDERS, { id: old.id })).data.order).toMatchObject({ id: old.id });
    } finally {
      shop.grantedScopes.delete("read_all_orders");
    }
  });
});

describe("holds per fulfillment order", () => {
  it("an app keeps at most 10; an 11th is refused until one is released", async () => {
    const order = orderAged(5003, 1);
    const fo = shop.fulfillmentOrdersOf(order.id)[0]!;
    const hold = (n: number) => post(HOLD_FULFILLMENT_ORDER, { id: fo.id, hold: { reason: "INVENTORY_OUT_OF_STOCK", handle: `h${n}` } });
    for (let n = 1; n <= 10; n++) expect((await hold(n)).data.fulfillmentOrderHold!.userErrors).toEqual([]);
    const eleventh = await hold(11);
    expect(eleventh.data.fulfillmentOrderHold!.userErrors).toEqual([
      expect.objectContaining({ field: ["id"], code: "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED" }),
    ]);
    expect(fo.holds).toHaveLength(10);
    await post(RELEASE_FULFILLMENT_ORDER_HOLD, { id: fo.id, holdIds: [fo.holds[0]!.id] });
    expect((await hold(11)).data.fulfillmentOrderHold!.userErrors).toEqual([]);
    expect(fo.holds).toHaveLength(10);
  });
});
