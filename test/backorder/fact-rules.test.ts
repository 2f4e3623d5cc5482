// "Which fact wins", as properties: whatever order a stream of facts arrives in, with any
// of them delivered again, folding it picks the fact that folding the stream in order
// picks. In-memory, milliseconds; test/engine/* checks that the database does the same.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { coalesceLevels } from "../../app/backorder/coalesce.ts";
import type { Customer, InventoryLevelEvent } from "../../app/backorder/events.ts";
import { customerToKeep, inventoryLevelWins, productWins, snapshotWins, winnerOf } from "../../app/backorder/fact-rules.ts";

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);

/** The stream shuffled, with some of its facts delivered more than once. */
function arrivals<T>(stream: T[]): fc.Arbitrary<T[]> {
  return fc.array(fc.nat({ max: stream.length - 1 }), { maxLength: stream.length * 2 }).chain((again) => {
    const all = [...stream, ...again.map((i) => stream[i]!)];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });
}

/** Inventory levels of one item at one location: few distinct seconds, so ties are common. */
const levels = fc.array(
  fc
    .record({ second: fc.nat({ max: 4 }), available: fc.integer({ min: -5, max: 20 }) })
    .map(({ second, available }) => ({ updatedAt: new Date(T0 + second * 1000), available })),
  { minLength: 1, maxLength: 40 },
);

/** Facts whose content changes with updated_at (an order or a product): distinct times, the millisecond kept. */
const versions = fc
  .uniqueArray(fc.nat({ max: 86_400_000 }), { minLength: 1, maxLength: 30 })
  .map((offsets) => offsets.map((ms) => ({ updatedAt: new Date(T0 + ms), version: `v${ms}` })));

const inOrder = <T extends { updatedAt: Date }>(facts: T[]) => [...facts].sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
const sameLevel = (a: { updatedAt: Date; available: number } | undefined) => a && { at: a.updatedAt.getTime(), available: a.available };

describe("which fact wins", () => {
  it("inventory level: any shuffle, with duplicates, ends on the level the ordered stream ends on", () => {
    fc.assert(
      fc.property(
        levels.chain((stream) => fc.tuple(fc.constant(stream), arrivals(stream))),
        ([stream, arrived]) => {
          const expected = winnerOf(inOrder(stream), inventoryLevelWins);
          expect(sameLevel(winnerOf(arrived, inventoryLevelWins))).toEqual(sameLevel(expected));
          // The newest second, and within it the lowest available: we hold rather than promise stock.
          const newest = Math.max(...stream.map((l) => l.updatedAt.getTime()));
          expect(expected!.updatedAt.getTime()).toBe(newest);
          expect(expected!.available).toBe(Math.min(...stream.filter((l) => l.updatedAt.getTime() === newest).map((l) => l.available)));
        },
      ),
    );
  });

  it("inventory level: winning per chunk, then against the stored one, is winning over the whole stream", () => {
    fc.assert(
      fc.property(
        levels.chain((stream) => fc.tuple(arrivals(stream), fc.array(fc.nat({ max: 5 }), { maxLength: 10 }))),
        ([arrived, cuts]) => {
          // The worker applies a stream in chunks of any size: a chunk's winner (coalesceLevels)
          // meets the stored level (the database's rule), chunk after chunk.
          const chunkWinners: { updatedAt: Date; available: number }[] = [];
          let from = 0;
          for (const size of [...cuts, arrived.length]) {
            const chunk = arrived.slice(from, from + size + 1);
            from += chunk.length;
            const kept = coalesceLevels(
              chunk.map((l) => ({
                event: { kind: "inventory", inventoryItemId: "I", locationId: "L", ...l } satisfies InventoryLevelEvent,
              })),
            );
            expect(kept.length).toBeLessThanOrEqual(1);
            if (kept[0]) chunkWinners.push(kept[0].event);
          }
          let stored: { updatedAt: Date; available: number } | null = null;
          for (const w of chunkWinners) if (inventoryLevelWins(w, stored)) stored = w;
          expect(sameLevel(stored ?? undefined)).toEqual(sameLevel(winnerOf(arrived, inventoryLevelWins)));
        },
      ),
    );
  });

  it("order snapshot and product: any shuffle, with duplicates, ends on the newest", () => {
    for (const rule of [snapshotWins, productWins]) {
      fc.assert(
        fc.property(
          versions.chain((stream) => fc.tuple(fc.constant(stream), arrivals(stream))),
          ([stream, arrived]) => {
            const last = inOrder(stream).at(-1)!;
            expect(winnerOf(arrived, rule)?.version).toBe(last.version);
          },
        ),
      );
    }
  });

  it("a stale snapshot never replaces a newer one; the same one applies again (a redelivery)", () => {
    const at = (iso: string) => ({ updatedAt: new Date(iso) });
    expect(snapshotWins(at("2026-11-27T09:00:00Z"), null)).toBe(true);
    expect(snapshotWins(at("2026-11-27T09:00:00Z"), at("2026-11-27T09:00:01Z"))).toBe(false);
    expect(snapshotWins(at("2026-11-27T09:00:01Z"), at("2026-11-27T09:00:01Z"))).toBe(true);
    expect(inventoryLevelWins({ ...at("2026-11-27T09:00:01Z"), available: 3 }, { ...at("2026-11-27T09:00:01Z"), available: 3 })).toBe(
      false,
    );
  });

  it("a redacted order's customer stays erased, whenever the redaction arrives among its snapshots", () => {
    type Fact = { kind: "snapshot"; updatedAt: Date; version: string; customer: Customer } | { kind: "redact" };
    const fold = (facts: Fact[]) => {
      let snapshot: { updatedAt: Date; version: string } | null = null;
      let customer: Customer | null = null;
      let redacted = false;
      for (const f of facts) {
        if (f.kind === "redact") {
          redacted = true;
          customer = null; // customers/redact erases what is stored
        } else if (snapshotWins(f, snapshot)) {
          snapshot = f;
          customer = customerToKeep(f.customer, redacted);
        }
      }
      return { version: snapshot?.version ?? null, customer };
    };
    fc.assert(
      fc.property(
        versions
          .map((vs) =>
            vs.map((v): Fact => ({ kind: "snapshot", ...v, customer: { id: "7", name: `Ada ${v.version}`, email: "ada@example.com" } })),
          )
          .chain((snaps) => fc.tuple(fc.constant(snaps), fc.boolean()))
          .chain(([snaps, redact]) => {
            const stream: Fact[] = redact ? [...snaps, { kind: "redact" }] : snaps;
            return fc.tuple(fc.constant({ snaps, redact }), arrivals(stream));
          }),
        ([{ snaps, redact }, arrived]) => {
          const newest = inOrder(snaps as (Fact & { kind: "snapshot" })[]).at(-1)!;
          const got = fold(arrived);
          expect(got.version).toBe(newest.version);
          expect(got.customer).toEqual(redact ? null : newest.customer);
        },
      ),
    );
  });
});
