// Incoming batches at a location (docs/decisions/0028-batch-locations-in-etas.md): a batch at L
// serves L's waiting lines first, oldest first, then unplaced lines; a batch without a location
// serves the whole queue as shipDateForUnit does.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fifoCompare } from "../../app/backorder/allocation.ts";
import { shipDateForUnit, type IncomingUnits, type RestockPlan } from "../../app/backorder/eta.ts";
import { hasLocatedBatch, isPlaced, queueShipDates, type QueuedLine } from "../../app/backorder/located-eta.ts";

const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 10, m));
const line = (id: string, minute: number, qty: number, locationId: string | null, placed = locationId !== null): QueuedLine => ({
  lineItemId: id,
  orderedAt: at(minute),
  waitingQuantity: qty,
  locationId,
  placed,
});
// Monday 2026-11-23; processing 0 days so ship date = arrival on weekdays.
const plan = (batches: IncomingUnits[], over: Partial<RestockPlan> = {}): RestockPlan => ({
  restockDate: null,
  incomingQuantity: null,
  leadTimeDays: 14,
  processingDays: 0,
  today: "2026-11-23",
  batches,
  ...over,
});
const dates = (r: ReturnType<typeof queueShipDates>) => Object.fromEntries(r.lines);

describe("queueShipDates", () => {
  it("the lamp: a batch at West serves the West line even though the East line is older", () => {
    const lines = [line("east", 1, 1, "EAST"), line("west", 2, 1, "WEST")];
    const r = queueShipDates(lines, plan([{ date: "2026-12-01", quantity: 1, locationId: "WEST" }]));
    // East waits for the cycle after the last arrival (a lead time later); the next unit too.
    expect(dates(r)).toEqual({ west: "2026-12-01", east: "2026-12-15" });
    expect(r.next).toBe("2026-12-15");
    // The same batch without a location goes to the oldest line, as today.
    const shopWide = queueShipDates(lines, plan([{ date: "2026-12-01", quantity: 1 }]));
    expect(dates(shopWide)).toEqual({ east: "2026-12-01", west: "2026-12-15" });
  });

  it("serves the location's lines in order, then unplaced lines, never another location's placed lines", () => {
    const lines = [
      line("east-1", 1, 2, "EAST"),
      line("loose-1", 2, 1, "EAST", false), // short at East by the shop-wide rule, not routed there
      line("west-1", 3, 2, "WEST"),
      line("loose-2", 4, 1, "WEST", false),
      line("west-2", 5, 1, "WEST"),
    ];
    const r = queueShipDates(lines, plan([{ date: "2026-12-01", quantity: 5, locationId: "WEST" }]));
    // WEST's own three lines (4 units) first, oldest first; the 1 left goes to the oldest unplaced line.
    expect(dates(r)).toEqual({
      "west-1": "2026-12-01",
      "loose-2": "2026-12-01",
      "west-2": "2026-12-01",
      "loose-1": "2026-12-01",
      "east-1": "2026-12-15",
    });
    // Too small for West's own lines: the oldest West line is served, the next waits.
    const small = queueShipDates(lines, plan([{ date: "2026-12-01", quantity: 2, locationId: "WEST" }]));
    expect(dates(small)["west-1"]).toBe("2026-12-01");
    expect(dates(small)["loose-2"]).toBe("2026-12-15");
  });

  it("a line split over East and West (decision 0033) ships with its last part; a batch at West serves only its West part", () => {
    // 3 lamps: 2 waiting at East, 1 at West (one entry per part, the same line id), behind an older West line.
    const lines = [line("west", 1, 1, "WEST"), line("lamp", 2, 2, "EAST"), line("lamp", 2, 1, "WEST")];
    const atWest = queueShipDates(lines, plan([{ date: "2026-12-01", quantity: 2, locationId: "WEST" }]));
    // West's batch serves West's older line and the lamp's West part; its East part waits for the next cycle.
    expect(dates(atWest)).toEqual({ west: "2026-12-01", lamp: "2026-12-15" });
    // A batch at East as well: the lamp ships when its later part does.
    const both = queueShipDates(
      lines,
      plan([
        { date: "2026-12-01", quantity: 2, locationId: "WEST" },
        { date: "2026-12-03", quantity: 2, locationId: "EAST" },
      ]),
    );
    expect(dates(both)).toEqual({ west: "2026-12-01", lamp: "2026-12-03" });
  });

  it("batches serve in date order; a line split across two arrivals ships with the later one", () => {
    const lines = [line("a", 1, 3, "EAST"), line("b", 2, 2, "EAST")];
    const r = queueShipDates(
      lines,
      plan([
        { date: "2026-12-08", quantity: 4, locationId: "EAST" },
        { date: "2026-12-01", quantity: 2, locationId: "EAST" },
      ]),
    );
    expect(dates(r)).toEqual({ a: "2026-12-08", b: "2026-12-08" });
    expect(r.next).toBe("2026-12-08"); // one unit of the second batch is left for a new order
  });

  it("the restock date (no location) serves what the batches left, shop-wide", () => {
    const lines = [line("east", 1, 1, "EAST"), line("west", 2, 1, "WEST")];
    const r = queueShipDates(lines, plan([{ date: "2026-12-01", quantity: 1, locationId: "WEST" }], { restockDate: "2026-12-04" }));
    expect(dates(r)).toEqual({ west: "2026-12-01", east: "2026-12-04" });
    expect(r.next).toBe("2026-12-04");
  });

  it("placed means routed to the location whose shortage the line holds", () => {
    expect(isPlaced({ locationId: "1", assignedLocationId: "1" })).toBe(true);
    expect(isPlaced({ locationId: "1", assignedLocationId: null })).toBe(false);
    expect(isPlaced({ locationId: "1", assignedLocationId: "2" })).toBe(false);
    expect(hasLocatedBatch([{ date: "2026-12-01", quantity: 1 }])).toBe(false);
    expect(hasLocatedBatch([{ date: "2026-12-01", quantity: 1, locationId: "7" }])).toBe(true);
  });

  const dateArb = fc.integer({ min: -3, max: 40 }).map((d) => new Date(Date.UTC(2026, 10, 23 + d)).toISOString().slice(0, 10));
  const linesArb = (locations: string[]) =>
    fc
      .array(
        fc.record({
          minute: fc.integer({ min: 0, max: 50 }),
          qty: fc.integer({ min: 1, max: 4 }),
          loc: fc.option(fc.constantFrom(...locations), { nil: null }),
          placed: fc.boolean(),
        }),
        { maxLength: 12 },
      )
      .map((rs) => rs.map((r, i) => line(`${i + 1}`, r.minute, r.qty, r.loc, r.loc !== null && r.placed)));
  const batchesArb = (locations: (string | null)[]) =>
    fc.array(fc.record({ date: dateArb, quantity: fc.integer({ min: 0, max: 6 }), locationId: fc.constantFrom(...locations) }), {
      maxLength: 5,
    });
  const planArb = fc.record({
    restockDate: fc.option(dateArb, { nil: null }),
    incomingQuantity: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    leadTimeDays: fc.integer({ min: 0, max: 20 }),
    processingDays: fc.integer({ min: 0, max: 3 }),
  });

  it("property: batches without a location date every line exactly as shipDateForUnit (unchanged)", () => {
    fc.assert(
      fc.property(linesArb(["EAST", "WEST"]), batchesArb([null]), planArb, (lines, batches, p) => {
        const full = { ...p, today: "2026-11-23", batches };
        const r = queueShipDates(lines, full);
        let units = 0;
        for (const l of [...lines].sort(fifoCompare)) {
          units += l.waitingQuantity;
          expect(r.lines.get(l.lineItemId)).toBe(shipDateForUnit(units, full));
        }
        expect(r.next).toBe(shipDateForUnit(units + 1, full));
      }),
    );
  });

  it("property: in a single-location shop, batches at that location change nothing", () => {
    fc.assert(
      fc.property(linesArb(["ONLY"]), batchesArb([null, "ONLY"]), planArb, (lines, batches, p) => {
        // One level: the allocation charges every waiting line there (placed or not).
        const here = lines.map((l) => ({ ...l, locationId: "ONLY" }));
        const located = queueShipDates(here, { ...p, today: "2026-11-23", batches });
        const shopWide = queueShipDates(here, { ...p, today: "2026-11-23", batches: batches.map((b) => ({ ...b, locationId: null })) });
        expect(located).toEqual(shopWide);
      }),
    );
  });

  it("property: lines of the same kind at the same location ship in order, and no batch serves more units than it brings", () => {
    fc.assert(
      fc.property(linesArb(["EAST", "WEST"]), batchesArb([null, "EAST", "WEST", "NORTH"]), planArb, (lines, batches, p) => {
        const full = { ...p, today: "2026-11-23", batches };
        const r = queueShipDates(lines, full);
        for (const loc of ["EAST", "WEST"]) {
          const own = lines.filter((l) => l.placed && l.locationId === loc).sort(fifoCompare);
          for (let i = 1; i < own.length; i++) expect(r.lines.get(own[i - 1]!.lineItemId)! <= r.lines.get(own[i]!.lineItemId)!).toBe(true);
        }
        for (const loc of ["EAST", "WEST", null]) {
          const loose = lines.filter((l) => !l.placed && l.locationId === loc).sort(fifoCompare);
          for (let i = 1; i < loose.length; i++)
            expect(r.lines.get(loose[i - 1]!.lineItemId)! <= r.lines.get(loose[i]!.lineItemId)!).toBe(true);
        }
        // Units shipping by the first batch's date are at most what arrived by then.
        const first = [...batches].filter((b) => b.quantity > 0 && b.date >= "2026-11-23").sort((a, b) => (a.date < b.date ? -1 : 1))[0];
        if (first && p.restockDate === null && p.processingDays === 0 && p.leadTimeDays > 0) {
          const arrived = batches.filter((b) => b.date === first.date).reduce((s, b) => s + b.quantity, 0);
          const shipped = lines.filter((l) => r.lines.get(l.lineItemId)! <= first.date).reduce((s, l) => s + l.waitingQuantity, 0);
          expect(shipped).toBeLessThanOrEqual(arrived);
        }
      }),
    );
  });
});
