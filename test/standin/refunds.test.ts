// refundCreate and order.suggestedRefund in the stand-in, as the Admin API documents them:
// write_orders needed (its note names the bare `orders` scope), an idempotency key required
// (2026-04 and later) that gives the same refund again, and the refusals that change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStandin } from "../../dev/admin-standin/server.ts";
import { DEMO_IDS, seedDemoShop } from "../../dev/admin-standin/seed.ts";
import type { StandinOrder, StandinShop } from "../../dev/admin-standin/state.ts";
import { REFUND_LINE, SUGGEST_LINE_REFUND } from "../../app/shopify/admin-queries.ts";
import { ADMIN_API_VERSION } from "../../dev/admin-standin/schema.ts";

const standin = new AdminStandin({ clock: () => Date.parse("2026-11-30T12:00:00Z") });
let shop: StandinShop;
let readOnly: StandinShop;
let origin: string;
let order: StandinOrder;
const LOC = `gid://shopify/Location/${DEMO_IDS.locations.warehouse}`;
const LINE = "gid://shopify/LineItem/60010";
const level = () => shop.levels.get(`gid://shopify/InventoryItem/${DEMO_IDS.items.shirtM}|${LOC}`)?.available ?? 0;

beforeAll(async () => {
  shop = seedDemoShop(standin, "refunds.myshopify.com", "shpat_refunds");
  readOnly = standin.addShop({ domain: "read-only.myshopify.com", accessToken: "shpat_ro", scopes: ["read_orders"] });
  origin = await standin.listen();
  order = shop.addOrder({
    id: 6001,
    locationId: DEMO_IDS.locations.warehouse,
    lines: [{ id: 60010, variantId: DEMO_IDS.variants.shirtM, quantity: 3, price: "30.00" }],
  });
});
afterAll(() => standin.close());

type Result = {
  data: Record<string, Record<string, unknown> | null> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
};
async function post(query: string, variables: Record<string, unknown>, token = shop.accessToken): Promise<Result> {
  const res = await fetch(`${origin}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Result;
}

const lines = (quantity: number, restockType = "CANCEL") => [{ lineItemId: LINE, quantity, restockType, locationId: LOC }];
const refund = (quantity: number, key: string, extra: Record<string, unknown> = {}) =>
  post(REFUND_LINE, { input: { orderId: order.id, refundLineItems: lines(quantity), ...extra }, idempotencyKey: key });

describe("refunds in the stand-in", () => {
  it("suggests the lines' price against the order's sale", async () => {
    const r = await post(SUGGEST_LINE_REFUND, { orderId: order.id, refundLineItems: lines(2) });
    expect(r.errors).toBeUndefined();
    expect(r.data!.order!.suggestedRefund).toEqual({
      suggestedTransactions: [
        {
          gateway: "bogus",
          kind: "SUGGESTED_REFUND",
          amountSet: { presentmentMoney: { amount: "60.00", currencyCode: "USD" } },
          parentTransaction: { id: order.saleTransactionId },
        },
      ],
    });
  });

  it("refunds and restocks once per idempotency key", async () => {
    const before = level();
    const tx = [{ orderId: order.id, parentId: order.saleTransactionId, gateway: "bogus", kind: "REFUND", amount: "30.00" }];
    const first = await refund(1, "key-1", { transactions: tx });
    expect(first.errors).toBeUndefined();
    expect(first.data!.refundCreate!.userErrors).toEqual([]);
    const again = await refund(1, "key-1", { transactions: tx });
    expect(again.data!.refundCreate!.refund).toEqual(first.data!.refundCreate!.refund);
    expect(order.refunds).toHaveLength(1);
    expect(level()).toBe(before + 1);
    expect(order.lineItems[0]!.refunded).toBe(1);
    expect(shop.fulfillmentOrdersOf(order.id)[0]!.lineItems[0]!.remainingQuantity).toBe(2);
  });

  it("requires the idempotency key", async () => {
    const query = REFUND_LINE.replace(" @idempotent(key: $idempotencyKey)", "").replace(", $idempotencyKey: String!", "");
    const r = await post(query, { input: { orderId: order.id, refundLineItems: lines(1) } });
    expect(r.errors?.[0]?.message).toContain("idempotency key is required");
    expect((await refund(1, "  ")).errors?.[0]?.message).toContain("cannot be an empty string");
    expect(order.refunds).toHaveLength(1);
  });

  it("refuses what Shopify refuses, changing nothing", async () => {
    const before = level();
    const cases: [Promise<Result>, string][] = [
      [refund(3, "too-many"), "more items than were purchased"],
      [refund(0, "zero"), "greater than 0"],
      [
        post(REFUND_LINE, { input: { orderId: order.id, refundLineItems: lines(1, "RETURN") }, idempotencyKey: "ret" }),
        "not been fulfilled",
      ],
      [
        refund(1, "too-much", {
          transactions: [{ orderId: order.id, parentId: order.saleTransactionId, gateway: "bogus", kind: "REFUND", amount: "100.00" }],
        }),
        "refundable amount",
      ],
      [
        post(REFUND_LINE, { input: { orderId: "gid://shopify/Order/1", refundLineItems: lines(1) }, idempotencyKey: "none" }),
        "Order does not exist",
      ],
    ];
    for (const [pending, message] of cases) {
      const r = await pending;
      expect(r.data!.refundCreate!.refund, message).toBeNull();
      expect(JSON.stringify(r.data!.refundCreate!.userErrors), message).toContain(message);
    }
    expect(order.refunds).toHaveLength(1);
    expect(level()).toBe(before);
  });

  it("needs write_orders: read_orders alone gets ACCESS_DENIED", async () => {
    const r = await post(
      REFUND_LINE,
      { input: { orderId: order.id, refundLineItems: lines(1) }, idempotencyKey: "ro" },
      readOnly.accessToken,
    );
    expect(r.data).toBeNull();
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(["ACCESS_DENIED"]);
  });
});
