// Per-location queues (docs/decisions/0021-per-location-queues.md): a line placed at a
// location takes only that location's shortage; lines without a location keep the shop-wide
// allocation. The facts arrive as a stream (orders, levels, fulfillment-order locations) that
// Shopify may shuffle and repeat: folded by the fact rules, any order gives the same queue.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate, fifoCompare, type Level, type OpenLine } from "../../app/backorder/allocation.ts";
import { inventoryLevelWins, lineLocationWins, winnerOf, type LineLocationFact } from "../../app/backorder/fact-rules.ts";

const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 10, m));
const line = (id: string, minute: number, qty: number, locationId: string | null = null): OpenLine => ({
  lineItemId: id,
  orderedAt: at(minute),
  openQuantity: qty,
  locationId,
});
const level = (loc: string, available: number, minute = 59): Level => ({ locationId: loc, available, updatedAt: at(minute) });
const waiting = (r: ReturnType<typeof allocate>) => Object.fromEntries([...r.lines].map(([k, v]) => [k, v.waiting]));

describe("per-location allocation", () => {
  it("the issue's lamp: short 1 at East and 1 at West, each location's own line waits", () => {
    // The East order (1 unit, older) is owed at East; the West order (2 units, newest) had 1 in stock at West.
    const lines = [line("east-order", 1, 1, "EAST"), line("west-order", 2, 2, "WEST")];
    const levels = [level("EAST", -1), level("WEST", -1)];
    const r = allocate(lines, levels);
    expect(waiting(r)).toEqual({ "east-order": 1, "west-order": 1 });
    expect(r.lines.get("east-order")!.locationId).toBe("EAST");
    expect(r.lines.get("west-order")!.locationId).toBe("WEST");
    // Without the locations (today's shop-wide rule) the newest line took both units.
    expect(
      waiting(
        allocate(
          lines.map((l) => ({ ...l, locationId: null })),
          levels,
        ),
      ),
    ).toEqual({ "east-order": 0, "west-order": 2 });
  });

  it("a restock at one location serves that location's oldest waiting line first", () => {
    const lines = [line("e1", 1, 1, "EAST"), line("w1", 2, 1, "WEST"), line("e2", 3, 1, "EAST"), line("w2", 4, 1, "WEST")];
    // East had 2 short, gets 1 back: e1 (older) is served, e2 still waits; West is untouched.
    expect(waiting(allocate(lines, [level("EAST", -1), level("WEST", -2)]))).toEqual({ e1: 0, w1: 1, e2: 1, w2: 1 });
  });

  it("charges a placed line's not-yet-reflected units to its own location", () => {
    // East has 3 in stock; a new East order (after the newest level) fits there, West's shortage stays West's.
    const lines = [line("w", 1, 1, "WEST"), line("e", 70, 2, "EAST")];
    const r = allocate(lines, [level("EAST", 3), level("WEST", -1)]);
    expect(waiting(r)).toEqual({ w: 1, e: 0 });
    expect(r.totalShortage).toBe(1);
  });

  it("treats a line assigned to a location without a level as unplaced", () => {
    const r = allocate([line("1", 1, 1, "NOWHERE"), line("2", 2, 1, "A")], [level("A", -2)]);
    expect(waiting(r)).toEqual({ "1": 1, "2": 1 });
  });

  const lineArb = fc.record({
    minute: fc.integer({ min: 0, max: 30 }),
    qty: fc.integer({ min: 0, max: 4 }),
    loc: fc.constantFrom<string | null>(null, "A", "B", "C"),
  });
  const levelsArb = fc.uniqueArray(
    fc.record({ loc: fc.constantFrom("A", "B", "C"), available: fc.integer({ min: -8, max: 5 }), minute: fc.integer({ min: 0, max: 40 }) }),
    { selector: (l) => l.loc, maxLength: 3 },
  );
  const build = (ls: { minute: number; qty: number; loc: string | null }[]) =>
    ls.map((l, i) => line(String(i + 1), l.minute, l.qty, l.loc));

  it("with one location, placed lines allocate exactly as unplaced ones (single-location shops unchanged)", () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 12 }),
        fc.integer({ min: -10, max: 5 }),
        fc.integer({ min: 0, max: 40 }),
        (ls, avail, m) => {
          const levels = [level("A", avail, m)];
          const lines = build(ls).map((l) => ({ ...l, locationId: l.locationId === null ? null : "A" }));
          const stripped = lines.map((l) => ({ ...l, locationId: null }));
          expect(waiting(allocate(lines, levels))).toEqual(waiting(allocate(stripped, levels)));
          expect(allocate(lines, levels).totalShortage).toBe(allocate(stripped, levels).totalShortage);
        },
      ),
    );
  });

  it("when every line is placed, each location's queue is its own newest-first suffix of its shortage", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 14 }), levelsArb, (ls, lvs) => {
        const levels = lvs.map((l) => level(l.loc, l.available, 59)); // all levels after every order: nothing unreflected
        if (levels.length === 0) return;
        const lines = build(ls).map((l, i) => ({ ...l, locationId: levels[i % levels.length]!.locationId }));
        const r = allocate(lines, levels);
        for (const lv of levels) {
          const mine = lines.filter((l) => l.locationId === lv.locationId && l.openQuantity > 0).sort(fifoCompare);
          let short = Math.max(0, -lv.available);
          for (const l of [...mine].reverse()) {
            const expected = Math.min(l.openQuantity, short);
            short -= expected;
            expect(r.lines.get(l.lineItemId)!.waiting).toBe(expected);
          }
        }
      }),
    );
  });

  it("never hands out more than the shortage, nor more than a line's units", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 14 }), levelsArb, (ls, lvs) => {
        const levels = lvs.map((l) => level(l.loc, l.available, l.minute));
        const lines = build(ls);
        const r = allocate(lines, levels);
        let handed = 0;
        for (const l of lines) {
          const w = r.lines.get(l.lineItemId)!.waiting;
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(Math.max(0, l.openQuantity));
          handed += w;
        }
        expect(handed + r.untrackedShortage).toBe(r.totalShortage);
      }),
    );
  });
});

// A stream of facts as the webhooks and the location sync bring them.
type Fact =
  | { kind: "line"; id: string; minute: number; qty: number }
  | { kind: "level"; loc: string; available: number; minute: number }
  | { kind: "located"; id: string; loc: string; fo: string; minute: number };

/** Folds a stream with the engine's rules: newest level wins, newest fulfillment order wins per line. */
function fold(stream: Fact[]) {
  const lines = new Map<string, { minute: number; qty: number }>();
  const levels = new Map<string, Level>();
  const located = new Map<string, LineLocationFact>();
  for (const f of stream) {
    if (f.kind === "line") lines.set(f.id, { minute: f.minute, qty: f.qty });
    else if (f.kind === "level") {
      const candidate = level(f.loc, f.available, f.minute);
      if (inventoryLevelWins(candidate, levels.get(f.loc) ?? null)) levels.set(f.loc, candidate);
    } else {
      const candidate = { locationId: f.loc, fulfillmentOrderId: f.fo, sourceAt: at(f.minute) };
      if (lineLocationWins(candidate, located.get(f.id) ?? null)) located.set(f.id, candidate);
    }
  }
  return allocate(
    [...lines].map(([id, l]) => line(id, l.minute, l.qty, located.get(id)?.locationId ?? null)),
    [...levels.values()],
  );
}

const factArb: fc.Arbitrary<Fact> = fc.oneof(
  fc.record({
    kind: fc.constant("line" as const),
    id: fc.constantFrom("1", "2", "3", "4", "5", "6"),
    minute: fc.integer({ min: 0, max: 30 }),
    qty: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({
    kind: fc.constant("level" as const),
    loc: fc.constantFrom("EAST", "WEST", "NORTH"),
    available: fc.integer({ min: -6, max: 4 }),
    minute: fc.integer({ min: 0, max: 40 }),
  }),
  fc.record({
    kind: fc.constant("located" as const),
    id: fc.constantFrom("1", "2", "3", "4", "5", "6"),
    loc: fc.constantFrom("EAST", "WEST", "NORTH"),
    fo: fc.constantFrom("101", "102", "1003"),
    minute: fc.integer({ min: 0, max: 40 }),
  }),
);

describe("multi-location streams converge", () => {
  it("shuffled and duplicated streams of orders, levels and locations end in the same queue", () => {
    // One order snapshot per line (an order's own newest-wins is order-snapshot territory, tested elsewhere).
    const streamArb = fc
      .array(factArb, { maxLength: 24 })
      .map((s) => s.filter((f, i) => f.kind !== "line" || s.findIndex((g) => g.kind === "line" && g.id === f.id) === i));
    fc.assert(
      fc.property(
        streamArb.chain((stream) =>
          fc.tuple(
            fc.constant(stream),
            fc.shuffledSubarray([...stream, ...stream], { minLength: 2 * stream.length, maxLength: 2 * stream.length }),
          ),
        ),
        ([stream, replay]) => {
          const a = fold(stream);
          const b = fold(replay);
          expect([...b.lines].sort()).toEqual([...a.lines].sort());
          expect(b.untrackedShortage).toBe(a.untrackedShortage);
        },
      ),
    );
  });

  it("the newest fulfillment order decides a line's location whatever the delivery order", () => {
    const facts: LineLocationFact[] = [
      { locationId: "EAST", fulfillmentOrderId: "101", sourceAt: at(1) },
      { locationId: "WEST", fulfillmentOrderId: "102", sourceAt: at(5) }, // moved to West
      { locationId: "EAST", fulfillmentOrderId: "101", sourceAt: at(5) }, // the original, updated by the same move
    ];
    for (const order of [facts, [...facts].reverse(), [facts[1]!, facts[0]!, facts[2]!]])
      expect(winnerOf(order, lineLocationWins)?.locationId).toBe("WEST");
  });
});
