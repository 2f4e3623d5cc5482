import { describe, expect, it } from "vitest";
import { addBusinessDays, arrivalForUnit, shipDateForUnit, todayIn, type RestockPlan } from "../../app/backorder/eta.ts";

// Monday 2026-11-23; the restock lands Tuesday 2026-12-01 with 30 units.
const plan = (over: Partial<RestockPlan> = {}): RestockPlan => ({
  restockDate: "2026-12-01",
  incomingQuantity: 30,
  leadTimeDays: 14,
  processingDays: 1,
  today: "2026-11-23",
  ...over,
});

describe("shipDateForUnit", () => {
  it("ships the first unit one business day after the restock", () => {
    expect(shipDateForUnit(1, plan())).toBe("2026-12-02");
  });

  it("covers exactly incomingQuantity units with the next restock (30th vs 31st)", () => {
    expect(shipDateForUnit(30, plan())).toBe("2026-12-02");
    // 31st: the next cycle, lead time after the restock (Tue 12-15) + 1 business day.
    expect(shipDateForUnit(31, plan())).toBe("2026-12-16");
  });

  it("puts the 41st unit (40 waiting, 30 arriving) on the restock after that", () => {
    expect(shipDateForUnit(41, plan())).toBe("2026-12-16");
    expect(shipDateForUnit(60, plan())).toBe("2026-12-16");
    expect(shipDateForUnit(61, plan())).toBe("2026-12-30");
  });

  it("assumes a restock of unknown size covers the whole queue", () => {
    expect(shipDateForUnit(500, plan({ incomingQuantity: null }))).toBe("2026-12-02");
    expect(shipDateForUnit(500, plan({ incomingQuantity: 0 }))).toBe("2026-12-02");
  });

  it("without a restock date, counts lead time from today", () => {
    // 11-23 + 14 = Mon 12-07, shipped Tue 12-08.
    expect(shipDateForUnit(1, plan({ restockDate: null }))).toBe("2026-12-08");
    // Known cycle size still splits the queue: unit 31 waits one more lead time.
    expect(shipDateForUnit(31, plan({ restockDate: null }))).toBe("2026-12-22");
  });

  it("treats a restock date in the past as unknown instead of promising a past day", () => {
    expect(shipDateForUnit(1, plan({ restockDate: "2026-11-20" }))).toBe("2026-12-08");
  });

  it("a restock due today ships after processing, never before today", () => {
    expect(shipDateForUnit(1, plan({ restockDate: "2026-11-23" }))).toBe("2026-11-24");
    expect(shipDateForUnit(1, plan({ restockDate: "2026-11-23", processingDays: 0 }))).toBe("2026-11-23");
  });

  it("counts processing in business days, skipping weekends", () => {
    // Restock Friday 12-04: +1 business day is Monday 12-07; +3 is Wednesday 12-09.
    expect(shipDateForUnit(1, plan({ restockDate: "2026-12-04" }))).toBe("2026-12-07");
    expect(shipDateForUnit(1, plan({ restockDate: "2026-12-04", processingDays: 3 }))).toBe("2026-12-09");
    // Arriving Saturday with no processing still leaves on Monday.
    expect(shipDateForUnit(1, plan({ restockDate: "2026-12-05", processingDays: 0 }))).toBe("2026-12-07");
  });

  it("with zero lead time every cycle is the same day", () => {
    expect(shipDateForUnit(95, plan({ leadTimeDays: 0 }))).toBe("2026-12-02");
  });

  it("rejects invalid units and dates", () => {
    expect(shipDateForUnit(0, plan())).toBeNull();
    expect(shipDateForUnit(Number.NaN, plan())).toBeNull();
    expect(shipDateForUnit(1, plan({ today: "23/11/2026" }))).toBeNull();
    expect(arrivalForUnit(1, plan({ restockDate: "soon" }))).toBe("2026-12-07");
  });
});

describe("addBusinessDays", () => {
  it("rolls a weekend start to Monday and crosses month ends", () => {
    expect(addBusinessDays("2026-11-28", 0)).toBe("2026-11-30");
    expect(addBusinessDays("2026-12-31", 2)).toBe("2027-01-04");
  });
});

describe("todayIn", () => {
  it("is the calendar date in the shop's time zone", () => {
    const now = new Date("2026-11-24T02:00:00Z");
    expect(todayIn("UTC", now)).toBe("2026-11-24");
    expect(todayIn("America/Los_Angeles", now)).toBe("2026-11-23");
    expect(todayIn("Asia/Tokyo", new Date("2026-11-23T20:00:00Z"))).toBe("2026-11-24");
  });

  it("falls back to UTC for an unknown zone", () => {
    expect(todayIn("Mars/Olympus", new Date("2026-11-24T02:00:00Z"))).toBe("2026-11-24");
  });
});
