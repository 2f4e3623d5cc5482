import { describe, expect, it } from "vitest";
import { normalizeTopic, PayloadError, TEXT_LIMITS, toDomainEvent } from "../../app/shopify/webhook-payloads.ts";
import { orderEditPayload, orderPayload, productPayload } from "../../dev/fixtures/shopify-payloads.ts";

describe("normalizeTopic", () => {
  it.each([
    ["orders/create", "orders/create"],
    ["ORDERS_CREATE", "orders/create"],
    ["INVENTORY_LEVELS_UPDATE", "inventory_levels/update"],
    ["CUSTOMERS_DATA_REQUEST", "customers/data_request"],
    ["APP_UNINSTALLED", "app/uninstalled"],
    ["APP_SCOPES_UPDATE", "app/scopes_update"],
    ["carts/update", null],
  ])("%s -> %s", (raw, topic) => expect(normalizeTopic(raw)).toBe(topic));
});

describe("toDomainEvent", () => {
  it("maps an order with its customer, quantities and the refunds/fulfilments it includes", () => {
    const p = orderPayload({
      id: 1,
      createdAt: "2026-11-20T10:00:00-05:00",
      updatedAt: "2026-11-20T11:00:00-05:00",
      customer: { id: 2, first: "John", last: "Smith", email: "john@example.com" },
      refundIds: [1],
      fulfillmentIds: [2],
      lines: [{ id: 3, variantId: 808950810, quantity: 3, current: 2, fulfillable: 1, price: "199.00" }],
    });
    // Real Shopify ids are beyond 2^53: the worker's parser hands them over as exact digits.
    Object.assign(p, { id: "820982911946154501" });
    Object.assign(p.customer!, { id: "115310627314723951" });
    Object.assign(p.line_items[0]!, { id: "487817672276298561" });
    const e = toDomainEvent("orders/updated", p);
    expect(e).toMatchObject({
      kind: "order",
      orderId: "820982911946154501",
      customer: { id: "115310627314723951", name: "John Smith", email: "john@example.com" },
      refundIds: ["1"],
      fulfillmentIds: ["2"],
      lines: [{ lineItemId: "487817672276298561", variantId: "808950810", quantity: 2, openQuantity: 1, unitPrice: "199.00" }],
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
    const e = toDomainEvent(
      "orders/edited",
      orderEditPayload({ id: 9, orderId: 1, committedAt: "2026-11-20T10:00:00Z", removals: [{ lineItemId: 5, delta: 2 }] }),
    );
    expect(e).toMatchObject({ kind: "adjustment", adjustment: "edit", id: "9", orderId: "1", lines: [{ lineItemId: "5", quantity: 2 }] });
  });

  it("maps products with inventory items", () => {
    const e = toDomainEvent(
      "products/update",
      productPayload({ id: 1, title: "Shirt", updatedAt: "2026-11-20T10:00:00Z", variants: [{ id: 2, inventoryItemId: 3 }] }),
    );
    expect(e).toMatchObject({ kind: "product", variants: [{ variantId: "2", inventoryItemId: "3" }] });
  });

  it("maps the fulfillment order webhooks to the fulfillment orders to read (their payloads name no lines)", () => {
    expect(
      toDomainEvent("fulfillment_orders/order_routing_complete", {
        fulfillment_order: { id: "gid://shopify/FulfillmentOrder/1046000", status: "open" },
      }),
    ).toEqual({ kind: "fulfillment_orders_assigned", fulfillmentOrderIds: ["1046000"] });
    const moved = {
      original_fulfillment_order: {
        id: "gid://shopify/FulfillmentOrder/10",
        status: "open",
        assigned_location_id: "gid://shopify/Location/1",
      },
      moved_fulfillment_order: {
        id: "gid://shopify/FulfillmentOrder/11",
        status: "open",
        assigned_location_id: "gid://shopify/Location/2",
      },
      destination_location_id: "gid://shopify/Location/2",
      fulfillment_order_line_items_requested: [{ id: "gid://shopify/FulfillmentOrderLineItem/5", quantity: 1 }],
      source_location: { id: "gid://shopify/Location/1" },
    };
    expect(toDomainEvent("fulfillment_orders/moved", moved)).toEqual({
      kind: "fulfillment_orders_assigned",
      fulfillmentOrderIds: ["10", "11"],
    });
    // A whole fulfillment order moved: the original is reassigned, no new one.
    expect(toDomainEvent("fulfillment_orders/moved", { ...moved, moved_fulfillment_order: null })).toEqual({
      kind: "fulfillment_orders_assigned",
      fulfillmentOrderIds: ["10"],
    });
    expect(() => toDomainEvent("fulfillment_orders/order_routing_complete", { fulfillment_order: { id: "x" } })).toThrow(PayloadError);
    expect(normalizeTopic("FULFILLMENT_ORDERS_MOVED")).toBe("fulfillment_orders/moved");
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
    [
      "inventory_levels/update",
      { inventory_item_id: 1, location_id: 2, available: 1.5, updated_at: "2026-11-20T10:00:00Z" },
      /available must be an integer/,
    ],
    [
      "inventory_levels/update",
      { inventory_item_id: -1, location_id: 2, available: 1, updated_at: "2026-11-20T10:00:00Z" },
      /inventory_item_id must be a Shopify id/,
    ],
    [
      "refunds/create",
      { id: 1, order_id: 2, created_at: "2026-11-20", refund_line_items: [{ line_item_id: 3 }] },
      /quantity must be an integer/,
    ],
  ] as const)("rejects %s %j", (topic, payload, message) => {
    expect(() => toDomainEvent(topic, payload)).toThrow(PayloadError);
    expect(() => toDomainEvent(topic, payload)).toThrow(message);
  });
});

// Values that used to pass the door and fail later, or be stored wrong.
describe("toDomainEvent bounds", () => {
  const order = (patch: (p: ReturnType<typeof orderPayload>) => void) => {
    const p = orderPayload({ id: 1, createdAt: "2026-11-20T10:00:00Z", lines: [{ id: 2, variantId: 3, quantity: 1 }] });
    patch(p);
    return p;
  };
  const line = (p: ReturnType<typeof orderPayload>) => p.line_items[0] as unknown as Record<string, unknown>;
  const level = (patch: Record<string, unknown>) => ({
    inventory_item_id: 1,
    location_id: 2,
    available: 1,
    updated_at: "2026-11-20T10:00:00Z",
    ...patch,
  });
  const refund = (quantity: unknown) => ({
    id: 1,
    order_id: 2,
    created_at: "2026-11-20T10:00:00Z",
    refund_line_items: [{ line_item_id: 3, quantity }],
  });
  const fulfillment = (quantity: unknown) => ({
    id: 1,
    order_id: 2,
    created_at: "2026-11-20T10:00:00Z",
    status: "success",
    line_items: [{ id: 3, quantity }],
  });

  it.each([
    [
      "quantity 1e300",
      "orders/create",
      order((p) => (line(p).quantity = 1e300)),
      /line_items\[0\]\.quantity must be from 0 to 1000000000, got 1e\+300/,
    ],
    [
      "quantity 3e9 (beyond int4)",
      "orders/create",
      order((p) => (line(p).quantity = 3e9)),
      /line_items\[0\]\.quantity must be from 0 to 1000000000, got 3000000000/,
    ],
    [
      "negative current_quantity",
      "orders/create",
      order((p) => (line(p).current_quantity = -1)),
      /line_items\[0\]\.current_quantity must be from 0 to 1000000000, got -1/,
    ],
    [
      "fulfillable_quantity as text",
      "orders/updated",
      order((p) => (line(p).fulfillable_quantity = "NaN")),
      /line_items\[0\]\.fulfillable_quantity must be an integer, got "NaN"/,
    ],
    [
      "a quantity the parser kept as digits",
      "orders/create",
      order((p) => (line(p).quantity = "99999999999999999999")),
      /line_items\[0\]\.quantity must be an integer, got "99999999999999999999"/,
    ],
    ["refund quantity 3e9", "refunds/create", refund(3e9), /refund_line_items\[0\]\.quantity must be from 0 to 1000000000/],
    ["fulfillment quantity 1.5", "fulfillments/create", fulfillment(1.5), /line_items\[0\]\.quantity must be an integer/],
    [
      "available 1e300",
      "inventory_levels/update",
      level({ available: 1e300 }),
      /available must be from -1000000000 to 1000000000, got 1e\+300/,
    ],
    [
      "available -3e9",
      "inventory_levels/update",
      level({ available: -3e9 }),
      /available must be from -1000000000 to 1000000000, got -3000000000/,
    ],
    [
      "year 275760",
      "orders/create",
      order((p) => (p.created_at = "+275760-09-13T00:00:00Z")),
      /created_at must be an ISO date between 1970 and 2200/,
    ],
    [
      "year 2201",
      "inventory_levels/update",
      level({ updated_at: "2201-01-01T00:00:00Z" }),
      /updated_at must be an ISO date between 1970 and 2200/,
    ],
    [
      "year 1969",
      "orders/updated",
      order((p) => (p.updated_at = "1969-12-31T00:00:00Z")),
      /updated_at must be an ISO date between 1970 and 2200/,
    ],
    ["30 February", "orders/create", order((p) => (p.created_at = "2026-02-30T10:00:00Z")), /created_at must be an ISO date/],
    ["a time without a zone", "orders/create", order((p) => (p.created_at = "2026-11-20T10:00:00")), /created_at must be an ISO date/],
    ["not ISO", "orders/cancelled", order((p) => (p.cancelled_at = "Nov 20 2026")), /cancelled_at must be an ISO date/],
    [
      "an id beyond 2^53 as a number (digits lost)",
      "orders/create",
      order((p) => (p.id = 820982911946154500)),
      /^id 820982911946154500 is beyond 2\^53/,
    ],
    ["an id of 20 digits", "orders/create", order((p) => Object.assign(p, { id: "12345678901234567890" })), /^id must be a Shopify id/],
    ["an id above 2^63-1", "orders/create", order((p) => Object.assign(p, { id: "9223372036854775808" })), /^id must be a Shopify id/],
    ["a fractional id", "orders/create", order((p) => (line(p).variant_id = 3.5)), /line_items\[0\]\.variant_id must be a Shopify id/],
    ["an id with a leading zero", "refunds/create", { ...refund(1), order_id: "0042" }, /order_id must be a Shopify id/],
    [
      "a gid of 20 digits",
      "inventory_levels/update",
      level({ inventory_item_id: "gid://shopify/InventoryItem/12345678901234567890" }),
      /inventory_item_id must be a Shopify id/,
    ],
    [
      "a price that is not an amount",
      "orders/create",
      order((p) => (line(p).price = "12,50")),
      /line_items\[0\]\.price must be a decimal amount/,
    ],
  ] as const)("refuses %s, naming the field", (_what, topic, payload, message) => {
    expect(() => toDomainEvent(topic, payload)).toThrow(PayloadError);
    expect(() => toDomainEvent(topic, payload)).toThrow(message);
  });

  it("keeps 64-bit ids exact when they arrive as digits or gids, and accepts the bounds themselves", () => {
    const p = order((x) => {
      Object.assign(x, { id: "9223372036854775807" });
      Object.assign(line(x), {
        id: "gid://shopify/LineItem/9007199254740993",
        quantity: 1_000_000_000,
        current_quantity: 0,
        fulfillable_quantity: 0,
      });
      x.created_at = "1970-01-01T00:00:00Z";
      x.updated_at = "2200-12-31T23:59:59.999999+14:00";
    });
    expect(toDomainEvent("orders/create", p)).toMatchObject({
      orderId: "9223372036854775807",
      lines: [{ lineItemId: "9007199254740993", quantity: 0, openQuantity: 0 }],
    });
    expect(toDomainEvent("inventory_levels/update", level({ available: -1_000_000_000 }))).toMatchObject({ available: -1_000_000_000 });
  });

  it("two order ids that differ beyond 2^53 stay two orders", () => {
    const a = toDomainEvent(
      "orders/create",
      order((p) => Object.assign(p, { id: "9007199254740993" })),
    );
    const b = toDomainEvent(
      "orders/create",
      order((p) => Object.assign(p, { id: "9007199254740992" })),
    );
    expect([a.kind === "order" && a.orderId, b.kind === "order" && b.orderId]).toEqual(["9007199254740993", "9007199254740992"]);
  });

  it("caps free text instead of refusing the order, and never cuts a tag in half", () => {
    const long = "x".repeat(10_000);
    const e = toDomainEvent(
      "orders/create",
      order((p) => {
        p.name = long;
        line(p).name = `${"é".repeat(600)}😀`;
        line(p).sku = long;
        p.customer!.first_name = long;
        p.customer!.email = `${long}@example.com`;
      }),
    );
    if (e.kind !== "order") throw new Error("not an order");
    expect(e.name).toHaveLength(TEXT_LIMITS.name);
    expect(e.lines[0]!.title).toHaveLength(TEXT_LIMITS.title);
    expect(e.lines[0]!.title.endsWith("é…")).toBe(true);
    expect(e.lines[0]!.sku).toHaveLength(TEXT_LIMITS.sku);
    expect(e.customer!.name!.length).toBeLessThanOrEqual(TEXT_LIMITS.name);
    expect(e.customer!.email!.length).toBeLessThanOrEqual(TEXT_LIMITS.email);
    // A half surrogate pair is never left at the cut.
    const emoji = toDomainEvent(
      "orders/create",
      order((p) => (line(p).name = `${"a".repeat(TEXT_LIMITS.title - 2)}😀😀`)),
    );
    expect(emoji.kind === "order" && emoji.lines[0]!.title).toBe(`${"a".repeat(TEXT_LIMITS.title - 2)}…`);

    const manyTags = Array.from({ length: 5000 }, (_, i) => `tag-number-${i}`).join(", ");
    const product = toDomainEvent(
      "products/update",
      productPayload({ id: 1, title: long, updatedAt: "2026-11-20T10:00:00Z", tags: manyTags, variants: [{ id: 2, inventoryItemId: 3 }] }),
    );
    if (product.kind !== "product") throw new Error("not a product");
    expect(product.title).toHaveLength(TEXT_LIMITS.title);
    expect(product.tags.length).toBeLessThanOrEqual(TEXT_LIMITS.tags);
    expect(manyTags.startsWith(product.tags)).toBe(true);
    expect(manyTags[product.tags.length]).toBe(",");
  });
});
