import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../../app/backorder/eta.ts";
import {
  accuracyFromTotals,
  demandOf,
  orderAdvice,
  planningRate,
  projectQueue,
  promiseAccuracy,
  queueClearDate,
  riskReasons,
  waitingByDay,
} from "../../app/backorder/planning.ts";

const TODAY = "2026-11-30";
const back = (days: number) => addDays(TODAY, -days);

describe("demandOf", () => {
  it("averages the last 7 and 28 days and compares them", () => {
    // 2 units a day for 28 days, 5 more a day in the last week.
    const series = Array.from({ length: 40 }, (_, i) => ({ day: back(i), units: i < 28 ? (i < 7 ? 7 : 2) : 100 }));
    const d = demandOf(series, TODAY);
    expect(d.last7).toBe(7);
    expect(d.last28).toBeCloseTo((7 * 7 + 21 * 2) / 28);
    expect(d.trend).toBeCloseTo(7 / (91 / 28) - 1);
    expect(planningRate(d)).toBe(7);
  });

  it("has no trend without demand, and ignores future days", () => {
    expect(demandOf([], TODAY)).toEqual({ last7: 0, last28: 0, trend: null });
    expect(demandOf([{ day: addDays(TODAY, 1), units: 9 }], TODAY).last28).toBe(0);
  });
});

describe("projectQueue and queueClearDate", () => {
  const batches = [
    { date: addDays(TODAY, 20), quantity: 30 },
    { date: addDays(TODAY, 10), quantity: 15 },
  ];
  it("adds the demand until each batch and takes the batch off", () => {
    // 12 waiting, 1 a day: 22 on day 10, 15 arrive -> 7; 17 on day 20, 30 arrive -> 0.
    expect(projectQueue(12, 1, batches, TODAY)).toEqual([
      { day: addDays(TODAY, 10), before: 22, after: 7, arriving: 15 },
      { day: addDays(TODAY, 20), before: 17, after: 0, arriving: 30 },
    ]);
    expect(queueClearDate(12, 1, batches, TODAY)).toBe(addDays(TODAY, 20));
  });

  it("never clears when the batches do not catch up, and is clear today with nothing waiting", () => {
    expect(queueClearDate(12, 5, batches, TODAY)).toBeNull();
    expect(queueClearDate(0, 5, [], TODAY)).toBe(TODAY);
  });
});

describe("orderAdvice", () => {
  it("orders the queue plus demand over lead time and cover, less what is planned by then", () => {
    // 20 waiting + 2/day × (14 + 30) = 108, less 15 arriving within 44 days (the day-50 batch is later).
    const advice = orderAdvice({
      waitingUnits: 20,
      rate: 2,
      batches: [
        { date: addDays(TODAY, 10), quantity: 15 },
        { date: addDays(TODAY, 50), quantity: 500 },
      ],
      leadTimeDays: 14,
      coverDays: 30,
      today: TODAY,
    });
    expect(advice).toEqual({ quantity: 93, arrivesOn: addDays(TODAY, 14) });
  });

  it("rounds a fractional need up and never orders a negative quantity", () => {
    expect(orderAdvice({ waitingUnits: 0, rate: 0.05, batches: [], leadTimeDays: 10, coverDays: 32, today: TODAY }).quantity).toBe(3);
    expect(
      orderAdvice({ waitingUnits: 1, rate: 0, batches: [{ date: TODAY, quantity: 10 }], leadTimeDays: 5, coverDays: 5, today: TODAY })
        .quantity,
    ).toBe(0);
  });
});

describe("riskReasons", () => {
  const base = { waitingUnits: 10, overduePromises: 0, rate: 1, batches: [], restockDate: null, today: TODAY };
  it("names each reason", () => {
    expect(riskReasons(base)).toEqual(["no-restock-date"]);
    expect(riskReasons({ ...base, restockDate: addDays(TODAY, 3) })).toEqual([]);
    expect(riskReasons({ ...base, restockDate: back(3) })).toEqual(["no-restock-date"]);
    expect(riskReasons({ ...base, batches: [{ date: addDays(TODAY, 5), quantity: 12 }] })).toEqual(["outgrows-next-batch"]);
    expect(riskReasons({ ...base, batches: [{ date: addDays(TODAY, 5), quantity: 15 }] })).toEqual([]);
    expect(riskReasons({ ...base, waitingUnits: 0, overduePromises: 2 })).toEqual(["promise-passed"]);
  });
});

describe("promiseAccuracy", () => {
  it("counts lines shipped by the first promise and the mean days late", () => {
    const a = promiseAccuracy([
      { promised: "2026-11-10", shipped: "2026-11-09" },
      { promised: "2026-11-10", shipped: "2026-11-10" },
      { promised: "2026-11-10", shipped: "2026-11-13" },
      { promised: "2026-11-10", shipped: "2026-11-15" },
    ]);
    expect(a).toEqual({ lines: 4, onTime: 2, share: 0.5, meanSlipDays: 2 });
    expect(promiseAccuracy([])).toEqual({ lines: 0, onTime: 0, share: null, meanSlipDays: null });
  });
});

describe("waitingByDay", () => {
  it("carries each line's last waiting count forward", () => {
    const series = waitingByDay(
      [
        { lineItemId: "a", day: "2026-11-01", waiting: 2 },
        { lineItemId: "b", day: "2026-11-02", waiting: 3 },
        { lineItemId: "a", day: "2026-11-03", waiting: 0 },
        { lineItemId: "b", day: "2026-11-03", waiting: 1 },
      ],
      "2026-10-31",
      "2026-11-04",
    );
    expect(series.map((d) => d.units)).toEqual([0, 2, 5, 1, 1]);
  });
});

const batchArb = fc.record({
  date: fc.integer({ min: -5, max: 90 }).map((d) => addDays(TODAY, d)),
  quantity: fc.integer({ min: 1, max: 60 }),
});

describe("planning properties", () => {
  it("ordering the advised quantity on its arrival date leaves no queue by then", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(batchArb, { maxLength: 5 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 60 }),
        (waiting, rate, batches, lead, cover) => {
          const advice = orderAdvice({ waitingUnits: waiting, rate, batches, leadTimeDays: lead, coverDays: cover, today: TODAY });
          const horizon = addDays(advice.arrivesOn, cover);
          const inHorizon = batches.filter((b) => b.date <= horizon);
          const withOrder = [...inHorizon, { date: horizon, quantity: advice.quantity }];
          const last = projectQueue(waiting, rate, withOrder, TODAY).at(-1);
          return advice.quantity >= 0 && (last === undefined || last.after === 0);
        },
      ),
    );
  });

  it("never projects a negative queue, and a larger batch never leaves more waiting", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(batchArb, { maxLength: 5 }),
        (waiting, rate, batches) => {
          const points = projectQueue(waiting, rate, batches, TODAY);
          const bigger = projectQueue(
            waiting,
            rate,
            batches.map((b) => ({ ...b, quantity: b.quantity + 1 })),
            TODAY,
          );
          return points.every((p, i) => p.after >= 0 && p.after <= p.before && bigger[i]!.after <= p.after);
        },
      ),
    );
  });

  it("accuracy from totals agrees with the per-line computation, share within 0..1", () => {
    const day = fc.integer({ min: 0, max: 60 }).map((d) => addDays("2026-10-01", d));
    fc.assert(
      fc.property(fc.array(fc.record({ promised: day, shipped: day }), { maxLength: 40 }), (outcomes) => {
        const a = promiseAccuracy(outcomes);
        const late = outcomes.filter((o) => o.shipped > o.promised);
        const lateDays = late.reduce((s, o) => s + (Date.parse(o.shipped) - Date.parse(o.promised)) / 86_400_000, 0);
        const b = accuracyFromTotals(outcomes.length, outcomes.length - late.length, lateDays);
        return JSON.stringify(a) === JSON.stringify(b) && (a.share === null || (a.share >= 0 && a.share <= 1));
      }),
    );
  });
});
