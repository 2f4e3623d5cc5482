// Per-location queues (docs/decisions/0021-per-location-queues.md, split lines 0033): a line placed at a
// location takes only that location's shortage; lines without a location keep the shop-wide
// allocation. The facts arrive as a stream (orders, levels, fulfillment-order locations) that
// Shopify may shuffle and repeat: folded by the fact rules, any order gives the same queue.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate, fifoCompare, piecesOf, type Level, type OpenLine } from "../../app/backorder/allocation.ts";
import {
  decodeParts,
  encodeParts,
  inventoryLevelWins,
  lineLocationWins,
  linePartsOf,
  linePartWins,
  winnerOf,
  type LineLocationFact,
  type LinePart,
} from "../../app/backorder/fact-rules.ts";

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

describe("split lines (decision 0033)", () => {
  const split = (id: string, minute: number, qty: number, parts: LinePart[]): OpenLine => ({
    ...line(id, minute, qty, parts[0]!.locationId),
    parts,
  });
  const east = (quantity: number): LinePart => ({ locationId: "EAST", quantity });
  const west = (quantity: number): LinePart => ({ locationId: "WEST", quantity });

  it("3 lamps, 2 from East and 1 from West: each part takes its own location's shortage", () => {
    const lamp = split("lamp", 1, 3, [west(1), east(2)]);
    const r = allocate([lamp], [level("EAST", -2), level("WEST", -1)]);
    expect(r.lines.get("lamp")).toEqual({
      waiting: 3,
      locationId: "EAST",
      waitingAt: new Map([
        ["EAST", 2],
        ["WEST", 1],
      ]),
    });
    // Placed at the newest fulfillment order only (before), all 3 were charged to West: 2 of East's short went untracked.
    const whole = allocate([line("lamp", 1, 3, "WEST")], [level("EAST", -2), level("WEST", -1)]);
    expect(whole.lines.get("lamp")!.waiting).toBe(1);
    expect(whole.untrackedShortage).toBe(2);
  });

  it("a restock at one location serves that location's parts in FIFO order", () => {
    // e1 (East, oldest), the split lamp (2 East, 1 West), w2 (West, newest).
    const lines = [line("e1", 1, 1, "EAST"), split("lamp", 2, 3, [west(1), east(2)]), line("w2", 3, 1, "WEST")];
    const before = allocate(lines, [level("EAST", -3), level("WEST", -2)]);
    expect(waiting(before)).toEqual({ e1: 1, lamp: 3, w2: 1 });
    // East gets 1 back: e1, the oldest at East, is served; the lamp's East part still waits.
    const eastBack = allocate(lines, [level("EAST", -2), level("WEST", -2)]);
    expect(waiting(eastBack)).toEqual({ e1: 0, lamp: 3, w2: 1 });
    // West gets 1 back: the lamp's West part (older than w2) is served, w2 still waits.
    const westBack = allocate(lines, [level("EAST", -2), level("WEST", -1)]);
    expect(waiting(westBack)).toEqual({ e1: 0, lamp: 2, w2: 1 });
    expect(westBack.lines.get("lamp")).toEqual({ waiting: 2, locationId: "EAST" });
  });

  it("takes the open units newest part first; units beyond the parts go with the newest part", () => {
    const levels = [level("EAST", 0), level("WEST", 0)];
    expect(piecesOf(split("x", 1, 3, [west(1), east(2)]), levels)).toEqual([
      { at: "EAST", units: 2 },
      { at: "WEST", units: 1 },
    ]);
    // One unit shipped (the snapshot says 2 open) before the fulfillment orders were read again.
    expect(piecesOf(split("x", 1, 2, [west(1), east(2)]), levels)).toEqual([
      { at: "EAST", units: 1 },
      { at: "WEST", units: 1 },
    ]);
    // More open than the parts hold (a fact not read yet): the newest part takes the rest.
    expect(piecesOf(split("x", 1, 5, [west(1), east(2)]), levels)).toEqual([
      { at: "EAST", units: 2 },
      { at: "WEST", units: 3 },
    ]);
    // A part at a location without a level takes any location's shortage, like an unplaced line.
    expect(piecesOf(split("x", 1, 3, [{ locationId: "NOWHERE", quantity: 1 }, east(2)]), levels)).toEqual([
      { at: "EAST", units: 2 },
      { at: null, units: 1 },
    ]);
  });

  const partsArb = fc.array(fc.record({ loc: fc.constantFrom("A", "B", "C", "Z"), qty: fc.integer({ min: 1, max: 3 }) }), {
    minLength: 0,
    maxLength: 3,
  });
  const splitLinesArb = fc.array(
    fc.record({ minute: fc.integer({ min: 0, max: 30 }), qty: fc.integer({ min: 0, max: 5 }), parts: partsArb }),
    { maxLength: 12 },
  );
  const levelsArb = fc.uniqueArray(
    fc.record({ loc: fc.constantFrom("A", "B", "C"), available: fc.integer({ min: -8, max: 5 }), minute: fc.integer({ min: 0, max: 40 }) }),
    { selector: (l) => l.loc, maxLength: 3 },
  );
  const buildSplit = (ls: { minute: number; qty: number; parts: { loc: string; qty: number }[] }[]): OpenLine[] =>
    ls.map((l, i) => ({
      ...line(String(i + 1), l.minute, l.qty, l.parts[0]?.loc ?? null),
      parts: l.parts.length ? l.parts.map((p) => ({ locationId: p.loc, quantity: p.qty })) : null,
    }));

  it("a line with one part allocates exactly as today (a line at that location, no parts)", () => {
    fc.assert(
      fc.property(splitLinesArb, levelsArb, (ls, lvs) => {
        const levels = lvs.map((l) => level(l.loc, l.available, l.minute));
        const lines = buildSplit(ls.map((l) => ({ ...l, parts: l.parts.slice(0, 1) })));
        const today = lines.map((l) => ({
          lineItemId: l.lineItemId,
          orderedAt: l.orderedAt,
          openQuantity: l.openQuantity,
          locationId: l.locationId,
        }));
        expect(allocate(lines, levels)).toEqual(allocate(today, levels));
      }),
    );
  });

  it("with every part placed, each location's queue is the newest-first suffix of the parts there", () => {
    fc.assert(
      fc.property(splitLinesArb, levelsArb, (ls, lvs) => {
        const levels = lvs.map((l) => level(l.loc, l.available, 59)); // after every order: nothing unreflected
        if (levels.length === 0) return;
        const locs = levels.map((l) => l.locationId);
        // Every part at a location with a level.
        const lines = buildSplit(
          ls.map((l, i) => ({
            ...l,
            parts: (l.parts.length ? l.parts : [{ loc: "A", qty: 1 }]).map((p, j) => ({ ...p, loc: locs[(i + j) % locs.length]! })),
          })),
        );
        const r = allocate(lines, levels);
        const waitingAtOf = (id: string, loc: string) => {
          const a = r.lines.get(id)!;
          return a.waitingAt ? (a.waitingAt.get(loc) ?? 0) : a.locationId === loc ? a.waiting : 0;
        };
        for (const lv of levels) {
          const mine = lines
            .filter((l) => l.openQuantity > 0)
            .map((l) => ({ l, units: piecesOf(l, levels).find((p) => p.at === lv.locationId)?.units ?? 0 }))
            .filter((x) => x.units > 0)
            .sort((a, b) => fifoCompare(a.l, b.l));
          let short = Math.max(0, -lv.available);
          for (const { l, units } of [...mine].reverse()) {
            const expected = Math.min(units, short);
            short -= expected;
            expect(waitingAtOf(l.lineItemId, lv.locationId)).toBe(expected);
          }
        }
        for (const l of lines) {
          const a = r.lines.get(l.lineItemId)!;
          if (a.waitingAt) expect([...a.waitingAt.values()].reduce((x, y) => x + y, 0)).toBe(a.waiting);
        }
      }),
    );
  });

  it("never hands out more than the shortage, nor more than a line's units", () => {
    fc.assert(
      fc.property(splitLinesArb, levelsArb, (ls, lvs) => {
        const levels = lvs.map((l) => level(l.loc, l.available, l.minute));
        const lines = buildSplit(ls);
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
  | { kind: "located"; id: string; loc: string; fo: string; qty: number; minute: number };

/**
 * Folds a stream with the engine's rules: newest level wins; per line and fulfillment order the
 * newest read wins (linePartWins), and the line's parts follow from those (linePartsOf).
 */
function fold(stream: Fact[]) {
  const lines = new Map<string, { minute: number; qty: number }>();
  const levels = new Map<string, Level>();
  const located = new Map<string, Map<string, LineLocationFact>>();
  for (const f of stream) {
    if (f.kind === "line") lines.set(f.id, { minute: f.minute, qty: f.qty });
    else if (f.kind === "level") {
      const candidate = level(f.loc, f.available, f.minute);
      if (inventoryLevelWins(candidate, levels.get(f.loc) ?? null)) levels.set(f.loc, candidate);
    } else {
      const candidate = { locationId: f.loc, fulfillmentOrderId: f.fo, quantity: f.qty, sourceAt: at(f.minute) };
      const ofLine = located.get(f.id) ?? new Map<string, LineLocationFact>();
      if (linePartWins(candidate, ofLine.get(f.fo) ?? null)) ofLine.set(f.fo, candidate);
      located.set(f.id, ofLine);
    }
  }
  return allocate(
    [...lines].map(([id, l]) => {
      const { assigned, parts } = linePartsOf([...(located.get(id)?.values() ?? [])]);
      // Through the stored form, as the engine reads it.
      return { ...line(id, l.minute, l.qty, assigned), parts: decodeParts(encodeParts(parts)) };
    }),
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
    qty: fc.integer({ min: 0, max: 3 }), // 0: closed, or the units moved away
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

  it("a partial move (part of a fulfillment order to another location) converges in any delivery order", () => {
    // Line 1: 3 lamps in fulfillment order 101 at East; the merchant moves 1 to West (102, created by the
    // move), which updates 101 to 2 at the same time. Line 2: one lamp at West, older.
    const base: Fact[] = [
      { kind: "line", id: "1", minute: 5, qty: 3 },
      { kind: "line", id: "2", minute: 1, qty: 1 },
      { kind: "level", loc: "EAST", available: -2, minute: 40 },
      { kind: "level", loc: "WEST", available: -1, minute: 40 },
      { kind: "located", id: "2", loc: "WEST", fo: "100", qty: 1, minute: 2 },
      { kind: "located", id: "1", loc: "EAST", fo: "101", qty: 3, minute: 6 },
      { kind: "located", id: "1", loc: "EAST", fo: "101", qty: 2, minute: 20 },
      { kind: "located", id: "1", loc: "WEST", fo: "102", qty: 1, minute: 20 },
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray([...base, ...base], { minLength: 16, maxLength: 16 }), (replay) => {
        const r = fold(replay);
        // East's 2 short are line 1's East part; West's 1 short is line 1's West part (newer than line 2).
        expect(r.lines.get("1")).toEqual({
          waiting: 3,
          locationId: "EAST",
          waitingAt: new Map([
            ["EAST", 2],
            ["WEST", 1],
          ]),
        });
        expect(r.lines.get("2")).toEqual({ waiting: 0, locationId: null });
      }),
    );
  });

  it("the newest fulfillment order decides a line's location whatever the delivery order", () => {
    const facts: LineLocationFact[] = [
      { locationId: "EAST", fulfillmentOrderId: "101", quantity: 2, sourceAt: at(1) },
      { locationId: "WEST", fulfillmentOrderId: "102", quantity: 2, sourceAt: at(5) }, // moved to West
      { locationId: "EAST", fulfillmentOrderId: "101", quantity: 0, sourceAt: at(5) }, // the original, emptied by the same move
    ];
    for (const order of [facts, [...facts].reverse(), [facts[1]!, facts[0]!, facts[2]!]]) {
      expect(winnerOf(order, lineLocationWins)?.locationId).toBe("WEST");
      // Per fulfillment order, the newest read: 101 holds nothing any more, the line is whole at West.
      const perFo = new Map<string, LineLocationFact>();
      for (const f of order) if (linePartWins(f, perFo.get(f.fulfillmentOrderId) ?? null)) perFo.set(f.fulfillmentOrderId, f);
      expect(linePartsOf([...perFo.values()])).toEqual({ assigned: "WEST", parts: null });
    }
  });
});
