import { describe, expect, it } from "vitest";
import { effectiveQuantities, lineState, type Adjustment } from "../../app/backorder/order-lines.ts";

const snap = (updatedAt: string, refundIds: string[] = [], fulfillmentIds: string[] = []) => ({
  updatedAt: new Date(updatedAt),
  refundIds: new Set(refundIds),
  fulfillmentIds: new Set(fulfillmentIds),
});
const adj = (kind: Adjustment["kind"], id: string, quantity: number, occurredAt = "2026-11-20T10:05:00Z"): Adjustment => ({
  kind,
  id,
  lineItemId: "L1",
  quantity,
  occurredAt: new Date(occurredAt),
});
const base = { lineItemId: "L1", quantity: 5, openQuantity: 5 };

describe("effectiveQuantities", () => {
  it("takes a refund off the order until the snapshot lists it", () => {
    expect(effectiveQuantities(base, snap("2026-11-20T10:00:00Z"), [adj("refund", "r1", 2)])).toEqual({ quantity: 3, openQuantity: 3 });
    const after = { lineItemId: "L1", quantity: 3, openQuantity: 3 };
    expect(effectiveQuantities(after, snap("2026-11-20T10:06:00Z", ["r1"]), [adj("refund", "r1", 2)])).toEqual({
      quantity: 3,
      openQuantity: 3,
    });
  });

  it("takes a fulfilment off the open part only", () => {
    expect(effectiveQuantities(base, snap("2026-11-20T10:00:00Z"), [adj("fulfillment", "f1", 5)])).toEqual({
      quantity: 5,
      openQuantity: 0,
    });
  });

  it("counts an edit until a snapshot at or after its commit", () => {
    const e = adj("edit", "e1", 1, "2026-11-20T10:05:00Z");
    expect(effectiveQuantities(base, snap("2026-11-20T10:04:59Z"), [e]).quantity).toBe(4);
    expect(effectiveQuantities(base, snap("2026-11-20T10:05:00Z"), [e]).quantity).toBe(5);
  });

  it("never goes below zero, nor leaves more open than ordered", () => {
    expect(effectiveQuantities(base, snap("2026-11-20T10:00:00Z"), [adj("refund", "r1", 4), adj("refund", "r2", 4)])).toEqual({
      quantity: 0,
      openQuantity: 0,
    });
  });

  it("ignores other lines' adjustments", () => {
    expect(effectiveQuantities({ ...base, lineItemId: "L2" }, snap("2026-11-20T10:00:00Z"), [adj("refund", "r1", 2)])).toEqual({
      quantity: 5,
      openQuantity: 5,
    });
  });
});

describe("lineState", () => {
  it.each([
    [{ cancelled: true, quantity: 2, openQuantity: 2, waiting: 2 }, "cancelled"],
    [{ cancelled: false, quantity: 2, openQuantity: 0, waiting: 0 }, "fulfilled"],
    [{ cancelled: false, quantity: 0, openQuantity: 0, waiting: 0 }, "cancelled"],
    [{ cancelled: false, quantity: 2, openQuantity: 2, waiting: 1 }, "waiting"],
    [{ cancelled: false, quantity: 2, openQuantity: 2, waiting: 0 }, "allocated"],
  ] as const)("%j -> %s", (args, state) => {
    expect(lineState(args)).toBe(state);
  });
});
