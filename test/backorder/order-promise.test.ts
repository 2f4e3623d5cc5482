// The order promise's rules: null exactly when no line waits; waiting lines carry their units
// short and their date; covered lines that were backordered show as ready; the same facts in
// any order give the same text (so an unchanged promise is never pushed again); and the
// extension reads back what the sync writes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orderPromise, orderPromiseValue, type PromiseLineFacts } from "../../app/backorder/order-promise.ts";
import { LINE_STATE } from "../../app/backorder/line-state.ts";
import { rowsFromPromise } from "../../extensions/order-promise/src/promise.ts";

const date = fc.integer({ min: 0, max: 800 }).map((d) => new Date(Date.UTC(2026, 11, 1) + d * 86_400_000).toISOString().slice(0, 10));
const line = fc.record({
  lineItemId: fc.integer({ min: 1, max: 10 ** 12 }).map(String),
  title: fc.string({ minLength: 1, maxLength: 20 }),
  state: fc.constantFrom(...Object.values(LINE_STATE)),
  waitingQuantity: fc.integer({ min: 0, max: 5 }),
  openQuantity: fc.integer({ min: 0, max: 5 }),
  promisedShipDate: fc.option(date, { nil: null }),
  backorderedAt: fc.option(fc.constant(new Date("2026-11-20T00:00:00Z")), { nil: null }),
});
const lines = fc.uniqueArray(line, { selector: (l) => l.lineItemId, maxLength: 8 });
const waits = (l: PromiseLineFacts) => l.state === LINE_STATE.waiting && l.waitingQuantity > 0;

describe("orderPromise", () => {
  it("is null exactly when no line waits, and lists every waiting line with its units and date", () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const p = orderPromise(ls);
        if (!ls.some(waits)) {
          expect(p).toBeNull();
          return;
        }
        const waiting = ls.filter(waits);
        expect(p!.lines.filter((l) => l.state === "waiting")).toHaveLength(waiting.length);
        for (const w of waiting)
          expect(p!.lines).toContainEqual({
            id: w.lineItemId,
            title: w.title,
            quantity: w.waitingQuantity,
            date: w.promisedShipDate,
            state: "waiting",
          });
        for (const r of p!.lines.filter((l) => l.state === "ready")) {
          const f = ls.find((l) => l.lineItemId === r.id)!;
          expect([f.state, f.backorderedAt !== null, r.date, r.quantity]).toEqual([LINE_STATE.allocated, true, null, f.openQuantity]);
        }
      }),
    );
  });

  it("gives the same text whatever order the lines come in", () => {
    fc.assert(
      fc.property(
        lines.chain((ls) => fc.tuple(fc.constant(ls), fc.shuffledSubarray(ls, { minLength: ls.length, maxLength: ls.length }))),
        ([ls, shuffled]) => {
          expect(orderPromiseValue(shuffled)).toBe(orderPromiseValue(ls));
        },
      ),
    );
  });

  it("is read back by the extension as written", () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const value = orderPromiseValue(ls);
        const rows = rowsFromPromise(value);
        expect(rows).toEqual((orderPromise(ls)?.lines ?? []).map(({ title, quantity, date, state }) => ({ title, quantity, date, state })));
      }),
    );
  });

  it("shows nothing for a value the extension cannot read", () => {
    for (const bad of [null, "", "not json", "{}", '{"v":2,"lines":[]}', '{"v":1,"lines":[{"title":1}]}'])
      expect(rowsFromPromise(bad)).toEqual([]);
  });
});
