import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DERIVABLE_LINE_STATES,
  isDerivableLineState,
  isOpenLineState,
  LINE_STATE,
  OPEN_LINE_STATES,
  PENDING_LINE_STATE,
  STORED_LINE_STATES,
} from "../../app/backorder/line-state.ts";
import { lineState } from "../../app/backorder/order-lines.ts";

const facts = fc
  .record({ cancelled: fc.boolean(), quantity: fc.nat(50), open: fc.nat(50), waiting: fc.nat(50) })
  .map(({ cancelled, quantity, open, waiting }) => {
    const openQuantity = Math.min(open, quantity);
    return { cancelled, quantity, openQuantity, waiting: Math.min(waiting, openQuantity) };
  });

describe("line states", () => {
  it("a derived line is open exactly while it is live: not cancelled, units still to ship", () => {
    fc.assert(
      fc.property(facts, (f) => {
        const state = lineState(f);
        expect(Object.values(LINE_STATE)).toContain(state);
        expect(isOpenLineState(state)).toBe(!f.cancelled && f.openQuantity > 0);
        expect(isDerivableLineState(state)).toBe(isOpenLineState(state));
      }),
    );
  });

  it("pending is stored only before the first derivation, which still reads it", () => {
    expect(STORED_LINE_STATES).toContain(PENDING_LINE_STATE);
    expect(isOpenLineState(PENDING_LINE_STATE)).toBe(false);
    expect(isDerivableLineState(PENDING_LINE_STATE)).toBe(true);
    expect([...DERIVABLE_LINE_STATES].sort()).toEqual([PENDING_LINE_STATE, ...OPEN_LINE_STATES].sort());
    expect(new Set(STORED_LINE_STATES).size).toBe(STORED_LINE_STATES.length);
  });
});
