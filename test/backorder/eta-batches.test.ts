import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, arrivalForUnit, shipDateForUnit, type RestockPlan } from "../../app/backorder/eta.ts";

// Monday 2026-11-23. Two purchase orders: 10 units on Dec 1, 25 on Dec 15.
const plan = (over: Partial<RestockPlan> = {}): RestockPlan => ({
  restockDate: null,
  incomingQuantity: null,
  leadTimeDays: 14,
  processingDays: 1,
  today: "2026-11-23",
  batches: [
    { date: "2026-12-15", quantity: 25 },
    { date: "2026-12-01", quantity: 10 },
  ],
  ...over,
});

describe("arrivalForUnit with incoming batches", () => {
  it("serves units from the batches in date order, whatever order they are given in", () => {
    expect(arrivalForUnit(1, plan())).toBe("2026-12-01");
    expect(arrivalForUnit(10, plan())).toBe("2026-12-01");
    expect(arrivalForUnit(11, plan())).toBe("2026-12-15");
    expect(arrivalForUnit(35, plan())).toBe("2026-12-15");
  });

  it("dates units beyond every batch a lead time after the last one, in cycles of incomingQuantity", () => {
    expect(arrivalForUnit(36, plan())).toBe("2026-12-29");
    expect(arrivalForUnit(36, plan({ incomingQuantity: 5 }))).toBe("2026-12-29");
    expect(arrivalForUnit(40, plan({ incomingQuantity: 5 }))).toBe("2026-12-29");
    expect(arrivalForUnit(41, plan({ incomingQuantity: 5 }))).toBe("2027-01-12");
  });

  it("counts the restock date as one more batch of incomingQuantity (unknown: the rest of the queue)", () => {
    expect(arrivalForUnit(11, plan({ restockDate: "2026-12-08", incomingQuantity: 4 }))).toBe("2026-12-08");
    expect(arrivalForUnit(15, plan({ restockDate: "2026-12-08", incomingQuantity: 4 }))).toBe("2026-12-15");
    expect(arrivalForUnit(500, plan({ restockDate: "2026-12-08" }))).toBe("2026-12-08");
  });

  it("ignores batches dated before today and empty ones", () => {
    const p = plan({
      batches: [
        { date: "2026-11-20", quantity: 50 },
        { date: "2026-12-01", quantity: 0 },
      ],
    });
    expect(arrivalForUnit(1, p)).toBe(arrivalForUnit(1, plan({ batches: [] })));
    expect(arrivalForUnit(1, p)).toBe("2026-12-07");
  });

  it("ships a batch's units processing days after it lands", () => {
    expect(shipDateForUnit(10, plan())).toBe("2026-12-02");
    expect(shipDateForUnit(11, plan())).toBe("2026-12-16");
  });
});

const day = fc.integer({ min: 0, max: 120 }).map((d) => addDays("2026-11-23", d - 10));
const batch = fc.record({ date: day, quantity: fc.integer({ min: 0, max: 40 }) });
const anyPlan = fc.record({
  restockDate: fc.option(day, { nil: null }),
  incomingQuantity: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
  leadTimeDays: fc.integer({ min: 0, max: 30 }),
  processingDays: fc.integer({ min: 0, max: 5 }),
  today: fc.constant("2026-11-23"),
  batches: fc.array(batch, { maxLength: 6 }),
});

describe("arrivalForUnit with incoming batches: properties", () => {
  it("never dates a later unit before an earlier one, and never before today", () => {
    fc.assert(
      fc.property(anyPlan, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 300 }), (p, unit, more) => {
        const a = arrivalForUnit(unit, p)!;
        const b = arrivalForUnit(unit + more, p)!;
        return a <= b && a >= p.today && shipDateForUnit(unit, p)! >= p.today;
      }),
    );
  });

  it("has stock for at least every unit the batches bring by a date, on that date", () => {
    fc.assert(
      fc.property(anyPlan, day, (p, by) => {
        const brought = p.batches.filter((b) => b.date >= p.today && b.date <= by).reduce((s, b) => s + b.quantity, 0);
        return brought === 0 || arrivalForUnit(brought, p)! <= by;
      }),
    );
  });

  it("is the plan without batches when none lies ahead", () => {
    fc.assert(
      fc.property(anyPlan, fc.integer({ min: 1, max: 300 }), (p, unit) => {
        const past = p.batches.map((b) => ({ ...b, date: addDays(p.today, -1 - (b.quantity % 9)) }));
        return arrivalForUnit(unit, { ...p, batches: past }) === arrivalForUnit(unit, { ...p, batches: undefined });
      }),
    );
  });
});
