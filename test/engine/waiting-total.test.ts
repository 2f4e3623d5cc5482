// The stored waiting units per variant (VariantWaitingTotal, kept by triggers on BackorderLine;
// docs/decisions/0030-waiting-total.md) and the bounded derivation that reads them, on a real
// database. The total must equal Σ waitingQuantity over the variant's waiting lines whatever
// wrote the lines: the engine's derivations in any order, cancellations, refunds, a line moved
// to another variant, a customer's redaction, lines deleted around the engine, shop/redact.
// A variant past SMALL_VARIANT_LINES is derived bounded; after every event it must be stored
// exactly as a derivation from all its lines would leave it.
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DomainEvent, InventoryLevelEvent, OrderSnapshotEvent, ProductEvent } from "../../app/backorder/events.ts";
import { applyEvents } from "../../app/engine/apply-event.server.ts";
import { deriveVariant, SMALL_VARIANT_LINES } from "../../app/engine/recompute.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { expectWaitingTotalsExact } from "../support/queue-state.ts";

let t: TestDatabase;
const SHOP = "totals.myshopify.com";
const OTHER = "totals-other.myshopify.com";
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const LOCATION = "70001";
const VARIANTS = ["20001", "20002"] as const;
const itemOf = (variantId: string) => `3${variantId}`;

beforeAll(async () => {
  t = await createTestDatabase("waiting_total");
});
afterAll(() => t.drop());
beforeEach(async () => {
  for (const m of [
    "lineEvent",
    "backorderLine",
    "orderAdjustment",
    "orderSnapshot",
    "inventoryLevel",
    "variant",
    "variantWaitingTotal",
  ] as const) {
    await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({});
  }
});

const at = (second: number) => new Date(T0 + second * 1000);

const product = (): ProductEvent => ({
  kind: "product",
  productId: "10001",
  title: "Tee",
  tags: "",
  updatedAt: at(0),
  variants: VARIANTS.map((variantId) => ({
    variantId,
    title: variantId,
    sku: null,
    inventoryItemId: itemOf(variantId),
    price: "9.00",
    inventoryPolicy: "continue",
  })),
});

interface OrderSpec {
  n: number;
  /** Units per line; a line per entry, variant by index parity unless moved. */
  lines: number[];
  customer: "c1" | "c2" | null;
  createdAt: number;
}

function order(o: OrderSpec, version: { updatedAt: number; cancelled?: boolean; moved?: boolean; open?: number[] }): OrderSnapshotEvent {
  return {
    kind: "order",
    orderId: String(5000 + o.n),
    name: `#${1000 + o.n}`,
    createdAt: at(o.createdAt),
    updatedAt: at(version.updatedAt),
    cancelledAt: version.cancelled ? at(version.updatedAt) : null,
    currency: "EUR",
    customer: o.customer ? { id: o.customer === "c1" ? "71" : "72", name: o.customer, email: `${o.customer}@example.com` } : null,
    refundIds: [],
    fulfillmentIds: [],
    lines: o.lines.map((q, i) => ({
      lineItemId: String(600_000 + o.n * 10 + i),
      variantId: VARIANTS[(o.n + i + (version.moved ? 1 : 0)) % 2]!,
      productId: "10001",
      title: "Tee",
      sku: null,
      quantity: q,
      openQuantity: version.open?.[i] ?? q,
      unitPrice: "9.00",
    })),
  };
}

const level = (variantId: string, available: number, second: number): InventoryLevelEvent => ({
  kind: "inventory",
  inventoryItemId: itemOf(variantId),
  locationId: LOCATION,
  available,
  updatedAt: at(second),
});

async function apply(shop: string, events: DomainEvent[]) {
  await t.db.$transaction(
    (tx) =>
      applyEvents(
        tx,
        shop,
        events.map((event) => ({ event, reason: event.kind })),
      ),
    {
      timeout: 120_000,
      maxWait: 120_000,
    },
  );
}

const orderSpec = (n: number) =>
  fc.record({
    n: fc.constant(n),
    lines: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
    customer: fc.constantFrom<OrderSpec["customer"]>("c1", "c2", null),
    createdAt: fc.integer({ min: 1, max: 60 }),
  });

/** Orders, their later versions (cancelled, partly shipped, a line moved to the other variant), refunds and levels. */
const stream = fc
  .integer({ min: 1, max: 14 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => orderSpec(i + 1))))
  .chain((orders) =>
    fc.record({
      orders: fc.constant(orders),
      later: fc.array(
        fc.record({
          o: fc.constantFrom(...orders),
          kind: fc.constantFrom("cancel", "ship", "move", "refund"),
          second: fc.integer({ min: 61, max: 120 }),
        }),
        { maxLength: 8 },
      ),
      levels: fc.array(
        fc.record({
          v: fc.constantFrom(...VARIANTS),
          available: fc.integer({ min: -12, max: 3 }),
          second: fc.integer({ min: 0, max: 120 }),
        }),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
      seed: fc.integer(),
      chunk: fc.integer({ min: 1, max: 6 }),
    }),
  );

type Stream = typeof stream extends fc.Arbitrary<infer S> ? S : never;

function events(s: Stream): DomainEvent[] {
  const list: DomainEvent[] = [product()];
  for (const o of s.orders) list.push(order(o, { updatedAt: o.createdAt }));
  for (const [k, l] of s.later.entries()) {
    const version = { updatedAt: l.second + k };
    if (l.kind === "cancel") list.push(order(l.o, { ...version, cancelled: true }));
    if (l.kind === "move") list.push(order(l.o, { ...version, moved: true }));
    if (l.kind === "ship") list.push(order(l.o, { ...version, open: l.o.lines.map((q) => q - 1) }));
    if (l.kind === "refund")
      list.push({
        kind: "adjustment",
        adjustment: "refund",
        id: `r${k}`,
        orderId: String(5000 + l.o.n),
        occurredAt: at(l.second + k),
        lines: [{ lineItemId: String(600_000 + l.o.n * 10), quantity: 1 }],
      });
  }
  for (const l of s.levels) list.push(level(l.v, l.available, l.second));
  return list;
}

/** The stream shuffled, with duplicates (a deterministic shuffle from the case's seed). */
function shuffled<T>(items: T[], seed: number): T[] {
  let x = seed >>> 0 || 1;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0), x);
  const out = [...items, ...items.filter(() => next() % 3 === 0)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe(`the stored waiting units per variant (${process.env.TEST_DATABASE ?? "sqlite"})`, () => {
  it("equal the sum over the lines after shuffled, duplicated streams, redaction, deletions and shop/redact", async () => {
    await fc.assert(
      fc.asyncProperty(stream, async (s) => {
        await t.db.backorderLine.deleteMany({});
        await t.db.orderSnapshot.deleteMany({});
        await t.db.orderAdjustment.deleteMany({});
        await t.db.inventoryLevel.deleteMany({});
        await t.db.redactedOrder.deleteMany({});
        const list = shuffled(events(s), s.seed);
        for (const shop of [SHOP, OTHER])
          for (let i = 0; i < list.length; i += s.chunk) {
            await apply(shop, list.slice(i, i + s.chunk));
            await expectWaitingTotalsExact(t.db, shop);
          }
        // The test must see waiting units for it to mean something, at least some of the time.
        await apply(SHOP, [{ kind: "customer_redact", customerId: "71", email: "c1@example.com", orderIds: [] }]);
        await expectWaitingTotalsExact(t.db, SHOP);
        // Written around the engine: an order's lines deleted, another's waiting units raised.
        const [first] = s.orders;
        await t.db.backorderLine.deleteMany({ where: { shop: SHOP, orderId: String(5000 + first!.n) } });
        await t.db.backorderLine.updateMany({ where: { shop: SHOP, state: "waiting" }, data: { waitingQuantity: { increment: 1 } } });
        await expectWaitingTotalsExact(t.db, SHOP);
        await apply(SHOP, [{ kind: "shop_redact" }]);
        expect(await t.db.variantWaitingTotal.count({ where: { shop: SHOP } })).toBe(0);
        await expectWaitingTotalsExact(t.db, OTHER);
      }),
      { numRuns: 8 },
    );
  });

  it("a variant past the small-variant size, derived bounded event by event, is stored as its whole derivation would leave it", async () => {
    const n = SMALL_VARIANT_LINES + 60;
    const v = VARIANTS[0];
    // An even order number puts its one line on the first variant (order(), by parity).
    const spec = (k: number, createdAt = 10 * k, q = 1 + (k % 2)): OrderSpec => ({ n: 2 * k, lines: [q], customer: null, createdAt });
    const seeded = Array.from({ length: n }, (_, k) => spec(k + 1));
    const units = seeded.reduce((s, o) => s + o.lines[0]!, 0);
    let clock = 10 * (n + 2);
    await apply(SHOP, [product(), ...seeded.map((o) => order(o, { updatedAt: o.createdAt })), level(v, -Math.floor(units / 2), clock)]);
    await expectWaitingTotalsExact(t.db, SHOP);
    let next = n + 1;

    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("new" as const), q: fc.integer({ min: 1, max: 3 }), late: fc.boolean() }),
            fc.record({ kind: fc.constant("level" as const), delta: fc.integer({ min: -4, max: 4 }) }),
            fc.record({ kind: fc.constant("cancel" as const), k: fc.integer({ min: 1, max: n }) }),
            fc.record({ kind: fc.constant("refund" as const), k: fc.integer({ min: 1, max: n }) }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        async (steps) => {
          for (const step of steps) {
            const now = ++clock;
            let event: DomainEvent;
            if (step.kind === "new") {
              const o = spec(++next, step.late ? 10 * (n - 5) + 5 : now, step.q);
              event = order(o, { updatedAt: now });
            } else if (step.kind === "level") {
              const stored = await t.db.inventoryLevel.findFirstOrThrow({ where: { shop: SHOP, inventoryItemId: itemOf(v) } });
              event = level(v, stored.available + step.delta, now);
            } else if (step.kind === "cancel") event = order(spec(step.k), { updatedAt: now, cancelled: true });
            else
              event = {
                kind: "adjustment",
                adjustment: "refund",
                id: `r${now}`,
                orderId: String(5000 + 2 * step.k),
                occurredAt: at(now),
                lines: [{ lineItemId: String(600_000 + 2 * step.k * 10), quantity: 1 }],
              };
            await apply(SHOP, [event]);
            await expectWaitingTotalsExact(t.db, SHOP);
            const left = await t.db.$transaction((tx) => deriveVariant(tx, SHOP, v, at(now), "check"));
            expect(left.map((c) => ({ line: c.lineItemId, ...c.data }))).toEqual([]);
          }
        },
      ),
      { numRuns: 6 },
    );
    expect(await t.db.backorderLine.count({ where: { shop: SHOP, variantId: v, state: "waiting" } })).toBeGreaterThan(0);
  });
});
