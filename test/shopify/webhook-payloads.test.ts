import { describe, expect, it } from "vitest";
import { normalizeTopic, PayloadError, toDomainEvent } from "../../app/shopify/webhook-payloads.ts";
import { orderEditPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";

describe("normalizeTopic", () => {
  it.each([
    ["orders/create", "orders/create"],
    ["ORDERS_CREATE", "orders/create"],
    ["INVENTORY_LEVELS_UPDATE", "inventory_levels/update"],
    ["CUSTOMERS_DATA_REQUEST", "customers/data_request"],
    ["APP_UNINSTALLED", "app/uninstalled"],
    ["carts/update", null],
  ])("%s -> %s", (raw, topic) => expect(normalizeTopic(raw)).toBe(topic));
});

describe("toDomainEvent", () => {
  it("maps an order with its customer, quantities and the refunds/fulfilments it includes", () => {
    const p = orderPayload({
      id: 820982911946154500,
      createdAt: "2026-11-20T10:00:00-05:00",
      updatedAt: "2026-11-20T11:00:00-05:00",
      customer: { id: 115310627314723950, first: "John", last: "Smith", email: "john@example.com" },
      refundIds: [1],
      fulfillmentIds: [2],
      lines: [{ id: 487817672276298560, variantId: 808950810, quantity: 3, current: 2, fulfillable: 1, price: "199.00" }],
    });
    const e = toDomainEvent("orders/updated", p);
    expect(e).toMatchObject({
      kind: "order",
      orderId: "820982911946154500",
      customer: { id: "115310627314723950", name: "John Smith", email: "john@example.com" },
      refundIds: ["1"],
      fulfillmentIds: ["2"],
      lines: [{ lineItemId: "487817672276298560", variantId: "808950810", quantity: 2, openQuantity: 1, unitPrice: "199.00" }],
    });
    expect(e.kind === "order" && e.updatedAt.toISOString()).toBe("2026-11-20T16:00:00.000Z");
  });

  it("keeps custom items (no variant) without a variant id", () => {
    const p = orderPayload({ id: 1, createdAt: "2026-11-20T10:00:00Z", lines: [{ id: 2, variantId: 3, quantity: 1 }] });
    (p.line_items[0] as { variant_id: number | null }).variant_id = null;
    const e = toDomainEvent("orders/create", p);
    expect(e.kind === "order" && e.lines[0]!.variantId).toBeNull();
  });

  it("maps an order edit's removals and ignores its additions", () => {
    const e = toDomainEvent("orders/edited", orderEditPayload({ id: 9, orderId: 1, committedAt: "2026-11-20T10:00:00Z", removals: [{ lineItemId: 5, delta: 2 }] }));
    expect(e).toMatchObject({ kind: "adjustment", adjustment: "edit", id: "9", orderId: "1", lines: [{ lineItemId: "5", quantity: 2 }] });
  });

  it("maps products with inventory items", () => {
    const e = toDomainEvent("products/update", productPayload({ id: 1, title: "Shirt", updatedAt: "2026-11-20T10:00:00Z", variants: [{ id: 2, inventoryItemId: 3 }] }));
    expect(e).toMatchObject({ kind: "product", variants: [{ variantId: "2", inventoryItemId: "3" }] });
  });

  it("accepts admin GraphQL ids", () => {
    const e = toDomainEvent("inventory_levels/update", {
      inventory_item_id: "gid://shopify/InventoryItem/11",
      location_id: 22,
      available: -1,
      updated_at: "2026-11-20T10:00:00Z",
    });
    expect(e).toMatchObject({ inventoryItemId: "11", locationId: "22", available: -1 });
  });

  it.each([
    ["orders/create", { id: 1 }, /created_at must be an ISO date/],
    ["orders/create", [], /payload must be an object/],
    ["inventory_levels/update", { inventory_item_id: 1, location_id: 2, available: 1.5, updated_at: "2026-11-20T10:00:00Z" }, /available must be an integer/],
    ["inventory_levels/update", { inventory_item_id: -1, location_id: 2, available: 1, updated_at: "2026-11-20T10:00:00Z" }, /inventory_item_id must be a Shopify id/],
    ["refunds/create", { id: 1, order_id: 2, created_at: "2026-11-20", refund_line_items: [{ line_item_id: 3 }] }, /quantity must be an integer/],
  ] as const)("rejects %s %j", (topic, payload, message) => {
    expect(() => toDomainEvent(topic, payload)).toThrow(PayloadError);
    expect(() => toDomainEvent(topic, payload)).toThrow(message);
  });
});
