// loadVariantsFacts sums only the units ordered after each variant's newest level instead of
// reading its queue. Over random queues (lines before and after the levels, in every state,
// some cancelled or with nothing open) and levels at several locations, its numbers equal the
// full computation over every open line: allocate().totalShortage and unreflectedDemand.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { loadVariantsFacts } from "../../app/engine/storefront-facts.server.ts";
import { allocate, unreflectedDemand } from "../../app/backorder/allocation.ts";

let t: TestDatabase;
const SHOP = "facts-bounded.myshopify.com";
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const NOW = new Date(T0 + 86_400_000);
const STATES = ["pending", "waiting", "allocated", "fulfilled", "cancelled"] as const;

beforeAll(async () => {
  t = await createTestDatabase("sffacts_bounded");
});
afterAll(() => t.drop());

const variantData = fc.record({
  levels: fc.uniqueArray(
    fc.record({ location: fc.constantFrom("L1", "L2", "L3"), available: fc.integer({ min: -8, max: 6 }), minute: fc.nat({ max: 30 }) }),
    {
      selector: (l) => l.location,
      maxLength: 3,
    },
  ),
  lines: fc.array(
    fc.record({
      minute: fc.nat({ max: 40 }),
      open: fc.integer({ min: 0, max: 3 }),
      state: fc.constantFrom(...STATES),
      cancelled: fc.boolean(),
    }),
    { maxLength: 12 },
  ),
});

describe("storefront facts without reading the queue", () => {
  it("equal the full computation over every open line", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(variantData, { minLength: 1, maxLength: 4 }), async (variants) => {
        for (const m of ["backorderLine", "inventoryLevel", "variant"] as const) {
          await (t.db[m] as unknown as { deleteMany(a: object): Promise<unknown> }).deleteMany({ where: { shop: SHOP } });
        }
        let seq = 0;
        const ids = variants.map((_, v) => `${4000 + v}`);
        for (const [v, data] of variants.entries()) {
          const item = `${9000 + v}`;
          await t.db.variant.create({
            data: {
              shop: SHOP,
              variantId: ids[v]!,
              productId: "1",
              inventoryItemId: item,
              productTitle: "Shirt",
              title: "M",
              productUpdatedAt: NOW,
            },
          });
          for (const l of data.levels) {
            await t.db.inventoryLevel.create({
              data: {
                shop: SHOP,
                inventoryItemId: item,
                locationId: l.location,
                available: l.available,
                updatedAt: new Date(T0 + l.minute * 60_000),
              },
            });
          }
          for (const l of data.lines) {
            seq++;
            await t.db.backorderLine.create({
              data: {
                shop: SHOP,
                lineItemId: `${7000 + seq}`,
                orderId: `${8000 + seq}`,
                orderName: `#${seq}`,
                orderedAt: new Date(T0 + l.minute * 60_000 + 1),
                variantId: ids[v]!,
                title: "Shirt - M",
                snapshotQuantity: 3,
                snapshotOpenQuantity: l.open,
                quantity: 3,
                openQuantity: l.open,
                state: l.state,
                cancelledAt: l.cancelled ? new Date(T0) : null,
              },
            });
          }
        }
        const facts = await loadVariantsFacts(t.db, SHOP, ids, NOW);
        for (const [v, data] of variants.entries()) {
          const levels = data.levels.map((l) => ({
            locationId: l.location,
            available: l.available,
            updatedAt: new Date(T0 + l.minute * 60_000),
          }));
          const open = data.lines.flatMap((l, i) =>
            ["pending", "waiting", "allocated"].includes(l.state) && !l.cancelled && l.open > 0
              ? [{ lineItemId: `${i}`, orderedAt: new Date(T0 + l.minute * 60_000 + 1), openQuantity: l.open, locationId: null }]
              : [],
          );
          const total = levels.reduce((s, l) => s + l.available, 0);
          expect({ available: facts.get(ids[v]!)!.available, waitingUnits: facts.get(ids[v]!)!.waitingUnits }, `variant ${v}`).toEqual({
            available: total - unreflectedDemand(open, levels),
            waitingUnits: allocate(open, levels).totalShortage,
          });
        }
      }),
      { numRuns: 25 },
    );
  });
});
