// Limits Shopify enforces beyond scopes: orders older than 60 days are invisible without
// `read_all_orders` (order(id:) is null, changes find no order; their fulfillment orders are
// not), an app keeps at most 10 holds on one fulfillment order, a hold on some line items
// splits the fulfillment order, and a connection gives at most 250 nodes a page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStandin } from "../../dev/admin-standin/server.ts";
import { DEMO_IDS, seedDemoShop } from "../../dev/admin-standin/seed.ts";
import type { StandinShop } from "../../dev/admin-standin/state.ts";
import {
  ADD_TAGS,
  CANCEL_ORDER,
  FULFILLMENT_ORDER_PAGE,
  HOLD_FULFILLMENT_ORDER,
  ORDER_FULFILLMENT_ORDERS,
  RELEASE_FULFILLMENT_ORDER_HOLD,
} from "../../app/shopify/admin-queries.ts";
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
  shop.addOrder({
    id,
    locationId: DEMO_IDS.locations.warehouse,
    lines: [{ id: id * 10, variantId: DEMO_IDS.variants.shirtM, quantity: 1 }],
    createdAt: new Date(now - ageDays * DAY).toISOString(),
  });

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
    expect(cancel.data.orderCancel!.orderCancelUserErrors).toEqual([
      { field: ["orderId"], message: "Order does not exist", code: "NOT_FOUND" },
    ]);
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

describe("a hold on some line items", () => {
  let n = 5100;
  const order = () =>
    shop.addOrder({
      id: ++n,
      locationId: DEMO_IDS.locations.warehouse,
      lines: [
        { id: 51001, variantId: DEMO_IDS.variants.shirtM, quantity: 3 },
        { id: 51002, variantId: DEMO_IDS.variants.shirtS, quantity: 1 },
      ],
    });
  const hold = (id: string, units?: { id: string; quantity: number }[]) =>
    post(HOLD_FULFILLMENT_ORDER, {
      id,
      hold: { reason: "INVENTORY_OUT_OF_STOCK", handle: "h", ...(units ? { fulfillmentOrderLineItems: units } : {}) },
    });

  it("splits the fulfillment order: the held units in a new one, the rest open in the original", async () => {
    const o = order();
    const fo = shop.fulfillmentOrdersOf(o.id)[0]!;
    const res = (await hold(fo.id, [{ id: fo.lineItems[0]!.id, quantity: 2 }])).data.fulfillmentOrderHold!;
    expect(res.userErrors).toEqual([]);
    const [original, held] = shop.fulfillmentOrdersOf(o.id);
    expect(res).toMatchObject({
      fulfillmentOrder: { id: held!.id, status: "ON_HOLD" },
      remainingFulfillmentOrder: { id: fo.id, status: "OPEN" },
      fulfillmentHold: { handle: "h" },
    });
    expect(original!.lineItems.map((l) => [l.lineItemId, l.remainingQuantity])).toEqual([
      ["gid://shopify/LineItem/51001", 1],
      ["gid://shopify/LineItem/51002", 1],
    ]);
    expect(held!.lineItems.map((l) => [l.lineItemId, l.remainingQuantity])).toEqual([["gid://shopify/LineItem/51001", 2]]);
    // Read back through the API as the app does, every unit accounted for.
    const read = await post(ORDER_FULFILLMENT_ORDERS, { id: o.id, after: null });
    const nodes = (
      read.data.order as { fulfillmentOrders: { nodes: { status: string; lineItems: { nodes: { remainingQuantity: number }[] } }[] } }
    ).fulfillmentOrders.nodes;
    expect(nodes.map((n) => [n.status, n.lineItems.nodes.map((l) => l.remainingQuantity)])).toEqual([
      ["OPEN", [1, 1]],
      ["ON_HOLD", [2]],
    ]);
  });

  it("holds the fulfillment order whole when every unit is named", async () => {
    const o = order();
    const fo = shop.fulfillmentOrdersOf(o.id)[0]!;
    const res = (
      await hold(
        fo.id,
        fo.lineItems.map((l) => ({ id: l.id, quantity: l.remainingQuantity })),
      )
    ).data.fulfillmentOrderHold!;
    expect(res).toMatchObject({ userErrors: [], fulfillmentOrder: { id: fo.id, status: "ON_HOLD" }, remainingFulfillmentOrder: null });
    expect(shop.fulfillmentOrdersOf(o.id)).toHaveLength(1);
  });

  it("refuses line items on a fulfillment order already on hold, and bad quantities, as Shopify's error codes say", async () => {
    const o = order();
    const fo = shop.fulfillmentOrdersOf(o.id)[0]!;
    const line = fo.lineItems[0]!.id;
    const code = async (units: { id: string; quantity: number }[]) =>
      ((await hold(fo.id, units)).data.fulfillmentOrderHold!.userErrors as { code: string }[]).map((e) => e.code);
    expect(await code([{ id: line, quantity: 0 }])).toEqual(["GREATER_THAN_ZERO"]);
    expect(await code([{ id: line, quantity: 4 }])).toEqual(["INVALID_LINE_ITEM_QUANTITY"]);
    expect(await code([{ id: "gid://shopify/FulfillmentOrderLineItem/1", quantity: 1 }])).toEqual(["INVALID_LINE_ITEM_QUANTITY"]);
    expect(
      await code([
        { id: line, quantity: 1 },
        { id: line, quantity: 1 },
      ]),
    ).toEqual(["DUPLICATED_FULFILLMENT_ORDER_LINE_ITEMS"]);
    expect(shop.fulfillmentOrdersOf(o.id)).toHaveLength(1); // nothing split by a refused hold
    const other = await post(HOLD_FULFILLMENT_ORDER, { id: fo.id, hold: { reason: "OTHER", handle: "merchant" } });
    expect(other.data.fulfillmentOrderHold!.userErrors).toEqual([]);
    expect(await code([{ id: line, quantity: 1 }])).toEqual(["FULFILLMENT_ORDER_NOT_SPLITTABLE"]);
  });
});

describe("fulfillment orders of an order older than 60 days", () => {
  it("stay readable and releasable by their own id", async () => {
    const old = orderAged(5200, 61);
    const fo = shop.fulfillmentOrdersOf(old.id)[0]!;
    fo.holds.push({ id: shop.newId("FulfillmentHold"), reason: "INVENTORY_OUT_OF_STOCK", reasonNotes: null, handle: "backorder-queue" });
    fo.status = "ON_HOLD";
    expect((await post(ORDER_FULFILLMENT_ORDERS, { id: old.id })).data.order).toBeNull();
    expect((await post(FULFILLMENT_ORDER_PAGE, { id: fo.id })).data.fulfillmentOrder).toMatchObject({
      id: fo.id,
      status: "ON_HOLD",
      fulfillmentHolds: [{ handle: "backorder-queue" }],
    });
    expect(
      (await post(RELEASE_FULFILLMENT_ORDER_HOLD, { id: fo.id, holdIds: [fo.holds[0]!.id] })).data.fulfillmentOrderReleaseHold!.userErrors,
    ).toEqual([]);
    expect(fo).toMatchObject({ status: "OPEN", holds: [] });
  });
});

describe("page sizes", () => {
  it("are at most 250 and must be given", async () => {
    const q = (first: string) => `query { productVariants${first} { nodes { id } } }`;
    expect((await post(q("(first: 250)"), {})).errors).toBeUndefined();
    const over = await post(q("(first: 251)"), {});
    expect(over.data).toBeNull();
    expect(JSON.stringify(over.errors)).toContain("250");
    expect(JSON.stringify((await post(q(""), {})).errors)).toContain("first or last");
  });
});
