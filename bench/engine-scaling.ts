// The engine's cost per event against the size of one variant's queue (issue 11): a variant
// that already has N open lines (seeded in bulk, derived state included), then a stream of
// flash-sale events on it — a new one-unit order, then the inventory level Shopify sends after
// it — each applied in its own transaction with applyEvents, as the worker applies a chunk.
// Per size, on the same database one after the other: the engine as it was (each touched variant
// derived from all its open lines: recomputeVariants without the touched lines), then as it is
// (the bounded derivation), so the two figures are a ratio on one machine at one time.
// LOCATIONS=2: the lines are placed at two locations in turn (BackorderLine.assignedLocationId,
// as fulfillment orders give it), each short half the waiting units: the variant is then
// derived whole (decision 0021), which is what this measures; the stream's orders are unplaced.
// COUNT=1 (SQLite): also counts the Prisma operations (statements, raw ones included) each event
// sends, through a client extension (off by default: it is not free, and the PostgreSQL
// dialect checks do not see through it).
// `npx tsx bench/engine-scaling.ts [sqlite|postgres]`; SIZES=1000,10000,100000 EVENTS=200 MAX_SECONDS=10 LOCATIONS=1 COUNT=0.
import { createDb, type Db } from "../app/db/client.server.ts";
import { applyEventFacts, applyEvents, emptyAffected, recomputeVariants, type PendingRecompute } from "../app/engine/apply-event.server.ts";
import { lockShopEngine } from "../app/engine/engine-lock.server.ts";
import type { DomainEvent } from "../app/backorder/events.ts";
import { throwawayDatabase } from "./support/throwaway-database.ts";

const provider = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const SIZES = (process.env.SIZES ?? "1000,10000,100000").split(",").map(Number);
const EVENTS = Number(process.env.EVENTS ?? 200);
const MAX_SECONDS = Number(process.env.MAX_SECONDS ?? 10);
const SHOP = "scaling.myshopify.com";
const VARIANT = "44000000001";
const ITEM = "46000000001";
const LOCATION = "70000000001";
const LOCATIONS = process.env.LOCATIONS === "2" ? [LOCATION, "70000000002"] : [LOCATION];
/** Where line i is placed; null: unplaced (one location: as before the fulfillment order facts). */
const placeOf = (i: number): string | null => (LOCATIONS.length > 1 ? LOCATIONS[i % LOCATIONS.length]! : null);
const T0 = Date.parse("2026-11-01T00:00:00Z");
const SEED_CHUNK = 500;
const COUNT = process.env.COUNT === "1" && provider === "sqlite";
let operations = 0;
/** The client, counting its operations when COUNT is set. */
const counted = (db: Db): Db =>
  COUNT
    ? (db.$extends({
        query: {
          $allOperations({ args, query }) {
            operations++;
            return query(args);
          },
        },
      }) as unknown as Db)
    : db;

/** N one-unit lines a second apart; the newest half short of stock (waiting), the rest covered. */
async function seed(db: Db, n: number) {
  const waiting = Math.floor(n / 2);
  const seededAt = new Date(T0 + n * 1000);
  await db.variant.create({
    data: {
      shop: SHOP,
      variantId: VARIANT,
      productId: "8000000001",
      inventoryItemId: ITEM,
      productTitle: "Bench Tee",
      title: "M",
      productUpdatedAt: new Date(T0),
    },
  });
  // Each location short the waiting lines placed there (one location: all of them).
  for (const [k, locationId] of LOCATIONS.entries()) {
    let short = 0;
    for (let i = n - waiting; i < n; i++) if (LOCATIONS.length === 1 || i % LOCATIONS.length === k) short++;
    await db.inventoryLevel.create({ data: { shop: SHOP, inventoryItemId: ITEM, locationId, available: -short, updatedAt: seededAt } });
  }
  for (let from = 0; from < n; from += SEED_CHUNK) {
    const rows = [];
    for (let i = from; i < Math.min(n, from + SEED_CHUNK); i++) {
      const orderedAt = new Date(T0 + i * 1000);
      const isWaiting = i >= n - waiting;
      rows.push({
        shop: SHOP,
        lineItemId: String(13_000_000_000 + i),
        orderId: String(5_000_000_000 + i),
        orderName: `#${1001 + i}`,
        orderedAt,
        variantId: VARIANT,
        productId: "8000000001",
        title: "Bench Tee - M",
        snapshotQuantity: 1,
        snapshotOpenQuantity: 1,
        quantity: 1,
        openQuantity: 1,
        waitingQuantity: isWaiting ? 1 : 0,
        state: isWaiting ? "waiting" : "allocated",
        locationId: isWaiting ? (placeOf(i) ?? LOCATION) : null,
        assignedLocationId: placeOf(i),
        backorderedAt: isWaiting ? orderedAt : null,
      });
    }
    await db.backorderLine.createMany({ data: rows });
  }
  // Planner statistics, as autovacuum would have gathered them on a table of this size.
  if (provider === "postgres") await db.$executeRawUnsafe('ANALYZE "BackorderLine"');
  const first = await db.inventoryLevel.findFirstOrThrow({ where: { shop: SHOP, locationId: LOCATION } });
  return { waiting, available: first.available, lastAt: seededAt.getTime() };
}

/** Event k of the stream: even k a new order, odd k the level after it (one unit less). */
function streamEvent(n: number, k: number, available0: number, lastAt: number): DomainEvent {
  const sale = Math.floor(k / 2);
  const at = new Date(lastAt + (sale + 1) * 1000);
  if (k % 2 === 1)
    return { kind: "inventory", inventoryItemId: ITEM, locationId: LOCATION, available: available0 - sale - 1, updatedAt: at };
  const i = n + sale;
  return {
    kind: "order",
    orderId: String(5_000_000_000 + i),
    name: `#${1001 + i}`,
    createdAt: at,
    updatedAt: at,
    cancelledAt: null,
    currency: "USD",
    customer: null,
    refundIds: [],
    fulfillmentIds: [],
    lines: [
      {
        lineItemId: String(13_000_000_000 + i),
        variantId: VARIANT,
        productId: "8000000001",
        title: "Bench Tee - M",
        sku: null,
        quantity: 1,
        openQuantity: 1,
        unitPrice: "20.00",
      },
    ],
  };
}

const results = [];
for (const n of SIZES) {
  const database = await throwawayDatabase(provider, "scaling");
  const db = counted(createDb(database.url));
  try {
    const s0 = performance.now();
    const seeded = await seed(db, n);
    const seedSeconds = (performance.now() - s0) / 1000;
    let applied = 0;
    const run = async (mode: "full" | "bounded") => {
      let events = 0;
      const ops0 = operations;
      const t0 = performance.now();
      while (events < EVENTS && performance.now() - t0 < MAX_SECONDS * 1000) {
        const event = streamEvent(n, applied, seeded.available, seeded.lastAt);
        await db.$transaction(
          async (tx) => {
            if (mode === "bounded") return applyEvents(tx, SHOP, [{ event, reason: event.kind }]);
            // The engine before the bounded derivation: the same steps, every variant derived whole.
            await lockShopEngine(tx, SHOP);
            const pending: PendingRecompute = new Map();
            await applyEventFacts(tx, SHOP, event, event.kind, pending);
            await recomputeVariants(tx, SHOP, pending, emptyAffected());
          },
          { timeout: 120_000 },
        );
        events++;
        applied++;
      }
      const seconds = (performance.now() - t0) / 1000;
      return {
        events,
        eventsPerSec: +(events / seconds).toFixed(1),
        msPerEvent: +((seconds * 1000) / events).toFixed(1),
        ...(COUNT ? { operationsPerEvent: +((operations - ops0) / events).toFixed(1) } : {}),
      };
    };
    const full = await run("full");
    const bounded = await run("bounded");
    // The stream keeps the queue right: every unit sold after the seed is short as well.
    const sales = Math.ceil(applied / 2);
    const w = await db.backorderLine.aggregate({
      where: { shop: SHOP, variantId: VARIANT, state: "waiting" },
      _sum: { waitingQuantity: true },
    });
    const expected = seeded.waiting + sales;
    results.push({
      openLines: n,
      seedSeconds: +seedSeconds.toFixed(1),
      full,
      bounded,
      speedup: +(bounded.eventsPerSec / full.eventsPerSec).toFixed(1),
      waitingUnits: w._sum.waitingQuantity ?? 0,
      expectedWaitingUnits: expected,
    });
    if ((w._sum.waitingQuantity ?? 0) !== expected) process.exitCode = 1;
  } finally {
    await db.$disconnect();
    await database.drop();
  }
  console.error(JSON.stringify(results.at(-1)));
}
console.log(JSON.stringify({ provider, node: process.version, locations: LOCATIONS.length, results }, null, 2));
