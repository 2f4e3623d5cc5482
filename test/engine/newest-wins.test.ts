// "Newest wins" in the database, under concurrency: transactions that store levels, order
// snapshots and products side by side (as the inbox worker and the catalog sync do, in
// different processes) end on the fact the pure rules (app/backorder/fact-rules.ts) pick
// from the whole stream, whatever the order the transactions ran in. On PostgreSQL they run
// at once on the pool's connections; on SQLite one after another (one writer).
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import type { InventoryLevelEvent, OrderSnapshotEvent, ProductEvent } from "../../app/backorder/events.ts";
import { inventoryLevelWins, winnerOf } from "../../app/backorder/fact-rules.ts";
import { applyEventFacts, applyEvents } from "../../app/engine/apply-event.server.ts";
import { queueState } from "../support/queue-state.ts";

let t: TestDatabase;
const SHOP = "newest.myshopify.com";
const T0 = Date.UTC(2026, 10, 27, 14, 0, 0);

beforeAll(async () => {
  t = await createTestDatabase("newest_wins");
});
afterAll(() => t.drop());
beforeEach(clear);

async function clear() {
  for (const m of ["lineEvent", "backorderLine", "orderSnapshot", "inventoryLevel", "variant"] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({});
  }
}

/** The facts only (no engine lock, no derivation): what the single conditional statements alone guarantee. */
const storeFacts = (events: (InventoryLevelEvent | OrderSnapshotEvent | ProductEvent)[]) =>
  Promise.all(
    events.map((e) => t.db.$transaction((tx) => applyEventFacts(tx, SHOP, e, "test", new Map()), { timeout: 60_000, maxWait: 60_000 })),
  );

const level = (second: number, available: number): InventoryLevelEvent => ({
  kind: "inventory",
  inventoryItemId: "30001",
  locationId: "655441491",
  available,
  updatedAt: new Date(T0 + second * 1000),
});

const order = (minute: number): OrderSnapshotEvent => ({
  kind: "order",
  orderId: "5001",
  name: `#5001`,
  createdAt: new Date(T0),
  updatedAt: new Date(T0 + minute * 60_000),
  cancelledAt: null,
  currency: "EUR",
  customer: { id: "77", name: "Ada", email: "ada@example.com" },
  refundIds: [],
  fulfillmentIds: [],
  // The quantity marks the version: the newest snapshot's lines must be the ones stored.
  lines: [
    {
      lineItemId: "6001",
      variantId: "20001",
      productId: "10001",
      title: "Drop",
      sku: null,
      quantity: minute + 1,
      openQuantity: minute + 1,
      unitPrice: "9.00",
    },
  ],
});

const product = (minute: number): ProductEvent => ({
  kind: "product",
  productId: "10001",
  title: `Drop v${minute}`,
  tags: "",
  updatedAt: new Date(T0 + minute * 60_000),
  variants: [{ variantId: "20001", title: "Default", sku: null, inventoryItemId: "30001", price: "9.00", inventoryPolicy: "deny" }],
});

/** A stream shuffled, with duplicates (fast-check). */
const arrivals = <T>(stream: T[]) =>
  fc.array(fc.nat({ max: stream.length - 1 }), { maxLength: stream.length }).chain((again) => {
    const all = [...stream, ...again.map((i) => stream[i]!)];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });

describe("newest wins under concurrent writers", () => {
  it("inventory levels (same-second ties included) stored at once end on the rule's winner", async () => {
    const levels = fc
      .array(fc.tuple(fc.nat({ max: 3 }), fc.integer({ min: 0, max: 9 })), { minLength: 2, maxLength: 12 })
      .map((xs) => xs.map(([s, a]) => level(s, a)));
    await fc.assert(
      fc.asyncProperty(
        levels.chain((stream) => fc.tuple(fc.constant(stream), arrivals(stream))),
        async ([stream, arrived]) => {
          await t.db.inventoryLevel.deleteMany({});
          await storeFacts(arrived);
          const want = winnerOf(stream, inventoryLevelWins)!;
          const got = await t.db.inventoryLevel.findFirstOrThrow({ where: { shop: SHOP } });
          expect({ at: got.updatedAt.getTime(), available: got.available }).toEqual({
            at: want.updatedAt.getTime(),
            available: want.available,
          });
        },
      ),
      { numRuns: 15 },
    );
  });

  it("order snapshots and products stored at once end on the newest, lines included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .uniqueArray(fc.nat({ max: 50 }), { minLength: 2, maxLength: 8 })
          .chain((minutes) => fc.tuple(fc.constant(minutes), arrivals(minutes))),
        async ([minutes, arrived]) => {
          await clear();
          await storeFacts(arrived.flatMap((m) => [order(m), product(m)]));
          const newest = Math.max(...minutes);
          expect((await t.db.orderSnapshot.findFirstOrThrow({ where: { shop: SHOP } })).updatedAt.getTime()).toBe(T0 + newest * 60_000);
          expect((await t.db.backorderLine.findFirstOrThrow({ where: { shop: SHOP } })).quantity).toBe(newest + 1);
          expect((await t.db.variant.findFirstOrThrow({ where: { shop: SHOP } })).productTitle).toBe(`Drop v${newest}`);
        },
      ),
      { numRuns: 10 },
    );
  });

  it("whole events applied at once (facts and derivation) end in the queue that applying them in order gives", async () => {
    // Twelve one-unit orders on a variant, its level moving down with them, then a late correction: 5 sold beyond stock.
    const events = [
      product(0),
      ...Array.from({ length: 12 }, (_, i): OrderSnapshotEvent => ({
        ...order(0),
        orderId: `${5100 + i}`,
        name: `#${5100 + i}`,
        createdAt: new Date(T0 + i * 1000),
        updatedAt: new Date(T0 + i * 1000),
        lines: [{ ...order(0).lines[0]!, lineItemId: `${6100 + i}`, quantity: 1, openQuantity: 1 }],
      })),
      ...Array.from({ length: 12 }, (_, i) => level(i, 5 - i)),
      level(20, -5),
    ];
    const apply = (e: (typeof events)[number]) =>
      t.db.$transaction((tx) => applyEvents(tx, SHOP, [{ event: e, reason: "test" }]), { timeout: 60_000, maxWait: 60_000 });
    for (const e of events) await apply(e);
    const inOrder = await queueState(t.db, SHOP);
    expect(inOrder.lines.filter((l) => l.state === "waiting")).toHaveLength(5);

    for (const seed of [1, 2, 3]) {
      await clear();
      const shuffled = [...events].sort((a, b) => hash(seed, a) - hash(seed, b));
      await Promise.all(shuffled.map(apply));
      expect(await queueState(t.db, SHOP), `seed ${seed}`).toEqual(inOrder);
    }
  });
});

/** A deterministic shuffle key. */
function hash(seed: number, e: object): number {
  let h = seed;
  for (const c of JSON.stringify(e)) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}
