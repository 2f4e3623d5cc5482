import { describe, expect, it } from "vitest";
import { allocate, compareIds, type Level, type OpenLine } from "../../app/backorder/allocation.ts";

const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 10, m));
const line = (id: string, minute: number, qty: number, locationId: string | null = null): OpenLine => ({
  lineItemId: id,
  orderedAt: at(minute),
  openQuantity: qty,
  locationId,
});
const level = (loc: string, available: number, minute = 59): Level => ({ locationId: loc, available, updatedAt: at(minute) });
const waiting = (r: ReturnType<typeof allocate>) => Object.fromEntries([...r.lines].map(([k, v]) => [k, v.waiting]));

describe("allocate", () => {
  it("covers everything when stock is not negative", () => {
    const r = allocate([line("1", 1, 2), line("2", 2, 3)], [level("L", 0)]);
    expect(waiting(r)).toEqual({ "1": 0, "2": 0 });
    expect(r.totalShortage).toBe(0);
  });

  it("hands the shortage to the newest lines first, splitting a line when needed", () => {
    const r = allocate([line("1", 1, 2), line("2", 2, 3), line("3", 3, 1)], [level("L", -3)]);
    expect(waiting(r)).toEqual({ "1": 0, "2": 2, "3": 1 });
  });

  it("breaks order-time ties by line id, numerically", () => {
    const r = allocate([line("10", 1, 1), line("9", 1, 1)], [level("L", -1)]);
    expect(waiting(r)).toEqual({ "9": 0, "10": 1 });
    expect(compareIds("9", "10")).toBeLessThan(0);
  });

  it("reports shortage that no tracked line explains as untracked (older than all)", () => {
    const r = allocate([line("1", 1, 1)], [level("L", -4)]);
    expect(waiting(r)).toEqual({ "1": 1 });
    expect(r.untrackedShortage).toBe(3);
  });

  it("sums shortage over locations and places lines where the shortage is", () => {
    const r = allocate([line("1", 1, 2), line("2", 2, 2)], [level("B", -1), level("A", -2), level("C", 5)]);
    expect(waiting(r)).toEqual({ "1": 1, "2": 2 });
    expect(r.lines.get("2")!.locationId).toBe("A");
    expect(r.totalShortage).toBe(3);
  });

  it("keeps a line with a known location to that location's shortage", () => {
    const r = allocate([line("1", 1, 2, "B"), line("2", 2, 2, "A")], [level("A", 0), level("B", -2)]);
    expect(waiting(r)).toEqual({ "1": 2, "2": 0 });
  });

  it("counts orders newer than the newest level as demand the level does not show yet", () => {
    // Level says -3 at minute 4; an order at minute 5 (2 units) is not in it yet.
    const r = allocate([line("1", 3, 2), line("2", 4, 1), line("3", 5, 2)], [level("L", -3, 4)]);
    expect(waiting(r)).toEqual({ "1": 2, "2": 1, "3": 2 });
  });

  it("lets not-yet-reflected demand use stock that is still there", () => {
    const r = allocate([line("1", 5, 3)], [level("L", 2, 4)]);
    expect(waiting(r)).toEqual({ "1": 1 });
  });

  it("gives the same answer whatever order lines and levels come in", () => {
    const lines = [line("1", 1, 2), line("2", 2, 3), line("3", 2, 1), line("4", 9, 4)];
    const levels = [level("A", -4), level("B", -1)];
    const expected = waiting(allocate(lines, levels));
    expect(waiting(allocate([...lines].reverse(), [...levels].reverse()))).toEqual(expected);
  });

  it("ignores lines with nothing open", () => {
    const r = allocate([line("1", 1, 0), line("2", 2, 1)], [level("L", -1)]);
    expect(waiting(r)).toEqual({ "1": 0, "2": 1 });
  });
});
