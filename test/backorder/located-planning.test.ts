// Planning projections per location (decision 0032): known series (the lamp short at East and
// West, a location's units then unplaced ones, a proportional split, demand and the shelf,
// each location's clear date) and properties (no located batch, or one location: exactly
// projectQueue; nothing negative; a batch never serves more than it brings).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../../app/backorder/eta.ts";
import { projectQueue, queueClearDate } from "../../app/backorder/planning.ts";
import { locatedClearDate, locationPlans, projectLocatedQueue, type LocatedQueue } from "../../app/backorder/located-planning.ts";

const TODAY = "2026-12-01";
const on = (d: number) => addDays(TODAY, d);
const EAST = "111";
const WEST = "222";
const round = (x: number) => Math.round(x * 1e6) / 1e6;
const byLocation = (p: { locations: { locationId: string | null; before: number; after: number }[] }) =>
  Object.fromEntries(p.locations.map((l) => [l.locationId ?? "none", [round(l.before), round(l.after)]]));

describe("projectLocatedQueue", () => {
  it("the lamp: a batch at West does not serve the line Shopify placed at East", () => {
    const lamp: LocatedQueue = {
      locations: [
        { locationId: EAST, placed: 1, unplaced: 0 },
        { locationId: WEST, placed: 1, unplaced: 0 },
      ],
      unlocated: 0,
    };
    const west = [{ date: on(5), quantity: 2, locationId: WEST }];
    const [p] = projectLocatedQueue(lamp, 0, west, TODAY);
    expect(p).toMatchObject({ day: on(5), before: 2, after: 1, arriving: 2, locationId: WEST });
    expect(byLocation(p!)).toEqual({ [EAST]: [1, 1], [WEST]: [1, 0], none: [0, 0] });
    // One shop-wide pool would have it clear.
    expect(projectQueue(2, 0, west, TODAY)[0]!.after).toBe(0);
    expect(locatedClearDate(lamp, 0, west, TODAY)).toBeNull();
    const both = [...west, { date: on(9), quantity: 1, locationId: EAST }];
    expect(locatedClearDate(lamp, 0, both, TODAY)).toBe(on(9));
    expect(locationPlans(lamp, 0, both, TODAY)).toEqual([
      { locationId: EAST, waitingUnits: 1, placedUnits: 1, clearsOn: on(9) },
      { locationId: WEST, waitingUnits: 1, placedUnits: 1, clearsOn: on(5) },
    ]);
    // A batch without a location serves both.
    expect(locatedClearDate(lamp, 0, [{ date: on(3), quantity: 2 }], TODAY)).toBe(on(3));
  });

  it("a batch at West serves West's units first, then the unplaced ones elsewhere, never East's placed ones", () => {
    const q: LocatedQueue = {
      locations: [
        { locationId: EAST, placed: 1, unplaced: 2 },
        { locationId: WEST, placed: 1, unplaced: 0 },
      ],
      unlocated: 1,
    };
    const [p] = projectLocatedQueue(q, 0, [{ date: on(2), quantity: 10, locationId: WEST }], TODAY);
    expect(byLocation(p!)).toEqual({ [EAST]: [3, 1], [WEST]: [1, 0], none: [1, 0] });
    expect(p!.after).toBe(1);
    // Too few for all the unplaced ones: they share what is left after West's own, in proportion.
    const [s] = projectLocatedQueue(q, 0, [{ date: on(2), quantity: 3, locationId: WEST }], TODAY);
    expect(byLocation(s!)).toEqual({ [EAST]: [3, round(1 + 2 / 3)], [WEST]: [1, 0], none: [1, round(1 / 3)] });
    expect(round(s!.after)).toBe(2);
  });

  it("demand comes unplaced: any batch serves it, and a batch's spare units wait on the shelf for it", () => {
    const q: LocatedQueue = { locations: [{ locationId: WEST, placed: 2, unplaced: 0 }], unlocated: 0 };
    const points = projectLocatedQueue(
      q,
      1,
      [
        { date: on(5), quantity: 10, locationId: WEST },
        { date: on(10), quantity: 1, locationId: EAST },
      ],
      TODAY,
    );
    // Day 5: West 2 and 5 units of demand; all served, 3 left on the shelf.
    expect(byLocation(points[0]!)).toEqual({ [WEST]: [2, 0], none: [5, 0] });
    // Day 10: 5 more, 3 from the shelf; East's batch serves one of the 2 others.
    expect(byLocation(points[1]!)).toEqual({ [WEST]: [0, 0], none: [2, 1] });
    expect(points.map((p) => [p.before, p.after])).toEqual(
      projectQueue(
        2,
        1,
        [
          { date: on(5), quantity: 10 },
          { date: on(10), quantity: 1 },
        ],
        TODAY,
      ).map((p) => [p.before, p.after]),
    );
    expect(locationPlans(q, 1, [{ date: on(5), quantity: 10, locationId: WEST }], TODAY)).toEqual([
      { locationId: WEST, waitingUnits: 2, placedUnits: 2, clearsOn: on(5) },
      { locationId: null, waitingUnits: 0, placedUnits: 0, clearsOn: on(5) },
    ]);
  });

  it("skips past and empty batches and lands same-day batches in turn", () => {
    const q: LocatedQueue = { locations: [{ locationId: EAST, placed: 3, unplaced: 0 }], unlocated: 0 };
    const points = projectLocatedQueue(
      q,
      0,
      [
        { date: on(-1), quantity: 5, locationId: EAST },
        { date: on(4), quantity: 0, locationId: EAST },
        { date: on(4), quantity: 1, locationId: EAST },
        { date: on(4), quantity: 1, locationId: WEST },
        { date: on(4), quantity: 1, locationId: EAST },
      ],
      TODAY,
    );
    expect(points.map((p) => [p.locationId, p.before, p.after])).toEqual([
      [EAST, 3, 2],
      [WEST, 2, 2],
      [EAST, 2, 1],
    ]);
  });
});

const location = fc.constantFrom(EAST, WEST, "333");
const batch = fc.record({
  date: fc.integer({ min: -3, max: 60 }).map(on),
  quantity: fc.integer({ min: 0, max: 40 }),
  locationId: fc.option(location, { nil: null }),
});
const queueArb = fc.record({
  locations: fc.uniqueArray(
    fc.record({ locationId: location, placed: fc.integer({ min: 0, max: 30 }), unplaced: fc.integer({ min: 0, max: 30 }) }),
    { selector: (l) => l.locationId, maxLength: 3 },
  ),
  unlocated: fc.integer({ min: 0, max: 30 }),
});
const rate = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true }));
const total = (q: LocatedQueue) => q.locations.reduce((s, l) => s + l.placed + l.unplaced, 0) + q.unlocated;
const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

describe("projectLocatedQueue: properties", () => {
  it("without a located batch the totals are projectQueue's", () => {
    fc.assert(
      fc.property(
        queueArb,
        rate,
        fc.array(
          batch.map((b) => ({ ...b, locationId: null })),
          { maxLength: 6 },
        ),
        (q, r, bs) => {
          const located = projectLocatedQueue(q, r, bs, TODAY);
          const pooled = projectQueue(total(q), r, bs, TODAY);
          expect(located.length).toBe(pooled.length);
          located.forEach((p, i) => expect(close(p.before, pooled[i]!.before) && close(p.after, pooled[i]!.after)).toBe(true));
          expect(locatedClearDate(q, r, bs, TODAY)).toBe(queueClearDate(total(q), r, bs, TODAY));
        },
      ),
    );
  });

  it("a single-location shop (every unit short there, batches there or anywhere) is unchanged", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        rate,
        fc.array(
          batch.map((b) => ({ ...b, locationId: b.locationId === null ? null : EAST })),
          { maxLength: 6 },
        ),
        (placed, unplaced, unlocated, r, bs) => {
          const q: LocatedQueue = { locations: [{ locationId: EAST, placed, unplaced }], unlocated };
          const located = projectLocatedQueue(q, r, bs, TODAY);
          const pooled = projectQueue(total(q), r, bs, TODAY);
          located.forEach((p, i) => expect(close(p.before, pooled[i]!.before) && close(p.after, pooled[i]!.after)).toBe(true));
          expect(locatedClearDate(q, r, bs, TODAY)).toBe(queueClearDate(total(q), r, bs, TODAY));
        },
      ),
    );
  });

  it("nothing goes negative; a batch serves at most what it brings", () => {
    fc.assert(
      fc.property(queueArb, rate, fc.array(batch, { maxLength: 6 }), (q, r, bs) => {
        for (const p of projectLocatedQueue(q, r, bs, TODAY)) {
          expect(p.after).toBeLessThanOrEqual(p.before + 1e-9);
          expect(p.before - p.after).toBeLessThanOrEqual(p.arriving + 1e-9);
          for (const l of p.locations) expect(l.after).toBeGreaterThanOrEqual(0);
          expect(
            close(
              p.before,
              p.locations.reduce((s, l) => s + l.before, 0),
            ),
          ).toBe(true);
          expect(
            close(
              p.after,
              p.locations.reduce((s, l) => s + l.after, 0),
            ),
          ).toBe(true);
        }
      }),
    );
  });

  it("batches at East never serve the units Shopify placed at another location", () => {
    fc.assert(
      fc.property(
        queueArb,
        rate,
        fc.array(
          batch.map((b) => ({ ...b, locationId: EAST })),
          { maxLength: 6 },
        ),
        (q, r, bs) => {
          for (const p of projectLocatedQueue(q, r, bs, TODAY))
            for (const l of p.locations) {
              const placed = l.locationId === EAST ? 0 : (q.locations.find((x) => x.locationId === l.locationId)?.placed ?? 0);
              expect(l.after).toBeGreaterThanOrEqual(placed - 1e-9);
            }
        },
      ),
    );
  });
});
