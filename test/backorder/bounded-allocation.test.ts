import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate, unreflectedDemand, type Level } from "../../app/backorder/allocation.ts";
import {
  allocateBounded,
  isLive,
  readerAhead,
  shortageSegments,
  stateAhead,
  STEP,
  type LineReader,
  type StoredLine,
} from "../../app/backorder/bounded-allocation.ts";

const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 10, m));

interface Facts {
  lineItemId: string;
  minute: number;
  open: number;
  cancelled: boolean;
}

/** The stored state a full derivation (recompute.server.ts, deriveVariant) leaves: allocate over the live lines. */
function derive(
  lines: Facts[],
  levels: Level[],
  storedLoc: Map<string, string | null>,
): Map<string, { waiting: number; locationId: string | null }> {
  const live = lines.filter((l) => !l.cancelled && l.open > 0);
  const r = allocate(
    live.map((l) => ({ lineItemId: l.lineItemId, orderedAt: at(l.minute), openQuantity: l.open, locationId: null })),
    levels,
  );
  return new Map(
    lines.map((l) => {
      const a = r.lines.get(l.lineItemId);
      const waiting = l.cancelled ? 0 : (a?.waiting ?? 0);
      return [l.lineItemId, { waiting, locationId: a?.locationId ?? storedLoc.get(l.lineItemId) ?? null }];
    }),
  );
}

/** An in-memory reader with the contract the database one has (live lines in open states only). */
function memoryReader(rows: StoredLine[]): LineReader & { reads: number } {
  const live = rows.filter((l) => isLive(l) && ["pending", "waiting", "allocated"].includes(l.state));
  const byTime = (order: "asc" | "desc") => (a: StoredLine, b: StoredLine) =>
    order === "asc" ? a.orderedAt.getTime() - b.orderedAt.getTime() : b.orderedAt.getTime() - a.orderedAt.getTime();
  const reader = {
    reads: 0,
    async waiting(order: "asc" | "desc", n: number) {
      reader.reads++;
      return live
        .filter((l) => l.waitingQuantity > 0)
        .sort(byTime(order))
        .slice(0, n);
    },
    async newestCovered(n: number) {
      reader.reads++;
      return live
        .filter((l) => l.waitingQuantity === 0)
        .sort(byTime("desc"))
        .slice(0, n);
    },
    async boundBeyond(from: Date, side: "older" | "newer", n: number) {
      reader.reads++;
      const beyond = live
        .filter((l) => (side === "older" ? l.orderedAt < from : l.orderedAt > from))
        .sort(byTime(side === "older" ? "desc" : "asc"));
      return beyond.length >= n ? beyond[n - 1]!.orderedAt : null;
    },
    async between(from: Date | null, to: Date | null) {
      reader.reads++;
      return live.filter((l) => (from === null || l.orderedAt >= from) && (to === null || l.orderedAt <= to));
    },
    async beyond(from: Date, side: "older" | "newer", n: number) {
      reader.reads++;
      return live.filter((l) => (side === "older" ? l.orderedAt < from : l.orderedAt > from)).slice(0, n);
    },
  };
  return reader;
}

/**
 * What the database reader reads ahead in one statement (recompute.server.ts): every pending line,
 * the k oldest and k newest lines stored waiting and the k newest stored allocated, by state as
 * the database has them, ties cut at random (as a LIMIT may cut them).
 */
function aheadOf(rows: StoredLine[], k: number, tieSeed: number) {
  const tie = (l: StoredLine) => (Number(l.lineItemId) * 2654435761 + tieSeed) % 1000;
  const of = (state: string, order: "asc" | "desc") =>
    rows
      .filter((l) => l.state === state)
      .sort((a, b) => (order === "asc" ? 1 : -1) * (a.orderedAt.getTime() - b.orderedAt.getTime()) || tie(a) - tie(b))
      .slice(0, k);
  return {
    pending: { rows: rows.filter((l) => l.state === "pending"), gap: null },
    waiting: stateAhead(k, of("waiting", "asc"), of("waiting", "desc")),
    allocated: stateAhead(k, null, of("allocated", "desc")),
  };
}

const ids = fc.uniqueArray(fc.integer({ min: 1, max: 2000 }), { minLength: 0, maxLength: 40 });
const facts = (id: number) =>
  fc.record({
    lineItemId: fc.constant(String(id)),
    minute: fc.integer({ min: 0, max: 20 }),
    open: fc.integer({ min: 0, max: 3 }),
    cancelled: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });
const levelsArb = fc.uniqueArray(
  fc.record({
    locationId: fc.constantFrom("1", "2", "10"),
    available: fc.integer({ min: -12, max: 4 }),
    updatedAt: fc.integer({ min: 0, max: 25 }).map(at),
  }),
  { selector: (l) => l.locationId, minLength: 0, maxLength: 2 },
);

/** A variant derived once, then some lines changed (new, edited, cancelled, a late old order) and the levels moved. */
const scenario = ids.chain((base) =>
  fc.record({
    before: fc.tuple(...base.map(facts)),
    levelsBefore: levelsArb,
    storedLoc: fc.array(fc.constantFrom(null, "1", "2"), { minLength: base.length, maxLength: base.length }),
    changed: fc.subarray(base.map(String)),
    changes: fc.array(
      fc.record({
        open: fc.integer({ min: 0, max: 3 }),
        cancelled: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
        moveTo: fc.option(fc.integer({ min: 0, max: 20 }), { freq: 5 }),
      }),
      {
        minLength: base.length,
        maxLength: base.length,
      },
    ),
    added: fc.uniqueArray(fc.integer({ min: 3000, max: 3100 }), { maxLength: 6 }).chain((ns) => fc.tuple(...ns.map(facts))),
    levelsAfter: fc.option(levelsArb, { freq: 2 }),
  }),
);

describe("allocateBounded", () => {
  it("gives every line what allocate gives the whole variant, reading only the touched lines and a window", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.integer({ min: 1, max: 8 }), fc.nat(), async (s, k, tieSeed) => {
        const storedLoc = new Map(s.before.map((l, i) => [l.lineItemId, s.storedLoc[i] ?? null]));
        const stored = derive(s.before, s.levelsBefore, storedLoc);
        const changed = new Set(s.changed);
        const after: Facts[] = s.before.map((l, i) => {
          if (!changed.has(l.lineItemId)) return l;
          const c = s.changes[i]!;
          return { ...l, open: c.open, cancelled: c.cancelled, minute: c.moveTo ?? l.minute };
        });
        const all = [...after, ...s.added];
        const levels = s.levelsAfter ?? s.levelsBefore;
        const beforeOf = new Map(s.before.map((l) => [l.lineItemId, l]));
        const row = (l: Facts, isNew: boolean): StoredLine => {
          const d = stored.get(l.lineItemId);
          const was = beforeOf.get(l.lineItemId) ?? l;
          return {
            lineItemId: l.lineItemId,
            orderedAt: at(l.minute),
            openQuantity: l.open,
            cancelled: l.cancelled,
            state: isNew ? "pending" : !was.cancelled && was.open > 0 ? (d!.waiting > 0 ? "waiting" : "allocated") : "cancelled",
            waitingQuantity: d?.waiting ?? 0,
            locationId: d?.locationId ?? null,
          };
        };
        const rows = [...after.map((l) => row(l, false)), ...s.added.map((l) => row(l, true))];
        const touched = rows.filter((r) => changed.has(r.lineItemId) || r.state === "pending");
        const liveNow = all.filter((l) => !l.cancelled && l.open > 0);
        const unreflected = unreflectedDemand(
          liveNow.map((l) => ({ lineItemId: l.lineItemId, orderedAt: at(l.minute), openQuantity: l.open, locationId: null })),
          levels,
        );
        const expected = derive(all, levels, new Map(rows.map((r) => [r.lineItemId, r.locationId])));
        const facts = { levels, unreflected, storedWaitingTotal: rows.reduce((sum, r) => sum + r.waitingQuantity, 0), touched };
        // The reader as it reads the database, and the same behind lines read ahead (k of each list).
        for (const reader of [memoryReader(rows), readerAhead(aheadOf(rows, k, tieSeed), memoryReader(rows))]) {
          const bounded = await allocateBounded(facts, reader);
          if (bounded === null) {
            expect(shortageSegments(levels, unreflected).length).toBeGreaterThan(1);
            continue;
          }
          for (const r of rows) {
            const e = expected.get(r.lineItemId)!;
            const got = bounded.lines.get(r.lineItemId);
            if (got)
              expect({ id: r.lineItemId, waiting: got.waiting, locationId: got.locationId ?? r.locationId }).toEqual({
                id: r.lineItemId,
                ...e,
              });
            else expect({ id: r.lineItemId, waiting: r.waitingQuantity, locationId: r.locationId }).toEqual({ id: r.lineItemId, ...e });
          }
          for (const t of touched) expect(bounded.lines.has(t.lineItemId)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("reads a window of a few lines, not the queue, when one order arrives at a long queue", async () => {
    const n = 5000;
    const rows: StoredLine[] = Array.from({ length: n }, (_, i) => ({
      lineItemId: String(10_000 + i),
      orderedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
      openQuantity: 1,
      cancelled: false,
      state: i >= n / 2 ? "waiting" : "allocated",
      waitingQuantity: i >= n / 2 ? 1 : 0,
      locationId: i >= n / 2 ? "1" : null,
    }));
    const order: StoredLine = {
      lineItemId: "99999",
      orderedAt: new Date(Date.UTC(2026, 0, 2)),
      openQuantity: 1,
      cancelled: false,
      state: "pending",
      waitingQuantity: 0,
      locationId: null,
    };
    rows.push(order);
    const level: Level = { locationId: "1", available: -(n / 2), updatedAt: new Date(Date.UTC(2026, 0, 1, 12)) };
    const r = await allocateBounded({ levels: [level], unreflected: 1, storedWaitingTotal: n / 2, touched: [order] }, memoryReader(rows));
    expect(r!.lines.get("99999")).toEqual({ waiting: 1, locationId: "1" });
    // Nothing else changes: the untouched lines it returned keep their stored allocation.
    for (const [id, a] of r!.lines) if (id !== "99999") expect(a.waiting).toBe(rows.find((l) => l.lineItemId === id)!.waitingQuantity);
    expect(r!.read).toBeLessThan(10);
    // Lines read ahead as the database reader reads them (2·STEP + touched of each list) answer every read.
    const ahead = readerAhead(aheadOf(rows, 2 * STEP + 1, 0), memoryReader(rows));
    const r2 = await allocateBounded({ levels: [level], unreflected: 1, storedWaitingTotal: n / 2, touched: [order] }, ahead);
    expect(r2).toEqual(r);
    expect(ahead.misses).toBe(0);
  });
});
