import { describe, expect, it } from "vitest";
import { parseExact, redactPayload, type RedactionTarget } from "../../app/shopify/payload-redaction.ts";
import { toDomainEvent, type Topic } from "../../app/shopify/webhook-payloads.ts";
import { fulfillmentPayload, orderEditPayload, orderPayload, refundPayload } from "../../dev/fixtures/shopify-payloads.ts";

const target: RedactionTarget = { customerId: "880000000000123", email: "grace@example.org", orderIds: new Set(["41"]) };
const grace = { id: 880000000000123, first: "Grace", last: "Hopper", email: "grace@example.org" };
const lines = [{ id: 51, variantId: 61, quantity: 2, current: 2, fulfillable: 1, price: "12.50", sku: "S-1" }];

describe("redactPayload", () => {
  // Each topic maps to the same event after the rewrite, minus the customer: nothing the engine reads is lost.
  it.each([
    [
      "orders/updated",
      {
        ...orderPayload({ id: 41, createdAt: "2026-11-20T10:00:00Z", customer: grace, refundIds: [7], fulfillmentIds: [8], lines }),
        shipping_address: { name: "Grace Hopper" },
      },
    ],
    [
      "orders/create",
      { ...orderPayload({ id: 42, createdAt: "2026-11-20T10:00:00Z", customer: null, lines }), email: "grace@example.org" },
    ],
    [
      "orders/cancelled",
      orderPayload({ id: 43, createdAt: "2026-11-20T10:00:00Z", cancelledAt: "2026-11-20T11:00:00Z", customer: grace, lines }),
    ],
    ["refunds/create", refundPayload({ id: 9, orderId: 41, createdAt: "2026-11-20T10:00:00Z", lines: [{ lineItemId: 51, quantity: 1 }] })],
    [
      "fulfillments/create",
      {
        ...fulfillmentPayload({ id: 9, orderId: 41, createdAt: "2026-11-20T10:00:00Z", lines: [{ lineItemId: 51, quantity: 1 }] }),
        email: "grace@example.org",
        destination: { last_name: "Hopper" },
      },
    ],
    [
      "orders/edited",
      orderEditPayload({ id: 9, orderId: 41, committedAt: "2026-11-20T10:00:00Z", removals: [{ lineItemId: 51, delta: 1 }] }),
    ],
    ["customers/data_request", { customer: { id: grace.id, email: grace.email }, orders_requested: [41], data_request: { id: 3 } }],
  ] as const)("%s keeps what the engine reads and drops the customer", (topic, payload) => {
    const text = JSON.stringify(payload);
    const redacted = redactPayload(topic, text, target);
    expect(redacted).not.toBeNull();
    expect(redacted).not.toMatch(/grace|hopper|880000000000123/i);
    const before = toDomainEvent(topic as Topic, JSON.parse(text));
    const after = toDomainEvent(topic as Topic, JSON.parse(redacted!));
    if (before.kind === "order") expect(after).toEqual({ ...before, customer: null });
    else if (before.kind === "customer_data_request") expect(after).toEqual({ ...before, customerId: null, email: null });
    else expect(after).toEqual(before);
  });

  it("leaves payloads about other orders and customers alone", () => {
    const other = JSON.stringify(orderPayload({ id: 44, createdAt: "2026-11-20T10:00:00Z", lines }));
    expect(redactPayload("orders/updated", other, target)).toBeNull();
  });

  it("keeps ids beyond 2^53 digit for digit", () => {
    const text = `{"id":41,"created_at":"2026-11-20T10:00:00Z","updated_at":"2026-11-20T10:00:00Z","customer":{"id":880000000000123},"line_items":[{"id":9007199254740993,"variant_id":18446744073709551615,"quantity":1,"price":"1.00"}]}`;
    expect(redactPayload("orders/updated", text, target)).toBe(
      `{"id":41,"created_at":"2026-11-20T10:00:00Z","updated_at":"2026-11-20T10:00:00Z","line_items":[{"id":9007199254740993,"variant_id":18446744073709551615,"quantity":1,"price":"1.00"}]}`,
    );
    expect(JSON.stringify(parseExact(`[1e300, -0.10, 12345678901234567890]`))).toBe("[1e300,-0.10,12345678901234567890]");
  });

  it("empties text that is not JSON only when it names the customer or the orders", () => {
    expect(redactPayload("orders/updated", `{"email":"grace@example.org",`, target)).toBe("");
    expect(redactPayload("orders/updated", `{"id":41`, target)).toBe("");
    expect(redactPayload("orders/updated", `{"id":410`, target)).toBeNull();
    expect(redactPayload("orders/updated", `${"[".repeat(200_000)}"grace@example.org"`, target)).toBe("");
  });
});
