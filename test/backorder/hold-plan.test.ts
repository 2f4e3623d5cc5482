import { describe, expect, it } from "vitest";
import { planHolds, type PlanFulfillmentOrder } from "../../app/backorder/hold-plan.ts";

/** A fulfillment order: lines as [lineItemId, remaining]; holds as ids (ours) or "other:<id>". */
const fo = (
  id: string,
  lines: [string, number][],
  holds: string[] = [],
  status = holds.length ? "ON_HOLD" : "OPEN",
): PlanFulfillmentOrder => ({
  id,
  status,
  holds: holds.map((h) => ({ id: h, ours: !h.startsWith("other:") })),
  lineItems: lines.map(([lineItemId, remainingQuantity], i) => ({ id: `${id}-l${i}`, lineItemId, remainingQuantity })),
});
const waiting = (w: Record<string, number>) => new Map(Object.entries(w));

describe("planHolds", () => {
  it("holds the waiting units of a mixed fulfillment order, the rest stays open", () => {
    expect(
      planHolds("lines", waiting({ A: 2 }), [
        fo("F1", [
          ["A", 3],
          ["B", 1],
        ]),
      ]),
    ).toEqual([{ kind: "hold", fulfillmentOrderId: "F1", lineItems: [{ id: "F1-l0", quantity: 2 }] }]);
  });

  it("holds a fulfillment order whole when every unit in it waits (no split)", () => {
    expect(
      planHolds("lines", waiting({ A: 3, B: 1 }), [
        fo("F1", [
          ["A", 3],
          ["B", 1],
        ]),
      ]),
    ).toEqual([{ kind: "hold", fulfillmentOrderId: "F1", lineItems: null }]);
  });

  it("spreads a line's waiting units over its fulfillment orders, those needing no split first", () => {
    const plan = planHolds("lines", waiting({ A: 3 }), [
      fo("F1", [
        ["A", 2],
        ["B", 1],
      ]),
      fo("F2", [["A", 2]]),
    ]);
    expect(plan).toEqual([
      { kind: "hold", fulfillmentOrderId: "F2", lineItems: null },
      { kind: "hold", fulfillmentOrderId: "F1", lineItems: [{ id: "F1-l0", quantity: 1 }] },
    ]);
  });

  it("holds someone else's held fulfillment order whole: Shopify cannot split it", () => {
    expect(
      planHolds("lines", waiting({ A: 1 }), [
        fo(
          "F1",
          [
            ["A", 1],
            ["B", 1],
          ],
          ["other:h"],
        ),
      ]),
    ).toEqual([{ kind: "hold", fulfillmentOrderId: "F1", lineItems: null }]);
  });

  it("does nothing when the app's holds are exactly what waits", () => {
    expect(planHolds("lines", waiting({ A: 2 }), [fo("F1", [["B", 1]]), fo("F2", [["A", 2]], ["h2"])])).toEqual([]);
  });

  it("releases a hold that holds more than waits (to hold again smaller), but not when another hold keeps it anyway", () => {
    expect(planHolds("lines", waiting({ A: 1 }), [fo("F1", [["A", 2]], ["h1"])])).toEqual([
      { kind: "release", fulfillmentOrderId: "F1", holdId: "h1" },
    ]);
    expect(planHolds("lines", waiting({ A: 1 }), [fo("F1", [["A", 2]], ["h1", "other:x"])])).toEqual([]);
    // ... unless nothing in it waits any more.
    expect(planHolds("lines", waiting({ C: 1 }), [fo("F1", [["A", 2]], ["h1", "other:x"]), fo("F2", [["C", 1]], ["h2"])])).toEqual([
      { kind: "release", fulfillmentOrderId: "F1", holdId: "h1" },
    ]);
  });

  it("keeps the exact hold and releases the mixed one when switching from whole-order holds", () => {
    const plan = planHolds("lines", waiting({ A: 1 }), [
      fo(
        "F1",
        [
          ["A", 1],
          ["B", 1],
        ],
        ["h1"],
      ),
      fo("F2", [["A", 1]], ["h2"]),
    ]);
    expect(plan).toEqual([{ kind: "release", fulfillmentOrderId: "F1", holdId: "h1" }]);
  });

  it("holds every fulfillment order with something to ship in whole-order mode", () => {
    const plan = planHolds("order", waiting({ A: 1 }), [
      fo("F1", [["A", 1]], ["h1"]),
      fo("F2", [["B", 1]]),
      fo("F3", [["C", 0]]),
      fo("F4", [["D", 1]], [], "CLOSED"),
    ]);
    expect(plan).toEqual([{ kind: "hold", fulfillmentOrderId: "F2", lineItems: null }]);
  });

  it("releases only the app's holds when holds are off or nothing waits", () => {
    const fos = [fo("F1", [["A", 1]], ["h1", "other:x"]), fo("F2", [["B", 1]], ["other:y"])];
    const released = [{ kind: "release", fulfillmentOrderId: "F1", holdId: "h1" }];
    expect(planHolds("off", waiting({ A: 1 }), fos)).toEqual(released);
    expect(planHolds("lines", waiting({}), fos)).toEqual(released);
    expect(planHolds("order", waiting({ A: 0 }), fos)).toEqual(released);
  });
});
