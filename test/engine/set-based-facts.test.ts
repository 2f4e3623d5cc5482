// The worker applies a chunk's order snapshots and inventory levels set-based (a few statements
// for all of them) and derives its variants together. Whatever the stream — repeated orders,
// older snapshots arriving late, same-second level ties, a redacted customer, orders of two
// variants — a chunk must end exactly where storing its events one at a time (applyEventFacts,
// one statement or three per event) and deriving once does: the same lines, levels, snapshots
// and line history; and the queue equals applying each event alone.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import type { DomainEvent, InventoryLevelEvent, OrderSnapshotEvent, ProductEvent } from "../../app/backorder/events.ts";
import {
  applyEventFacts,
  applyEvents,
  emptyAffected,
  recomputeVariants,
  type PendingRecompute,
} from "../../app/engine/apply-event.server.ts";
import { queueState } from "../support/queue-state.ts";

let t: TestDatabase;
const SHOP = "set-based.myshopify.com";
const T0 = Date.UTC(2026, 10, 27, 14, 0, 0);

beforeAll(async () => {
  t = await createTestDatabase("set_based_facts");
});
afterAll(() => t.drop());

async function clear() {
  for (const m of ["lineEvent", "backorderLine", "orderSnapshot", "inventoryLevel", "variant", "redactedOrder"] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({});
  }
}

const product = (v: number): ProductEvent => ({
  kind: "product",
  productId: `${10_000 + v}`,
  title: `Drop ${v}`,
  tags: "",
  updatedAt: new Date(T0),
  variants: [
    { variantId: `${20_000 + v}`, title: "Default", sku: null, inventoryItemId: `${30_000 + v}`, price: "9.00", inventoryPolicy: "deny" },
  ],
});

/** Order n on variant v (0 or 1), version `minute` (its quantity marks the version). */
const order = (n: number, v: number, minute: number): OrderSnapshotEvent => ({
  kind: "order",
  orderId: `${5000 + n}`,
  name: `#${5000 + n}`,
  createdAt: new Date(T0 + n * 1000),
  updatedAt: new Date(T0 + n * 1000 + minute * 60_000),
  cancelledAt: null,
  currency: "EUR",
  customer: { id: `${70 + n}`, name: `Buyer ${n}`, email: `b${n}@example.com` },
  refundIds: [],
  fulfillmentIds: [],
  lines: [
    {
      lineItemId: `${6000 + n}`,
      variantId: `${20_000 + v}`,
      productId: `${10_000 + v}`,
      title: "Drop",
      sku: null,
      quantity: 1 + (minute % 3),
      openQuantity: 1 + (minute % 3),
      unitPrice: "9.00",
    },
  ],
});

const level = (v: number, second: number, available: number): InventoryLevelEvent => ({
  kind: "inventory",
  inventoryItemId: `${30_000 + v}`,
  locationId: "655441491",
  available,
  updatedAt: new Date(T0 + second * 1000),
});

const stream = fc.array(
  fc.oneof(
    fc.tuple(fc.nat({ max: 7 }), fc.nat({ max: 1 }), fc.nat({ max: 4 })).map(([n, v, m]) => order(n, v, m)),
    fc.tuple(fc.nat({ max: 1 }), fc.nat({ max: 5 }), fc.integer({ min: -6, max: 4 })).map(([v, s, a]) => level(v, s, a)),
  ),
  { minLength: 1, maxLength: 30 },
);

/** Each chunk in one transaction: the engine (set-based), or its facts one event at a time, then one derivation. */
async function applyInChunks(events: DomainEvent[], size: number, oneAtATime: boolean) {
  for (let i = 0; i < events.length; i += size) {
    const chunk = events.slice(i, i + size).map((event) => ({ event, reason: event.kind }));
    await t.db.$transaction(
      async (tx) => {
        if (!oneAtATime) return applyEvents(tx, SHOP, chunk);
        const pending: PendingRecompute = new Map();
        const touched = new Set<string>();
        for (const { event, reason } of chunk) await applyEventFacts(tx, SHOP, event, reason, pending, 0, touched);
        await recomputeVariants(tx, SHOP, pending, emptyAffected(), touched);
      },
      { timeout: 60_000, maxWait: 60_000 },
    );
  }
}

async function endState() {
  const snapshots = await t.db.orderSnapshot.findMany({
    where: { shop: SHOP },
    orderBy: { orderId: "asc" },
    select: { orderId: true, updatedAt: true, customerId: true },
  });
  const lines = await t.db.backorderLine.findMany({
    where: { shop: SHOP },
    orderBy: { lineItemId: "asc" },
    select: { lineItemId: true, customerName: true, backorderedAt: true, allocatedAt: true },
  });
  const history = await t.db.lineEvent.findMany({
    where: { shop: SHOP },
    select: { lineItemId: true, at: true, fromState: true, toState: true, waiting: true, reason: true },
  });
  const key = (h: (typeof history)[number]) => JSON.stringify(h);
  return { queue: await queueState(t.db, SHOP), snapshots, lines, history: history.map(key).sort() };
}

describe("a chunk's facts stored set-based", () => {
  it("end where storing them one at a time does (repeats, late snapshots, level ties, a redacted customer)", async () => {
    await fc.assert(
      fc.asyncProperty(stream, fc.integer({ min: 2, max: 12 }), async (events, size) => {
        const all: DomainEvent[] = [product(0), product(1), ...events];
        const run = async (chunk: number, oneAtATime: boolean) => {
          await clear();
          // Order 5003's customer was erased: no version of it may bring the customer back.
          await t.db.redactedOrder.create({ data: { shop: SHOP, orderId: "5003", redactedAt: new Date(T0) } });
          await applyInChunks(all, chunk, oneAtATime);
          return endState();
        };
        const reference = await run(size, true);
        const together = await run(size, false);
        expect(together).toEqual(reference);
        expect((await run(1, false)).queue).toEqual(together.queue);
        expect(together.snapshots.find((s) => s.orderId === "5003")?.customerId ?? null).toBeNull();
      }),
      { numRuns: 12 },
    );
    // 12 streams, each stored three ways: up to ~1,000 short transactions, each a commit.
  }, 180_000);
});
